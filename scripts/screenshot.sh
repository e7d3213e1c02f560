#!/usr/bin/env bash
# Screenshots of built pages with headless Chromium, as a visitor sees them.
# Usage: scripts/screenshot.sh OUT.png FILE_OR_URL [WIDTHxHEIGHT] [light|dark]
# Scripts get five seconds of virtual time first, so the search page has run its query.
set -euo pipefail
out=$1 target=$2 size=${3:-1280x900} scheme=${4:-light}
case $target in http*|file:*) url=$target ;; *) url="file://$(realpath "$target")" ;; esac
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --hide-scrollbars --virtual-time-budget=5000
  --user-data-dir="$profile" --window-size="${size/x/,}" --screenshot="$(realpath -m "$out")")
[ "$scheme" = dark ] && flags+=(--force-dark-mode --blink-settings=preferredColorScheme=0)
chromium "${flags[@]}" "$url" >/dev/null 2>&1
echo "$out"
