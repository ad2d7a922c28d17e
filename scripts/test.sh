#!/usr/bin/env bash
# Every test and check of dp, in the order a failure is cheapest to see:
# formatting, lints, then the unit, tool and pipeline tests.
# What `make test` and CI (.ci/run) run.
#
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

# The gnu-parallel mode is tested where GNU parallel is installed: install
# Debian's package when this machine lets us, else say that it is skipped.
if ! command -v parallel > /dev/null; then
    as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
    if command -v apt-get > /dev/null && "${as_root[@]}" true 2> /dev/null; then
        step 'installing GNU parallel (for the gnu-parallel mode test)'
        "${as_root[@]}" apt-get update -qq > /dev/null &&
            "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq parallel > /dev/null ||
            echo 'test: could not install GNU parallel: its mode is not tested' >&2
    else
        echo 'test: GNU parallel is not installed: the gnu-parallel mode is not tested' >&2
    fi
fi

step 'cargo fmt --all --check'
cargo fmt --all --check

step 'cargo clippy --workspace --all-targets -- -D warnings'
cargo clippy --workspace --all-targets -- -D warnings

# Includes the Makefile's data/verify/clean test (tools/dp-gen/tests/makefile.rs).
step 'cargo test --workspace'
cargo test --workspace
