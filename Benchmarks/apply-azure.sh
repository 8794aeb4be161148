#!/usr/bin/env bash
# Applies a synthetic estate to the ARM emulator through the Azure provider (release build) and
# compares the wall time with the lower bound the write budget sets (issue 9):
#   buckets x10: writes 200 burst, refilled 100/s; reads 250 burst, 250/s; operations end 2 s
#   after acceptance. Lower bound = (writes - 200) / 100 s for one bucket; the estate spans
#   several subscriptions, each with its own bucket, so the per-subscription bound (the largest
#   subscription's) is printed too.
#   targets: wall <= 1.15x the bound, <= 1% of requests answered 429, peak RSS <= 512 MiB.
# The plan after each apply must be empty. The same apply runs again with pacing off
# (TRESOR_ARM_PACING=off), for comparison; PACED_ONLY=1 skips that run.
# Usage: bash Benchmarks/apply-azure.sh [VMS]   (default 5000). Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-5000}
WORK=${BENCH_DIR:-.bench}
ESTATE="$WORK/estate-$VMS"
mkdir -p "$WORK"
[ -d "$ESTATE" ] || python3 Benchmarks/generate-estate.py --vms "$VMS" --out "$ESTATE" >/dev/null
swift build -c release --product tresor >/dev/null
TRESOR="$PWD/.build/release/tresor"
ABS_ESTATE="$(cd "$ESTATE" && pwd)"

run() {  # $1: label, $2: pacing (on|off)
    python3 - "$1" "$2" "$TRESOR" "$ABS_ESTATE" "$WORK" <<'PY'
import json, os, re, subprocess, sys, time, urllib.request, collections
label, pacing, tresor, estate, work = sys.argv[1:6]
emulator = subprocess.Popen(
    [sys.executable, "Tests/Emulator/arm_emulator.py", "--port", "0", "--write-burst", "200", "--write-refill", "100",
     "--read-burst", "250", "--read-refill", "250", "--operation-seconds", "2"],
    stdout=subprocess.PIPE, text=True)
try:
    base = emulator.stdout.readline().strip().split("listening on ", 1)[1]

    def control(path, body=None):
        request = urllib.request.Request(base + path, data=None if body is None else json.dumps(body).encode(),
                                         method="GET" if body is None else "POST")
        return json.load(urllib.request.urlopen(request))

    # The NSGs the estate's NetworkRules go into exist before tresor runs (observed resources).
    nsgs = []
    for root, _, files in os.walk(estate):
        for name in files:
            if name != "network.yaml":
                continue
            for document in open(os.path.join(root, name)).read().split("\n---"):
                fields = dict(re.findall(r"^(\w+): (\S+)$", document, re.M))
                if fields.get("kind") == "NetworkSecurityGroup":
                    nsgs.append({"id": "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Network/networkSecurityGroups/%s"
                                       % (fields["subscription"], fields["resourceGroup"], fields["name"]),
                                 "body": {"location": fields["region"]}})
    control("/_emulator/seed", {"resources": nsgs})

    run_dir = os.path.join(work, "apply-azure-" + label)
    os.makedirs(run_dir, exist_ok=True)
    for leftover in os.listdir(run_dir):
        os.remove(os.path.join(run_dir, leftover))
    env = dict(os.environ, AZURE_TENANT_ID="tenant", AZURE_CLIENT_ID="client", AZURE_CLIENT_SECRET="emulator-secret",
               AZURE_AUTHORITY_HOST=base, TRESOR_ARM_ENDPOINT=base, TRESOR_ARM_PACING=pacing,
               AZURE_POD_IDENTITY_AUTHORITY_HOST="http://127.0.0.1:9")
    started = time.monotonic()
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", tresor, "apply", estate, "--provider", "azure", "--auto-approve"],
                            cwd=run_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - started
    elapsed, rss_kib = result.stderr.strip().splitlines()[-1].split()
    if result.returncode != 0:
        sys.exit("apply failed (%s):\n%s" % (label, result.stderr[-2000:]))

    replan = subprocess.run([tresor, "plan", estate, "--provider", "azure", "--detailed-exitcode"], cwd=run_dir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if replan.returncode != 0:
        sys.exit("the plan after apply is not empty (%s): exit %d" % (label, replan.returncode))
    rows = control("/_emulator/requests?kind=arm")
    json.dump(rows, open(os.path.join(run_dir, "requests.json"), "w"))
    writes = [r for r in rows if r["method"] in ("PUT", "PATCH", "DELETE", "POST") and r["status"] != 429]
    per_subscription = collections.Counter(re.match(r"/subscriptions/([^/]+)", r["path"], re.I).group(1).lower() for r in writes)
    throttled = sum(1 for r in rows if r["status"] == 429)
    violations = control("/_emulator/violations")
    state = json.load(open(os.path.join(run_dir, "tresor.state.json")))
    changes = len(state["resources"])
    items = sum(1 for key in control("/_emulator/resources") if "/protecteditems/" in key)
    bound = (len(writes) - 200) / 100
    sub_bound = max((n - 200) / 100 for n in per_subscription.values())
    print("%-10s wall %6.1f s | bound (writes-200)/100 = %5.1f s -> %.2fx | per-subscription bound %5.1f s -> %.2fx"
          % (label, float(elapsed), bound, float(elapsed) / bound, sub_bound, float(elapsed) / sub_bound))
    print("%-10s %d changes, %d ARM requests (%.2f per change), %d writes in %d subscriptions, "
          "429: %d (%.2f%%), peak RSS %.0f MiB, items in Azure %d, contract violations %d, next plan empty"
          % ("", changes, len(rows), len(rows) / changes, len(writes), len(per_subscription), throttled,
             100.0 * throttled / len(rows), int(rss_kib) / 1024, items, len(violations)))
finally:
    emulator.kill()
PY
}

echo "estate: $VMS VMs ($ESTATE); emulator buckets x10, operations 2 s"
run paced on
[ -n "${PACED_ONLY:-}" ] || run unpaced off
