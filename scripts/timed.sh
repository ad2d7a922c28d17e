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
#   DP_GEN=PATH scripts/timed.sh OUT_DIR MODE [FILE...] -- COMMAND [ARG...]
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

# make -n puts n in the first word of MAKEFLAGS, the single-letter flags,
# unless that word is a long option (--no-builtin-rules has an n of its own).
read -r flags _ <<< "${MAKEFLAGS:-}"
if [[ $flags != -* && $flags == *n* ]]; then
    exec "$@"
fi

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

mkdir -p -- "$out_dir/$mode"
start=$(date +%s.%N)
status=0
"$@" || status=$?
echo "$start $(date +%s.%N)" > "$out_dir/$mode.wall"
written+=("$out_dir/$mode.wall")
exit "$status"
