#!/usr/bin/env bash
# Search benchmark: the four figures of issue #4 at each corpus size, same run.
#
#   benches/search.sh [COUNTS...]        default: 1000 10000
#
# For each size: a synthetic corpus (../shared/bench/gen_corpus.py, seed 1) under
# /dev/shm; the full build's wall time with `[search] enabled = false` and with it on
# (median of RUNS=3 each, interleaved), so the index's cost is a ratio against a baseline
# measured in the same run; the index's size on disk; then, over HTTP without compression
# (python3 -m http.server, the site under a sub-path), headless Chromium opens the search
# page and reports the bytes of the first one-word query, of each further query, and the
# time from the input event to the results in the DOM for a query under two filters
# (benches/search_browser.rs). Needs python3, chromium and chromedriver.
#
# HINDSIGHT_BIN=path runs another build of hindsight (an older commit's, for a side by side
# figure) with the same corpus and browser bench.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen=${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/dev/shm/hindsight-search-bench}
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
runs=${RUNS:-3}

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench search_browser --no-run 2>/dev/null
bin=${HINDSIGHT_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/hindsight}
mkdir -p "$work"

wall() { # prints the wall seconds of a build of $1
  local start end
  start=$(date +%s.%N)
  "$bin" build --root "$1" --output "$1/public/pm" >/dev/null 2>&1
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

for count in "${counts[@]}"; do
  site=$work/site-$count
  if [ ! -d "$site/content" ]; then
    mkdir -p "$site"
    python3 "$gen" --count "$count" --out "$site/content" >/dev/null
  fi
  off=() on=()
  for _ in $(seq "$runs"); do
    printf '[search]\nenabled = false\n' > "$site/hindsight.toml"
    off+=("$(wall "$site")")
    printf '[search]\nenabled = true\n' > "$site/hindsight.toml"
    on+=("$(wall "$site")")
  done
  t_off=$(printf '%s\n' "${off[@]}" | median)
  t_on=$(printf '%s\n' "${on[@]}" | median)
  size=$(du -sk "$site/public/pm/search" | cut -f1)
  files=$(find "$site/public/pm/search" -type f | wc -l)
  echo "== $count incidents"
  printf 'build without search   %6.2f s\n' "$t_off"
  printf 'build with search      %6.2f s   (+%.1f%%)\n' "$t_on" "$(echo "($t_on - $t_off) * 100 / $t_off" | bc -l)"
  printf 'index on disk          %6.1f MB in %d files\n' "$(echo "$size / 1024" | bc -l)" "$files"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$site/public" >/dev/null 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  until python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/pm/search/')" 2>/dev/null; do sleep 0.1; done
  cargo bench --quiet --manifest-path "$here/Cargo.toml" --bench search_browser -- "http://127.0.0.1:$port/pm/search/" 2>/dev/null |
    awk '/bytes/ { printf "%-26s %8.1f KB\n", $1, $2 / 1024; next } { printf "%-26s %8.1f ms\n", $1, $2 }'
  kill $server 2>/dev/null || true
done
