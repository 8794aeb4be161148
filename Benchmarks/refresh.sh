#!/usr/bin/env bash
# Plan with refresh of a synthetic estate against the ARM emulator (Tests/Emulator), release build:
#   requests   <= 3 per vault + 1 per NSG + 1 per extra page
#   wall time  <= 1.2 x the read budget's lower bound + the no-refresh plan's time
# The lower bound: the emulator's read bucket (BURST tokens, refilled RATE/s) serves the first
# BURST reads at once and the rest at RATE/s, so N reads take at least (N - BURST) / RATE s.
# Usage: bash Benchmarks/refresh.sh [VMS] [VMS_PER_VAULT] [BURST] [RATE] [RUNS]
#   (defaults: 100000 VMs, 1000 per vault = 100 vaults, ARM's read bucket x10: 250 burst, 250/s;
#   best of 3 runs of each plan, taken in turn, the bucket full before each refresh)
# Needs python3; runs the emulator on 127.0.0.1 and stops it on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-100000}
PER_VAULT=${2:-1000}
BURST=${3:-250}
RATE=${4:-250}
RUNS=${5:-3}
WORK=${BENCH_DIR:-.bench}
ESTATE="$WORK/refresh-estate-$VMS-$PER_VAULT"
RUN="$WORK/refresh-run"
mkdir -p "$WORK" "$RUN"
RUN=$(cd "$RUN" && pwd)
[ -d "$ESTATE" ] || python3 Benchmarks/generate-estate.py --vms "$VMS" --max-per-vault "$PER_VAULT" --out "$ESTATE" >/dev/null
swift build -c release >/dev/null
TRESOR="$PWD/.build/release/tresor"
STATE="$RUN/tresor.state.json"
rm -f "$STATE"*
"$TRESOR" apply "$ESTATE" --provider record --auto-approve --state "$STATE" >/dev/null

python3 Tests/Emulator/arm_emulator.py --port 0 --read-burst "$BURST" --read-refill "$RATE" >"$RUN/emulator.out" 2>"$RUN/emulator.err" &
EMULATOR=$!
trap 'kill $EMULATOR 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "^listening on " "$RUN/emulator.out" 2>/dev/null && break; sleep 0.1; done
BASE=$(sed -n 's/^listening on //p' "$RUN/emulator.out")
python3 Benchmarks/seed-emulator.py "$STATE" "$BASE"

export AZURE_TENANT_ID=tenant AZURE_CLIENT_ID=client AZURE_CLIENT_SECRET=emulator-secret
export AZURE_AUTHORITY_HOST="$BASE" TRESOR_ARM_ENDPOINT="$BASE" AZURE_POD_IDENTITY_AUTHORITY_HOST="$BASE"
stats() { curl -s "$BASE/_emulator/stats"; }
arm_reads() { curl -s "$BASE/_emulator/requests" | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r.get("kind") == "arm"))'; }

# Best elapsed time of RUNS runs of each plan, taken in turn; the bucket refills before each refresh.
timed() { /usr/bin/time -f "%e %U %S %M" "$@" >"$RUN/plan.out" 2>"$RUN/time.txt" || true; tail -1 "$RUN/time.txt"; }
best() { if [ -z "$1" ] || awk -v a="${2%% *}" -v b="${1%% *}" 'BEGIN { exit !(a < b) }'; then echo "$2"; else echo "$1"; fi; }
norefresh=""
refresh=""
for _ in $(seq "$RUNS"); do
    norefresh=$(best "$norefresh" "$(timed "$TRESOR" plan "$ESTATE" --state "$STATE" --no-refresh --detailed-exitcode)")
    sleep $(( (BURST + RATE - 1) / RATE + 1 ))
    before=$(arm_reads)
    refresh=$(best "$refresh" "$(timed "$TRESOR" plan "$ESTATE" --state "$STATE" --detailed-exitcode)")
    after=$(arm_reads)
done
tail -1 "$RUN/plan.out"
requests=$(( after - before ))
python3 - "$requests" "$STATE" "$BURST" "$RATE" "$norefresh" "$refresh" "$(stats)" <<'PY'
import json, sys
from collections import Counter
requests, burst, rate = int(sys.argv[1]), int(sys.argv[3]), int(sys.argv[4])
resources = json.load(open(sys.argv[2]))["resources"]
vaults = sum(1 for r in resources if r["kind"] == "Vault")
nsgs = len({r["id"].rsplit("/securityRules/", 1)[0].lower() for r in resources if r["kind"] == "NetworkRule"})
# The emulator's pages hold 200 entries, as Azure's; system policies add two to each vault's list.
items = Counter("/".join(r["id"].split("/")[:9]).lower() for r in resources if r["kind"] == "ProtectedItem")
policies = Counter("/".join(r["id"].split("/")[:9]).lower() for r in resources if r["kind"] == "BackupPolicy")
pages = lambda n: max(1, -(-n // 200))
extra = sum(pages(items[v]) - 1 + pages(policies[v] + 2) - 1 for v in {r["id"].lower() for r in resources if r["kind"] == "Vault"})
no_refresh, refresh = (float(x.split()[0]) for x in sys.argv[5:7])
rss = int(sys.argv[6].split()[3]) / 1024
stats = json.loads(sys.argv[7])
bound = max(0.0, (requests - burst) / rate)
target = 3 * vaults + nsgs + extra
print(f"requests: {requests} for {vaults} vaults and {nsgs} NSGs; target 3 x {vaults} + {nsgs} + {extra} extra pages = {target}: "
      + ("met" if requests <= target else "NOT met") + f"; throttled answers: {stats.get('throttled')}")
print(f"plan without refresh: {no_refresh:.2f} s; plan with refresh: {refresh:.2f} s (peak RSS {rss:.0f} MiB)")
print(f"read-budget lower bound: {bound:.2f} s; time beyond the no-refresh plan: {refresh - no_refresh:.2f} s")
print(f"target: {refresh:.2f} s <= 1.2 x {bound:.2f} + {no_refresh:.2f} = {1.2 * bound + no_refresh:.2f} s: "
      + ("met" if refresh <= 1.2 * bound + no_refresh else "NOT met"))
PY
