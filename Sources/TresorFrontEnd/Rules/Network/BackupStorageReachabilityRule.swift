import TresorModel

/// TR401: a protected VM whose NSGs deny the backup extension's traffic to regional storage.
enum BackupStorageReachabilityRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR401", severity: .error,
        title: "protected VM cannot reach backup storage through its NSGs",
        rationale: """
            The backup extension on the VM sends snapshot traffic over TCP to Azure Storage in the VM's \
            region: port 8443 for managed disks, 443 for unmanaged disks on an encrypted storage account \
            (the default), 80 for unmanaged disks on an unencrypted one. tresor evaluates each NSG the VM \
            lists (NIC and subnet: the traffic must pass all of them) as Azure does: the observed rules, \
            the managed NetworkRules and Azure's default rules, lowest priority number first, first match \
            wins. The flow is source VirtualNetwork, destination Storage.<region>. A rule's destination \
            matches it when it is "*", Internet (storage's public endpoints are Internet to an NSG), \
            Storage, Storage.<region>, AzureCloud or AzureCloud.<region>; VirtualNetwork, other regions \
            and other tags do not. A CIDR (other than 0.0.0.0/0) is undecided, because tresor knows \
            neither storage's addresses nor the VM's: a Deny to a CIDR is not taken to block, an Allow \
            to a CIDR is taken as possibly allowing. An error is reported only when a valid Deny \
            certainly matches and no earlier rule might allow; rules with invalid fields (TR402, TR403, \
            TR406) are never relied on. Without this path backups fail with \
            ExtensionSnapshotFailedNoNetwork. Applies to VMs with egress direct or via a firewall (NSGs \
            see the storage destination either way); proxied VMs are TR405's.
            """,
        source:
            "seeds 000, 001 (NSG rule: source VirtualNetwork, destination Storage.<region>, TCP; ports by disk type; an Allow needs a lower priority number than the Deny)",
        triggering: [
            Example.manifests(
                Example.nsg(rules: [Example.denyAllOutbound(priority: "1000")]),
                Example.vmBehindNSG(networkSecurityGroups: "[↓nsg-web]"), Example.vault(), Example.protection()),
            Example.manifests(
                Example.lockdown(denyAt: "1000", backupAllowAt: "900", ports: "\"443\""),
                Example.vmBehindNSG(networkSecurityGroups: "[↓nsg-web]"), Example.vault(), Example.protection())
        ],
        nonTriggering: [
            Example.manifests(
                Example.lockdown(denyAt: "1000", backupAllowAt: "900", ports: "[\"443\", \"8443\"]"),
                Example.vmBehindNSG(), Example.vault(), Example.protection()),
            Example.manifests(
                Example.lockdown(denyAt: "1000", backupAllowAt: "900", ports: "\"443\""),
                Example.vmBehindNSG(disks: "{managed: false, encryptedStorage: true}"), Example.vault(), Example.protection())
        ])

    /// The storage port the backup extension uses, by disk type (seeds 000, 001).
    static func storagePort(of disks: Disks?) -> (port: Int, disks: String) {
        guard let disks, !disks.isManaged else { return (8443, "managed disks") }
        if disks.encryptedStorage?.value == false { return (80, "unmanaged disks on unencrypted storage") }
        return (443, "unmanaged disks on encrypted storage")
    }

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        let vms = estate.virtualMachines
        var verdicts = VerdictCache(estate)
        // Neighbouring VMs nearly always share a region and a port, so the flow of the VM before,
        // with its verdicts by NSG, usually serves: no hashing per VM.
        var previous: (region: String, port: Int, flow: Flow?, verdicts: [Verdict?])?
        // Fields are read through the array, not by copying each VM: this runs for every VM.
        for index in vms.indices where !estate.protectionsOfVM[index].isEmpty && vms[index].effectiveEgress != .proxy {
            let region = vms[index].region.value
            let (port, disks) = storagePort(of: vms[index].disks)
            if previous?.region != region || previous?.port != port {
                let flow = AzureRegions.isKnown(region) ? BackupStorageFlows.direct(region: region, port: port) : nil
                previous = (region, port, flow, Array(repeating: nil, count: estate.networkSecurityGroups.count))
            }
            guard let flow = previous!.flow else { continue }
            estate.forEachNSG(of: index) { nsg, reference in
                let verdict = previous!.verdicts[nsg] ?? verdicts.verdict(of: nsg, on: flow)
                previous!.verdicts[nsg] = verdict
                guard case .denied(let ruleIndex) = verdict else { return }
                let rules = verdicts.rules(of: nsg)
                let deny = rules.rules[ruleIndex]
                diagnostics.append(
                    diagnostic(
                        "VM \(vms[index].name.value) cannot reach backup storage: \(deny.described(in: rules.nsgName)) denies outbound Tcp to Storage.\(region) on port \(port) (\(disks)); backups would fail with ExtensionSnapshotFailedNoNetwork",
                        at: reference.range, notes: [deny.note("denies it")],
                        help: rules.helpAddingAllow(before: deny, for: "for Tcp to Storage.\(region) on port \(port)")))
            }
        }
    }
}
