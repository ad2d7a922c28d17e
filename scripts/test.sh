#!/usr/bin/env bash
# Every test and check of dp, in the order a failure is cheapest to see:
# formatting, lints, then the unit, tool and pipeline tests.
# What `make test` and CI (.ci/run) run.
#
#   scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

step 'cargo fmt --all --check'
cargo fmt --all --check

step 'cargo clippy --workspace --all-targets -- -D warnings'
cargo clippy --workspace --all-targets -- -D warnings

# Includes the Makefile's data/verify/clean test (tools/dp-gen/tests/makefile.rs).
step 'cargo test --workspace'
cargo test --workspace
