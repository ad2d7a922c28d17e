#!/usr/bin/env bash
# Benchmarks the Makefile's execution modes against what people would write
# instead, all measured side by side in one run, warm page cache:
#  1. 5 files of 1000 values, DELAY=3 (sleep), JOBS=5: wall clock of `make
#     sequential|parallel|xargs|threads|gnu-parallel` (hyperfine, 3 runs,
#     results removed before each) beside Python multiprocessing.Pool(5),
#     `xargs -P5` and GNU parallel around a Python script doing the same work
#     (scripts/bench/stats_sleep.py: the statistics, then a 3 s sleep); and
#     dp-agg's speedup over sequential from the records of the last runs.
#  2. 2,000 files of 1000 values, no delay, JOBS=2 (the cores): files/s of
#     `make threads`, `make parallel` (make -j2), `make xargs` (-P2) and
#     `make gnu-parallel`, of `dp-stats -j 2` writing one stream, beside GNU
#     datamash over one stream grouped by file, Python Pool(2), and GNU
#     parallel running datamash per file.
#  3. DELAY_MODE=spin against sleep, DELAY=1, 5 files, JOBS=5: the speedup of
#     `make compare` in each (CPU-bound work scales with cores, not files).
# Prints the tables and PASS/FAIL per target, judged on each command's best
# run (the machine may be shared): make threads <= 3.05 s, make parallel and
# make xargs <= 3.10 s, dp-agg's speedup of parallel >= 4.9x, each of those
# modes faster than every peer, make gnu-parallel faster than GNU parallel
# around Python; make threads >= 10,000 files/s and faster than every peer.
# Exits 1 if a target fails.
#
#   scripts/bench-modes.sh [--only 1|2|3]...
#
# make runs copies of the release binaries (BIN=, CARGO=true: built first,
# then copied, so a rebuild during the run does not touch them) and, in
# part 2, DATA= (the data is ready: no check of 2,000 files before each run).
# The data lives under $BENCH_DIR (default /tmp/dp-bench) and is reused while
# it verifies. Takes about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/bench/parts.sh bench-modes 30 "$@"

scripts/bench-deps.sh
if ! command -v parallel > /dev/null; then
    # The same apt approach as bench-deps.sh; without it the rows go.
    echo "bench-modes: installing GNU parallel" >&2
    as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq parallel > /dev/null \
        || echo "bench-modes: no GNU parallel: its rows are left out" >&2
fi
gnu_parallel=no
command -v parallel > /dev/null && gnu_parallel=yes

cargo build --release --quiet
base=${BENCH_DIR:-/tmp/dp-bench}/modes
results=$(mktemp -d)
trap 'rm -rf -- "$results"' EXIT
# A copy of the tools: a rebuild in target/ during the run cannot touch it.
bin=$results/bin
mkdir "$bin"
cp target/release/dp-{gen,stats,agg,plot} "$bin/"
stats_sleep=$PWD/scripts/bench/stats_sleep.py

# make on one data set: `dp_make DIR FILES VAR=... TARGET`.
dp_make() {
    local dir=$1 files=$2
    shift 2
    make -s --no-print-directory CARGO=true "BIN=$bin" "DATA_DIR=$dir" "FILES=$files" COUNT=1000 SEED=42 "$@"
}

# hyperfine, its log shown only when it fails; the other parts go on.
failed=()
bench() {
    local name=$1
    shift
    hyperfine --style basic --export-json "$results/$name.json" "$@" > "$results/$name.log" 2>&1 \
        || { cat "$results/$name.log" >&2; failed+=("$name"); }
}

modes=(sequential parallel xargs threads)
[ "$gnu_parallel" = yes ] && modes+=(gnu-parallel)

if wants 1; then
    dir=$base/five
    dp_make "$dir" 5 data > /dev/null
    echo "bench-modes: 1. 5 files, DELAY=3, JOBS=5 (about 2 minutes)" >&2
    commands=()
    for mode in "${modes[@]}"; do
        commands+=(-n "make $mode" -p "rm -rf '$dir/results/$mode'"
            "make -s --no-print-directory -C '$PWD' CARGO=true BIN='$bin' DATA_DIR='$dir' FILES=5 COUNT=1000 SEED=42 DELAY=3 JOBS=5 $mode")
    done
    files=("$dir"/data{1..5}.txt)
    commands+=(-n 'python Pool(5)' -p true "python3 '$stats_sleep' --pool 5 --delay 3 ${files[*]@Q}")
    commands+=(-n 'xargs -P5 python' -p true
        "printf '%s\n' ${files[*]@Q} | xargs -P5 -n1 python3 '$stats_sleep' --delay 3")
    if [ "$gnu_parallel" = yes ]; then
        commands+=(-n 'GNU parallel python' -p true
            "parallel --will-cite -j5 python3 '$stats_sleep' --delay 3 ::: ${files[*]@Q}")
    fi
    bench part1 --runs 3 "${commands[@]}"
    # The last run of each mode left its records: dp-agg compares them.
    for mode in "${modes[@]}"; do cat "$dir/results/$mode"/*.stats.json; done \
        | "$bin/dp-agg" --format json > "$results/part1-agg.jsonl" || failed+=(dp-agg)
fi

if wants 2; then
    dir=$base/many
    dp_make "$dir" 2000 data > /dev/null
    files=("$dir"/data*.txt)
    cat "${files[@]}" > /dev/null # warm the page cache
    echo "bench-modes: 2. 2,000 files, no delay, JOBS=2 (about 2 minutes)" >&2
    make_mode() {
        echo "make -s --no-print-directory -C '$PWD' CARGO=true BIN='$bin' DATA= DATA_DIR='$dir' FILES=2000 COUNT=1000 SEED=42 DELAY=0 JOBS=2 $1"
    }
    # The statistics of dp-stats, of field N.
    datamash_ops() { local op; for op in count sum min max mean median q1 q3 svar sstdev; do printf '%s %s ' "$op" "$1"; done; }
    fast=(
        -n 'make threads' -p "rm -rf '$dir/results/threads'" "$(make_mode threads)"
        -n 'dp-stats -j 2 (one stream)' -p true "'$bin/dp-stats' -j 2 ${files[*]@Q}"
        -n 'datamash (one stream)' -p true
        "awk '{ print FILENAME \"\t\" \$0 }' ${files[*]@Q} | datamash -g 1 $(datamash_ops 2)"
        -n 'python Pool(2)' -p true "python3 '$stats_sleep' --pool 2 ${files[*]@Q}"
    )
    bench part2-fast --runs 10 "${fast[@]}"
    slow=()
    for mode in parallel xargs; do
        slow+=(-n "make $mode" -p "rm -rf '$dir/results/$mode'" "$(make_mode "$mode")")
    done
    if [ "$gnu_parallel" = yes ]; then
        slow+=(-n 'make gnu-parallel' -p "rm -rf '$dir/results/gnu-parallel'" "$(make_mode gnu-parallel)"
            -n 'GNU parallel + datamash' -p true
            "printf '%s\n' ${files[*]@Q} | parallel --will-cite -j2 'datamash -W $(datamash_ops 1)< {}'")
    fi
    bench part2-slow --runs 3 "${slow[@]}"
    rm -rf -- "$dir/results"
fi

if wants 3; then
    echo "bench-modes: 3. spin against sleep, DELAY=1, 5 files, JOBS=5 (about 20 s)" >&2
    for delay_mode in sleep spin; do
        dir=$base/$delay_mode
        dp_make "$dir" 5 DELAY=1 JOBS=5 DELAY_MODE=$delay_mode compare > /dev/null
        cp "$dir/results/comparison.json" "$results/part3-$delay_mode.jsonl"
    done
fi

status=0
python3 scripts/bench/report_modes.py "$results" "$(nproc)" || status=$?
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench-modes: FAIL: a command failed in ${failed[*]}" >&2
    status=1
fi
exit "$status"
