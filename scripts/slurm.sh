#!/usr/bin/env bash
# make slurm's engine (docs/reference.md, "Makefile"): the data files listed
# on stdin (the stale ones, one a line) run as one Slurm job array, in
# chunks: task k runs `dp-stats -j $SLURM_CPUS_PER_TASK` over the k-th
# chunk of the list, writing each result into DIR (--out-dir) as the other
# modes do. The data, DIR and the binaries must be on a filesystem the
# nodes share, as on every cluster.
#
#   ... | DP_GEN=PATH CHUNKS=N CPUS_PER_TASK=N [DP_REPEAT=k] \
#       scripts/slurm.sh DIR LABEL [SBATCH_ARG...] -- DP_STATS [FLAG...]
#
# - CHUNKS (empty: the CPUs of the cluster's responding nodes divided by
#   CPUS_PER_TASK), never more than the files nor than the cluster's
#   MaxArraySize (scontrol show config); the records' `workers` is the CPUs
#   the array can use at once.
# - Completion is found by polling squeue (sbatch --wait reacts in
#   seconds), at an interval of a twentieth of the time waited so far
#   (0.2 s to 15 s): a short job is seen at once, a long one spares the
#   controller.
# - What the tasks print goes to DIR/task-<k>.log; its messages are shown
#   on stderr once the job ended. The list (DIR/files.txt) and the logs are
#   recorded in DIR's manifest, so `make clean` removes them.
# - Every listed file must end with its result: a stats record, or the
#   error record dp-stats printed for it, which this writes as the file's
#   result (with the data file's time, so that the next run tries it
#   again) for dp-agg to report: exit 0 either way, as a bad file is a
#   result, not a failure of the cluster. Exit 1: some file has neither (a
#   task was cancelled, timed out or lost its node: named with its state).
#   Exit 2: Slurm is missing or refused the job (sbatch's reason shown).
#   Ctrl-C (or TERM) cancels the job (scancel).
set -euo pipefail

me='make slurm'
dir=$1
label=$2
shift 2
sbatch_args=()
while [ "$1" != -- ]; do
    sbatch_args+=("$1")
    shift
done
shift
dp_stats=$(realpath -- "$1") # the nodes do not share our working directory's meaning of it
shift
stats_flags=("$@")
cpus_per_task=${CPUS_PER_TASK:-1}

mapfile -t files
total=${#files[@]}
[ "$total" -gt 0 ] || exit 0 # every result is up to date

for command in sbatch squeue scontrol sinfo scancel; do
    command -v "$command" > /dev/null || {
        echo "$me: $command is not installed: run on a machine of a Slurm cluster" \
            "(Debian: slurm-client), or see scripts/test-slurm.sh" >&2
        exit 2
    }
done

dir=$(cd -- "$dir" && pwd)
list=$dir/files.txt

# adopt FILE...: recorded in their directory's manifest, those present.
adopt() {
    local present=() path
    for path in "$@"; do
        [ ! -f "$path" ] || present+=("$path")
    done
    [ ${#present[@]} -eq 0 ] || "$DP_GEN" --adopt "${present[@]}"
}

config=$(scontrol show config 2>&1) || {
    echo "$me: cannot ask Slurm's controller for its configuration: $config" >&2
    exit 2
}
max_array=$(awk '$1 == "MaxArraySize" { print $3 }' <<< "$config")
# The responding nodes' CPUs, each node once (sinfo lists a node per partition).
cpus=$(sinfo -h -N -r -o '%N %c' | sort -u | awk '{ n += $2 } END { print n + 0 }')

chunks=${CHUNKS:-$((cpus / cpus_per_task))}
[ "$chunks" -ge 1 ] || chunks=1
if [ -n "$max_array" ] && [ "$chunks" -gt "$max_array" ]; then
    echo "$me: CHUNKS=$chunks is more than this cluster's MaxArraySize: $max_array chunks" >&2
    chunks=$max_array
fi
[ "$chunks" -le "$total" ] || chunks=$total
size=$(((total + chunks - 1) / chunks))
tasks=$(((total + size - 1) / size))
workers=$((tasks * cpus_per_task))
[ "$cpus" -eq 0 ] || [ "$workers" -le "$cpus" ] || workers=$cpus

# The list the tasks read their chunk from, written whole before any reads it.
printf '%s\n' "${files[@]}" > "$list.$$.tmp"
mv -f -- "$list.$$.tmp" "$list"
adopt "$list"

# quoted WORD: WORD as one word of sh.
quoted() {
    printf "'%s'" "${1//\'/\'\\\'\'}"
}
command=$(quoted "$dp_stats")
for flag in "${stats_flags[@]}"; do
    command+=" $(quoted "$flag")"
done
environment="DP_WORKERS=$workers${DP_REPEAT:+ DP_REPEAT=$DP_REPEAT}"
# The task. DP_HOST is the submitter's, if any (sbatch exports its
# environment): each node's records must name the node.
script="#!/bin/sh
# A task of dp's make slurm: lines k*$size+1 .. (k+1)*$size of the list.
unset DP_HOST
first=\$((SLURM_ARRAY_TASK_ID * $size + 1))
sed -n \"\$first,\$((first + $size - 1))p\" $(quoted "$list") |
    $environment $command -j \"\${SLURM_CPUS_PER_TASK:-1}\"
"

logs=()
for k in $(seq 0 $((tasks - 1))); do
    logs+=("$dir/task-$k.log")
done
job=
# The job goes with us: an interruption cancels it.
cancel() {
    if [ -n "$job" ]; then
        scancel "$job" 2> /dev/null || true
        echo "$me: interrupted: cancelled job $job" >&2
    fi
    adopt "${logs[@]}"
    exit 130
}
trap cancel INT TERM HUP

submitted=$EPOCHREALTIME
if ! said=$(sbatch --parsable "${sbatch_args[@]}" --job-name="dp-$label" \
    --array=0-$((tasks - 1)) --cpus-per-task="$cpus_per_task" \
    --output="$dir/task-%a.log" <<< "$script" 2>&1); then
    echo "$me: Slurm refused the job: $said" >&2
    exit 2
fi
# --parsable: JOBID[;CLUSTER] last, after any warning of sbatch's.
job=${said##*$'\n'}
job=${job%%;*}
[[ $said != *$'\n'* ]] || echo "${said%$'\n'*}" >&2
echo "$me: job $job: $total files, $tasks tasks, chunks of at most $size, CPUs per task $cpus_per_task" >&2

# ms: milliseconds since submission.
ms() {
    local now=${EPOCHREALTIME/./} then=${submitted/./}
    echo $(((now - then) / 1000))
}
failures=0
while :; do
    if queued=$(squeue -h -j "$job" -o %i 2>&1); then
        failures=0
        [ -n "$queued" ] || break
    elif [[ $queued == *"Invalid job id"* ]]; then
        break # gone from the controller's memory (MinJobAge): ended
    elif [ $((failures += 1)) -ge 30 ]; then
        echo "$me: squeue keeps failing, job $job left running: $queued" >&2
        adopt "${logs[@]}"
        exit 1
    fi
    wait_ms=$(($(ms) / 20))
    [ "$wait_ms" -ge 200 ] || wait_ms=200
    [ "$wait_ms" -le 15000 ] || wait_ms=15000
    sleep "$((wait_ms / 1000)).$(printf %03d $((wait_ms % 1000)))"
done
trap - INT TERM HUP
adopt "${logs[@]}"

# Each task's state and node, while the controller remembers them.
declare -A state node
while read -r task task_state task_node; do
    state[$task]=$task_state
    node[$task]=$task_node
done < <(scontrol -o show job "$job" 2> /dev/null |
    sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .* NodeList=\([^ ]*\) .*/\1 \2 \3/p')
where() {
    echo "task $1 (${state[$1]:-ended} on ${node[$1]:-its node})"
}

# What the tasks said (records aside), and the error records by path: a
# record's path is the list's line as it was given, which the Makefile's
# paths (no quote, no backslash) keep as they are in JSON.
declare -A error
for k in $(seq 0 $((tasks - 1))); do
    [ -f "${logs[k]}" ] || continue
    while IFS= read -r line; do
        if [[ $line == '{"type":"error",'* ]]; then
            [[ $line =~ \"path\":\"([^\"]*)\" ]] && error[${BASH_REMATCH[1]}]=$line
        elif [ -n "$line" ] && [[ $line != '{'* ]]; then
            echo "$me: $(where "$k"): $line" >&2
        fi
    done < "${logs[k]}"
done

failed=() missing=()
for i in "${!files[@]}"; do
    file=${files[i]}
    result=$dir/${file##*/}.stats.json
    [ ! "$result" -nt "$list" ] || continue
    if [ -n "${error[$file]:-}" ]; then
        partial=$dir/.${file##*/}.stats.json.$$.$(date +%s%N).tmp
        printf '%s\n' "${error[$file]}" > "$partial"
        touch -r "$file" -- "$partial"
        mv -f -- "$partial" "$result"
        adopt "$result"
        failed+=("$file")
    else
        missing+=("$file: $(where $((i / size)))")
    fi
done
done_ms=$(ms)
echo "$me: job $job ended $((done_ms / 1000)).$(printf %03d $((done_ms % 1000))) s after submission:" \
    "records: $((total - ${#failed[@]} - ${#missing[@]})) stats, ${#failed[@]} error, ${#missing[@]} missing" >&2
if [ ${#failed[@]} -gt 0 ]; then
    echo "$me: failed (each file's error record is its result, which dp-agg reports): ${failed[*]}" >&2
fi
if [ ${#missing[@]} -gt 0 ]; then
    printf "$me: no record for %s\n" "${missing[@]}" >&2
    exit 1
fi
