#!/usr/bin/env bash
# The state backends side by side, release build, best of RUNS runs (SPEC §8):
#   apply of the estate into empty state    PostgreSQL <= 1.5x the local file
#   no-change plan against that state       PostgreSQL <= 1.3x the local file
#   peak memory                             <= 1 GiB
# Usage: bash Benchmarks/backend.sh [VMS] [RUNS]   (defaults: 100000 VMs, best of 3 runs)
# PostgreSQL: TRESOR_PG_CONN when set, else a throwaway server from
# scripts/postgres-test-server.sh (Debian's postgresql-15), stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-100000}
RUNS=${2:-3}
WORK=${BENCH_DIR:-.bench}
ESTATE="$WORK/estate-$VMS"
mkdir -p "$WORK"
[ -d "$ESTATE" ] || python3 Benchmarks/generate-estate.py --vms "$VMS" --out "$ESTATE" >/dev/null
swift build -c release >/dev/null
TRESOR="$PWD/.build/release/tresor"
ABS_ESTATE="$(cd "$ESTATE" && pwd)"
. Benchmarks/measure.sh

if [ -z "${TRESOR_PG_CONN:-}" ]; then
    TRESOR_PG_CONN=$(scripts/postgres-test-server.sh start 2>/dev/null)
    trap 'scripts/postgres-test-server.sh stop 2>/dev/null' EXIT
fi
export TRESOR_PG_CONN TRESOR_WORKSPACE=benchmark TRESOR_PROVIDER=record
SCHEMA=tresor_benchmark
printf 'backend:\n  type: postgres\n  schema: %s\n' "$SCHEMA" >"$WORK/backend.yaml"
CLEAR_PG="psql \"\$TRESOR_PG_CONN\" -XAtqc \"DELETE FROM $SCHEMA.states WHERE workspace = 'benchmark'; DELETE FROM $SCHEMA.journal WHERE workspace = 'benchmark'\" 2>/dev/null || true"

# Each run measures both backends one after the other, so that both meet the same load on a
# shared machine; the best of RUNS is kept for each.
mkdir -p "$WORK/run-local" "$WORK/run-pg"
rm -f "$WORK/run-local/tresor.yaml"
cp "$WORK/backend.yaml" "$WORK/run-pg/tresor.yaml"
local_apply="" pg_apply="" local_plan="" pg_plan=""
for _ in $(seq "$RUNS"); do
    local_apply=$(faster "$(RUNS=1 RUN_DIR=$WORK/run-local measure "rm -f tresor.state.json*" "$TRESOR" apply "$ABS_ESTATE" --auto-approve)" "$local_apply")
    pg_apply=$(faster "$(RUNS=1 RUN_DIR=$WORK/run-pg measure "$CLEAR_PG" "$TRESOR" apply "$ABS_ESTATE" --auto-approve)" "$pg_apply")
done
for folder in run-local run-pg; do
    (cd "$WORK/$folder" && "$TRESOR" plan "$ABS_ESTATE" --detailed-exitcode >/dev/null) || { echo "$folder: plan after apply is not empty" >&2; exit 1; }
done
for _ in $(seq "$RUNS"); do
    local_plan=$(faster "$(RUNS=1 RUN_DIR=$WORK/run-local measure ":" "$TRESOR" plan "$ABS_ESTATE")" "$local_plan")
    pg_plan=$(faster "$(RUNS=1 RUN_DIR=$WORK/run-pg measure ":" "$TRESOR" plan "$ABS_ESTATE")" "$pg_plan")
done

report() {
    read -r elapsed user sys rss <<<"$2"
    local base=${3%% *}
    printf "%-15s %6.2f s  (cpu %5.2f s)  %7.0f MiB  %5.2fx local\n" "$1" "$elapsed" "$(echo "$user + $sys" | bc)" \
        "$(echo "$rss / 1024" | bc)" "$(echo "$elapsed / $base" | bc -l)"
}
echo "estate: $VMS VMs; state: $(du -h "$WORK/run-local/tresor.state.json" | cut -f1); best of $RUNS, alternating"
report "local apply" "$local_apply" "$local_apply"
report "postgres apply" "$pg_apply" "$local_apply"
report "local plan" "$local_plan" "$local_plan"
report "postgres plan" "$pg_plan" "$local_plan"
