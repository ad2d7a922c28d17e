#!/usr/bin/env bash
# The end of `make compare` and of `make scaling` (NAME), once their runs
# have run: reads the result files listed on stdin (one path a line), saves
# REPORTS in OUT_DIR, among comparison.{txt,md,json} and scaling.{txt,md,json}
# (dp-agg) and the charts comparison.png, timeline.png and scaling.png
# (dp-plot), each recorded in OUT_DIR's manifest, then says what it saved,
# prints the wall clock make measured for each run of LABELS (OUT_DIR/LABEL.wall,
# or with RUNS >= 2 one per repeat, OUT_DIR/LABEL/r<k>.wall) and the text
# report (the first .txt of REPORTS), last. A report or chart that could
# not be written is named as such, never as saved, and the exit status is
# 1; so it is when the runs differ. All that can be done is done either way.
# scaling.png needs a dp-plot that has `--kind scaling`: with one that
# refuses it, the chart is left out with a one-line note, not an error.
# The HTML report (comparison.html, scaling.html: dp-agg --format html) shows
# the SETTINGs (make's variables, NAME=VALUE) and the `make NAME ...` command
# made of them that repeats the measurement; its path is the last line.
#
#   ... | DP_AGG=PATH DP_PLOT=PATH OUT_DIR=DIR LABELS='sequential parallel' \
#       RUNS=N REPORTS='comparison.txt comparison.png ...' scripts/compare.sh NAME [SETTING...]
set -euo pipefail

name=${1:-compare}
[ $# -eq 0 ] || shift

# shell_word NAME=VALUE: the setting as a shell word, quoted when it must be.
shell_word() {
    local value=${1#*=} quote="'\\''"
    if [[ $value =~ ^[A-Za-z0-9_.,/:+@%-]*$ ]]; then
        printf '%s' "$1"
    else
        printf "%s='%s'" "${1%%=*}" "${value//\'/$quote}"
    fi
}
# The page's file table: up to 1000 files a run, which a browser sorts at
# once (the text report keeps dp-agg's 20).
html=(--files-limit 1000)
command="make $name"
for setting in "$@"; do
    html+=(--setting "$setting")
    command+=" $(shell_word "$setting")"
done
html+=(--setting "host=$(uname -n)" --command "$command")
runs=${RUNS:-1}
records=$(mktemp)
refusal=$(mktemp)
trap 'rm -f "$records" "$refusal"' EXIT
xargs -d '\n' cat > "$records"

# write NAME: writes OUT_DIR/NAME with the tool that makes it; exit 3: a
# chart this dp-plot cannot draw.
write() {
    local path=$OUT_DIR/$1
    local manifest=(--manifest "$OUT_DIR/.dp-manifest.jsonl")
    case $1 in
        *.txt) "$DP_AGG" --format text -o "$path" "${manifest[@]}" "$records" ;;
        *.md) "$DP_AGG" --format markdown -o "$path" "${manifest[@]}" "$records" ;;
        *.json) "$DP_AGG" --format json -o "$path" "${manifest[@]}" "$records" ;;
        *.html) "$DP_AGG" --format html "${html[@]}" -o "$path" "${manifest[@]}" "$records" ;;
        comparison.png) "$DP_PLOT" --kind comparison -o "$path" "${manifest[@]}" "$records" ;;
        timeline.png) "$DP_PLOT" --kind timeline --color-by slot -o "$path" "${manifest[@]}" "$records" ;;
        scaling.png)
            local status=0
            "$DP_PLOT" --kind scaling -o "$path" "${manifest[@]}" "$records" 2> "$refusal" || status=$?
            if [ "$status" = 2 ] && grep -q "invalid value 'scaling'" "$refusal"; then
                return 3
            fi
            cat "$refusal" >&2
            return "$status"
            ;;
        *)
            echo "$name: no way to write $1" >&2
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
text=
page=
for report in $REPORTS; do
    before=$(inode "$report")
    written=0
    write "$report" || written=$?
    if [ "$written" = 3 ]; then
        echo "$name: $report not drawn: this dp-plot has no --kind scaling yet" >&2
        continue
    fi
    [ "$written" = 0 ] || status=1
    if [ "$(inode "$report")" != none ] && [ "$(inode "$report")" != "$before" ]; then
        saved+=("$report")
        if [ -z "$text" ] && [[ $report == *.txt ]]; then
            text=$report
        fi
        if [ -z "$page" ] && [[ $report == *.html ]]; then
            page=$report
        fi
    else
        failed+=("$report")
    fi
done
if [ ${#saved[@]} -gt 0 ]; then
    echo "$name: saved ${saved[*]} in $OUT_DIR"
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "$name: could not write ${failed[*]} in $OUT_DIR (see above)" >&2
    status=1
fi

# compare names modes (its runs are labelled by mode); scaling, runs.
what=mode
[ "$name" = compare ] || what=run
if [ "$runs" = 1 ]; then
    printf '%s: wall clock of each %s, measured by make outside dp:' "$name" "$what"
    for label in $LABELS; do
        awk -v label="$label" '{ printf " %s %.2f s", label, $2 - $1 }' "$OUT_DIR/$label.wall" \
            || status=1
    done
else
    printf '%s: wall clock of each %s in each of %s repeats, measured by make outside dp:' \
        "$name" "$what" "$runs"
    for label in $LABELS; do
        printf ' %s' "$label"
        for repeat in $(seq 1 "$runs"); do
            awk '{ printf " %.2f", $2 - $1 }' "$OUT_DIR/$label/r$repeat.wall" || status=1
        done
        printf ' s'
    done
fi
printf '\n\n'
if [ -n "$text" ]; then
    cat "$OUT_DIR/$text" || status=1
fi
if [ -n "$page" ]; then
    printf '\n%s: the report with its charts, for a browser: %s\n' "$name" "$OUT_DIR/$page"
fi
exit "$status"
