#!/usr/bin/env bash
# Runs every benchmark: each scripts/bench-*.sh in turn (bench-gen.sh,
# bench-stats.sh, ...), and fails if any of them failed.
# bench-deps.sh is not one: it installs what benchmarks compare against, and
# the benchmarks that need it call it.
#
#   scripts/bench.sh        (or: make bench)
set -euo pipefail
cd "$(dirname "$0")/.."

failed=()
for bench in scripts/bench-*.sh; do
    [ "$bench" = scripts/bench-deps.sh ] && continue
    printf '\n== %s\n' "$bench"
    bash "$bench" || failed+=("$bench")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "bench: failed: ${failed[*]}" >&2
    exit 1
fi
