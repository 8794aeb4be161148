#!/usr/bin/env python3
"""Generate a synthetic, valid tresor estate for benchmarking.

    python3 Benchmarks/generate-estate.py --vms N --out DIR [--seed S]

The estate is meant to validate with zero diagnostics (SPEC §2):
  * ~10 Azure regions; vaults are GRS, named uniquely across the estate
    (and so per subscription), with at most --max-per-vault VMs each
    (default 900, limit 1000);
  * each vault holds 5 policies (3 Daily, 2 Weekly) plus its built-in
    DefaultPolicy; VMs are spread over the 6, so a policy holds at most
    ceil(900 / 6) = 150 VMs (limit 1000);
  * policy times are HH:00 or HH:30 in time zones without daylight saving
    (UTC, India Standard Time, Singapore Standard Time);
  * every VM is in its vault's subscription and region, is protected exactly
    once (Protection documents list `resourceGroup/name` references),
    is running, has an agent and an OS that Azure Backup supports;
  * per vault two NSGs in the vault's region: `nsg-<stem>-app` (inbound
    rules only, outbound falls through to AllowInternetOutBound) and
    `nsg-<stem>-lockdown` (observed Deny_All_Outbound at 4000, plus
    managed NetworkRules: Allow Tcp to Storage.<region> on 443/8443 at 900
    and Allow Tcp from the egress proxy to Internet on 80/443 at 910).
    VMs on unmanaged, unencrypted disks (port 80) sit on the app NSG only;
    proxied VMs sit on the lockdown NSG.

Output layout (one directory per subscription and region):

    DIR/<subscription>/<region>/vaults.yaml      Vault documents
    DIR/<subscription>/<region>/policies.yaml    BackupPolicy documents
    DIR/<subscription>/<region>/network.yaml     NSGs + NetworkRules
    DIR/<subscription>/<region>/protection.yaml  Protection documents
    DIR/<subscription>/<region>/vms-<vault>.yaml one file per vault's VMs

Output is deterministic for a given N and seed. A 100,000-VM estate is about
35 MB. Python 3 standard library only.
"""
import argparse
import math
import os
import random
import sys

# (programmatic region name, short code, schedule time zone)
REGIONS = [
    ("westeurope", "weu", "UTC"),
    ("northeurope", "neu", "UTC"),
    ("swedencentral", "sdc", "UTC"),
    ("uksouth", "uks", "UTC"),
    ("francecentral", "frc", "UTC"),
    ("eastus", "eus", "UTC"),
    ("eastus2", "eu2", "UTC"),
    ("westus2", "wu2", "UTC"),
    ("southeastasia", "sea", "Singapore Standard Time"),
    ("centralindia", "inc", "India Standard Time"),
]
BUSINESS_UNITS = ["platform", "retail", "finance", "logistics", "hr", "research", "media", "shared"]

WINDOWS = ["2016", "2019", "2022"]
LINUX = ["Ubuntu 22.04", "RHEL 9.2", "Debian 12", "SLES 15 SP5"]
WIN_AGENT = "2.7.41491.1102"
LINUX_AGENT = "2.9.1.1"
VMS_PER_RG = 100


def guid(n):
    return f"1f0c5c6e-0000-4000-8000-{0xa001 + n:012x}"


def policies_yaml(vault, tz, slot):
    """Five policies for one vault; `slot` staggers the backup windows."""
    h = lambda base: f"{(base + slot) % 24:02d}:{'30' if slot % 2 else '00'}"
    return [
        f"""# Default tier: nightly, 30 days, 12 weekly points.
apiVersion: tresor/v1
kind: BackupPolicy
name: daily-30
vault: {vault}
schedule: {{frequency: Daily, time: "{h(19)}", timeZone: {tz}}}
instantRestoreDays: 2
retention:
  daily: 30
  weekly: {{weeks: 12, days: [Sunday]}}
""",
        f"""# Databases: 90 days, month-start/-end for 2 years, yearly for 7.
apiVersion: tresor/v1
kind: BackupPolicy
name: daily-90-db
vault: {vault}
schedule: {{frequency: Daily, time: "{h(1)}", timeZone: {tz}}}
instantRestoreDays: 5
retention:
  daily: 90
  monthly: {{months: 24, daysOfMonth: [1, Last]}}
  yearly: {{years: 7, months: [January], daysOfMonth: [1]}}
""",
        f"""# Non-production: two weeks.
apiVersion: tresor/v1
kind: BackupPolicy
name: daily-14-nonprod
vault: {vault}
schedule: {{frequency: Daily, time: "{h(22)}", timeZone: {tz}}}
instantRestoreDays: 1
retention:
  daily: 14
""",
        f"""# File and archive servers: Sunday only.
apiVersion: tresor/v1
kind: BackupPolicy
name: weekly-sunday
vault: {vault}
schedule: {{frequency: Weekly, time: "{h(3)}", days: [Sunday], timeZone: {tz}}}
instantRestoreDays: 5
retention:
  weekly: {{weeks: 26, days: [Sunday]}}
  monthly: {{months: 12, week: First, days: [Sunday]}}
""",
        f"""# Twice-weekly tier.
apiVersion: tresor/v1
kind: BackupPolicy
name: weekly-wed-sat
vault: {vault}
schedule: {{frequency: Weekly, time: "{h(23)}", days: [Wednesday, Saturday], timeZone: {tz}}}
instantRestoreDays: 5
retention:
  weekly: {{weeks: 52, days: [Wednesday, Saturday]}}
  yearly: {{years: 5, months: [December], week: Last, days: [Saturday]}}
""",
    ]


POLICY_SLOTS = ["daily-30", "daily-90-db", "daily-14-nonprod", "weekly-sunday", "weekly-wed-sat", None]  # None: DefaultPolicy


def split(total, parts):
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vms", type=int, required=True, help="number of VMs")
    ap.add_argument("--out", required=True, help="output directory (created)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--max-per-vault", type=int, default=900, help="VMs per vault, at most 1000")
    args = ap.parse_args()
    n = args.vms
    if n < 1 or not 1 <= args.max_per_vault <= 1000:
        ap.error("--vms must be >= 1 and --max-per-vault within 1..1000")
    rng = random.Random(args.seed)
    rnd = rng.random

    regions = REGIONS[: min(len(REGIONS), n)]
    per_region = split(n, len(regions))
    vaults_per_region = max(1, math.ceil(max(per_region) / args.max_per_vault))
    total_vaults = vaults_per_region * len(regions)
    n_subs = max(2, math.ceil(total_vaults / 20))
    subs = [(f"{BUSINESS_UNITS[i % len(BUSINESS_UNITS)]}{'' if i < len(BUSINESS_UNITS) else i // len(BUSINESS_UNITS) + 1}",
             guid(i)) for i in range(n_subs)]

    # (sub index, region index) -> dict of file name -> list of documents
    buckets = {}

    def docs(si, ri, fname):
        return buckets.setdefault((si, ri), {}).setdefault(fname, [])

    vm_files = {}   # path-relative -> list of docs
    gi = 0          # global vault index
    for ri, ((region, code, tz), rcount) in enumerate(zip(regions, per_region)):
        for k, vcount in enumerate(split(rcount, vaults_per_region)):
            si = gi % n_subs
            sub_name, sub = subs[si]
            stem = f"{code}{k + 1:02d}"
            vault = f"rsv-{sub_name}-{stem}"
            crr = "\ncrossRegionRestore: true" if k % 3 == 0 else ""
            docs(si, ri, "vaults.yaml").append(
                f"""# Vault {k + 1} of {vaults_per_region} in {region}; GRS like every vault.
apiVersion: tresor/v1
kind: Vault
name: {vault}
subscription: {sub}
resourceGroup: rg-backup-{stem}
region: {region}
replication: GRS{crr}
tags: {{env: prod, owner: {sub_name}-team, costCenter: "{4000 + gi}"}}
""")
            docs(si, ri, "policies.yaml").extend(policies_yaml(vault, tz, gi % 4))

            # network: app NSG (no outbound restrictions) and lockdown NSG
            net = f"10.{ri * 16 + k // 16}.{(k % 16) * 16}"
            proxy = f"{net}.4"
            nsg_app, nsg_lock = f"nsg-{stem}-app", f"nsg-{stem}-lockdown"
            docs(si, ri, "network.yaml").extend([
                f"""# App subnets of {vault}'s spoke: inbound restrictions only.
apiVersion: tresor/v1
kind: NetworkSecurityGroup
name: {nsg_app}
subscription: {sub}
resourceGroup: rg-net-{stem}
region: {region}
rules:
  - {{name: Allow_HTTPS_Inbound, direction: Inbound, access: Allow, priority: 200,
     protocol: Tcp, source: Internet, sourcePorts: "*", destination: "{net}.0/22", destinationPorts: "443"}}
  - {{name: Allow_Mgmt_From_Bastion, direction: Inbound, access: Allow, priority: 300,
     protocol: Tcp, source: "{net}.0/26", sourcePorts: "*", destination: VirtualNetwork, destinationPorts: ["22", "3389"]}}
""",
                f"""# Locked-down subnets: all outbound denied at 4000.
apiVersion: tresor/v1
kind: NetworkSecurityGroup
name: {nsg_lock}
subscription: {sub}
resourceGroup: rg-net-{stem}
region: {region}
rules:
  - {{name: Allow_VNet_Outbound, direction: Outbound, access: Allow, priority: 3900,
     protocol: "*", source: VirtualNetwork, sourcePorts: "*", destination: VirtualNetwork, destinationPorts: "*"}}
  - {{name: Deny_All_Outbound, direction: Outbound, access: Deny, priority: 4000,
     protocol: "*", source: "*", sourcePorts: "*", destination: "*", destinationPorts: "*"}}
""",
                f"""# Backup exception in the lockdown: 8443 (managed disks), 443 (encrypted unmanaged).
apiVersion: tresor/v1
kind: NetworkRule
name: allow-azure-backup-storage
nsg: {nsg_lock}
direction: Outbound
access: Allow
priority: 900
protocol: Tcp
source: VirtualNetwork
sourcePorts: "*"
destination: Storage.{region}
destinationPorts: ["443", "8443"]
description: Azure Backup traffic to regional storage
""",
                f"""# The HTTP proxy of this spoke may reach the Internet.
apiVersion: tresor/v1
kind: NetworkRule
name: allow-proxy-internet
nsg: {nsg_lock}
direction: Outbound
access: Allow
priority: 910
protocol: Tcp
source: "{proxy}"
sourcePorts: "*"
destination: Internet
destinationPorts: ["80", "443"]
""",
            ])

            # VMs of this vault
            refs = {slot: [] for slot in range(len(POLICY_SLOTS))}
            vms = []
            for i in range(vcount):
                name = f"vm-{stem}-{i + 1:04d}"
                rg = f"rg-{stem}-wl{i // VMS_PER_RG + 1:02d}"
                x = rnd()
                if x < 0.45:
                    os_ = f'{{type: Windows, version: "{WINDOWS[int(x / 0.15)]}"}}'
                    agent = WIN_AGENT
                else:
                    os_ = f'{{type: Linux, version: "{LINUX[min(3, int((x - 0.45) / 0.1375))]}"}}'
                    agent = LINUX_AGENT
                data = int(rnd() * 5)
                y = rnd()
                egress = "{via: direct}"
                if y < 0.02:       # unmanaged, unencrypted: port 80 -> open NSG only
                    disks = f"{{managed: false, encryptedStorage: false, data: {data}}}"
                    nsgs = nsg_app
                elif y < 0.05:     # unmanaged, encrypted: port 443
                    disks = f"{{managed: false, encryptedStorage: true, data: {data}}}"
                    nsgs = nsg_lock
                else:
                    disks = f"{{managed: true, data: {data}}}"
                    z = rnd()
                    if z < 0.55:
                        nsgs = nsg_app
                    elif z < 0.65:
                        nsgs = f"{nsg_app}, {nsg_lock}"
                    else:
                        nsgs = nsg_lock
                        if z > 0.99:
                            egress = f'{{via: proxy, proxy: "{proxy}"}}'
                vms.append(f"""apiVersion: tresor/v1
kind: VirtualMachine
name: {name}
subscription: {sub}
resourceGroup: {rg}
region: {region}
os: {os_}
agent: {{installed: true, version: "{agent}"}}
disks: {disks}
powerState: running
networkSecurityGroups: [{nsgs}]
egress: {egress}
""")
                refs[i % len(POLICY_SLOTS)].append(f"  - {rg}/{name}\n")
            vm_files[(si, ri, f"vms-{vault}.yaml")] = (
                f"# {vcount} VMs protected by {vault} ({region}), exported from inventory.\n", vms)

            prot = docs(si, ri, "protection.yaml")
            for slot, policy in enumerate(POLICY_SLOTS):
                if not refs[slot]:
                    continue
                head = f"policy: {policy}\n" if policy else ""
                note = f"# {len(refs[slot])} VMs on {policy or 'DefaultPolicy (no policy given)'}.\n"
                prot.append(f"{note}apiVersion: tresor/v1\nkind: Protection\nvault: {vault}\n{head}vms:\n"
                            + "".join(refs[slot]))
            gi += 1

    total_bytes = 0
    files = 0

    def write(rel, header, documents):
        nonlocal total_bytes, files
        path = os.path.join(args.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        text = header + "---\n".join(documents)
        data = text.encode()
        with open(path, "wb") as f:
            f.write(data)
        total_bytes += len(data)
        files += 1

    region_names = [r[0] for r in regions]
    for (si, ri), fs in sorted(buckets.items()):
        for fname in ("vaults.yaml", "policies.yaml", "network.yaml", "protection.yaml"):
            if fname in fs:
                header = f"# Generated by Benchmarks/generate-estate.py: subscription {subs[si][0]} ({subs[si][1]}), {region_names[ri]}.\n"
                write(os.path.join(subs[si][0], region_names[ri], fname), header, fs[fname])
    for (si, ri, fname), (header, documents) in sorted(vm_files.items()):
        write(os.path.join(subs[si][0], region_names[ri], fname), header, documents)

    print(f"{n} VMs, {total_vaults} vaults, {total_vaults * 5} policies, {len(subs)} subscriptions, "
          f"{len(regions)} regions, {total_vaults * 2} NSGs")
    print(f"wrote {files} files, {total_bytes} bytes ({total_bytes / 1e6:.1f} MB) to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
