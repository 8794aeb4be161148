# Sourced by the benchmark scripts. measure SETUP COMMAND...: the best "ELAPSED USER SYS RSS"
# (seconds, seconds, seconds, KiB) over $RUNS runs of COMMAND in ${RUN_DIR:-$WORK/run} (a folder
# of $WORK), each after `eval SETUP` there; COMMAND's output is discarded.
measure() {
    local setup=$1; shift
    local folder=${RUN_DIR:-$WORK/run}
    local best=""
    for _ in $(seq "$RUNS"); do
        (cd "$folder" && eval "$setup")
        local line
        (cd "$folder" && /usr/bin/time -o ../time.txt -f "%e %U %S %M" "$@" >/dev/null 2>&1) || true
        line=$(tail -1 "$WORK/time.txt")
        best=$(faster "$line" "$best")
    done
    echo "$best"
}

# faster A B: the one of two measure lines with the shorter elapsed time (B may be empty).
faster() {
    if [ -z "$2" ] || awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { exit !(a < b) }'; then echo "$1"; else echo "$2"; fi
}
