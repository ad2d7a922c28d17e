#!/usr/bin/env bash
# How fast dp-gen writes data on one core: 10 million values into one file
# with -j 1, for each distribution, in MB/s of output (target: >= 150 MB/s).
# Uses hyperfine when it is installed (mean ± stddev of 5 runs after a
# warm-up), else times 5 runs itself. Writes into a temporary directory
# (BENCH_DIR to choose one) and removes what it wrote.
#
#   scripts/bench-gen.sh                 BENCH_COUNT=1000000 scripts/bench-gen.sh
set -euo pipefail
cd "$(dirname "$0")/.."

count=${BENCH_COUNT:-10000000}
runs=5
cargo build --release --quiet -p dp-gen
gen=$PWD/target/release/dp-gen

work=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/dp-bench-gen.XXXXXX")
trap 'rm -rf -- "$work"' EXIT

# mean_and_stddev: seconds, one a line on stdin -> "MEAN STDDEV".
mean_and_stddev() {
    awk '{ s += $1; ss += $1 * $1; n++ }
         END { m = s / n; v = n > 1 ? (ss - n * m * m) / (n - 1) : 0;
               printf "%.4f %.4f\n", m, (v > 0 ? sqrt(v) : 0) }'
}

# seconds COMMAND...: "MEAN STDDEV" of the wall time of COMMAND.
seconds() {
    if command -v hyperfine > /dev/null; then
        hyperfine --style none --warmup 1 --runs "$runs" \
            --export-json "$work/timing.json" "$(printf '%q ' "$@")" > /dev/null
        # Parsed with sed: no jq needed.
        local mean stddev
        mean=$(sed -n 's/^ *"mean": *\([0-9.e+-]*\),*$/\1/p' "$work/timing.json" | head -n 1)
        stddev=$(sed -n 's/^ *"stddev": *\([0-9.e+-]*\),*$/\1/p' "$work/timing.json" | head -n 1)
        echo "$mean $stddev"
    else
        "$@" > /dev/null # warm-up
        for _ in $(seq "$runs"); do
            local start=$EPOCHREALTIME
            "$@" > /dev/null
            awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { print e - s }'
        done | mean_and_stddev
    fi
}

timer=$(command -v hyperfine > /dev/null && echo "hyperfine, $runs runs" || echo "$runs runs")
echo "dp-gen -j 1: $count values into one file ($timer)"
for dist in uniform normal exponential; do
    args=(--files 1 --count "$count" --seed 1 --dist "$dist" -j 1 --dir "$work")
    bytes=$("$gen" "${args[@]}" | sed -n 's/.*"bytes":\([0-9]*\).*/\1/p')
    read -r mean stddev < <(seconds "$gen" "${args[@]}")
    awk -v d="$dist" -v b="$bytes" -v m="$mean" -v s="$stddev" 'BEGIN {
        rate = b / m / 1e6
        printf "  %-12s %6.1f MB in %.3f s ± %.3f  ->  %4.0f MB/s  %s\n",
            d, b / 1e6, m, s, rate, (rate >= 150 ? "(>= 150: ok)" : "(below the 150 MB/s target)")
    }'
done
