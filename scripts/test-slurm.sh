#!/usr/bin/env bash
# A Slurm cluster of NODES nodes (default 3) on this machine, for the tests
# and `make bench` (docs/reference.md, "Makefile"; Debian's Slurm 22.05):
# munge, slurmctld and one slurmd per node, each node in its own
# UTS namespace so that `uname -n` (and so a record's `host`) is its name,
# n1, n2, ... Everything lives under DIR, /etc is never touched: a munge
# key made for this cluster and its socket, slurm.conf (clients find it by
# SLURM_CONF, which DIR/env exports), the state, spools, logs and pids.
# Reached only on loopback: the controller on 127.0.0.1, node K on
# 127.0.0.(K+1), each on a free port of its own (they listen on it on every
# address, as Slurm does where node names do not resolve; munge's key of
# this cluster authenticates every message). Needs root (munged runs as
# user munge, slurmd as root) and unshare; installs Debian's munge,
# slurmctld, slurmd and slurm-client when missing (not with TEST_DEPS=no).
# `up` waits until every node is idle and records every process it started
# in DIR/pids; `down` cancels the cluster's jobs and stops exactly those
# processes, nothing else.
#
#   scripts/test-slurm.sh up DIR [NODES]    then: . DIR/env (SLURM_CONF=...)
#   scripts/test-slurm.sh down DIR
#
# Exit 0: done; 1: the cluster did not come up (its logs are named); 2:
# usage, or this machine cannot run it (not root, no unshare, packages not
# installable), said in one line.
set -euo pipefail

usage() {
    echo "usage: scripts/test-slurm.sh up|down DIR [NODES]" >&2
    exit 2
}
[ $# -ge 2 ] || usage
action=$1
dir=$2
nodes=${3:-3}
[[ $nodes =~ ^[1-9][0-9]?$ && $nodes -le 250 ]] || usage
cannot() {
    echo "test-slurm: cannot start Slurm here: $*" >&2
    exit 2
}

# down: every process `up` recorded, TERM first, KILL what is left.
down() {
    local pids=() pid
    [ -f "$dir/pids" ] || return 0
    # This cluster's jobs first: their steps (slurmstepd) are no children
    # of slurmd and would outlive it.
    if [ -f "$dir/slurm.conf" ]; then
        export SLURM_CONF=$dir/slurm.conf
        local jobs
        jobs=$(timeout 5 squeue -h -o %A 2> /dev/null | sort -u) || true
        if [ -n "$jobs" ]; then
            timeout 5 scancel $jobs 2> /dev/null || true
            for _ in $(seq 50); do
                [ -n "$(timeout 5 squeue -h 2> /dev/null)" ] || break
                sleep 0.1
            done
        fi
    fi
    while read -r pid _; do
        # Only a process still the one started (same start time): a pid
        # reused since by another process is left alone.
        if [ -n "$pid" ] && [ "$(start_of "$pid")" = "$(sed -n "s/^$pid //p" "$dir/pids")" ]; then
            pids+=("$pid")
        fi
    done < "$dir/pids"
    if [ ${#pids[@]} -gt 0 ]; then
        kill -TERM "${pids[@]}" 2> /dev/null || true
        for _ in $(seq 50); do
            alive=()
            for pid in "${pids[@]}"; do
                ! kill -0 "$pid" 2> /dev/null || alive+=("$pid")
            done
            [ ${#alive[@]} -gt 0 ] || break
            sleep 0.1
        done
        [ ${#alive[@]} -eq 0 ] || kill -KILL "${alive[@]}" 2> /dev/null || true
    fi
    rm -f "$dir/pids"
}
# start_of PID: the process's start time (field 22 of /proc/PID/stat).
start_of() {
    local stat
    stat=$(cat "/proc/$1/stat" 2> /dev/null) || return 0
    stat=${stat##*) }
    read -ra fields <<< "$stat"
    echo "${fields[19]}"
}

case $action in
    down)
        down
        exit 0
        ;;
    up) ;;
    *) usage ;;
esac

[ "$(id -u)" -eq 0 ] || cannot "it needs root (munged as user munge, slurmd as root)"
command -v unshare > /dev/null || cannot "unshare (util-linux) is missing: each node needs its own UTS namespace"
unshare --uts true 2> /dev/null || cannot "unshare --uts is not allowed (a container without CAP_SYS_ADMIN?)"
if ! command -v slurmctld > /dev/null || ! command -v slurmd > /dev/null ||
    ! command -v sinfo > /dev/null || ! command -v munged > /dev/null; then
    [ "${TEST_DEPS:-yes}" != no ] || cannot "Slurm is not installed (and TEST_DEPS=no installs nothing)"
    command -v apt-get > /dev/null || cannot "Slurm is not installed and there is no apt-get"
    echo "test-slurm: installing with apt-get: munge slurmctld slurmd slurm-client" >&2
    { apt-get update -qq > /dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            munge slurmctld slurmd slurm-client > /dev/null; } ||
        cannot "apt-get could not install munge slurmctld slurmd slurm-client"
fi
id munge > /dev/null 2>&1 || cannot "there is no user munge (Debian's munge package makes it)"

[ ! -e "$dir/pids" ] || { echo "test-slurm: $dir holds a cluster already (down it first)" >&2; exit 2; }
mkdir -p -- "$dir"
dir=$(cd -- "$dir" && pwd)
# munged refuses a socket below a directory that others cannot traverse.
for d in "$dir" $(p=$dir; while [ "$p" != / ]; do p=$(dirname "$p"); echo "$p"; done); do
    [ "$d" != "$dir" ] || chmod a+x "$d"
    (( 8#$(stat -c %a "$d") & 1 )) ||
        cannot "$d is not traversable by others (a+x), which munged needs above its socket"
done
rm -rf -- "$dir/munge" "$dir/ctld" "$dir/nodes"
mkdir -p "$dir/munge" "$dir/ctld"
: > "$dir/pids"
trap 'status=$?; [ $status -eq 0 ] || down; exit $status' EXIT

# record PID: remembers a process it started, with its start time.
record() {
    echo "$1 $(start_of "$1")" >> "$dir/pids"
}

# Ports: the controller's and one per node, from a random base where none
# is listened on.
ports_free() {
    local port
    for port in $(seq "$1" $(($1 + nodes))); do
        ! ss -Htln "sport = :$port" | grep -q . || return 1
    done
}
base=
for _ in $(seq 20); do
    try=$((20000 + RANDOM % 40000))
    if ports_free "$try"; then
        base=$try
        break
    fi
done
[ -n "$base" ] || { echo "test-slurm: found no free ports" >&2; exit 1; }

# munge: a key of this cluster, and munged as user munge on a socket of its own.
munge=$dir/munge
chown munge: "$munge"
chmod 0700 "$munge"
mungekey --create --keyfile="$munge/munge.key" 2> /dev/null ||
    dd if=/dev/urandom of="$munge/munge.key" bs=1024 count=1 status=none
chown munge: "$munge/munge.key"
chmod 0400 "$munge/munge.key"
chmod 0755 "$munge" # the socket's directory: clients connect through it
setpriv --reuid=munge --regid=munge --init-groups \
    munged --foreground --socket="$munge/munged.sock" --key-file="$munge/munge.key" \
    --pid-file="$munge/munged.pid" --log-file="$munge/munged.log" --seed-file="$munge/munged.seed" \
    < /dev/null > /dev/null 2>&1 &
record $!
for _ in $(seq 50); do
    [ ! -S "$munge/munged.sock" ] || break
    sleep 0.05
done
[ -S "$munge/munged.sock" ] || { echo "test-slurm: munged did not start: $munge/munged.log" >&2; exit 1; }

# slurm.conf: settings that work on one machine (NOTES, "Slurm on one machine").
node=$(slurmd -C | head -n 1 | sed 's/^NodeName=[^ ]* //')
conf=$dir/slurm.conf
{
    echo "# A test cluster of scripts/test-slurm.sh: $nodes nodes on loopback."
    echo "ClusterName=dp"
    echo "SlurmctldHost=dp-ctld(127.0.0.1)"
    echo "SlurmctldPort=$base"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "AuthInfo=socket=$munge/munged.sock"
    echo "CredType=cred/munge"
    echo "StateSaveLocation=$dir/ctld"
    echo "SlurmctldPidFile=$dir/ctld/slurmctld.pid"
    echo "SlurmctldLogFile=$dir/ctld/slurmctld.log"
    echo "SlurmdSpoolDir=$dir/nodes/%n/spool"
    echo "SlurmdPidFile=$dir/nodes/%n/slurmd.pid"
    echo "SlurmdLogFile=$dir/nodes/%n/slurmd.log"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "SchedulerType=sched/builtin"
    echo "SchedulerParameters=batch_sched_delay=0"
    echo "SelectType=select/cons_tres"
    echo "SelectTypeParameters=CR_Core"
    echo "MpiDefault=none"
    echo "MailProg=/bin/true"
    echo "ReturnToService=2"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "JobCompType=jobcomp/filetxt"
    echo "JobCompLoc=$dir/ctld/jobcomp.txt"
    for k in $(seq "$nodes"); do
        echo "NodeName=n$k NodeHostname=n$k NodeAddr=127.0.0.$((k + 1)) Port=$((base + k)) $node"
    done
    echo "PartitionName=dp Nodes=ALL Default=YES MaxTime=INFINITE State=UP"
} > "$conf"
echo "export SLURM_CONF='$conf'" > "$dir/env"
export SLURM_CONF=$conf

# The controller and the nodes, each with the host name of its own.
unshare --uts sh -c 'hostname dp-ctld && exec slurmctld -D -i -f "$1"' sh "$conf" \
    < /dev/null > "$dir/ctld/stdout.log" 2>&1 &
record $!
for k in $(seq "$nodes"); do
    mkdir -p "$dir/nodes/n$k/spool"
    unshare --uts sh -c 'hostname "$1" && exec slurmd -D -N "$1" -f "$2"' sh "n$k" "$conf" \
        < /dev/null > "$dir/nodes/n$k/stdout.log" 2>&1 &
    record $!
done

# Up once every node is idle (sinfo asks the controller).
for _ in $(seq 300); do
    states=$(sinfo -h -N -o '%N %t' 2> /dev/null | sort -u) || true
    if [ "$(grep -c ' idle$' <<< "$states")" -eq "$nodes" ]; then
        echo "test-slurm: $nodes nodes idle; export SLURM_CONF=$conf (or . $dir/env)"
        exit 0
    fi
    sleep 0.1
done
echo "test-slurm: the nodes are not idle after 30 s (sinfo: ${states:-no answer});" \
    "see $dir/ctld/slurmctld.log and $dir/nodes/n*/slurmd.log" >&2
exit 1
