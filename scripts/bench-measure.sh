#!/usr/bin/env bash
# Benchmarks dp as a measuring instrument (docs/reference.md, "Runs"):
#  1. `make compare RUNS=5` on the seed's workload (5 files, DELAY=3 sleep,
#     JOBS=5): the speedup must be 5.00 ± at most 0.02 (about 90 s).
#  2. `make scaling` with sleep, 16 files of 0.5 s, WORKERS="1 2 4 8 16",
#     RUNS=2: efficiency >= 0.95 at every p and the fitted serial fraction
#     f <= 0.01; then MODE=threads for comparison (about 70 s).
#  3. the same with DELAY_MODE=spin, 8 files of 0.5 s, WORKERS="1 2 4 8":
#     spin burns a core, so the speedup plateaus at the cores this machine
#     has free; the table, f and the plateau are printed as measured, and
#     the plateau is judged against the cores found idle just before
#     (within 15%), and not at all when fewer than 90% of the cores were
#     idle, since these machines are shared (about 15 s).
# Prints each table and PASS/FAIL per target; exits 1 if a target fails.
#
#   scripts/bench-measure.sh [--only 1|2|3]...
#
# make runs copies of the release binaries (CARGO=true BIN=...), in its own
# DATA_DIR under $BENCH_DIR (default /tmp/dp-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/bench/parts.sh bench-measure 18 "$@"

cargo build --release --quiet
base=${BENCH_DIR:-/tmp/dp-bench}/measure
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
bin=$work/bin
mkdir "$bin"
cp target/release/dp-{gen,stats,agg,plot} "$bin/"

dp_make() {
    make -s --no-print-directory CARGO=true "BIN=$bin" SEED=42 COUNT=1000 "$@"
}

failed=()
# judge NAME PYTHON-CONDITION VALUES...: PASS/FAIL line for one target.
judge() {
    local name=$1 condition=$2
    shift 2
    if python3 -c "import sys; v = [float(x) for x in sys.argv[1:]]; sys.exit(0 if ($condition) else 1)" "$@"; then
        echo "PASS  $name"
    else
        echo "FAIL  $name"
        failed+=("$name")
    fi
}
# field FILE TYPE EXPR: a value of the record of TYPE in the JSON Lines FILE.
field() {
    python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
path, kind, expr = sys.argv[1:]
for line in open(path):
    record = json.loads(line)
    if record.get("type") == kind:
        print(eval(expr, {}, {"r": record}))
        break
EOF
}

if wants 1; then
    echo 'bench-measure: 1. make compare RUNS=5, 5 files, DELAY=3, JOBS=5 (about 90 s)' >&2
    dir=$base/compare
    dp_make DATA_DIR="$dir" FILES=5 DELAY=3 JOBS=5 RUNS=5 compare > "$work/compare.txt"
    tail -n 6 "$work/compare.txt"
    json=$dir/results/comparison.json
    speedup=$(field "$json" comparison 'r["runs"][-1]["speedup"]')
    sigma=$(field "$json" comparison 'r["runs"][-1]["speedup_stddev"]')
    echo "speedup $speedup ± $sigma over 5 repeats"
    judge 'compare RUNS=5: speedup 5.00 ± <= 0.02' \
        'abs(v[0] - 5) <= 0.02 and v[1] <= 0.02' "$speedup" "$sigma"
fi

# scaling DIR VAR=...: make scaling, its table shown.
scaling() {
    local dir=$1
    shift
    dp_make DATA_DIR="$dir" "$@" scaling > "$work/scaling.txt"
    sed -n '/^=== Scaling/,$p' "$work/scaling.txt"
}

if wants 2; then
    echo 'bench-measure: 2. make scaling, sleep, 16 files of 0.5 s, WORKERS 1..16, RUNS=2 (about 70 s)' >&2
    dir=$base/sleep
    scaling "$dir" FILES=16 DELAY=0.5 'WORKERS=1 2 4 8 16' RUNS=2
    json=$dir/results/scaling.json
    efficiency=$(field "$json" scaling 'min(p["efficiency"] for p in r["points"])')
    f=$(field "$json" scaling 'r["serial_fraction"]')
    echo "sleep: lowest efficiency $efficiency, serial fraction f = $f"
    judge 'scaling sleep: efficiency >= 0.95 up to 16 workers' 'v[0] >= 0.95' "$efficiency"
    judge 'scaling sleep: serial fraction f <= 0.01' 'v[0] <= 0.01' "$f"
    # The same in one process (threads): what starting a process per file
    # costs the parallel mode at 16 workers.
    scaling "$dir" FILES=16 DELAY=0.5 'WORKERS=1 2 4 8 16' RUNS=2 MODE=threads
    efficiency=$(field "$json" scaling 'min(p["efficiency"] for p in r["points"])')
    echo "sleep, MODE=threads: lowest efficiency $efficiency"
fi

if wants 3; then
    echo 'bench-measure: 3. make scaling, spin, 8 files of 0.5 s, WORKERS 1 2 4 8 (about 15 s)' >&2
    idle=$(python3 - <<'EOF'
# The cores no other process kept busy over one second (/proc/stat).
import os, time
def busy_idle():
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]
t0, i0 = busy_idle(); time.sleep(1); t1, i1 = busy_idle()
print(round(os.cpu_count() * (i1 - i0) / max(t1 - t0, 1), 2))
EOF
)
    dir=$base/spin
    scaling "$dir" FILES=8 DELAY=0.5 DELAY_MODE=spin 'WORKERS=1 2 4 8'
    json=$dir/results/scaling.json
    plateau=$(field "$json" scaling 'max(p["speedup"] for p in r["points"])')
    f=$(field "$json" scaling 'r["serial_fraction"]')
    echo "spin: plateau $plateau with $(nproc) cores ($idle idle before the run), serial fraction f = $f"
    if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 0.9 * float(sys.argv[2]) else 1)" "$idle" "$(nproc)"; then
        judge 'scaling spin: the plateau is the idle cores (within 15%)' \
            'abs(v[0] - v[1]) <= 0.15 * v[1]' "$plateau" "$idle"
    else
        echo "SKIP  scaling spin: the machine is busy ($idle of $(nproc) cores idle): run it again on an idle machine"
    fi
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "bench-measure: failed: ${failed[*]}" >&2
    exit 1
fi
