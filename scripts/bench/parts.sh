# The command line of a bench in parts (sourced): `--only N` (repeatable)
# picks parts 1, 2 or 3, `-h`/`--help` prints the script's header comment.
#
#   . scripts/bench/parts.sh NAME HELP_LINES "$@"
#
# sets `parts` (all three unless --only says) and defines `wants N`.
bench_name=$1 help_lines=$2
shift 2
parts=()
while [ $# -gt 0 ]; do
    case $1 in
        --only)
            case ${2:-} in
                1 | 2 | 3) parts+=("$2"); shift 2 ;;
                *) echo "$bench_name: --only takes 1, 2 or 3" >&2; exit 2 ;;
            esac
            ;;
        -h | --help) sed -n "2,${help_lines}p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "$bench_name: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[ ${#parts[@]} -gt 0 ] || parts=(1 2 3)
wants() { [[ " ${parts[*]} " == *" $1 "* ]]; }
