#!/usr/bin/env bash
# What `make ssh` costs over local work: 30 files of 1000 values, DELAY=1
# (sleep), on 3 test hosts (scripts/test-hosts.sh: sshd on loopback, each
# its own user and host name) x 2 slots, so 6 files at once: 5.0 s ideal.
# Measures the wall clock of the whole `make ssh DATA=` (data made first;
# results removed before each run; best of 3 runs, all the ways timed
# in turns, as the machine may be shared) with files shipped and with
# SHARED_FS=1 (nothing shipped: the hosts run dp-stats and read the files
# where they are), beside local `parallel -j6` over the same files and the
# GNU parallel command one would write by hand (ControlMasters opened
# first; shipped: --basefile, --transferfile, --cleanup; what make ssh is
# measured against when the machine is busy), and reports each one's
# overhead per file over local: (wall - local wall) x 6 / 30.
# Targets: shipped <= 6.2 s, SHARED_FS=1 <= 5.6 s. Exits 1 if one fails;
# where test hosts cannot start here (not root, no unshare), says so and
# exits 0. Then where make ssh's time goes, from the best run's joblog:
# before its first job starts (make, the logins, GNU parallel's start,
# dp-stats shipped), each job beyond its DELAY (the file's transfer, the
# session, GNU parallel's remote wrapper), and after the last one ends.
#
#   scripts/bench-ssh.sh                      (part of make bench)
#   BENCH_OLD_SSH=TREE scripts/bench-ssh.sh   also times the make ssh of
#       TREE, another checkout of dp (git worktree add /tmp/old main),
#       beside this one's
#   BENCH_SSH_RUNS=N scripts/bench-ssh.sh     best of N runs (3)
#
# make runs copies of the release binaries (BIN=, CARGO=true: built first,
# then copied). The data lives under $BENCH_DIR (default /tmp/dp-bench),
# readable by the hosts' users (SHARED_FS=1 reads it in place).
set -euo pipefail
cd "$(dirname "$0")/.."

files=30 delay=1 hosts_n=3 slots=2 runs=${BENCH_SSH_RUNS:-3}
shipped_target=6.2 shared_target=5.6

cargo build --release --quiet
work=$(mktemp -d)
hosts_dir=$work/hosts
trap 'scripts/test-hosts.sh down "$hosts_dir" || true; rm -rf -- "$work"' EXIT
if ! hosts=$(scripts/test-hosts.sh up "$hosts_dir" "$hosts_n" 2> "$work/up.err"); then
    echo "bench-ssh: skipped: no test hosts here ($(tail -n 1 "$work/up.err"))" >&2
    exit 0
fi
bin=$work/bin
mkdir "$bin"
# The hosts' users run dp-stats from here with SHARED_FS=1.
chmod go+rx -- "$work" "$bin"
cp target/release/dp-{gen,stats,agg,plot} "$bin/"
base=${BENCH_DIR:-/tmp/dp-bench}
mkdir -p -m 0755 -- "$base"
chmod go+rx -- "$base"
dir=$base/ssh

dp_make() {
    make -s --no-print-directory CARGO=true "BIN=$bin" "DATA_DIR=$dir" FILES=$files COUNT=1000 \
        SEED=42 DELAY=$delay "HOSTS=$hosts" SSH_JOBS=$slots "SSH_CONFIG=$hosts_dir/ssh_config" "$@"
}
dp_make data > /dev/null
data=()
for i in $(seq 1 "$files"); do data+=("$dir/data$i.txt"); done

# The ways measured, each NAME a function: timed in turns, $runs rounds,
# so that a change in the machine's load falls on all of them alike.
ways=()
way() { ways+=("$1"); }
# The least wall clock of each way, in seconds; the ssh results are removed
# (by their manifest) before each run. The best run's start, end and make
# ssh's joblog are kept as $work/NAME.times and $work/NAME.joblog.
declare -A least
bad_runs=()
time_all() {
    local run name start end joblog=$dir/results/ssh/joblog.tsv
    for run in $(seq 1 "$runs"); do
        for name in "${ways[@]}"; do
            [ ! -d "$dir/results/ssh" ] || "$bin/dp-gen" --clean "$dir/results/ssh" > /dev/null
            rm -f -- "$joblog"
            start=$EPOCHREALTIME
            "$name" > /dev/null
            end=$EPOCHREALTIME
            if awk -v a="${least[$name]:-}" -v s="$start" -v e="$end" 'BEGIN { exit !(a == "" || e - s < a) }'; then
                least[$name]=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
                echo "$start $end" > "$work/$name.times"
                [ ! -f "$joblog" ] || cp -- "$joblog" "$work/$name.joblog"
            fi
            # Every file came back from make ssh, every time.
            case $name in shipped | shared | old_*)
                records=$(cat "$dir/results/ssh"/data*.txt.stats.json 2> /dev/null | wc -l)
                [ "$records" = "$files" ] || bad_runs+=("$name: $records records for $files files")
            esac
        done
    done
}

echo "bench-ssh: $files files, DELAY=$delay, $hosts_n hosts x $slots slots (best of $runs, in turns; about $((runs * 45)) s)" >&2
local_run() { parallel --will-cite -j$((hosts_n * slots)) "$bin/dp-stats" --delay "$delay" ::: "${data[@]}"; }
way local_run
# By hand: the masters opened first, as make ssh does; --cleanup.
control=$work/cm
mkdir "$control"
by_hand_ssh="ssh -F $hosts_dir/ssh_config -o ControlPath=$control/%C"
IFS=, read -r -a aliases <<< "$hosts"
for host in "${aliases[@]}"; do
    $by_hand_ssh -o ControlMaster=yes -fN "$host" < /dev/null > /dev/null 2>&1
done
logins=$(printf "$slots/%s," "${aliases[@]}")
cp "$bin/dp-stats" "$work/dp-stats"
# by_hand [OPTION...] COMMAND
by_hand() {
    parallel --will-cite -S "${logins%,}" --ssh "$by_hand_ssh" --wd .dp-bench \
        --basefile "$work/./dp-stats" --cleanup "$@" ::: "${data[@]}"
}
hand_shipped() { by_hand --transferfile '{//}/./{/}' "./dp-stats --delay $delay {/}"; }
hand_shared() {
    parallel --will-cite -S "${logins%,}" --ssh "$by_hand_ssh" "$bin/dp-stats --delay $delay {}" \
        ::: "${data[@]}"
}
way hand_shipped
way hand_shared
old=${BENCH_OLD_SSH:-}
old_shipped() { (cd -- "$old" && dp_make ssh DATA=); }
old_shared() { (cd -- "$old" && dp_make ssh DATA= SHARED_FS=1); }
[ -z "$old" ] || way old_shipped
[ -z "$old" ] || way old_shared
shipped() { dp_make ssh DATA=; }
shared() { dp_make ssh DATA= SHARED_FS=1; }
way shipped
way shared
time_all
for host in "${aliases[@]}"; do
    $by_hand_ssh -O exit "$host" > /dev/null 2>&1 || true
done
local_wall=${least[local_run]}

status=0
row() { # NAME WALL [TARGET]
    awk -v name="$1" -v wall="$2" -v local="$local_wall" -v target="${3:-}" -v per=$((files / (hosts_n * slots))) '
        BEGIN {
            over = (wall - local) / per
            verdict = target == "" ? "" : (wall <= target ? sprintf("PASS (<= %s s)", target) : sprintf("FAIL (> %s s)", target))
            printf "| %-32s | %6.2f s | %+.2f s | %s\n", name, wall, over, verdict
            exit (target != "" && wall > target)
        }' || status=1
}
echo
echo "| how ($files files x ${delay} s, $((hosts_n * slots)) at once; ideal $(awk -v f=$files -v d=$delay -v w=$((hosts_n * slots)) 'BEGIN { printf "%.1f", f * d / w }') s) | wall | per file over local |"
echo '|---|---|---|'
row "local parallel -j$((hosts_n * slots))" "$local_wall"
row 'GNU parallel -S by hand, shipped' "${least[hand_shipped]}"
[ -z "$old" ] || row "make ssh of $old, shipped" "${least[old_shipped]}"
row 'make ssh, files shipped' "${least[shipped]}" "$shipped_target"
row 'GNU parallel -S by hand, shared' "${least[hand_shared]}"
[ -z "$old" ] || row "make ssh of $old, SHARED_FS=1" "${least[old_shared]}"
row 'make ssh SHARED_FS=1' "${least[shared]}" "$shared_target"

# where NAME TITLE: the best run's time before its first job, per job
# beyond the delay (mean), the jobs' span, and after the last job.
where() {
    [ -f "$work/$1.joblog" ] || return 0
    awk -F'\t' -v title="$2" -v delay="$delay" -v times="$work/$1.times" '
        BEGIN { getline line < times; split(line, t, " ") }
        NR > 1 { s = $3; e = $3 + $4; if (first == "" || s < first) first = s
                 if (e > last) last = e; sum += $4 - delay; n++ }
        END { printf "| %-32s | %5.2f s | %5.3f s | %5.2f s | %5.2f s |\n", title,
                  first - t[1], sum / n, last - first, t[2] - last }' "$work/$1.joblog"
}
echo
echo '| where make ssh spends its time | before the 1st job | per job beyond its delay | jobs | after the last |'
echo '|---|---|---|---|---|'
[ -z "$old" ] || where old_shipped "make ssh of $old, shipped"
where shipped 'make ssh, files shipped'
[ -z "$old" ] || where old_shared "make ssh of $old, SHARED_FS=1"
where shared 'make ssh SHARED_FS=1'
uptime | sed 's/.*load/load/' >&2
if [ ${#bad_runs[@]} -gt 0 ]; then
    printf 'bench-ssh: FAIL: %s\n' "${bad_runs[@]}" >&2
    status=1
fi
exit "$status"
