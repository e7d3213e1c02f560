#!/usr/bin/env bash
# Where a build's memory goes over time: resident memory sampled every 100 ms.
#
#   benches/memory.sh SITE [BIN]
#
# Builds SITE (a folder with content/, e.g. a corpus written by
# ../shared/bench/gen_corpus.py) into a temporary folder under /dev/shm with `--timings`,
# reads VmRSS from /proc every 100 ms beside it, and prints the stages' timings, the
# peak sampled, and the samples once a second ("seconds: MiB"), so one can see which
# stage sets the peak. BIN defaults to this checkout's release build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
site=${1:?usage: benches/memory.sh SITE [BIN]}
bin=${2:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  bin=${CARGO_TARGET_DIR:-$here/target}/release/hindsight
fi
out=$(mktemp -d /dev/shm/hindsight-memory.XXXXXX)
log=$(mktemp)
trap 'rm -rf "$out" "$log"' EXIT
"$bin" build --root "$site" --output "$out/site" --timings > "$out/build.log" 2>&1 &
pid=$!
start=$(date +%s%N)
while kill -0 "$pid" 2>/dev/null; do
  kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$kb" ] && echo "$(( ($(date +%s%N) - start) / 1000000 )) $kb" >> "$log"
  sleep 0.1
done
wait "$pid" || { cat "$out/build.log" >&2; exit 1; }
grep -E '^ *(load|analyze|render|swap)' "$out/build.log" || true
sort -k2 -n "$log" | tail -1 | awk '{printf "peak sampled: %d MiB at %.1f s\n", $2 / 1024, $1 / 1000}'
awk '{ s = int($1 / 1000); if (!(s in seen)) { seen[s] = 1; printf "%s%d s: %d MiB", sep, s, $2 / 1024; sep = ", " } } END { print "" }' "$log"
