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
# A Slurm on this machine (scripts/test-slurm.sh, which also installs them).
slurm_tests=(
    slurm::compare_threads_and_slurm_over_three_nodes_gives_three_hosts_and_the_same_results
    slurm::a_bad_file_gives_its_error_record_to_dp_agg_and_is_tried_again_next_time
    slurm::a_job_slurm_refuses_is_a_clear_error_and_exit_2
)
need munge /usr/sbin/munged 'munge, the authentication of Slurm 22.05' "${slurm_tests[@]}"
need slurmctld /usr/sbin/slurmctld "Slurm's controller, for the slurm mode" "${slurm_tests[@]}"
need slurmd /usr/sbin/slurmd "Slurm's node daemon, for the slurm mode" "${slurm_tests[@]}"
need slurm-client sbatch "Slurm's commands, for the slurm mode" "${slurm_tests[@]}"
need man-db man 'man, to read the man page make install installs' \
    install::install_puts_everything_where_it_is_looked_for_and_uninstall_removes_exactly_that
need zsh zsh 'zsh, to parse the zsh completions make install installs' \
    install::install_puts_everything_where_it_is_looked_for_and_uninstall_removes_exactly_that
need fish fish 'fish, to parse the fish completions make install installs' \
    install::install_puts_everything_where_it_is_looked_for_and_uninstall_removes_exactly_that
need chromium chromium 'headless Chromium, to open the HTML report' \
    html::make_compare_saves_a_page_that_works_offline \
    html::make_scaling_saves_its_page_with_the_scaling_chart_and_table \
    html::a_thousand_files_with_names_that_need_escaping \
    html::ten_thousand_files_fill_the_table_up_to_its_limit_and_say_so \
    html::the_checks_catch_a_page_that_fetches_or_logs
# make ssh's tests start their own sshd hosts (scripts/test-hosts.sh).
ssh_tests='ssh::make_compare_over_three_hosts_gives_three_hosts_and_identical_results
    ssh::a_host_killed_mid_run_has_its_files_redone_on_the_others
    ssh::a_bad_file_is_a_result_tried_once_and_reaches_dp_agg
    ssh::a_host_down_before_the_run_is_left_out_and_a_refused_login_stops_it'
need openssh-server /usr/sbin/sshd 'sshd, for the test hosts of make ssh' $ssh_tests
need rsync rsync 'rsync, which GNU parallel ships files with' $ssh_tests
need procps ps 'ps, with which the test hosts are stopped' $ssh_tests

# --max-memory over files compressed by the real commands.
compressed_budget_tests='compressed_budget::a_window_over_the_limit_fails_that_file_by_name
    compressed_budget::decompressors_that_do_not_fit_together_take_turns
    compressed_budget::dp_agg_reads_compressed_files_again_within_the_same_limit'
need xz-utils xz 'xz, to write xz files with large dictionaries' $compressed_budget_tests
need zstd zstd 'zstd, to write zstd files with large windows' $compressed_budget_tests

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
