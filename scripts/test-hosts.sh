#!/usr/bin/env bash
# Test hosts for `make ssh` on one machine (docs/reference.md, "Makefile"):
# N sshd instances on 127.0.0.2, 127.0.0.3, ... (loopback only), all on one
# free high port, each in its own UTS namespace with its own host name
# (dp-host1, dp-host2, ...: what `uname -n` and so the records' `host` say
# there), its own throwaway user (`useradd -p '*'`: a locked `!` password
# makes sshd without PAM refuse even a key), home, host key and
# `AllowUsers`. Every key is generated per run under DIR; nothing here is
# committed. The homes live in a directory of their own under /tmp (named
# in DIR/homes), as the users may not reach into DIR. `up` prints the hosts as HOSTS takes them (dp-host1,dp-host2,...)
# and writes DIR/ssh_config, a client config with an alias per host (its
# address, user, port, the key, known hosts under DIR, BatchMode, the key
# exchange curve25519-sha256), for `make ssh HOSTS=... SSH_CONFIG=DIR/ssh_config`.
#
#   scripts/test-hosts.sh up DIR [N]     start N hosts (3), DIR made if missing
#   scripts/test-hosts.sh kill DIR HOST  kill one host now (listener and sessions)
#   scripts/test-hosts.sh down DIR       stop them all, remove their users
#
# Needs root (useradd, sshd) and `unshare --uts`; installs openssh-server,
# openssh-client, rsync, parallel and procps with apt-get when missing
# (not with TEST_DEPS=no).
# DIR/hosts records each host's name, user, address and the pid of its
# listener (the only processes this starts); `kill` and `down` stop exactly
# those and the sessions under them (a listener alone would leave jobs
# going through an open ControlMaster), checking that each pid is still
# the sshd of DIR's config, and then any process left of the host's user.
set -euo pipefail

usage() {
    sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
[ $# -ge 2 ] || usage
command=$1
dir=$2

# Absolute paths: sshd and ssh want them.
if [ "$command" = up ]; then
    mkdir -p -- "$dir"
fi
[ -d "$dir" ] || { echo "test-hosts: no directory $dir" >&2; exit 2; }
dir=$(cd -- "$dir" && pwd)
state=$dir/hosts

install_missing() {
    local packages=()
    [ -x /usr/sbin/sshd ] || packages+=(openssh-server)
    command -v ssh-keygen > /dev/null || packages+=(openssh-client)
    command -v rsync > /dev/null || packages+=(rsync)
    command -v parallel > /dev/null || packages+=(parallel)
    command -v ps > /dev/null || packages+=(procps)
    [ ${#packages[@]} -gt 0 ] || return 0
    # make test's TEST_DEPS=no installs nothing: the tests say they skip.
    if [ "${TEST_DEPS:-yes}" = no ]; then
        echo "test-hosts: could not install ${packages[*]}: TEST_DEPS=no installs nothing" >&2
        exit 1
    fi
    echo "test-hosts: installing ${packages[*]} with apt-get" >&2
    # Another apt-get (another test's) may hold dpkg's lock: wait for it.
    { apt-get -o DPkg::Lock::Timeout=300 update -qq > /dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
            --no-install-recommends "${packages[@]}" > /dev/null; } || {
        echo "test-hosts: apt-get could not install ${packages[*]}" >&2
        exit 1
    }
}

# useradd and userdel lock /etc/passwd; hosts of several tests starting at
# once take turns.
with_passwd_lock() {
    local try
    for try in 1 2 3 4 5 6 7 8 9 10; do
        "$@" 2> "$dir/passwd.err" && return 0
        grep -q 'cannot lock' "$dir/passwd.err" || break
        sleep 0.$((RANDOM % 5 + 1))
    done
    cat "$dir/passwd.err" >&2
    return 1
}

# listening PORT: whether anything listens on PORT (any address), from
# /proc so that no iproute2 is needed.
listening() {
    local hex
    hex=$(printf ':%04X' "$1")
    awk -v port="$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == port { found = 1 }
        END { exit !found }' /proc/net/tcp /proc/net/tcp6 2> /dev/null
}

# A free high port whose user names are free too (a crashed run may have
# left its users).
free_port() {
    local port try
    for try in $(seq 1 100); do
        port=$((20000 + RANDOM % 40000))
        listening "$port" && continue
        id "dp${port}h1" > /dev/null 2>&1 && continue
        echo "$port"
        return 0
    done
    echo "test-hosts: found no free port" >&2
    exit 1
}

up() {
    local count=${1:-3}
    [[ $count =~ ^[1-9][0-9]*$ ]] && [ "$count" -le 250 ] ||
        { echo "test-hosts: N must be 1 to 250, not '$count'" >&2; exit 2; }
    [ "$(id -u)" -eq 0 ] || { echo "test-hosts: needs root (useradd, sshd)" >&2; exit 1; }
    [ ! -e "$state" ] || { echo "test-hosts: $dir already has hosts: '$0 down $dir' first" >&2; exit 2; }
    unshare --uts true 2> /dev/null ||
        { echo "test-hosts: cannot make a UTS namespace (unshare --uts)" >&2; exit 1; }
    install_missing
    # A failed start stops what it started.
    trap 'status=$?; [ "$status" -eq 0 ] || down; exit "$status"' EXIT
    # sshd's privilege separation directory, which the package's service
    # would make.
    mkdir -p -m 0755 /run/sshd
    # Several `up`s at once (tests in parallel) take turns, so that no two
    # pick the same free port: a lock on that directory, held until exit.
    exec 8< /run/sshd
    flock 8
    # sshd reads authorized_keys as the user, who may not reach into DIR
    # (a 0700 temporary directory): the homes live in a directory of their
    # own, named in DIR/homes.
    mktemp -d /tmp/dp-test-homes.XXXXXX > "$dir/homes"
    chmod 0711 "$(cat "$dir/homes")"
    rm -f -- "$dir/id_ed25519" "$dir/id_ed25519.pub"
    ssh-keygen -q -t ed25519 -N '' -C dp-test-client -f "$dir/id_ed25519"
    local port
    port=$(free_port)
    : > "$dir/known_hosts"
    {
        echo "# The test hosts of $dir (scripts/test-hosts.sh): ssh -F $dir/ssh_config dp-host1"
        echo
    } > "$dir/ssh_config"
    local i names=()
    for i in $(seq 1 "$count"); do
        start_host "$i" "$port"
        names+=("dp-host$i")
    done
    # KexAlgorithms: the key exchange without OpenSSH 9's post-quantum
    # part, 0.09 s less CPU per login (README, "What it costs"); throwaway
    # hosts on loopback have no traffic to keep from a future quantum
    # computer. make ssh itself leaves the choice to the user's config.
    cat >> "$dir/ssh_config" << EOF
Host *
    Port $port
    KexAlgorithms curve25519-sha256
    IdentityFile $dir/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $dir/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    BatchMode yes
    ControlMaster no
    ControlPath $dir/cm-%C
    LogLevel ERROR
EOF
    chmod 0600 "$dir/ssh_config"
    local hosts
    hosts=$(IFS=,; echo "${names[*]}")
    echo "$hosts"
}

# start_host I PORT: host I, user dp<PORT>h<I>, on 127.0.0.<I+1>:PORT.
start_host() {
    local i=$1 port=$2
    local name=dp-host$i user=dp${port}h$i addr=127.0.0.$((i + 1))
    local host_dir=$dir/$name home
    home=$(cat "$dir/homes")/$name
    mkdir -p -- "$host_dir"
    with_passwd_lock useradd -M -d "$home" -s /bin/sh -p '*' "$user"
    # Recorded at once, so that `down` removes the user even if what
    # follows fails.
    printf '%s %s %s %s\n' "$name" "$user" "$addr" - >> "$state"
    mkdir -p -m 0700 -- "$home/.ssh"
    cp -- "$dir/id_ed25519.pub" "$home/.ssh/authorized_keys"
    chmod 0600 "$home/.ssh/authorized_keys"
    chown -R "$user:" "$home"
    chmod 0700 "$home"
    rm -f -- "$host_dir/ssh_host_ed25519_key" "$host_dir/ssh_host_ed25519_key.pub" "$host_dir/sshd.pid"
    ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$host_dir/ssh_host_ed25519_key"
    printf '[%s]:%s %s\n' "$addr" "$port" "$(cut -d' ' -f1,2 "$host_dir/ssh_host_ed25519_key.pub")" \
        >> "$dir/known_hosts"
    cat > "$host_dir/sshd_config" << EOF
ListenAddress $addr:$port
HostKey $host_dir/ssh_host_ed25519_key
PidFile $host_dir/sshd.pid
AllowUsers $user
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile .ssh/authorized_keys
PermitRootLogin no
# Every job of \`make ssh\` is a session or a connection: many at once.
MaxStartups 100:30:200
MaxSessions 100
PrintMotd no
LogLevel ERROR
EOF
    cat >> "$dir/ssh_config" << EOF
Host $name
    HostName $addr
    User $user
EOF
    # unshare execs sh, which execs sshd: $! is the listener's pid. No
    # descriptor of the caller's stays open in it, nor the lock.
    unshare --uts sh -c 'hostname "$1" && exec /usr/sbin/sshd -D -f "$2" -E "$3"' \
        sh "$name" "$host_dir/sshd_config" "$host_dir/sshd.log" \
        < /dev/null > /dev/null 2>&1 8<&- &
    local pid=$!
    sed -i "s/^$name $user $addr -\$/$name $user $addr $pid/" "$state"
    # sshd writes its pid file once it listens.
    local waited
    for waited in $(seq 1 100); do
        [ -s "$host_dir/sshd.pid" ] && return 0
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.05
    done
    echo "test-hosts: $name did not start (see $host_dir/sshd.log):" >&2
    cat -- "$host_dir/sshd.log" >&2 || true
    exit 1
}

# The pids under PID (its descendants), from one `ps`: a session's
# monitor, its user's process, what the job ran.
descendants() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2 }
        END {
            found[root] = 1
            do {
                more = 0
                for (p in parent) if (!(p in found) && (parent[p] in found)) { found[p] = 1; more = 1 }
            } while (more)
            for (p in found) if (p != root) print p
        }'
}

# stop_host NAME: kills host NAME's listener and every session under it at
# once (SIGKILL, as a machine that dies), then what its user still runs.
stop_host() {
    local name=$1 line user addr pid uid pids
    line=$(awk -v name="$name" '$1 == name' "$state")
    [ -n "$line" ] || { echo "test-hosts: no host $name in $state" >&2; return 2; }
    read -r _ user _ pid <<< "$line"
    pids=()
    # Only while the pid is still this host's sshd (a pid is reused).
    if [ "$pid" != - ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null |
        grep -qF -- "$dir/$name/sshd_config"; then
        pids=("$pid" $(descendants "$pid"))
    fi
    if uid=$(id -u "$user" 2> /dev/null); then
        pids+=($(ps -e -o pid=,uid= | awk -v uid="$uid" '$2 == uid { print $1 }'))
    fi
    [ ${#pids[@]} -eq 0 ] || kill -KILL "${pids[@]}" 2> /dev/null || true
    local waited
    for waited in $(seq 1 100); do
        local alive=no p
        for p in "${pids[@]}"; do
            kill -0 "$p" 2> /dev/null && alive=yes
        done
        [ "$alive" = no ] && break
        sleep 0.02
    done
    sed -i "s/^$name $user \([^ ]*\) .*/$name $user \1 -/" "$state"
}

down() {
    [ -e "$state" ] || return 0
    local name user status=0
    while read -r name user _; do
        stop_host "$name" || status=1
        if id "$user" > /dev/null 2>&1; then
            with_passwd_lock userdel "$user" || status=1
        fi
    done < "$state"
    if [ -s "$dir/homes" ]; then
        rm -rf -- "$(cat "$dir/homes")"
    fi
    rm -f -- "$state" "$dir/homes" "$dir/passwd.err"
    return "$status"
}

case $command in
    up) up "${3:-3}" ;;
    kill)
        [ $# -eq 3 ] || usage
        [ -e "$state" ] || { echo "test-hosts: $dir has no hosts" >&2; exit 2; }
        stop_host "$3"
        ;;
    down) down ;;
    *) usage ;;
esac
