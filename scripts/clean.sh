#!/usr/bin/env bash
# `make clean`: removes only what dp wrote. First the result files given
# (FILE...) and the `*.stats.json` results in the result directories given
# (DIR...), then those directories and OUT_DIR if that left them empty; then
# the data files listed in MANIFEST (dp-gen's records), MANIFEST itself and
# DATA_DIR if empty. A user's own files, even one named data1.txt, stay.
#
#   MANIFEST=PATH DATA_DIR=DIR OUT_DIR=DIR scripts/clean.sh [FILE...] -- [DIR...]
set -euo pipefail
shopt -s nullglob

files=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    files+=("$1")
    shift
done
[ $# -gt 0 ] && shift
dirs=("$@")

removed=0
remove() {
    if [ -f "$1" ]; then
        rm -f -- "$1"
        removed=$((removed + 1))
    fi
}

for path in "${files[@]}"; do
    remove "$path"
done
for dir in "${dirs[@]}"; do
    for path in "$dir"/*.stats.json; do
        remove "$path"
    done
    rm -f -- "$dir/.dp-manifest.jsonl"
done
if [ "$removed" -gt 0 ]; then
    rmdir -- "${dirs[@]}" "$OUT_DIR" 2> /dev/null || true
fi

if [ -f "$MANIFEST" ]; then
    # TODO(issue 9): the manifest is read by a tool, not sed
    while IFS= read -r path; do
        remove "$path"
    done < <(sed -n 's/^{"type":"file","path":"\([^"\\]*\)".*/\1/p' "$MANIFEST" | sort -u)
    rm -f -- "$MANIFEST"
    rmdir -- "$DATA_DIR" 2> /dev/null || true
fi
echo "clean: removed $removed files that dp wrote"
