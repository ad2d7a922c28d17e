#!/usr/bin/env bash
# make slurm on a Slurm of 3 nodes × 2 CPUs on this machine
# (scripts/test-slurm.sh): 30 files of 1000 values, DELAY=1 (sleep), so 5 s
# of work for 6 CPUs at best. For each way of chunking, 3 runs, the time
# from the mode's start (its submission, scontrol and sinfo included) to
# the last record's finished_at, beside the same measure of a local run
# with as many files at once (`make threads JOBS=6`). The per-file overhead
# is what Slurm adds to each file's slot: (slurm − local) × 6 CPUs / 30
# files. Target, on each configuration's best run (the machine may be
# shared): 6 chunks of 5 files (CPUS_PER_TASK=1, the default) ≤ 6.5 s.
# One task per file (CHUNKS=30) runs once, to show what chunks save.
# Exits 1 if the target fails; where this machine cannot start Slurm (not
# root, no unshare) it says so and exits 0.
#
#   scripts/bench-slurm.sh        (part of make bench)
set -euo pipefail
cd "$(dirname "$0")/.."

files=30
runs=3
target=6.5
cargo build --release --quiet
work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/dp-bench-slurm.XXXXXX")
chmod 0755 "$work" # munged wants every directory above its socket traversable
cluster=$work/cluster
trap 'scripts/test-slurm.sh down "$cluster"; rm -rf -- "$work"' EXIT
status=0
scripts/test-slurm.sh up "$cluster" 3 > /dev/null || status=$?
if [ "$status" = 2 ]; then
    echo "bench-slurm: skipped: this machine cannot start Slurm (see above)"
    exit 0
fi
[ "$status" = 0 ] || exit 1
export SLURM_CONF=$cluster/slurm.conf

bin=$work/bin
mkdir "$bin"
cp target/release/dp-{gen,stats,agg,plot} "$bin/"
data=$work/data
dp_make() {
    make -s --no-print-directory CARGO=true "BIN=$bin" "DATA_DIR=$data" "FILES=$files" \
        COUNT=1000 SEED=42 DELAY=1 DATA= "$@"
}
dp_make data > /dev/null

# to_last MODE: seconds from MODE's start (its .wall) to its last record's
# end, and to the mode's own end (when make saw the job end), as
# TO_LAST/WALL.
to_last() {
    local start end
    read -r start end < "$data/results/$1.wall"
    cat "$data/results/$1"/*.stats.json | grep -o '"finished_at":[0-9.]*' |
        awk -F: -v start="$start" -v end="$end" '$2 > last { last = $2 }
            END { printf "%.2f/%.2f\n", last - start, end - start }'
}
# measure MODE [VAR=...]: one run afresh, its TO_LAST/WALL.
measure() {
    local mode=$1
    shift
    "$bin/dp-gen" --clean "$data/results/$mode" > /dev/null
    dp_make "$mode" "$@" 2> "$work/stderr" || { cat "$work/stderr" >&2; return 1; }
    to_last "$mode"
}
# best: the run of least TO_LAST among TO_LAST/WALL words.
best() {
    tr ' ' '\n' | sort -n | head -n 1
}

local_runs=() one_cpu=() two_cpus=()
for _ in $(seq "$runs"); do
    local_runs+=("$(measure threads JOBS=6)")
    one_cpu+=("$(measure slurm CPUS_PER_TASK=1)")
    two_cpus+=("$(measure slurm CPUS_PER_TASK=2)")
done
per_file=$(measure slurm CHUNKS=30)
local_best=$(best <<< "${local_runs[*]}")
local_best=${local_best%/*}

echo "make slurm, $files files × 1 s (sleep), 3 nodes × 2 CPUs (ideal 5.00 s);"
echo "seconds from the mode's start to its last record / to the mode's end, $runs runs, best first:"
printf '| %-40s | %-29s | %-6s | %s |\n' how runs best 'overhead per file over local'
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "$(printf -- '-%.0s' {1..31})" \
    "$(printf -- '-%.0s' {1..8})" "$(printf -- '-%.0s' {1..30})"
row() {
    local how=$1 times=$2 top
    top=$(best <<< "$times")
    top=${top%/*}
    printf '| %-40s | %-29s | %-6s | %-28s |\n' "$how" "$(tr ' ' '\n' <<< "$times" | sort -n | xargs)" \
        "$top s" "$(awk -v t="$top" -v l="$local_best" -v f="$files" 'BEGIN { printf "%.3f s", (t - l) * 6 / f }')"
}
row 'local: make threads JOBS=6' "${local_runs[*]}"
row 'slurm: 6 chunks of 5, 1 CPU each' "${one_cpu[*]}"
row 'slurm: 3 chunks of 10, 2 CPUs each (-j2)' "${two_cpus[*]}"
row 'slurm: CHUNKS=30, one file a task' "$per_file"

one_best=$(best <<< "${one_cpu[*]}")
one_best=${one_best%/*}
if awk -v t="$one_best" -v m="$target" 'BEGIN { exit !(t <= m) }'; then
    echo "bench-slurm: PASS: 6 chunks of 5 files in $one_best s <= $target s"
else
    echo "bench-slurm: FAIL: 6 chunks of 5 files in $one_best s > $target s" >&2
    exit 1
fi
