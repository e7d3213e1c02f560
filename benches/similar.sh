#!/usr/bin/env bash
# "Similar incidents" benchmark: what the text similarity adds to a full build.
#
#   benches/similar.sh [COUNTS...]        default: 10000
#
# For each size: a synthetic corpus (../shared/bench/gen_corpus.py, seed 1) under
# /dev/shm; full builds with `[similar] enabled = false` and with it on, interleaved,
# RUNS=3 each; prints the medians of wall time, CPU time and the `analyze` stage of
# `--timings` (where the similar lists are computed) of each, peak memory, and the ratios.
# The machine's other load moves single runs by tens of percent: compare medians, and run
# it twice.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen=${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/dev/shm/hindsight-similar-bench}
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(10000)
runs=${RUNS:-3}

# HINDSIGHT_BIN=path measures that binary as it is (say, one built with frame pointers).
if [ -z "${HINDSIGHT_BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
fi
bin=${HINDSIGHT_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/hindsight}
mkdir -p "$work"

# Builds $1 once; prints "wall_seconds cpu_seconds analyze_ms peak_mib". CPU time (user + system)
# moves less than wall time when other processes share the cores.
build() {
  local analyze
  analyze=$(/usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" \
    "$bin" build --root "$1" --output "$1/public" --timings --max-diagnostics 1 2>&1 |
    awk '$1 == "analyze:" { print $2 }')
  read -r wall user sys peak < "$work/time.txt"
  echo "$wall $(echo "$user + $sys" | bc) $analyze $((peak / 1024))"
}
median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

for count in "${counts[@]}"; do
  site=$work/site-$count
  if [ ! -d "$site/content" ]; then
    mkdir -p "$site"
    python3 "$gen" --count "$count" --seed 1 --out "$site/content" >/dev/null
  fi
  off=() on=()
  for _ in $(seq "$runs"); do
    printf '[similar]\nenabled = false\n' > "$site/hindsight.toml"
    off+=("$(build "$site")")
    printf '[similar]\nenabled = true\n' > "$site/hindsight.toml"
    on+=("$(build "$site")")
  done
  # column $1 of the runs in $2..: median
  col() { local c=$1; shift; printf '%s\n' "$@" | awk -v c="$c" '{ print $c }' | median; }
  echo "== $count incidents, median of $runs interleaved runs"
  printf '%-22s %9s %9s %12s %9s\n' "" wall_s cpu_s analyze_ms peak_mib
  printf '%-22s %9.2f %9.2f %12.1f %9d\n' "similar off" "$(col 1 "${off[@]}")" "$(col 2 "${off[@]}")" "$(col 3 "${off[@]}")" "$(col 4 "${off[@]}")"
  printf '%-22s %9.2f %9.2f %12.1f %9d\n' "similar on" "$(col 1 "${on[@]}")" "$(col 2 "${on[@]}")" "$(col 3 "${on[@]}")" "$(col 4 "${on[@]}")"
  printf '%-22s %9.3f %9.3f\n' "on / off" "$(echo "$(col 1 "${on[@]}") / $(col 1 "${off[@]}")" | bc -l)" \
    "$(echo "$(col 2 "${on[@]}") / $(col 2 "${off[@]}")" | bc -l)"
  echo "runs (wall cpu analyze peak): off ${off[*]// /,} | on ${on[*]// /,}"
done
