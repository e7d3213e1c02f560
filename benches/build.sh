#!/usr/bin/env bash
# Full-build benchmark: Hindsight against Hugo on the same synthetic corpus, same run.
#
#   benches/build.sh [COUNTS...]        default: 1000 10000 100000
#
# Writes corpora with ../shared/bench/gen_corpus.py (seed 1) under /dev/shm (tmpfs: the
# disk here adds seconds of noise; 100,000 postmortems take a few minutes to write and are
# kept for the next run), builds each with Hindsight and with Hugo (a minimal site with
# taxonomies for services, root cause and severity, like ours) RUNS times, alternating the
# two, and prints one Markdown table row per tool and size: wall time (median), user CPU
# time (median: on a shared machine the steadier figure), peak memory (the largest of the
# runs), the files written, the search index's files, and the wall time as a ratio of
# Hugo's. benches/serve.sh and benches/search.sh print their rows in the same style.
#
# Each tool builds into an empty output folder: its previous output is removed before each
# run, outside its time. A Hindsight build that replaces a previous site also removes it
# (the `swap` stage of `--timings`, 180-270 ms at 10,000); REPLACE=1 keeps Hindsight's
# previous output, to time that too (Hugo never removes what it wrote before, so its
# folder is always emptied first).
#
# Environment:
#   RUNS=3          builds per tool and size
#   BENCH_DIR=...   where corpora and outputs live (default /dev/shm/hindsight-bench)
#   BIN=path        the Hindsight binary (default: this checkout, built with --release)
#   HUGO=0          leave Hugo out
#   REPLACE=1       Hindsight replaces its previous output (see above)
#   CHECK=1         also time `hindsight check` on each corpus (RUNS times, after each
#                   build): CI runs it before the build, so its time and memory count
#                   too; the table's "Hindsight check" rows (no files written)
#   PROSE=1         build the postmortems with their front matter stripped (corpora
#                   prose-N beside the others), so Hindsight reads their metadata from
#                   the text, as in archives written as prose; Hugo is left out (it
#                   would read no metadata at all)
#   HUGO_RELATED=1  Hugo's pages also list five related pages (Hugo's own `related`
#                   content on services, root cause and tags, as Hindsight's incident
#                   pages list related incidents): the table's "Hugo + related" rows, and
#                   the ratio is against them. Not the issue's baseline: a comparison of
#                   like with like, to say what the baseline leaves out.
# Needs: hugo (apt-get install hugo; 0.111 measured), python3, GNU time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen=${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/dev/shm/hindsight-bench}
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1000 10000 100000)
runs=${RUNS:-3}
with_hugo=${HUGO:-1}
replace=${REPLACE:-0}
related=${HUGO_RELATED:-0}
with_check=${CHECK:-0}
prose=${PROSE:-0}
[ "$prose" = 0 ] || with_hugo=0
hugo_name=Hugo; [ "$related" = 0 ] || hugo_name="Hugo + related"
our_name=Hindsight; [ "${PROSE:-0}" = 0 ] || our_name="Hindsight (prose)"

[ "$with_hugo" = 0 ] || command -v hugo >/dev/null || { echo "hugo not found: apt-get install hugo" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time not found: apt-get install time" >&2; exit 2; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  BIN=${CARGO_TARGET_DIR:-$here/target}/release/hindsight
fi
mkdir -p "$work"

hugo_site() { # $1 = site dir
  mkdir -p "$1/layouts/_default"
  cat > "$1/config.toml" <<'TOML'
baseURL = "/"
title = "bench"
disableKinds = ["RSS", "sitemap", "robotsTXT"]
# Hugo's default of 30 s per page is not enough at 100,000 pages on a busy machine.
timeout = "10m"
[taxonomies]
service = "services"
cause = "root_cause"
severity = "severity"
TOML
  [ "$related" = 0 ] || cat >> "$1/config.toml" <<'TOML'
[related]
includeNewer = true
threshold = 80
[[related.indices]]
name = "services"
weight = 100
[[related.indices]]
name = "root_cause"
weight = 100
[[related.indices]]
name = "tags"
weight = 80
TOML
  cat > "$1/layouts/_default/baseof.html" <<'HTML'
<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>
HTML
  local related_list=
  [ "$related" = 0 ] ||
    related_list='{{ with .Site.RegularPages.Related . | first 5 }}<ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}'
  printf '%s\n' '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Params.severity }} {{ range .Params.services }}<a href="/services/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p><p>{{ .Date }} – {{ .Params.end }}</p>{{ .TableOfContents }}{{ .Content }}'"$related_list"'{{ end }}' \
    > "$1/layouts/_default/single.html"
  cat > "$1/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range .Pages }}<tr><td>{{ .Date.Format "2006-01-02" }}</td><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.severity }}</td><td>{{ with .Params.services }}{{ delimit . ", " }}{{ end }}</td><td>{{ .Params.root_cause }}</td></tr>{{ end }}</table>{{ end }}
HTML
  cp "$1/layouts/_default/list.html" "$1/layouts/_default/terms.html"
}

# One build of "$@" under GNU time; appends "wall user peak_kib" to the file $log.
timed() {
  /usr/bin/time -f '%e %U %M' -o "$work/time.txt" "$@" >/dev/null 2>&1 || {
    echo "failed: $*" >&2; exit 1; }
  cat "$work/time.txt" >> "$log"
}

# Reads "wall user peak" lines from $1; prints "median_wall median_user max_peak_kib".
summary() {
  local n; n=$(wc -l < "$1")
  paste <(cut -d' ' -f1 "$1" | sort -n | sed -n "$(( (n + 1) / 2 ))p") \
        <(cut -d' ' -f2 "$1" | sort -n | sed -n "$(( (n + 1) / 2 ))p") \
        <(cut -d' ' -f3 "$1" | sort -n | tail -1)
}

echo "| postmortems | tool | wall s (median of $runs) | user CPU s | peak MiB | files written | search files | vs Hugo |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for count in "${counts[@]}"; do
  site=$work/hindsight-$count hugo=$work/hugo-$count
  [ "$related" = 0 ] || hugo=$work/hugo-related-$count
  if [ ! -d "$site/content" ]; then
    python3 "$gen" --count "$count" --seed 1 --out "$site/content" >/dev/null 2>&1
  fi
  [ -f "$site/hindsight.toml" ] || echo 'title = "bench"' > "$site/hindsight.toml"
  if [ "$prose" != 0 ]; then
    if [ ! -d "$work/prose-$count/content" ]; then
      mkdir -p "$work/prose-$count/content"
      for file in "$site"/content/*.md; do
        awk 'fences < 2 && /^---$/ { fences++; next } fences >= 2' "$file" \
          > "$work/prose-$count/content/${file##*/}"
      done
      cp "$site/hindsight.toml" "$work/prose-$count/"
    fi
    site=$work/prose-$count
  fi
  if [ "$with_hugo" != 0 ] && [ ! -d "$hugo/content" ]; then
    python3 "$gen" --count "$count" --seed 1 --out "$hugo/content/incidents" --front-matter flat >/dev/null 2>&1
  fi
  [ "$with_hugo" = 0 ] || [ -f "$hugo/config.toml" ] || hugo_site "$hugo"
  : > "$work/hugo.log"; : > "$work/hindsight.log"; : > "$work/check.log"
  # Each output is counted and removed as soon as it is built (but Hindsight's with
  # REPLACE=1), so that every build runs with the same memory free: a 100,000 output is
  # 3.8 GB of tmpfs, and a 100,000 build beside 16 GB of old outputs spent four times
  # the share of its time copying its pages in (perf, 2026-12-07).
  for _ in $(seq "$runs"); do
    if [ "$with_hugo" != 0 ]; then
      rm -rf "$work/hugo-out-$count"
      log=$work/hugo.log timed hugo --quiet -s "$hugo" -d "$work/hugo-out-$count"
      h_files=$(find "$work/hugo-out-$count" -type f | wc -l)
      rm -rf "$work/hugo-out-$count"
    fi
    [ "$replace" != 0 ] || rm -rf "$work/out-$count"
    log=$work/hindsight.log timed "$BIN" build --root "$site" --output "$work/out-$count"
    s_files=$(find "$work/out-$count" -type f | wc -l)
    s_search=$(find "$work/out-$count/search" -type f 2>/dev/null | wc -l)
    [ "$replace" != 0 ] || rm -rf "$work/out-$count"
    [ "$with_check" = 0 ] || log=$work/check.log timed "$BIN" check --root "$site"
  done
  read -r s_wall s_user s_peak < <(summary "$work/hindsight.log")
  if [ "$with_hugo" != 0 ]; then
    read -r h_wall h_user h_peak < <(summary "$work/hugo.log")
    awk -v c="$count" -v name="$hugo_name" -v w="$h_wall" -v u="$h_user" -v m="$h_peak" -v f="$h_files" 'BEGIN {
      printf "| %d | %s | %.2f | %.2f | %.0f | %d | — | 1.00× |\n", c, name, w, u, m / 1024, f }'
  fi
  awk -v c="$count" -v w="$s_wall" -v u="$s_user" -v m="$s_peak" -v f="$s_files" -v s="$s_search" \
      -v h="${h_wall:-}" -v name="$our_name" 'BEGIN {
    ratio = h == "" ? "—" : sprintf("%.2f×", w / h)
    printf "| %d | %s | %.2f | %.2f | %.0f | %d | %d | %s |\n", c, name, w, u, m / 1024, f, s, ratio }'
  if [ "$with_check" != 0 ]; then
    read -r c_wall c_user c_peak < <(summary "$work/check.log")
    awk -v c="$count" -v w="$c_wall" -v u="$c_user" -v m="$c_peak" -v name="$our_name" 'BEGIN {
      printf "| %d | %s check | %.2f | %.2f | %.0f | 0 | 0 | — |\n", c, name, w, u, m / 1024 }'
  fi
done
