#!/usr/bin/env bash
# How fast dp-agg aggregates a large run from its records alone: 100,000
# stats records (real dp-stats records of 1000-value files, 201-point
# digests of %.6f data, ~2.5 KB each), the data files gone, so the quantiles
# come from the digests. Measures wall time and peak RSS with GNU time
# (median of 3 runs) against the targets: < 2 s and < 200 MB. Prints the
# figures and PASS or FAIL; exits 1 on FAIL. Writes into a temporary
# directory (BENCH_DIR to choose one) and removes it.
#
#   scripts/bench-agg.sh            BENCH_RECORDS=20000 scripts/bench-agg.sh
set -euo pipefail
cd "$(dirname "$0")/.."

records=${BENCH_RECORDS:-100000}
max_seconds=2
max_mb=200

if [ ! -x /usr/bin/time ]; then
    echo "bench-agg: needs GNU time (/usr/bin/time); scripts/bench-deps.sh installs it" >&2
    exit 2
fi
cargo build --release --quiet -p dp-gen -p dp-stats -p dp-agg
bin=$PWD/target/release

work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/dp-bench-agg.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# A few real records, then the data is deleted: dp-agg must use the digests.
"$bin/dp-gen" --files 8 --count 1000 --seed 7 --dir "$work/data" > /dev/null
"$bin/dp-stats" --run bench "$work"/data/*.txt > "$work/base.jsonl"
rm -rf -- "$work/data"

# The base records over and over, each under a path of its own.
awk -v n="$records" -v dir="$work/data" '
    { base[NR] = $0 }
    END {
        for (i = 1; i <= n; i++) {
            record = base[(i - 1) % NR + 1]
            sub(/"path":"[^"]*"/, "\"path\":\"" dir "/data" i ".txt\"", record)
            print record
        }
    }' "$work/base.jsonl" > "$work/records.jsonl"
mb=$(du -m "$work/records.jsonl" | cut -f1)
echo "bench-agg: $records records, $mb MB of JSON Lines"

# Warm the page cache, and check the run is the one meant.
"$bin/dp-agg" --files-limit 0 "$work/records.jsonl" > "$work/report.txt"
if ! grep -q "(digest, rank error" "$work/report.txt"; then
    echo "bench-agg: the quantiles did not come from the digests:" >&2
    cat "$work/report.txt" >&2
    exit 1
fi
grep -E "^  (count|median) " "$work/report.txt" | sed 's/^/bench-agg:   /'

for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time.$run" \
        "$bin/dp-agg" --files-limit 0 "$work/records.jsonl" > /dev/null
done
read -r seconds kb < <(sort -n "$work"/time.* | sed -n 2p)
peak_mb=$(awk -v kb="$(sort -k2 -n "$work"/time.* | tail -1 | cut -d' ' -f2)" \
    'BEGIN { printf "%.0f", kb / 1024 }')
: "$kb"

verdict=PASS
awk -v s="$seconds" -v max="$max_seconds" 'BEGIN { exit !(s < max) }' || verdict=FAIL
[ "$peak_mb" -lt "$max_mb" ] || verdict=FAIL
echo "bench-agg: wall ${seconds} s (median of 3; target < ${max_seconds} s)," \
    "peak RSS ${peak_mb} MB (largest of 3; target < ${max_mb} MB): $verdict"
[ "$verdict" = PASS ]
