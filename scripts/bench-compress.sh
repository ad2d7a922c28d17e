#!/usr/bin/env bash
# Benchmarks dp-stats on compressed files (docs/reference.md, "Compressed
# files"), warm page cache: the 10-million-value file of bench-stats.sh
# (%.6f, ~100 MB) written zstd- and gzip-compressed by dp-gen --compress,
# each read directly and through its command's pipe, side by side in one
# hyperfine run:
#   dp-stats f.zst  against  zstdcat f.zst | dp-stats -
#   dp-stats f.gz   against  zcat f.gz | dp-stats -
# Prints the times and PASS/FAIL per target (the .zst ≥ 80% of the pipe's
# throughput, the .gz within 10% of its pipe's time), judged on each
# command's best run as the machine may be shared. Then, on the .zst and
# an .xz of the same values, `dp-stats --max-memory 32M`: its peak RSS
# (GNU time) within the 32 MiB and the binary's own ~10 MiB, its decoder
# counted (docs/reference.md, "Big inputs"), and its record that of a run
# without a limit. Exits 1 if one fails.
#
#   scripts/bench-compress.sh
#
# The data is written once under $BENCH_DIR (default /tmp/dp-bench) and
# reused while dp-gen --verify says it is exactly right.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bench-deps.sh
cargo build --release --quiet -p dp-stats -p dp-gen
bin=$PWD/target/release
dir=${BENCH_DIR:-/tmp/dp-bench}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

files=()
for compress in zst gz xz; do
    flags=(--files 1 --count 10000000 --seed 1 --dir "$dir/$compress" --prefix values --compress "$compress")
    if ! "$bin/dp-gen" --verify "${flags[@]}" > /dev/null 2>&1; then
        echo "bench-compress: writing ${flags[*]}" >&2
        "$bin/dp-gen" "${flags[@]}" > /dev/null
    fi
    files+=("$dir/$compress/values1.txt")
done
zst=${files[0]}
gz=${files[1]}
xz=${files[2]}
cat "$zst" "$gz" "$xz" > /dev/null # warm the page cache

echo "== 10,000,000 values: zstd ($(du -m "$zst" | cut -f1) MB), gzip ($(du -m "$gz" | cut -f1) MB), warm cache =="
hyperfine --style basic --min-runs 5 --export-json "$results/compress.json" \
    -n 'zstdcat | dp-stats -' "zstdcat '$zst' | '$bin/dp-stats' -" \
    -n 'dp-stats f.zst' "'$bin/dp-stats' '$zst'" \
    -n 'zcat | dp-stats -' "zcat '$gz' | '$bin/dp-stats' -" \
    -n 'dp-stats f.gz' "'$bin/dp-stats' '$gz'" \
    > "$results/compress.log" 2>&1 || { cat "$results/compress.log" >&2; exit 1; }

status=0
python3 - "$results/compress.json" <<'PY' || status=1
import json, sys

best = {r["command"]: min(r["times"]) for r in json.load(open(sys.argv[1]))["results"]}
for name, seconds in best.items():
    print(f"  {name:<22} {seconds:6.3f} s (best run)")
zst = best["zstdcat | dp-stats -"] / best["dp-stats f.zst"]
gz = best["dp-stats f.gz"] / best["zcat | dp-stats -"]
checks = [
    (f"dp-stats f.zst: {zst:.0%} of the pipe's throughput (target >= 80%)", zst >= 0.80),
    (f"dp-stats f.gz: {gz:.2f}x the pipe's time (target <= 1.10x)", gz <= 1.10),
]
for text, ok in checks:
    print(f"{'PASS' if ok else 'FAIL'}  {text}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY

limit_mib=32
echo "== dp-stats --max-memory ${limit_mib}M: peak RSS (GNU time) and the record of a run without a limit =="
for file in "$zst" "$xz"; do
    /usr/bin/time -f %M -o "$results/rss" "$bin/dp-stats" --max-memory "${limit_mib}M" "$file" > "$results/limited.json"
    "$bin/dp-stats" "$file" > "$results/unlimited.json"
    python3 - "$file" "$results/rss" "$results/limited.json" "$results/unlimited.json" "$limit_mib" <<'PY' || status=1
import json, sys

path, rss, limited, unlimited, limit_mib = sys.argv[1:]
rss_mib = int(open(rss).read().split()[-1]) / 1024
limited, unlimited = (json.load(open(name)) for name in (limited, unlimited))
fields = ["count", "sum", "min", "max", "mean", "median", "q1", "q3", "variance", "checksum", "digest"]
same = all(limited.get(f) == unlimited.get(f) for f in fields)
ceiling = int(limit_mib) + 10
checks = [
    (f"{path}: peak RSS {rss_mib:.1f} MiB in {limited.get('passes')} passes (target <= {ceiling} MiB)", rss_mib <= ceiling),
    (f"{path}: the record of a run without a limit", same),
]
for text, ok in checks:
    print(f"{'PASS' if ok else 'FAIL'}  {text}")
sys.exit(0 if all(ok for _, ok in checks) else 1)
PY
done
exit "$status"
