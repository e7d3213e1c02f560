#!/usr/bin/env bash
# Fills each fuzz target's corpus (fuzz/corpus/TARGET/, not committed) with the example
# postmortems of content/, so libFuzzer starts from real files instead of from nothing.
# Targets that read prose get the files without their front matter too; the Markdown target
# gets each file's body behind its options byte (0: raw HTML off, 1: on).
set -euo pipefail
cd "$(dirname "$0")"
for target in frontmatter markdown infer incident import; do
  mkdir -p "corpus/$target"
done
n=0
while IFS= read -r -d '' file; do
  n=$((n + 1))
  body="$(awk 'NR == 1 && /^(---|\+\+\+)$/ { fence = $0; skip = 1; next }
               skip && $0 == fence { skip = 0; next } !skip' "$file")"
  cp "$file" "corpus/frontmatter/seed-$n"
  cp "$file" "corpus/incident/seed-$n"
  printf '%s\n' "$body" > "corpus/infer/seed-$n"
  printf '%s\n' "$body" > "corpus/import/seed-$n"
  printf '\000%s\n' "$body" > "corpus/markdown/seed-$n"
  printf '\001%s\n' "$body" > "corpus/markdown/seed-raw-$n"
done < <(find ../content -name '*.md' -print0 | sort -z)
echo "seeded $n files into fuzz/corpus/"
