#!/usr/bin/env bash
# The Debian packages dp's tests need beyond a Rust toolchain, make and bash,
# installed where missing (apt-get, as root or with `sudo -n`). A test whose
# package is missing says so and is skipped, never passed silently.
#
#   scripts/test-deps.sh             install what is missing (what `make test` does)
#   scripts/test-deps.sh --missing   install nothing: one line per missing
#                                    package, naming the tests that skip
#   TEST_DEPS=no scripts/test-deps.sh    install nothing, say nothing
set -euo pipefail

packages=() commands=() whys=() tests=()
# need PACKAGE COMMAND WHY TEST...: PACKAGE provides COMMAND (a name on PATH
# or an absolute path), which TESTs (file::function) need, for WHY.
need() {
    packages+=("$1")
    commands+=("$2")
    whys+=("$3")
    shift 3
    tests+=("$*")
}

need parallel parallel 'GNU parallel, for the gnu-parallel mode' \
    modes::the_gnu_parallel_mode_matches_sequential_and_keeps_its_joblog
# make ssh's tests start their own sshd hosts (scripts/test-hosts.sh).
ssh_tests='ssh::make_compare_over_three_hosts_gives_three_hosts_and_identical_results
    ssh::a_host_killed_mid_run_has_its_files_redone_on_the_others
    ssh::a_bad_file_is_a_result_tried_once_and_reaches_dp_agg
    ssh::a_host_down_before_the_run_is_left_out_and_a_refused_login_stops_it'
need openssh-server /usr/sbin/sshd 'sshd, for the test hosts of make ssh' $ssh_tests
need rsync rsync 'rsync, which GNU parallel ships files with' $ssh_tests
need procps ps 'ps, with which the test hosts are stopped' $ssh_tests

missing=()
for i in "${!packages[@]}"; do
    command -v "${commands[i]}" > /dev/null || missing+=("$i")
done

if [ "${1:-}" = --missing ]; then
    for i in "${missing[@]}"; do
        echo "test-deps: ${packages[i]} is not installed (${whys[i]}): skipping ${tests[i]}"
    done
    exit 0
fi
if [ "${TEST_DEPS:-yes}" = no ] || [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

names=() what=''
for i in "${missing[@]}"; do
    names+=("${packages[i]}")
    what+="${what:+, }${packages[i]} (${whys[i]})"
done
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo -n)
if ! command -v apt-get > /dev/null; then
    echo "test-deps: cannot install ${names[*]} (no apt-get): the tests that need them skip" >&2
    exit 0
fi
if ! "${as_root[@]}" true 2> /dev/null; then
    echo "test-deps: cannot install ${names[*]} (not root, and no sudo -n): the tests that need them skip" >&2
    exit 0
fi
echo "test-deps: installing with apt-get: $what" >&2
if ! { "${as_root[@]}" apt-get update -qq > /dev/null &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${names[@]}" > /dev/null; }; then
    echo "test-deps: apt-get could not install ${names[*]}: the tests that need them skip" >&2
fi
