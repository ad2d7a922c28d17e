#!/usr/bin/env bash
# Installs what dp's benchmarks compare against, skipping what is present:
# hyperfine, GNU datamash, GNU time, zstd and gzip (Debian packages, apt-get), NumPy
# (pip), and DuckDB and Polars from PyPI in the benchmarks' own virtual
# environment, $BENCH_DIR/venv (default /tmp/dp-bench/venv), which prints
# nothing and changes nothing of the system's Python. Safe to run again and again.
#
#   scripts/bench-deps.sh
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=no
apt_install() {
    if [ "$apt_updated" = no ]; then
        as_root apt-get update -qq
        apt_updated=yes
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" > /dev/null
}

missing=()
command -v hyperfine > /dev/null || missing+=(hyperfine)
command -v datamash > /dev/null || missing+=(datamash)
[ -x /usr/bin/time ] || missing+=(time)
# bench-compress.sh's pipes: zstdcat and zcat.
command -v zstdcat > /dev/null || missing+=(zstd)
command -v zcat > /dev/null || missing+=(gzip)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench-deps: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
fi

if ! python3 -c 'import numpy' 2> /dev/null; then
    echo "bench-deps: installing numpy" >&2
    # A distribution's own Python may refuse pip (PEP 668): then its package.
    python3 -m pip install --quiet numpy 2> /dev/null \
        || apt_install python3-numpy
fi

# DuckDB and Polars, in a virtual environment of the benchmarks' own.
venv=${BENCH_DIR:-/tmp/dp-bench}/venv
if ! "$venv/bin/python" -c 'import duckdb, polars' 2> /dev/null; then
    echo "bench-deps: installing duckdb and polars into $venv" >&2
    python3 -m venv "$venv" 2> /dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install --quiet duckdb polars \
        || echo "bench-deps: no duckdb or polars from PyPI: their rows are left out" >&2
fi
