#!/usr/bin/env bash
# Runs dp's fuzz targets (fuzz/, cargo-fuzz and libFuzzer) one after the
# other, each for SECONDS, and says for each how many inputs it ran and
# what it found. `make fuzz FUZZ_S=600` calls it; CI does not.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # default: every target
#
# Targets (fuzz/fuzz_targets/TARGET.rs): number (the number parser against
# std), text (the data file reader against a plain reference), records (the
# record reader), joblog (dp-plot's joblog reader), chart (dp-plot's charts
# of any runs), digest (digest validation, quantiles, thinning, merging).
# Each starts from fuzz/seeds/TARGET (committed, a few small inputs) and
# grows fuzz/corpus/TARGET (not committed); a finding lands in
# fuzz/artifacts/TARGET/, replay it with
# `cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-...` in fuzz/.
# Each target's whole libFuzzer output is kept in fuzz/artifacts/TARGET.log.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain
# (`rustup toolchain install nightly`); without nightly, stable is used with
# RUSTC_BOOTSTRAP=1, which lets it take the sanitizer flags cargo-fuzz gives.
# Exits 1 if any target found something, 2 on a bad call.
set -euo pipefail

usage() {
    echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
seconds=$1
shift
case $seconds in
'' | *[!0-9]* | 0) echo "fuzz.sh: SECONDS must be a whole number above 0, not '$seconds'" >&2 && usage ;;
esac

cd "$(dirname "$0")/../fuzz"
all_targets=()
for source in fuzz_targets/*.rs; do
    all_targets+=("$(basename "$source" .rs)")
done
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    [ -f "fuzz_targets/$target.rs" ] ||
        { echo "fuzz.sh: no target '$target' (there are: ${all_targets[*]})" >&2 && usage; }
done

if ! cargo fuzz --version > /dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is not installed: run \`cargo install cargo-fuzz\`" >&2
    exit 2
fi
# cargo-fuzz builds with -Z flags (sanitizers, coverage), which need nightly.
if rustup run nightly rustc --version > /dev/null 2>&1; then
    cargo=(cargo +nightly)
else
    echo "fuzz.sh: no nightly toolchain (\`rustup toolchain install nightly\`):" \
        "using stable with RUSTC_BOOTSTRAP=1" >&2
    export RUSTC_BOOTSTRAP=1
    cargo=(cargo)
fi

found=0
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="artifacts/$target.log"
    before=$(find "artifacts/$target" -type f | sort)
    seeds=()
    [ -d "seeds/$target" ] && seeds=("seeds/$target")
    echo "fuzz: $target for ${seconds}s ..."
    # -timeout: an input that takes 10 s is a hang, and a finding.
    status=0
    "${cargo[@]}" fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
        -max_total_time="$seconds" -timeout=10 -print_final_stats=1 > "$log" 2>&1 || status=$?

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus=$(find "corpus/$target" -type f | wc -l)
    new=$(comm -13 <(echo "$before") <(find "artifacts/$target" -type f | sort) | sed '/^$/d')
    [ -z "$runs" ] || echo "fuzz: $target: $runs executions ($speed/s), corpus of $corpus inputs"
    if [ -z "$runs" ] && [ -z "$new" ]; then
        found=1
        echo "fuzz: $target did not run (exit $status); see fuzz/$log:" >&2
        tail -n 20 "$log" >&2
    elif [ -n "$new" ] || [ "$status" -ne 0 ]; then
        found=1
        echo "fuzz: $target FOUND something (exit $status); see fuzz/$log" >&2
        grep -m 1 -A 1 "panicked at" "$log" >&2 || tail -n 20 "$log" >&2
        grep -m 1 "^SUMMARY" "$log" >&2 || true
        for artifact in $new; do
            echo "fuzz: $target: artifact fuzz/$artifact" >&2
        done
    else
        echo "fuzz: $target: no findings"
    fi
done
exit "$found"
