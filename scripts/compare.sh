#!/usr/bin/env bash
# The end of `make compare`, once its modes have run: reads the result
# files listed on stdin (one path a line), saves REPORTS in OUT_DIR, among
# comparison.{txt,md,json} (dp-agg) and the charts comparison.png and
# timeline.png (dp-plot), each recorded in OUT_DIR's manifest, then says
# what it saved, prints the wall clock make measured for each of MODES
# (OUT_DIR/MODE.wall) and the comparison itself, last. A report or chart
# that could not be written is named as such, never as saved, and the
# exit status is 1; so it is when the runs differ. All that can be done is
# done either way.
#
#   ... | DP_AGG=PATH DP_PLOT=PATH OUT_DIR=DIR MODES='sequential parallel' \
#       REPORTS='comparison.txt comparison.png ...' scripts/compare.sh
set -euo pipefail

records=$(mktemp)
trap 'rm -f "$records"' EXIT
xargs -d '\n' cat > "$records"

# write NAME: writes OUT_DIR/NAME with the tool that makes it.
write() {
    local path=$OUT_DIR/$1
    local manifest=(--manifest "$OUT_DIR/.dp-manifest.jsonl")
    case $1 in
        comparison.txt) "$DP_AGG" --format text -o "$path" "${manifest[@]}" "$records" ;;
        comparison.md) "$DP_AGG" --format markdown -o "$path" "${manifest[@]}" "$records" ;;
        comparison.json) "$DP_AGG" --format json -o "$path" "${manifest[@]}" "$records" ;;
        comparison.png) "$DP_PLOT" --kind comparison -o "$path" "${manifest[@]}" "$records" ;;
        timeline.png) "$DP_PLOT" --kind timeline --color-by slot -o "$path" "${manifest[@]}" "$records" ;;
        *)
            echo "compare: no way to write $1" >&2
            return 2
            ;;
    esac
}
# inode NAME: OUT_DIR/NAME's inode, or none. dp writes atomically, through
# a new file renamed into place, so a file written anew has a new inode:
# the way to tell a report written despite exit 1 (the runs differ) from
# one not written at all.
inode() {
    stat -c %i -- "$OUT_DIR/$1" 2> /dev/null || echo none
}

status=0
saved=()
failed=()
for name in $REPORTS; do
    before=$(inode "$name")
    write "$name" || status=1
    if [ "$(inode "$name")" != none ] && [ "$(inode "$name")" != "$before" ]; then
        saved+=("$name")
    else
        failed+=("$name")
    fi
done
if [ ${#saved[@]} -gt 0 ]; then
    echo "compare: saved ${saved[*]} in $OUT_DIR"
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "compare: could not write ${failed[*]} in $OUT_DIR (see above)" >&2
    status=1
fi

printf 'compare: wall clock of each mode, measured by make outside dp:'
for mode in $MODES; do
    awk -v mode="$mode" '{ printf " %s %.2f s", mode, $2 - $1 }' "$OUT_DIR/$mode.wall" \
        || status=1
done
printf '\n\n'
if [[ " ${saved[*]} " == *" comparison.txt "* ]]; then
    cat "$OUT_DIR/comparison.txt" || status=1
fi
exit "$status"
