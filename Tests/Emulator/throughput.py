#!/usr/bin/env python3
"""How fast the ARM emulator answers: protected-item PUTs + status polls over many keep-alive
connections, then a refresh-shaped read of a large seeded estate (list pages of 200 items).

python3 Tests/Emulator/throughput.py [--items 5000] [--connections 100] [--vaults 100 --items-per-vault 1000]
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v%d"
ITEM = "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg;%s/protectedItems/VM;iaasvmcontainerv2;rg;%s"
VM = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/%s"


def main():
    a = argparse.ArgumentParser()
    a.add_argument("--items", type=int, default=5000)
    a.add_argument("--connections", type=int, default=100)
    a.add_argument("--vaults", type=int, default=100)
    a.add_argument("--items-per-vault", type=int, default=1000)
    args = a.parse_args()
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "arm_emulator.py"), "--port", "0", "--no-throttle"],
                            stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().rsplit(":", 1)[1])
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port)

        def call(method, path, body=None, headers=None):
            conn.request(method, path, body, headers or {})
            r = conn.getresponse()
            return r.status, r.read()
        _, t = call("POST", "/t/oauth2/v2.0/token", "grant_type=client_credentials&client_id=x&scope=a/.default&client_secret=emulator-secret")
        auth = {"Authorization": "Bearer " + json.loads(t)["access_token"], "Content-Type": "application/json"}
        call("POST", "/_emulator/seed", json.dumps({"resources": [{"id": VAULT % 0, "body": {"location": "westeurope"}}]}))

        def worker(k):
            c = http.client.HTTPConnection("127.0.0.1", port)
            for i in range(k, args.items, args.connections):
                vm = "vm%d" % i
                body = {"properties": {"protectedItemType": "Microsoft.Compute/virtualMachines", "sourceResourceId": VM % vm,
                                       "policyId": VAULT % 0 + "/backupPolicies/DefaultPolicy"}}
                c.request("PUT", VAULT % 0 + ITEM % (vm, vm) + "?api-version=2025-08-01", json.dumps(body), auth)
                r = c.getresponse()
                r.read()
                status_url = r.getheader("Azure-AsyncOperation").split(str(port), 1)[1]
                c.request("GET", status_url, headers=auth)
                c.getresponse().read()
        start = time.time()
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.time() - start
        print("writes+polls: %d requests over %d connections in %.2f s = %.0f requests/s"
              % (2 * args.items, args.connections, took, 2 * args.items / took))

        call("POST", "/_emulator/reset")
        resources = []
        for v in range(args.vaults):
            resources.append({"id": VAULT % v, "body": {"location": "westeurope"}})
            for i in range(args.items_per_vault):
                vm = "vm%d-%d" % (v, i)
                resources.append({"id": VAULT % v + ITEM % (vm, vm), "body": {"properties": {
                    "sourceResourceId": VM % vm, "policyId": VAULT % v + "/backupPolicies/DefaultPolicy"}}})
        start = time.time()
        call("POST", "/_emulator/seed", json.dumps({"resources": resources}))
        print("seeded %d vaults x %d items in %.1f s" % (args.vaults, args.items_per_vault, time.time() - start))
        start, requests = time.time(), 0
        for v in range(args.vaults):
            url = VAULT % v + "/backupProtectedItems?api-version=2025-08-01"
            while url:
                _, page = call("GET", url, headers=auth)
                requests += 1
                url = json.loads(page).get("nextLink")
                url = url and url.split(str(port), 1)[1]
            call("GET", VAULT % v + "/backupPolicies?api-version=2025-08-01", headers=auth)
            requests += 1
        took = time.time() - start
        print("refresh reads: %d requests on one connection in %.2f s = %.1f ms each" % (requests, took, 1000 * took / requests))
        with open("/proc/%d/status" % proc.pid) as f:
            rss = [l for l in f if l.startswith("VmRSS:")][0].split()[1]
        print("emulator RSS: %d MiB" % (int(rss) // 1024))
    finally:
        proc.terminate()
        proc.wait()
        proc.stdout.close()


if __name__ == "__main__":
    main()
