#!/usr/bin/env bash
# Lists the longest functions in src/ (Debian's pmccabe), longest first: "lines  file(line): function".
# pmccabe does not parse C++17 nested namespace definitions (namespace a::b {), so each file is read through a
# filter that writes them out as nested blocks first; line numbers are unchanged.
# Usage: scripts/function-lengths.sh [LIMIT] [COUNT]   (default: functions over 0 lines, the 15 longest)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pmccabe >/dev/null || { echo "error: pmccabe is not installed (apt-get install pmccabe)" >&2; exit 1; }
limit=${1:-0}
count=${2:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
while IFS= read -r file; do
  mkdir -p "$tmp/$(dirname "$file")"
  sed -E 's/^namespace ([A-Za-z_]+)::([A-Za-z_]+) \{/namespace \1 { namespace \2 {/; s/^\}  \/\/ namespace [A-Za-z_]+::[A-Za-z_]+$/}}/' \
    "$file" >"$tmp/$file"
done < <(find src -name '*.cpp' | sort)
(cd "$tmp" && pmccabe $(find src -name '*.cpp' | sort)) | awk -F'\t' -v limit="$limit" '$5 > limit {print $5 "\t" $6}' |
  sort -rn | head -n "$count"
