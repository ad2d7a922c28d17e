#!/usr/bin/env bash
# Benchmarks dp-stats, warm page cache, against what people would use instead:
#  1. one file of 10 million values (%.6f, ~100 MB), side by side in one
#     hyperfine run: `wc -l` (the floor: reading without parsing), dp-stats,
#     NumPy (np.loadtxt + statistics), GNU datamash, plain Python;
#  2. dp-stats' peak memory on that file (GNU time);
#  3. dp-stats -j 2 against -j 1 on 20 files of 1 million values.
# Prints the times, the ratios against dp-stats, and PASS/FAIL per target
# (dp-stats ≤ 1/2 of NumPy's time, ≤ 1/10 of datamash's; ≤ 8.5 bytes a value
# + 16 MiB of memory; -j 2 ≥ 1.7× faster than -j 1). Exits 1 if one fails.
#
#   scripts/bench-stats.sh [--skip-python]
#
# --skip-python leaves out plain Python (~10 s a run). The data is written
# once under $BENCH_DIR (default /tmp/dp-bench) and reused while it verifies.
set -euo pipefail
cd "$(dirname "$0")/.."

skip_python=no
for arg in "$@"; do
    case $arg in
        --skip-python) skip_python=yes ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-stats: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

scripts/bench-deps.sh
cargo build --release --quiet -p dp-stats -p dp-gen
bin=$PWD/target/release
dir=${BENCH_DIR:-/tmp/dp-bench}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# Data: kept between runs while dp-gen --verify says it is exactly right.
generate() {
    if ! "$bin/dp-gen" --verify "$@" > /dev/null 2>&1; then
        echo "bench-stats: writing $*" >&2
        "$bin/dp-gen" -j 2 "$@" > /dev/null
    fi
}
generate --files 1 --count 10000000 --seed 1 --dir "$dir/big" --prefix values
generate --files 20 --count 1000000 --seed 2 --dir "$dir/many" --prefix values
big=$dir/big/values1.txt
many=("$dir"/many/values*.txt)
cat "$big" "${many[@]}" > /dev/null # warm the page cache

echo "== One file of 10,000,000 values ($(du -m "$big" | cut -f1) MB), warm cache =="
commands=(
    -n 'wc -l' "wc -l '$big'"
    -n 'dp-stats' "'$bin/dp-stats' '$big'"
    -n 'numpy' "python3 scripts/bench/stats_numpy.py '$big'"
    -n 'datamash' "datamash -W count 1 sum 1 min 1 max 1 mean 1 median 1 q1 1 q3 1 svar 1 sstdev 1 < '$big'"
)
if [ "$skip_python" = no ]; then
    commands+=(-n 'python' "python3 scripts/bench/stats_plain.py '$big'")
fi
hyperfine --style basic --min-runs 3 --export-json "$results/single.json" "${commands[@]}" \
    > "$results/single.log"

echo "== 20 files of 1,000,000 values: -j 2 against -j 1 =="
hyperfine --style basic --min-runs 5 --export-json "$results/jobs.json" \
    -n 'dp-stats -j 1' "'$bin/dp-stats' -j 1 ${many[*]@Q}" \
    -n 'dp-stats -j 2' "'$bin/dp-stats' -j 2 ${many[*]@Q}" \
    > "$results/jobs.log"

/usr/bin/time -v -o "$results/memory.txt" "$bin/dp-stats" "$big" > /dev/null
peak_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$results/memory.txt")

python3 - "$results" "$peak_kib" 10000000 <<'EOF'
import json, math, sys

results, peak_kib, values = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def load(name):
    with open(f"{results}/{name}.json") as f:
        return {r["command"]: (r["mean"], r["stddev"] or 0.0) for r in json.load(f)["results"]}

def ratio(slow, fast):
    """slow/fast with its spread, as hyperfine computes it."""
    (a, sa), (b, sb) = slow, fast
    r = a / b
    return r, r * math.sqrt((sa / a) ** 2 + (sb / b) ** 2)

single, jobs = load("single"), load("jobs")
base = single["dp-stats"]
print(f"{'command':<10} {'mean ± σ (s)':>18}   against dp-stats")
for name, (mean, sd) in single.items():
    if name == "dp-stats":
        note = "baseline"
    else:
        r, rs = ratio((mean, sd), base)
        note = f"{r:.2f} ± {rs:.2f}× dp-stats' time"
    print(f"{name:<10} {mean:>9.3f} ± {sd:<6.3f}   {note}")

checks = []
def target(label, ok, detail):
    checks.append(ok)
    print(f"{'PASS' if ok else 'FAIL'}  {label}: {detail}")

print()
for other, factor in (("numpy", 2), ("datamash", 10)):
    r, rs = ratio(single[other], base)
    target(f"dp-stats ≤ 1/{factor} of {other}'s time", r >= factor,
           f"{r:.2f} ± {rs:.2f}× faster")
limit = 8.5 * values + 16 * 2**20
peak = peak_kib * 1024
target("peak memory ≤ 8.5 B/value + 16 MiB", peak <= limit,
       f"{peak / 2**20:.1f} MiB = {peak / values:.2f} B/value "
       f"(limit {limit / 2**20:.1f} MiB)")
r, rs = ratio(jobs["dp-stats -j 1"], jobs["dp-stats -j 2"])
j1, j2 = jobs["dp-stats -j 1"][0], jobs["dp-stats -j 2"][0]
target("-j 2 ≥ 1.7× faster than -j 1 (20 files of 1 M)", r >= 1.7,
       f"{r:.2f} ± {rs:.2f}× ({j1:.3f} s → {j2:.3f} s)")
sys.exit(0 if all(checks) else 1)
EOF
