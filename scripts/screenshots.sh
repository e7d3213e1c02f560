#!/usr/bin/env bash
# Every page kind of the bundled example at 390 px (a phone) and 1280 px, in the light and
# the dark scheme, into docs/screenshots/<page>-<phone|desktop>-<light|dark>.png (44 files).
# Builds the example with the release binary and serves it over HTTP (python3), so the
# 404 page finds its stylesheet at the site's root as it does on a host.
# Usage: scripts/screenshots.sh [OUT_DIR]   (HINDSIGHT=path/to/hindsight skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
site=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$site"' EXIT
if [ -n "${HINDSIGHT:-}" ]; then
  "$HINDSIGHT" build --as-of 2025-06-01 --output "$site/public" >/dev/null 2>&1
else
  cargo run --release --quiet -- build --as-of 2025-06-01 --output "$site/public" >/dev/null 2>&1
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site/public" >/dev/null 2>&1 &
server=$!
sleep 1
base="http://127.0.0.1:$port"
first() { (cd "$site/public/$1" && ls -d -- */ | head -1); }
declare -A pages=(
  [home]="/"
  [incident]="/incidents/2024-06-27-redis-synchronized-ttl-expiry/"
  [incidents]="/incidents/"
  [overview]="/services/"
  [term]="/services/$(first services)"
  [trends]="/trends/"
  [search]="/search/?q=cache&service=redis-cache"
  [404]="/404.html"
  [health]="/health/"
  [teams]="/teams/"
  [team]="/teams/payments/"
)
# Pages taller than a screen are taken whole enough to show what they are for: the
# incident page down to its timeline chart, a team page down to its action items.
declare -A phone_size=([incident]=390x2500 [team]=390x2400)
declare -A desktop_size=([incident]=1280x1250)
mkdir -p "$out"
# On a loaded machine Chromium now and then captures before the framed page has painted
# (a blank image of a few KB): such a shot is taken again.
shoot() {
  for _ in 1 2 3; do
    scripts/screenshot.sh "$@" >/dev/null
    [ "$(stat -c %s "$1")" -gt 15000 ] && return 0
  done
  echo "warning: $1 looks blank" >&2
}
for page in "${!pages[@]}"; do
  for scheme in light dark; do
    shoot "$out/$page-phone-$scheme.png" "$base${pages[$page]}" "${phone_size[$page]:-390x1200}" "$scheme"
    shoot "$out/$page-desktop-$scheme.png" "$base${pages[$page]}" "${desktop_size[$page]:-1280x900}" "$scheme"
  done
done
ls "$out"/*.png | wc -l
