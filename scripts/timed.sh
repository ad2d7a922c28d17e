#!/usr/bin/env bash
# Runs one execution mode's command and keeps its wall clock, measured here,
# outside dp: OUT_DIR/MODE.wall gets the start and the end (Unix seconds),
# OUT_DIR/MODE is made first for the command's results, and the exit status
# is the command's. What the Makefile's modes run, reading the data files'
# list, if any, on stdin:
#
#   scripts/timed.sh OUT_DIR MODE COMMAND [ARG...]
#
# Under `make -n` nothing is timed or written: the command, a sub-make, runs
# only to print its plan.
set -euo pipefail

out_dir=$1
mode=$2
shift 2

# make -n puts n in the first word of MAKEFLAGS, the single-letter flags,
# unless that word is a long option (--no-builtin-rules has an n of its own).
read -r flags _ <<< "${MAKEFLAGS:-}"
if [[ $flags != -* && $flags == *n* ]]; then
    exec "$@"
fi

mkdir -p "$out_dir/$mode"
start=$(date +%s.%N)
status=0
"$@" || status=$?
echo "$start $(date +%s.%N)" > "$out_dir/$mode.wall"
exit "$status"
