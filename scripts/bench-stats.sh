#!/usr/bin/env bash
# Benchmarks dp-stats, warm page cache, against what people would use instead:
#  1. one file of 10 million values (%.6f, ~100 MB), side by side in one
#     hyperfine run: `wc -l` (the floor: reading without parsing), dp-stats
#     (-j 1 and -j 2), NumPy (np.loadtxt + statistics), DuckDB and Polars
#     (their CSV readers, every thread they want), GNU datamash, plain Python;
#  2. dp-stats' peak memory on that file (GNU time);
#  3. dp-stats -j 2 against -j 1 on 20 files of 1 million values;
#  4. dp-stats -j 2 against -j 1 on the one file of 10 million values (its
#     blocks parsed on both cores);
#  5. one huge file (HUGE_VALUES values, default 10^9: ~10 GB, written by
#     dp-gen and removed afterwards) with --max-memory 64M against the same
#     file held in memory: the same exact median and quartiles (the records
#     equal but for timing and passes), peak RSS ≤ 64 MiB + 10 MiB, wall
#     time ≤ 2.5× the in-memory run's. Skipped, saying so, when the disk or
#     the memory (8 bytes a value for the in-memory run) is short.
#  6. dp-stats -j 1 and -j 2 on the big file against wc -l (targets <= 0.20 s
#     and <= 0.11 s) and 2,000 files of 1,000 values at -j 2 against cat
#     (>= 25,000 files/s).
# Prints the times, the ratios against dp-stats, and PASS/FAIL per target
# (dp-stats ≤ 1/2 of NumPy's time, ≤ 1/10 of datamash's, dp-stats -j 2
# ≤ 1/10 of DuckDB's and Polars'; ≤ 8.5 bytes a value
# + 16 MiB of memory; -j 2 ≥ 1.7× faster than -j 1), judged on each
# command's best run as the machine may be shared. Exits 1 if one fails.
#
#   scripts/bench-stats.sh [--skip-python] [--skip-huge]
#
# --skip-python leaves out plain Python (~10 s a run); --skip-huge leaves
# out the huge file (minutes). The data is written once under $BENCH_DIR
# (default /tmp/dp-bench) and reused while it verifies; the huge file is
# removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

skip_python=no
skip_huge=no
for arg in "$@"; do
    case $arg in
        --skip-python) skip_python=yes ;;
        --skip-huge) skip_huge=yes ;;
        -h | --help) sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench-stats: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

scripts/bench-deps.sh
cargo build --release --quiet -p dp-stats -p dp-gen
bin=$PWD/target/release
dir=${BENCH_DIR:-/tmp/dp-bench}
results=$(mktemp -d)
huge_dir=$dir/huge
trap 'rm -rf "$results" "$huge_dir"' EXIT

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
    -n 'dp-stats -j 2' "'$bin/dp-stats' -j 2 '$big'"
    -n 'numpy' "python3 scripts/bench/stats_numpy.py '$big'"
    -n 'datamash' "datamash -W count 1 sum 1 min 1 max 1 mean 1 median 1 q1 1 q3 1 svar 1 sstdev 1 < '$big'"
)
venv=${BENCH_DIR:-/tmp/dp-bench}/venv
if "$venv/bin/python" -c 'import duckdb, polars' 2> /dev/null; then
    commands+=(-n 'duckdb' "'$venv/bin/python' scripts/bench/stats_duckdb.py '$big'"
        -n 'polars' "'$venv/bin/python' scripts/bench/stats_polars.py '$big'")
fi
if [ "$skip_python" = no ]; then
    commands+=(-n 'python' "python3 scripts/bench/stats_plain.py '$big'")
fi
hyperfine --style basic --min-runs 3 --export-json "$results/single.json" "${commands[@]}" \
    > "$results/single.log" 2>&1 || { cat "$results/single.log" >&2; exit 1; }

echo "== 20 files of 1,000,000 values: -j 2 against -j 1 =="
hyperfine --style basic --min-runs 10 --export-json "$results/jobs.json" \
    -n 'dp-stats -j 1' "'$bin/dp-stats' -j 1 ${many[*]@Q}" \
    -n 'dp-stats -j 2' "'$bin/dp-stats' -j 2 ${many[*]@Q}" \
    > "$results/jobs.log" 2>&1 || { cat "$results/jobs.log" >&2; exit 1; }

echo "== One file of 10,000,000 values: -j 2 against -j 1 (blocks on both cores) =="
hyperfine --style basic --min-runs 10 --export-json "$results/onefile.json" \
    -n 'dp-stats -j 1' "'$bin/dp-stats' -j 1 '$big'" \
    -n 'dp-stats -j 2' "'$bin/dp-stats' -j 2 '$big'" \
    > "$results/onefile.log" 2>&1 || { cat "$results/onefile.log" >&2; exit 1; }

/usr/bin/time -v -o "$results/memory.txt" "$bin/dp-stats" "$big" > /dev/null
peak_kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$results/memory.txt")

# The huge file: one timed run each way (minutes each), GNU time for the
# wall time and the peak memory.
huge_values=${HUGE_VALUES:-1000000000}
huge() {
    local free_kib avail_kib need_disk_kib need_ram_kib
    free_kib=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
    avail_kib=$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)
    need_disk_kib=$((huge_values * 11 / 1024 + 1048576))
    need_ram_kib=$((huge_values * 8 / 1024 * 5 / 4 + 1048576))
    if [ "$skip_huge" = yes ]; then
        echo "== Huge file: skipped (--skip-huge) =="
        return
    elif [ "$free_kib" -lt "$need_disk_kib" ] || [ "$avail_kib" -lt "$need_ram_kib" ]; then
        echo "== Huge file: skipped: needs $((need_disk_kib >> 20)) GiB of disk" \
             "(free: $((free_kib >> 20))) and $((need_ram_kib >> 20)) GiB of memory" \
             "(available: $((avail_kib >> 20))) =="
        return
    fi
    echo "== One file of $huge_values values, --max-memory 64M against in memory =="
    "$bin/dp-gen" -j 2 --files 1 --count "$huge_values" --seed 3 --dir "$huge_dir" \
        --prefix huge > /dev/null
    local file=$huge_dir/huge1.txt
    for run in memory bounded; do
        local limit=()
        [ "$run" = bounded ] && limit=(--max-memory 64M)
        /usr/bin/time -v -o "$results/huge-$run.time" \
            "$bin/dp-stats" -j 2 "${limit[@]}" "$file" > "$results/huge-$run.json"
    done
    rm -rf "$huge_dir"
}
huge

# Version 2, one core and many small files (issue 12, items 1 and 2):
# dp-stats -j 1 and -j 2 on the 10-million-value file beside wc -l, and
# 2,000 files of 1,000 values at -j 2 beside cat. BENCH_OLD_DP_STATS=PATH
# adds an older binary to both, for a side-by-side comparison.
generate --files 2000 --count 1000 --seed 3 --dir "$dir/small" --prefix values
small=("$dir"/small/values*.txt)
cat "${small[@]}" > /dev/null
old=${BENCH_OLD_DP_STATS:-}
echo "== Speed on one core (10,000,000 values) and on 2,000 files of 1,000 values =="
one_core=(-n 'wc -l' "wc -l '$big'" -n 'dp-stats -j 1' "'$bin/dp-stats' -j 1 '$big'"
    -n 'dp-stats -j 2' "'$bin/dp-stats' -j 2 '$big'")
small_files=(-n 'cat' "cat ${small[*]@Q}" -n 'dp-stats -j 2' "'$bin/dp-stats' -j 2 ${small[*]@Q}")
if [ -n "$old" ]; then
    one_core+=(-n 'old dp-stats -j 1' "'$old' -j 1 '$big'" -n 'old dp-stats -j 2' "'$old' -j 2 '$big'")
    small_files+=(-n 'old dp-stats -j 2' "'$old' -j 2 ${small[*]@Q}")
fi
hyperfine --style basic --warmup 2 --min-runs 10 --export-csv "$results/one_core.csv" \
    "${one_core[@]}" > "$results/one_core.log" 2>&1 || { cat "$results/one_core.log" >&2; exit 1; }
hyperfine --style basic --warmup 2 --min-runs 10 --export-csv "$results/small.csv" \
    "${small_files[@]}" > /dev/null 2> "$results/small.log" || { cat "$results/small.log" >&2; exit 1; }
# hyperfine's CSV: command,mean,stddev,median,user,system,min,max.
speed_ok=yes
awk -F, -v files=${#small[@]} '
    FNR == 1 { next }
    { printf "%-20s mean %.3f s, best %.3f s", $1, $2, $7 }
    FILENAME ~ /small[.]csv$/ { printf " (%.0f files/s at best)", files / $7 }
    { print "" }
    FILENAME ~ /one_core[.]csv$/ && $1 == "dp-stats -j 1" { one = $7 }
    FILENAME ~ /one_core[.]csv$/ && $1 == "dp-stats -j 2" { two = $7 }
    FILENAME ~ /small[.]csv$/ && $1 == "dp-stats -j 2" { rate = files / $7 }
    END {
        ok = (one <= 0.20) && (two <= 0.11) && (rate >= 25000)
        printf "%s  dp-stats -j 1 <= 0.20 s on 10,000,000 values: %.3f s (best run)\n", (one <= 0.20) ? "PASS" : "FAIL", one
        printf "%s  dp-stats -j 2 <= 0.11 s on 10,000,000 values: %.3f s (best run)\n", (two <= 0.11) ? "PASS" : "FAIL", two
        printf "%s  >= 25,000 files/s at -j 2 (2,000 files of 1,000 values): %.0f files/s (best run)\n", (rate >= 25000) ? "PASS" : "FAIL", rate
        exit !ok
    }' "$results/one_core.csv" "$results/small.csv" || speed_ok=no

python3 scripts/bench/report_stats.py "$results" "$peak_kib" 10000000 && [ "$speed_ok" = yes ]
