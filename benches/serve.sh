#!/usr/bin/env bash
# Live-preview latency: from saving one postmortem to its page, with the edit, in the browser.
#
#   benches/serve.sh [SITES...]     default: example 10000
#
# A site is `example` (the bundled example, copied), a count of synthetic postmortems
# (../shared/bench/gen_corpus.py, seed 1), or the path of a site folder (copied, so the
# original is never edited; say one with `[similar] enabled = false`, to separate what
# similar incidents cost). Each is written under /dev/shm (tmpfs: the disk here adds noise), served with the release binary (`hindsight serve --port 0`), and a
# client listening on the live-reload stream saves one postmortem the way editors do (a
# temporary file renamed over it) RUNS times per kind of edit:
#
#   body   a sentence added to the body: what an author does most while writing
#   title  the title changed: front matter, so lists, facets and trends re-render too
#   field  the impact changed: front matter other than the title that no list, facet or
#          trend is made from (summary, impact, detection, trigger): edited in place, as
#          a title is
#   tags   a new tag added: front matter that files the incident, so the site is
#          assembled again (order, facets, related incidents) before it re-renders, and
#          the new tag's page is written
#   start  the start time moved hours earlier on its day, past the day's other incidents
#          (the synthetic corpus has about four a day): the order changes too
#
# and times each save until the `reload` event has arrived and the edited postmortem's
# page, asked for again as a reloading page does, has come back with the edit on it (the
# server sends the reload at the first page written and holds requests for pages still
# being written; the script fails if the page lacks the edit). Prints the median, p90 and
# max of that per kind, the median time to the reload event alone, the
# server's CPU time (user + system, from /proc) per save of each kind, which load from
# other work on the machine disturbs far less than the latency, the
# server's resident memory after the runs and its peak, the time of the first build, and
# where a rebuild's time goes: the median of each stage `serve --timings` reports, per kind.
#
# Environment:
#   RUNS=30         saves per kind of edit
#   BENCH_DIR=...   where sites are generated and kept (default /dev/shm/hindsight-serve-bench)
#   BIN=path        the binary to measure (default: this checkout, built with --release)
#   BASELINE=path   another binary (say, the previous commit's) measured on the same sites
#                   in the same run, interleaved with BIN, so that load from other work on
#                   the machine affects both alike; the rows are labelled `base` and `new`
#   ROUNDS=1        with BASELINE: how many times to alternate the two per site
#   KINDS="body title field tags start"   the kinds of edit to time, in this order
# Needs: python3.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen=${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}
work=${BENCH_DIR:-/dev/shm/hindsight-serve-bench}
runs=${RUNS:-30}
rounds=${ROUNDS:-1}
export KINDS=${KINDS:-body title field tags start}
sites=("$@"); [ ${#sites[@]} -gt 0 ] || sites=(example 10000)

if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  BIN=$here/target/release/hindsight
fi
bins=("new=$BIN")
if [ -n "${BASELINE:-}" ]; then
  bins=()
  for _ in $(seq "$rounds"); do bins+=("base=$BASELINE" "new=$BIN"); done
fi
mkdir -p "$work"

client=$work/client.py
cat > "$client" <<'PY'
import http.client, json, os, re, socket, statistics, sys, time

address, path, runs, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = address.rsplit(":", 1)
sock = socket.create_connection((host, int(port)))
sock.sendall(f"GET /__hindsight/events HTTP/1.1\r\nHost: {address}\r\n\r\n".encode())
buffer = b""

def next_event(name, timeout=30.0):
    global buffer
    deadline = time.monotonic() + timeout
    while True:
        while b"\n\n" in buffer:
            block, buffer = buffer.split(b"\n\n", 1)
            lines = block.decode().splitlines()
            if f"event: {name}" in lines:
                return json.loads(next(l[6:] for l in lines if l.startswith("data: ")))
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit(f"no {name} event within {timeout} s")
        sock.settimeout(left)
        buffer += sock.recv(65536)

next_event("hello")
original = open(path, encoding="utf-8").read()
temporary = os.path.join(os.path.dirname(path), ".bench-save.tmp")

stem = os.path.splitext(os.path.basename(path))[0]
slug = re.search(r"^slug:[ \t]*[\"']?([^\"'\n]+)", original, re.M)
page = f"/incidents/{slug[1].strip() if slug else stem}/"

def fetch(url):
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    connection.request("GET", url, headers={"Host": address})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    if response.status != 200:
        sys.exit(f"GET {url}: {response.status}")
    return body

fetch(page)

def save(text, mark):
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(text)
    started = time.monotonic()
    os.rename(temporary, path)
    next_event("reload")
    reloaded = time.monotonic()
    # What the reloading page does: ask for itself again; the edit must be on it.
    if mark not in fetch(page):
        sys.exit(f"{page} does not show {mark!r} after the reload")
    return (time.monotonic() - started) * 1000, (reloaded - started) * 1000

def edits(kind, i):
    if kind == "body":
        mark = f"Another sentence, number {i}."
        return original + f"\n{mark}\n", mark
    if kind == "tags":
        mark = f"bench-tag-{i}"
        return original.replace("\ntags: [", f'\ntags: ["{mark}", ', 1), mark
    if kind == "start":
        # Hours earlier on the same day, alternating: moves it past that day's others.
        at = original.index("\nstarted_at: ") + len("\nstarted_at: ") + len("2022-07-24T")
        hour = ("02", "10")[i % 2]
        mark = f"{hour}:{original[at + 3:at + 5]}"
        return original[:at] + hour + original[at + 2:], mark
    marker, mark = {"title": ("\ntitle: ", f"Edit {i}: "), "field": ("\nimpact: ", f"Changed {i}, ")}[kind]
    at = original.index(marker) + len(marker)
    if original[at] in ">|":
        # A block scalar: the text starts on the next line, after its indentation.
        at = original.index("\n", at) + 1
        at += len(original[at:]) - len(original[at:].lstrip(" "))
    quote = original[at] if original[at] in "\"'" else ""
    return original[: at + len(quote)] + mark + original[at + len(quote):], mark

def cpu_seconds():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

try:
    for kind in os.environ["KINDS"].split():
        times, reloads = [], []
        cpu = cpu_seconds()
        for i in range(runs):
            shown, reloaded = save(*edits(kind, i))
            times.append(shown)
            reloads.append(reloaded)
            # Let the rebuild finish before the next save, as an author's typing does.
            time.sleep(0.3)
        cpu = (cpu_seconds() - cpu) * 1000 / runs
        times.sort()
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"{kind} {statistics.median(times):.1f} {p90:.1f} {times[-1]:.1f} "
              f"{statistics.median(reloads):.1f} {cpu:.0f}")
finally:
    with open(temporary, "w", encoding="utf-8") as f:
        f.write(original)
    os.rename(temporary, path)
PY

# Prints the median of each stage of the rebuilds in serve log $1: $2 rebuilds of each
# kind of edit in KINDS, in that order (the first build and the restoring save are not).
stages() {
  python3 - "$1" "$2" <<'PY'
import os, re, statistics, sys
runs, rebuilds = int(sys.argv[2]), []
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("["):
        rebuilds.append({})
    elif rebuilds and (m := re.match(r"^ +([a-z+]+): +([0-9.]+) ms$", line)):
        rebuilds[-1][m[1]] = float(m[2])
for index, kind in enumerate(os.environ["KINDS"].split()):
    chosen = rebuilds[index * runs : (index + 1) * runs]
    names = list(dict.fromkeys(name for r in chosen for name in r))
    cells = [f"{n} {statistics.median(r.get(n, 0.0) for r in chosen):.1f}" for n in names]
    print(f"  {kind} edit stages, median ms: " + ", ".join(cells))
PY
}

# One Markdown table row per binary, site and kind of edit, as benches/build.sh prints;
# the first builds and the stages follow the table.
notes=$work/notes.txt
: > "$notes"
echo "| bin | site | edit | saves | page median ms | page p90 ms | page max ms | reload median ms | CPU ms/save | RSS MiB | peak RSS MiB |"
echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for site in "${sites[@]}"; do
  name=$(basename "$site") root=$work/site-$site
  if [ -d "$site" ]; then
    root=$work/site-$(basename "$site")
    [ -d "$root/content" ] || cp -r "$site" "$root"
  fi
  if [ ! -d "$root/content" ]; then
    if [ "$site" = example ]; then
      mkdir -p "$root" && cp -r "$here/content" "$here/hindsight.toml" "$root/"
    else
      python3 "$gen" --count "$site" --seed 1 --out "$root/content" >/dev/null
    fi
  fi
  # The postmortem edited: one in the middle of the archive.
  file=$(find "$root/content" -name '*.md' | sort | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')
  for entry in "${bins[@]}"; do
    label=${entry%%=*} bin=${entry#*=}
    log=$work/serve-$name-$label.log
    # Emptied here, not by the redirection below: that happens in the background, and a
    # check that ran first would find the previous run's address.
    : >"$log"
    "$bin" serve --root "$root" --port 0 --timings >>"$log" 2>/dev/null &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' EXIT
    while ! grep -q '^serving at' "$log"; do
      kill -0 $pid 2>/dev/null || { echo "serve exited:"; cat "$log"; exit 1; }
      sleep 0.1
    done
    address=$(sed -n 's|^serving at http://\([^/]*\)/.*|\1|p' "$log")
    first=$(sed -n 's/^built .* in \(.*\)$/\1/p' "$log")
    python3 "$client" "$address" "$file" "$runs" "$pid" | while read -r kind median p90 max reload cpu; do
      rss=$(awk '/^VmRSS/ { print int($2 / 1024) }' /proc/$pid/status)
      peak=$(awk '/^VmHWM/ { print int($2 / 1024) }' /proc/$pid/status)
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$name" "$kind" "$runs" "$median" "$p90" "$max" "$reload" "$cpu" "$rss" "$peak"
    done
    { echo "$label $name: first build in $first"; stages "$log" "$runs"; } >> "$notes"
    kill $pid; wait $pid 2>/dev/null || true
    trap - EXIT
  done
done
echo
cat "$notes"
