#!/usr/bin/env bash
# Every test and check of dp, in the order a failure is cheapest to see:
# the packages the tests need (scripts/test-deps.sh), formatting, lints,
# then the unit, tool and pipeline tests. What `make test` and CI (.ci/run)
# run.
#
#   scripts/test.sh                 (TEST_DEPS=no: install nothing)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*" >&2; }

scripts/test-deps.sh

step 'cargo fmt --all --check'
cargo fmt --all --check

step 'cargo clippy --workspace --all-targets -- -D warnings'
cargo clippy --workspace --all-targets -- -D warnings

# Includes the Makefile's tests (tests/modes.rs, tests/makefile.rs, tests/timing.rs).
step 'cargo test --workspace'
scripts/test-deps.sh --missing >&2
cargo test --workspace
