#!/usr/bin/env bash
# Full-build benchmark: Hindsight against Hugo on the same synthetic corpus, same run.
#
#   benches/build.sh [COUNTS...]        default: 1000 10000
#
# Writes corpora with ../shared/bench/gen_corpus.py (seed 1) under /dev/shm (tmpfs: the
# disk here adds seconds of noise), builds each with the release binary and with Hugo
# (a minimal site with taxonomies for services, root cause and severity, like ours), and
# prints wall time (median of 3), pages per second and peak memory, with Hindsight's time
# as a ratio of Hugo's. Needs: hugo (apt-get install hugo), python3, GNU time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen=${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/dev/shm/hindsight-bench}
counts=("$@"); [ ${#counts[@]} -gt 0 ] || counts=(1000 10000)
runs=${RUNS:-3}

command -v hugo >/dev/null || { echo "hugo not found: apt-get install hugo" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time not found: apt-get install time" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/hindsight

hugo_site() { # $1 = site dir
  mkdir -p "$1/layouts/_default"
  cat > "$1/config.toml" <<'TOML'
baseURL = "/"
title = "bench"
disableKinds = ["RSS", "sitemap", "robotsTXT"]
[taxonomies]
service = "services"
cause = "root_cause"
severity = "severity"
TOML
  cat > "$1/layouts/_default/baseof.html" <<'HTML'
<!doctype html><html><head><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>
HTML
  cat > "$1/layouts/_default/single.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Params.severity }} {{ range .Params.services }}<a href="/services/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p><p>{{ .Date }} – {{ .Params.end }}</p>{{ .TableOfContents }}{{ .Content }}{{ end }}
HTML
  cat > "$1/layouts/_default/list.html" <<'HTML'
{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range .Pages }}<tr><td>{{ .Date.Format "2006-01-02" }}</td><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Params.severity }}</td><td>{{ with .Params.services }}{{ delimit . ", " }}{{ end }}</td><td>{{ .Params.root_cause }}</td></tr>{{ end }}</table>{{ end }}
HTML
  cp "$1/layouts/_default/list.html" "$1/layouts/_default/terms.html"
}

# Runs "$@" $runs times; prints "median_seconds peak_kib".
measure() {
  local times=() peak=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>&1
    read -r t m < "$work/time.txt"
    times+=("$t"); [ "$m" -gt "$peak" ] && peak=$m
  done
  printf '%s %s\n' "$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")" "$peak"
}

printf '%-8s %-10s %9s %11s %10s %12s\n' count tool wall_s pages_per_s peak_MiB vs_hugo
for count in "${counts[@]}"; do
  site=$work/hindsight-$count hugo=$work/hugo-$count
  if [ ! -d "$site/content" ]; then
    python3 "$gen" --count "$count" --seed 1 --out "$site/content" >/dev/null 2>&1
  fi
  if [ ! -d "$hugo/content" ]; then
    hugo_site "$hugo"
    python3 "$gen" --count "$count" --seed 1 --out "$hugo/content/incidents" --front-matter flat >/dev/null 2>&1
  fi
  read -r h_time h_mem < <(measure hugo --quiet -s "$hugo" -d "$work/hugo-out-$count")
  h_pages=$(find "$work/hugo-out-$count" -name '*.html' | wc -l)
  read -r s_time s_mem < <(measure "$bin" build --root "$site" --output "$work/out-$count")
  s_pages=$(find "$work/out-$count" -name '*.html' | wc -l)
  awk -v c="$count" -v ht="$h_time" -v hm="$h_mem" -v hp="$h_pages" -v st="$s_time" -v sm="$s_mem" -v sp="$s_pages" 'BEGIN {
    printf "%-8s %-10s %9.2f %11.0f %10.0f %12s\n", c, "hugo", ht, hp / ht, hm / 1024, "1.00x";
    printf "%-8s %-10s %9.2f %11.0f %10.0f %11.2fx\n", c, "hindsight", st, sp / st, sm / 1024, st / ht;
  }'
done
