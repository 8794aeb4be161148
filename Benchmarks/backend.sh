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
mkdir -p "$WORK/run"
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

# The local file: no tresor.yaml in the run folder.
rm -f "$WORK/run/tresor.yaml"
local_apply=$(measure "rm -f tresor.state.json*" "$TRESOR" apply "$ABS_ESTATE" --auto-approve)
local_plan=$(measure ":" "$TRESOR" plan "$ABS_ESTATE")
(cd "$WORK/run" && "$TRESOR" plan "$ABS_ESTATE" --detailed-exitcode >/dev/null) || { echo "local plan after apply is not empty" >&2; exit 1; }

cp "$WORK/backend.yaml" "$WORK/run/tresor.yaml"
pg_apply=$(measure "$CLEAR_PG" "$TRESOR" apply "$ABS_ESTATE" --auto-approve)
pg_plan=$(measure ":" "$TRESOR" plan "$ABS_ESTATE")
(cd "$WORK/run" && "$TRESOR" plan "$ABS_ESTATE" --detailed-exitcode >/dev/null) || { echo "postgres plan after apply is not empty" >&2; exit 1; }
rm -f "$WORK/run/tresor.yaml"

report() {
    read -r elapsed user sys rss <<<"$2"
    local base=${3%% *}
    printf "%-15s %6.2f s  (cpu %5.2f s)  %7.0f MiB  %5.2fx local\n" "$1" "$elapsed" "$(echo "$user + $sys" | bc)" \
        "$(echo "$rss / 1024" | bc)" "$(echo "$elapsed / $base" | bc -l)"
}
echo "estate: $VMS VMs; state: $(du -h "$WORK/run/tresor.state.json" | cut -f1); best of $RUNS"
report "local apply" "$local_apply" "$local_apply"
report "postgres apply" "$pg_apply" "$local_apply"
report "local plan" "$local_plan" "$local_plan"
report "postgres plan" "$pg_plan" "$local_plan"
