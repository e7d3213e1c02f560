#!/usr/bin/env bash
# Screenshots of built pages with headless Chromium, as a visitor sees them.
# Usage: scripts/screenshot.sh OUT.png FILE_OR_URL [WIDTHxHEIGHT] [light|dark]
# Scripts get five seconds of virtual time first, so the search page has run its query.
# Headless Chromium's window is never narrower than 500 px, so a narrower screenshot (a
# 390 px phone) shows the page in a frame of that width inside a small wrapper page.
set -euo pipefail
out=$1 target=$2 size=${3:-1280x900} scheme=${4:-light}
case $target in http*|file:*) url=$target ;; *) url="file://$(realpath "$target")" ;; esac
width=${size%x*} height=${size#*x}
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
if [ "$width" -lt 500 ]; then
  wrapper="$profile/frame.html"
  printf '<!doctype html><meta charset="utf-8"><style>html,body{margin:0;overflow:hidden}iframe{display:block;border:0;width:%spx;height:%spx}</style><iframe src="%s"></iframe>\n' \
    "$width" "$height" "$url" >"$wrapper"
  url="file://$wrapper"
fi
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars --virtual-time-budget=5000
  --user-data-dir="$profile/profile" --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")")
[ "$scheme" = dark ] && flags+=(--force-dark-mode --blink-settings=preferredColorScheme=0)
chromium "${flags[@]}" "$url" >/dev/null 2>&1
echo "$out"
