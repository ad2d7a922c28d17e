#!/usr/bin/env bash
# Runs COMMAND holding DIR's lock, so that two runs into one results
# directory never mix: `flock -n` on DIR/.dp-lock (util-linux), held by
# COMMAND and everything it starts until the last of them ends. While
# another run holds it, this one is refused at once (exit 2) with a
# message naming DIR and the lock. Where DIR does not exist no run uses
# it, and COMMAND runs as it is. A lock file this made is recorded in DIR's
# manifest (DP_GEN --adopt), so that `make clean` removes it with the rest.
# Under `make -n` nothing is locked or written: COMMAND, a sub-make, only
# prints its plan. NAME says who is refused (`make compare`). With
# --present, a lock is taken only where one exists already, and none is
# made: what `make clean` needs, as where no run ever locked DIR none runs.
#
#   DP_GEN=PATH scripts/locked.sh [--present] NAME DIR COMMAND [ARG...]
set -euo pipefail

present=no
if [ "$1" = --present ]; then
    present=yes
    shift
fi
name=$1
dir=$2
shift 2
lock=$dir/.dp-lock

# make -n puts n in the first word of MAKEFLAGS, the single-letter flags,
# unless that word is a long option (--no-builtin-rules has an n of its own).
read -r flags _ <<< "${MAKEFLAGS:-}"
if [[ $flags != -* && $flags == *n* ]] || [ ! -d "$dir" ] ||
    { [ "$present" = yes ] && [ ! -e "$lock" ]; }; then
    exec "$@"
fi

made=yes
[ ! -e "$lock" ] || made=no
exec 9>> "$lock"
if ! flock -n 9; then
    echo "$name: $dir is in use by another run of dp (it holds the lock $lock):" \
        "wait for it to end, or choose another OUT_DIR" >&2
    exit 2
fi
if [ "$made" = yes ]; then
    "$DP_GEN" --adopt "$lock"
fi
exec "$@"
