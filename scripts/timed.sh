#!/usr/bin/env bash
# Runs one execution mode's command and keeps its wall clock, measured here,
# outside dp: OUT_DIR/MODE.wall gets the start and the end (Unix seconds),
# OUT_DIR/MODE is made first for the command's results (MODE is the results'
# directory under OUT_DIR: `parallel`, a repeat's `parallel/r2`, a scaling
# run's `parallel-j4`, whose clock is then parallel/r2.wall ...), and the exit status
# is the command's. MODE.wall and each FILE the command writes besides its
# results (GNU parallel's joblog) are recorded in their directory's manifest
# once written (DP_GEN --adopt), also when the command is interrupted, so
# that `make clean` removes them. What the Makefile's modes run, reading the
# data files' list, if any, on stdin:
#
#   DP_GEN=PATH FILES=N RUNS=N scripts/timed.sh OUT_DIR MODE [FILE...] -- COMMAND [ARG...]
#
# It also says how the mode is doing, on stderr (docs/reference.md,
# "Progress"): FILES is how many results the mode makes, RUNS how many
# repeats its caller runs. On a terminal a live line (mode, repeat k/N,
# results done of FILES, elapsed, expected end) settles into one line of
# result (`parallel (2/3): 5 files in 3.01 s`); the command's own stderr
# passes through the same loop, which steps the line aside for each of its
# lines. Elsewhere (a CI log) one plain line as the mode starts and one as
# it ends, nothing else.
#
# Under `make -n` nothing is timed or written: the command, a sub-make, runs
# only to print its plan.
set -euo pipefail

out_dir=$1
mode=$2
shift 2
written=()
while [ "$1" != -- ]; do
    written+=("$1")
    shift
done
shift
total=${FILES:-0}
runs=${RUNS:-1}
# Not the command's: a sub-make would take them for its own.
unset FILES RUNS

# make -n puts n in the first word of MAKEFLAGS, the single-letter flags,
# unless that word is a long option (--no-builtin-rules has an n of its own).
read -r flags _ <<< "${MAKEFLAGS:-}"
if [[ $flags != -* && $flags == *n* ]]; then
    exec "$@"
fi

# ---- Progress ----------------------------------------------------------------
# A bash loop rather than a dp tool: it needs a clock, a count of files and
# printf, all bash builtins (no process started while the mode is measured),
# and running in the pipeline of the command's stderr it is stopped by that
# pipe's end whatever ends the command, Ctrl-C included: no watcher to kill.

# The mode's run label and its repeat: parallel-j4/r2 is parallel-j4, 2.
label=${mode%/r[0-9]*}
repeat=
[ "$label" = "$mode" ] || repeat=${mode##*/r}
name=$label
if [ -n "$repeat" ] && [ "$runs" -gt 1 ]; then
    name+=" ($repeat/$runs)"
elif [ -n "$repeat" ]; then
    name+=" (repeat $repeat)"
fi

# The helpers set a variable rather than print, so that the loop starts no
# process (a $(...) would fork one) while the mode is measured.
# now_us: microseconds since the epoch, into `now`.
now_us() {
    now=${EPOCHREALTIME//[.,]/}
}
# seconds MICROSECONDS [DECIMALS]: 3.01 (2 decimals) or 3.0 (1), into `secs`.
seconds() {
    if [ "${2:-2}" = 1 ]; then
        printf -v secs '%d.%01d' $(($1 / 1000000)) $(($1 / 100000 % 10))
    else
        printf -v secs '%d.%02d' $(($1 / 1000000)) $(($1 / 10000 % 100))
    fi
}
# count_made: how many results are in the mode's directory, into `made`
# (dp writes each whole, through a hidden temporary name the glob skips),
# at most FILES: those of an earlier run over more files may be there too.
# A glob, not a test of each result's name: a tenth of the time.
shopt -s nullglob
count_made() {
    local results=("$out_dir/$mode"/*.stats.json)
    made=${#results[@]}
    [ "$total" -eq 0 ] || [ "$made" -le "$total" ] || made=$total
}
# The previous repeat's wall clock, in microseconds, if there was one: the
# expected length of this one.
previous_us=
if [ -n "$repeat" ] && [ "$repeat" -gt 1 ] && [ -f "$out_dir/$label/r$((repeat - 1)).wall" ]; then
    read -r begun ended < "$out_dir/$label/r$((repeat - 1)).wall" || true
    # date +%s.%N: nanoseconds.
    begun=${begun:-x}
    ended=${ended:-x}
    if [[ ${begun//./} =~ ^[0-9]+$ && ${ended//./} =~ ^[0-9]+$ ]]; then
        previous_us=$(((10#${ended//./} - 10#${begun//./}) / 1000))
    fi
fi

# draw ELAPSED_US: the live line, from `made` and the expected length: the
# previous repeat's, else the pace of the results made so far.
draw() {
    local elapsed=$1 expected=$previous_us line
    if [ -z "$expected" ] && [ "$made" -gt "$first_made" ]; then
        expected=$((elapsed * (total - first_made) / (made - first_made)))
    fi
    seconds "$elapsed" 1
    line="$name: $made/$total files, $secs s"
    if [ -n "$expected" ] && [ "$expected" -gt "$elapsed" ]; then
        seconds $((expected - elapsed)) 1
        line+=", about $secs s left"
    fi
    printf '\r%s\e[K' "${line:0:columns}" >&2
}

# show_progress: reads the command's stderr, passing each of its lines on,
# and redraws the live line between them and every 0.2 s, until that
# stderr closes; then clears the line. Counting the results lists their
# directory: with many files it is done less often, so that it never takes
# more than about 2% of a core from the measurement.
show_progress() {
    # Ctrl-C ends the command, which closes the pipe: the loop ends then.
    trap '' INT
    local partial= line counted=0 count_every=200000 began
    while :; do
        if IFS= read -r -t 0.2 line; then
            printf '\r\e[K%s\n' "$partial$line" >&2
            partial=
        elif [ $? -gt 128 ]; then
            partial+=$line
        else
            [ -z "$partial$line" ] || printf '\r\e[K%s\n' "$partial$line" >&2
            break
        fi
        now_us
        if [ $((now - counted)) -ge "$count_every" ]; then
            began=$now
            count_made
            now_us
            counted=$now
            count_every=$(((now - began) * 50))
            [ "$count_every" -ge 200000 ] || count_every=200000
        fi
        draw $((now - start_us))
    done
    printf '\r\e[K' >&2
}

# end_line STATUS ELAPSED_US: the mode's last line.
end_line() {
    count_made
    seconds "$2"
    case $1 in
        0) echo "$name: $made files in $secs s" ;;
        130) echo "$name: interrupted after $secs s, $made/$total files done" ;;
        *) echo "$name: failed (exit $1) after $secs s, $made/$total files done" ;;
    esac
}

# ---- The run ------------------------------------------------------------------

# bash runs the EXIT trap on SIGINT, SIGTERM and SIGHUP too.
adopt_written() {
    local present=()
    for path in "${written[@]}"; do
        [ ! -f "$path" ] || present+=("$path")
    done
    if [ ${#present[@]} -gt 0 ]; then
        "$DP_GEN" --adopt "${present[@]}"
    fi
}
trap adopt_written EXIT
# Ctrl-C: the command ends by it; its end is said, then this script ends by
# it too, as make expects of a command it ran.
interrupted=
trap 'interrupted=yes' INT

mkdir -p -- "$out_dir/$mode"
count_made
first_made=$made
terminal=
[ ! -t 2 ] || [ "${TERM:-dumb}" = dumb ] || terminal=yes
# A live line longer than the terminal is wide would wrap, and each redraw
# then take a line of its own: it is cut to the width.
columns=79
if [ -n "$terminal" ] && size=$(stty size <&2 2> /dev/null) && [[ ${size#* } =~ ^[1-9][0-9]*$ ]]; then
    columns=$((${size#* } - 1))
fi
[ -n "$terminal" ] || echo "$name: $total files..." >&2
start=$(date +%s.%N)
now_us
start_us=$now
status=0
if [ -n "$terminal" ]; then
    exec 3>&1
    set +e
    "$@" 2>&1 >&3 3>&- | show_progress 3>&-
    status=${PIPESTATUS[0]}
    set -e
    exec 3>&-
else
    "$@" || status=$?
fi
# An interrupted run has no wall clock: it did not run to its end.
if [ -z "$interrupted" ]; then
    echo "$start $(date +%s.%N)" > "$out_dir/$mode.wall"
    written+=("$out_dir/$mode.wall")
else
    status=130
fi
now_us
end_line "$status" $((now - start_us)) >&2
if [ -n "$interrupted" ]; then
    trap - INT
    kill -INT $$
fi
exit "$status"
