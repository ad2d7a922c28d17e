#!/usr/bin/env bash
# make ssh's engine (docs/reference.md, "Makefile"): dp-stats over the data
# files listed on stdin (one path a line), each file on one of HOSTS through
# GNU parallel's --sshlogin, its record brought back on stdout and written
# as RESULTS_DIR/<file name>.stats.json, atomically, recorded in the
# directory's manifest (DP_GEN --adopt). GNU parallel's joblog goes to
# JOBLOG. DP_STATS_ARGS are dp-stats' flags (--delay ... --run ssh).
#
#   ... | HOSTS=h1,h2 SSH_JOBS=2 [SSH_CONFIG=FILE] [REMOTE_DP_STATS=/abs/path] \
#         [SHARED_FS=0|1] [RETRIES=2] [DP_REPEAT=k] DP_GEN=PATH \
#         scripts/ssh.sh DP_STATS RESULTS_DIR JOBLOG DP_STATS_ARGS...
#
# - One ssh connection per host, opened here before the run (ssh
#   ControlMaster kept by ControlPersist, in a private directory) and closed
#   at the end, also on failure or Ctrl-C: a job then costs a session on it,
#   not a handshake. A host that cannot be reached is said to be down and
#   left out; a host that wants a password, has no perl or rsync, or no
#   writable TMPDIR stops the run before anything is sent (exit 2), saying
#   so: the login itself asks. GNU parallel starts beside the logins and is
#   given the hosts reached once they are known.
# - SSH_JOBS files at once on each host (given: no CPU probe); dp-stats'
#   records say `workers` = hosts reached x SSH_JOBS.
# - dp-stats is shipped (--basefile) unless REMOTE_DP_STATS names it on the
#   hosts, into ~/.dp-ssh/<run>/ on the host, removed at the end whatever
#   happened. Each data file goes to its host on its job's own session, as
#   dp-stats' stdin (`dp-stats --stdin-name PATH -`): nothing of it is
#   written there, and a file costs one session, not the three of
#   GNU parallel's --transferfile (a mkdir, an rsync, then the job).
#   SHARED_FS=1 says the hosts see the same paths: nothing is sent, and
#   dp-stats runs where it is here unless REMOTE_DP_STATS.
# - A job whose host fails (ssh's exit 255, a host killed mid-run) is redone
#   on another host, RETRIES times at most. dp-stats' exit 1 (a bad data
#   file) is a result, not a failure of the host: its error record is the
#   file's result, which dp-agg reports, and it is not retried.
# - Every file ends with exactly one result; a file left without one (all
#   its tries failed) is named, and the exit status is 1. The hosts that
#   failed during the run are named on stderr.
set -euo pipefail

if [ $# -lt 3 ]; then
    sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
dp_stats=$1
results=$2
joblog=$3
shift 3
stats_args=("$@")

fail() {
    echo "make ssh: $*" >&2
    exit 2
}

# ---- What was asked -----------------------------------------------------------
IFS=, read -r -a given <<< "${HOSTS:-}"
hosts=()
for host in "${given[@]}"; do
    [ -z "$host" ] || [[ " ${hosts[*]} " == *" $host "* ]] || hosts+=("$host")
done
[ ${#hosts[@]} -gt 0 ] || fail 'HOSTS is empty: give the hosts as ssh reaches them, e.g. HOSTS=node1,alice@node2'
slots=${SSH_JOBS:-2}
retries=${RETRIES:-2}
shared=${SHARED_FS:-0}
remote_stats=${REMOTE_DP_STATS:-}
[[ $slots =~ ^[1-9][0-9]*$ ]] || fail "SSH_JOBS is '$slots', not a whole number from 1"
[[ $retries =~ ^(0|[1-9][0-9]*)$ ]] || fail "RETRIES is '$retries', not a whole number from 0"
[[ $shared =~ ^[01]$ ]] || fail "SHARED_FS is '$shared': 0 (files shipped) or 1 (the hosts see them)"
[ -z "$remote_stats" ] || [[ $remote_stats == /* ]] ||
    fail "REMOTE_DP_STATS is '$remote_stats', not an absolute path"
ssh_opts=(-o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3)
if [ -n "${SSH_CONFIG:-}" ]; then
    [ -r "$SSH_CONFIG" ] || fail "SSH_CONFIG: cannot read $SSH_CONFIG"
    ssh_opts=(-F "$(realpath -- "$SSH_CONFIG")" "${ssh_opts[@]}")
fi
# What dp-stats is, on the hosts: a copy shipped beside the data, theirs,
# or with SHARED_FS=1 this one, at the same path.
asked_stats=$remote_stats
[ "$shared" = 0 ] || [ -n "$remote_stats" ] || remote_stats=$(realpath -- "$dp_stats")
ship_stats=yes
[ -z "$remote_stats" ] || ship_stats=no
# Only dp-stats goes by rsync (--basefile).
rsync_needed=$ship_stats
command -v parallel > /dev/null || fail 'GNU parallel is not installed (e.g. apt-get install parallel)'
command -v ssh > /dev/null || fail 'ssh is not installed (e.g. apt-get install openssh-client)'
if [ "$rsync_needed" = yes ]; then
    command -v rsync > /dev/null || fail 'rsync is not installed here (e.g. apt-get install rsync)'
fi

[ -n "${DP_GEN:-}" ] || fail 'DP_GEN is not set (the dp-gen that records the results)'
files=$(mktemp)
tmp=$(mktemp -d /tmp/dp-ssh.XXXXXX)
trap 'rm -rf -- "$files" "$tmp"' EXIT
cat > "$files"
# Nothing stale: nothing to send.
[ -s "$files" ] || exit 0
run_dir=.dp-ssh/${tmp##*/}

# ---- The connections ------------------------------------------------------------
# Each host's master connection, in this run's own directory (a socket path
# is at most 108 bytes: /tmp/dp-ssh.XXXXXX/ and a 40-character hash).
control=(-o "ControlPath=$tmp/%C")
reached=() logging_in=() fed=
close_all() {
    local host
    # A second Ctrl-C does not cut the cleaning short.
    trap '' INT TERM
    # A login still under way (Ctrl-C while logging in: a background ssh
    # ignores SIGINT) ends first, so that no master comes up after its
    # -O exit and outlives the run.
    if [ ${#logging_in[@]} -gt 0 ]; then
        kill "${logging_in[@]}" 2> /dev/null || true
        wait "${logging_in[@]}" 2> /dev/null || true
    fi
    # GNU parallel not yet fed its hosts has sent nothing: it ends here,
    # with the writer. By the job table, as a signal may come between the
    # start of either and the line that keeps its pid.
    if [ -z "$fed" ]; then
        local left
        left=$(jobs -p)
        if [ -n "$left" ]; then
            # Unquoted: one pid a word.
            kill -KILL $left 2> /dev/null || true
            wait $left 2> /dev/null || true
        fi
    fi
    for host in "${hosts[@]}"; do
        # What was shipped goes, also after Ctrl-C or a failure; all hosts
        # at once (with nothing shipped, nothing was made there: no session
        # to remove it). A master whose first session failed is closed too.
        { [ "$ship_stats" = no ] || [[ " ${reached[*]} " != *" $host "* ]] ||
            ssh "${ssh_opts[@]}" "${control[@]}" "$host" \
                "rm -rf -- '$run_dir' && rmdir .dp-ssh 2> /dev/null; true" < /dev/null > /dev/null 2>&1
          ssh "${ssh_opts[@]}" "${control[@]}" -O exit "$host" > /dev/null 2>&1; } &
    done
    wait
    # Every login has ended by now: a master still listening in this run's
    # directory came up after its -O exit (a signal amid the logins).
    local socket
    for socket in "$tmp"/*; do
        [ ! -S "$socket" ] || ssh "${ssh_opts[@]}" -o "ControlPath=$socket" -O exit _ > /dev/null 2>&1 || true
    done
    rm -rf -- "$files" "$tmp"
}
trap close_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# What a host needs, asked as each master logs in (one round trip, not a
# session more): sh, perl (GNU parallel's remote side), rsync where
# anything is shipped, a writable TMPDIR (GNU parallel's job scripts), and
# with SHARED_FS=1 the data. Where anything is shipped the login also makes
# the run's directory, which the ssh of GNU parallel then need not.
first=$(head -n 1 "$files")
needs='missing=
command -v perl > /dev/null 2>&1 || missing="$missing perl"
if [ "$RSYNC" = yes ]; then command -v rsync > /dev/null 2>&1 || missing="$missing rsync"; fi
t=${TMPDIR:-/tmp}
[ -d "$t" ] && [ -w "$t" ] || missing="$missing a-writable-TMPDIR($t)"
[ -z "$STATS" ] || [ -x "$STATS" ] || missing="$missing $STATS"
[ -z "$DATA" ] || [ -r "$DATA" ] || missing="$missing $DATA"
[ "$RSYNC" = no ] || mkdir -p "$RUN" || missing="$missing a-writable-home"
echo "missing:$missing"'
data_seen=
[ "$shared" = 0 ] || data_seen=$first
# All at once: a host that hangs delays the start by ConnectTimeout, not
# once per host. ControlPersist puts the master in the background once
# logged in, its stdin, stdout and stderr on /dev/null (no pipe of the
# caller held), and the question runs as its first session.
for i in "${!hosts[@]}"; do
    { printf "RSYNC='%s' STATS='%s' DATA='%s' RUN='%s'\n" "$rsync_needed" "$remote_stats" "$data_seen" "$run_dir"
      echo "$needs"; } | ssh "${ssh_opts[@]}" "${control[@]}" -o ControlMaster=yes -o ControlPersist=yes \
        "${hosts[i]}" sh -s > "$tmp/$i.needs" 2>&1 &
    logging_in[i]=$!
done

# ---- The run, started at once ------------------------------------------------------
# GNU parallel starts now, while the hosts log in (its own start costs
# half a login here), and waits for them: it reads its sshlogins from a
# FIFO, written once the hosts are known, and then the files, each with the
# workers its record says (hosts reached x SSH_JOBS), from another. A run
# that stops before (a host refused, Ctrl-C) ends it unfed: nothing sent.

# The remote side: the command in the host's run directory; a file read
# from stdin or, shared, by its path. dp-stats' exit 1 is the file's error
# record, a result: 0, so that GNU parallel does not retry it. A shared
# file the host cannot read (a share it lacks) is the host's failure, not
# the file's: exit 254, retried elsewhere.
ship=()
if [ "$ship_stats" = yes ]; then
    # A copy, so that a rebuild during the run does not change it, and a
    # symlink arrives as the file (rsync -l would ship a dangling link);
    # without its debug information where strip can (a sixth of a release
    # build's size: 0.15 s less to ship to 3 hosts here).
    strip --strip-debug -o "$tmp/dp-stats" -- "$dp_stats" 2> /dev/null ||
        cp -L -- "$dp_stats" "$tmp/dp-stats"
    ship+=(--basefile "$tmp/./dp-stats")
    stats=./dp-stats
else
    stats="'$remote_stats'"
fi
if [ "$shared" = 0 ]; then
    # The file arrives on stdin (the ssh below feeds it); the record and
    # dp-stats' messages name it by its path here.
    target="--stdin-name={1} -"
    readable=
else
    target='{1}'
    readable="[ -r {1} ] || { echo \"make ssh: \$(uname -n) cannot read {1}\" >&2; exit 254; };"
fi
[ ${#ship[@]} -eq 0 ] || ship+=(--wd "$run_dir")
quoted=
for arg in "${stats_args[@]}"; do
    [[ $arg != *"'"* ]] || fail "a dp-stats argument holds a quote: $arg"
    quoted+=" '$arg'"
done
remote="$readable env DP_WORKERS={2}${DP_REPEAT:+ DP_REPEAT=$DP_REPEAT} $stats$quoted $target;"
remote+=' s=$?; [ $s -ne 1 ] || s=0; exit $s'
login_ssh="ssh ${ssh_opts[*]} ${control[*]} -o ControlMaster=no"
if [ "$shared" = 0 ]; then
    # GNU parallel's ssh, but
    # - for the `mkdir -p` of the run's directory it runs before the rsync
    #   of --basefile: a session, and the login made the directory;
    # - for a job's session (GNU parallel sets PARALLEL_SEQ, the job's
    #   line in the list, for it alone; a retry keeps it), which gets the
    #   job's file on stdin, through a link named by that number. A file
    #   gone here since the list was made is said once, not retried on
    #   every host (exit 0 to GNU parallel), left without a record, and
    #   counted apart at the end (a mark by its number).
    mkdir -- "$tmp/by-job"
    perl -MFile::Spec -e 'while (<STDIN>) { chomp; symlink(File::Spec->rel2abs($_), "$ARGV[0]/$.")
        or die "make ssh: cannot link $ARGV[0]/$.: $!\n" }' -- "$tmp/by-job" < "$files"
    cat > "$tmp/ssh" << WRAPPER
#!/bin/sh
[ \$# = 6 ] && [ "\$2 \$3 \$4 \$5 \$6" = '-- exec mkdir -p ./$run_dir' ] && exit 0
if [ -n "\$PARALLEL_SEQ" ]; then
    file=$tmp/by-job/\$PARALLEL_SEQ
    [ -r "\$file" ] || {
        echo "make ssh: cannot read \$(readlink "\$file") here" >&2
        : > "$tmp/by-job/unread.\$PARALLEL_SEQ"
        exit 0
    }
    exec $login_ssh "\$@" < "\$file"
fi
exec $login_ssh "\$@"
WRAPPER
    chmod +x -- "$tmp/ssh"
    login_ssh=$tmp/ssh
fi

# Each record comes back tagged with its file's local path, which it is
# written for and which its `path` names (dp-stats named it so). It is
# checked to be that file's, and whole JSON, and written as it came, every
# number as dp-stats wrote it.
writer='use strict; use warnings; use JSON::PP ();
my ($dir, $dp_gen) = @ARGV;
my $json = JSON::PP->new->allow_nonref;
my $status = 0;
while (my $line = <STDIN>) {
    chomp $line;
    my ($local, $record) = split /\t/, $line, 2;
    next unless defined $record;
    (my $name = $local) =~ s{.*/}{};
    my $path = $json->encode($local);
    unless ($record =~ /^\{"type":"(stats|error)","path":\Q$path\E,/
            && eval { $json->decode($record); 1 }) {
        print STDERR "make ssh: $local: not a record, ignored: ", substr($record, 0, 80), "\n";
        next;
    }
    write_result("$dir/$name.stats.json", "$dir/.$name.stats.json.$$.tmp", "$record\n")
        or $status = 1;
}
sub write_result {
    my ($out, $tmp, $text) = @_;
    my $fh;
    unless (open($fh, ">", $tmp) and print($fh $text) and close($fh) and rename($tmp, $out)) {
        print STDERR "make ssh: cannot write $out: $!\n";
        unlink $tmp;
        return 0;
    }
    return system($dp_gen, "--adopt", $out) == 0;
}
exit $status;'

mkdir -p -- "$results"
started=$tmp/started
touch "$started"
mkfifo -- "$tmp/logins" "$tmp/jobs" "$tmp/records"
perl -e "$writer" "$results" "$DP_GEN" < "$tmp/records" &
writer_pid=$!
# Started in the background, GNU parallel would ignore Ctrl-C until its
# own handler is set; it takes it as in the foreground (the writer ignores
# it: it writes what comes until GNU parallel ends).
(trap - INT && exec parallel --will-cite --group --slf "$tmp/logins" --ssh "$login_ssh" "${ship[@]}" \
    --retries $((retries + 1)) --colsep '\t' --tagstring '{1}' --joblog "$joblog" \
    -a "$tmp/jobs" "$remote" < /dev/null > "$tmp/records") &
parallel_pid=$!

# ---- The hosts, once logged in ---------------------------------------------------
refused=() lacking=()
for i in "${!hosts[@]}"; do
    code=0
    wait "${logging_in[i]}" || code=$?
    unset 'logging_in[i]'
    if [ "$code" != 255 ]; then
        reached+=("${hosts[i]}")
        if ! grep -q '^missing:' "$tmp/$i.needs"; then
            lacking+=("${hosts[i]} has no sh that runs commands ($(tail -n 1 "$tmp/$i.needs"))")
        elif ! grep -qx 'missing:' "$tmp/$i.needs"; then
            lacking+=("${hosts[i]} has no$(sed -n 's/^missing://p' "$tmp/$i.needs")")
        fi
    elif grep -qiE 'permission denied|password|passphrase|host key verification|authentication' "$tmp/$i.needs"; then
        refused+=("${hosts[i]}: $(tail -n 1 "$tmp/$i.needs")")
    else
        echo "make ssh: host ${hosts[i]} is down ($(tail -n 1 "$tmp/$i.needs")):" \
            'its files go to the other hosts' >&2
    fi
done
if [ ${#refused[@]} -gt 0 ]; then
    printf 'make ssh: %s\n' "${refused[@]}" >&2
    fail 'the hosts above refused a login without a password (ssh -o BatchMode=yes): give each a key' \
        '(ssh-copy-id) or an ssh config that logs in, SSH_CONFIG=FILE'
fi
[ ${#reached[@]} -gt 0 ] || fail "no host of HOSTS=${HOSTS} could be reached"
if [ ${#lacking[@]} -gt 0 ]; then
    printf 'make ssh: %s\n' "${lacking[@]}" >&2
    what='a host needs sh, perl, rsync (unless REMOTE_DP_STATS) and a writable TMPDIR'
    [ -z "$asked_stats" ] || what+=", and REMOTE_DP_STATS=$asked_stats there"
    [ "$shared" = 0 ] || what+=', and with SHARED_FS=1 the data files at the same paths'
    [ "$shared" = 0 ] || [ -n "$asked_stats" ] ||
        what+=', as dp-stats (REMOTE_DP_STATS=/path names theirs)'
    fail "$what"
fi

# ---- The run, fed -----------------------------------------------------------------
logins=$(printf "$slots/%s\n" "${reached[@]}")
workers=$((${#reached[@]} * slots))
# Interrupted, GNU parallel stops its jobs and ends: so does this, after.
interrupted= signals=0
trap 'interrupted=130 signals=$((signals + 1))' INT
trap 'interrupted=143 signals=$((signals + 1))' TERM
{ printf '%s\n' "$logins" > "$tmp/logins"
  awk -v workers="$workers" '{ print $0 "\t" workers }' "$files" > "$tmp/jobs"; } &
feeder=$!
fed=yes
# wait_for PID: its exit status, also when a signal trapped above
# interrupts the wait.
wait_for() {
    local code seen
    while :; do
        seen=$signals code=0
        wait "$1" || code=$?
        [ "$seen" != "$signals" ] || return "$code"
    done
}
set +e
wait_for "$parallel_pid"
wait_for "$writer_pid"
written=$?
set -e
# GNU parallel that ended early (refused its options) left the feeder waiting.
kill "$feeder" 2> /dev/null || true
wait "$feeder" 2> /dev/null || true
trap 'exit 130' INT
trap 'exit 143' TERM
status=0
[ "$written" = 0 ] || status=1

# ---- What happened ---------------------------------------------------------------
for host in "${reached[@]}"; do
    { ssh "${ssh_opts[@]}" "${control[@]}" -O check "$host" > /dev/null 2>&1 ||
        echo "make ssh: host $host failed during the run (its connection closed):" \
            'its files were redone on the other hosts' >&2; } &
done
wait
# Files without a record: those whose hosts failed, and those that could
# not be read here (marked by the ssh command, said as it happened).
failed=0 unread=0 line=0
while IFS= read -r file; do
    line=$((line + 1))
    [ "$results/${file##*/}.stats.json" -nt "$started" ] && continue
    if [ -e "$tmp/by-job/unread.$line" ]; then
        unread=$((unread + 1))
    else
        [ -n "$interrupted" ] || [ "$failed" -ge 5 ] || echo "make ssh: no record for $file" >&2
        failed=$((failed + 1))
    fi
done < "$files"
if [ -n "$interrupted" ]; then
    echo "make ssh: interrupted, $((failed + unread)) files without a record: run it again to go on" >&2
    exit "$interrupted"
fi
if [ "$unread" -gt 0 ]; then
    echo "make ssh: $unread files without a record: they could not be read here (said above)" >&2
    status=1
fi
if [ "$failed" -gt 0 ]; then
    echo "make ssh: $failed files without a record: their hosts failed $((retries + 1)) times" \
        "(RETRIES=$retries; see $joblog); run it again to redo them" >&2
    status=1
fi
exit "$status"
