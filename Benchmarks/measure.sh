# Sourced by the benchmark scripts. measure SETUP COMMAND...: the best "ELAPSED USER SYS RSS"
# (seconds, seconds, seconds, KiB) over $RUNS runs of COMMAND in $WORK/run, each after `eval SETUP`
# there; COMMAND's output is discarded.
measure() {
    local setup=$1; shift
    local best=""
    for _ in $(seq "$RUNS"); do
        (cd "$WORK/run" && eval "$setup")
        local line
        (cd "$WORK/run" && /usr/bin/time -o ../time.txt -f "%e %U %S %M" "$@" >/dev/null 2>&1) || true
        line=$(tail -1 "$WORK/time.txt")
        if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best=$line; fi
    done
    echo "$best"
}
