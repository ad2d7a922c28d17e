#!/usr/bin/env bash
# The end of `make compare`, once its modes have run: reads the result
# files listed on stdin (one path a line), saves the comparison in OUT_DIR
# as comparison.{txt,md,json} (dp-agg) with the charts comparison.png and
# timeline.png (dp-plot), then prints the wall clock make measured for each
# of MODES (OUT_DIR/MODE.wall) and the comparison itself, last. Exits 1 if a
# report or chart failed (or the runs differ), after doing all it could.
#
#   ... | DP_AGG=PATH DP_PLOT=PATH OUT_DIR=DIR MODES='sequential parallel' \
#       scripts/compare.sh
set -euo pipefail

records=$(mktemp)
trap 'rm -f "$records"' EXIT
xargs -d '\n' cat > "$records"

status=0
for format in markdown:md json:json text:txt; do
    "$DP_AGG" --format "${format%:*}" -o "$OUT_DIR/comparison.${format#*:}" "$records" \
        || status=$?
done
"$DP_PLOT" --kind comparison -o "$OUT_DIR/comparison.png" "$records" \
    && "$DP_PLOT" --kind timeline --color-by slot -o "$OUT_DIR/timeline.png" "$records" \
    || status=$?
echo "compare: saved $OUT_DIR/comparison.{txt,md,json}, comparison.png, timeline.png"

printf 'compare: wall clock of each mode, measured by make outside dp:'
for mode in $MODES; do
    awk -v mode="$mode" '{ printf " %s %.2f s", mode, $2 - $1 }' "$OUT_DIR/$mode.wall" \
        || status=$?
done
printf '\n\n'
cat "$OUT_DIR/comparison.txt" || status=$?
exit "$status"
