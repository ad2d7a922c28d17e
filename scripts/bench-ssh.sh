#!/usr/bin/env bash
# What `make ssh` costs over local work: 30 files of 1000 values, DELAY=1
# (sleep), on 3 test hosts (scripts/test-hosts.sh: sshd on loopback, each
# its own user and host name) x 2 slots, so 6 files at once: 5.0 s ideal.
# Measures the wall clock of the whole `make ssh DATA=` (data made first;
# results removed before each run; best of 3 runs, the machine may be
# shared) with files shipped and with SHARED_FS=1 (nothing shipped but
# dp-stats), beside local `parallel -j6` over the same files and the GNU
# parallel command one would write by hand (ControlMasters opened first,
# --basefile, --transferfile, --cleanup; what make ssh is measured
# against when the machine is busy), and reports each one's overhead per
# file over local: (wall - local wall) x 6 / 30.
# Targets: shipped <= 6.2 s, SHARED_FS=1 <= 5.6 s. Exits 1 if one fails;
# where test hosts cannot start here (not root, no unshare), says so and
# exits 0.
#
#   scripts/bench-ssh.sh            (part of make bench)
#
# make runs copies of the release binaries (BIN=, CARGO=true: built first,
# then copied). The data lives under $BENCH_DIR (default /tmp/dp-bench),
# readable by the hosts' users (SHARED_FS=1 reads it in place).
set -euo pipefail
cd "$(dirname "$0")/.."

files=30 delay=1 hosts_n=3 slots=2 runs=3
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

# best COMMAND...: the least wall clock of $runs runs, in seconds; the
# ssh results are removed (by their manifest) before each.
best() {
    local least= start end run
    for run in $(seq 1 "$runs"); do
        [ ! -d "$dir/results/ssh" ] || "$bin/dp-gen" --clean "$dir/results/ssh" > /dev/null
        start=$EPOCHREALTIME
        "$@" > /dev/null
        end=$EPOCHREALTIME
        least=$(awk -v a="$least" -v s="$start" -v e="$end" \
            'BEGIN { t = e - s; if (a == "" || t < a) a = t; printf "%.2f", a }')
    done
    echo "$least"
}

echo "bench-ssh: $files files, DELAY=$delay, $hosts_n hosts x $slots slots (best of $runs; about 2 minutes)" >&2
local_wall=$(best parallel --will-cite -j$((hosts_n * slots)) "$bin/dp-stats" --delay "$delay" ::: "${data[@]}")
# By hand: the masters opened first, as make ssh does.
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
hand_shipped_wall=$(best by_hand --transferfile '{//}/./{/}' "./dp-stats --delay $delay {/}")
hand_shared_wall=$(best by_hand "./dp-stats --delay $delay {}")
for host in "${aliases[@]}"; do
    $by_hand_ssh -O exit "$host" > /dev/null 2>&1 || true
done
shipped_wall=$(best dp_make ssh DATA=)
# Every file came back, from every host.
records=$(cat "$dir/results/ssh"/data*.txt.stats.json | wc -l)
shared_wall=$(best dp_make ssh DATA= SHARED_FS=1)

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
row 'GNU parallel -S by hand, shipped' "$hand_shipped_wall"
row 'make ssh, files shipped' "$shipped_wall" "$shipped_target"
row 'GNU parallel -S by hand, shared' "$hand_shared_wall"
row 'make ssh SHARED_FS=1' "$shared_wall" "$shared_target"
uptime | sed 's/.*load/load/' >&2
if [ "$records" != "$files" ]; then
    echo "bench-ssh: FAIL: $records records for $files files" >&2
    status=1
fi
exit "$status"
