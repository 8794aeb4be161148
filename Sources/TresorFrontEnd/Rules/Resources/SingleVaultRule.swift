import TresorModel

/// TR302, manifest half: each VM is listed once, in one vault. (A VM registered in another vault
/// in stored state is checked with state.)
package enum SingleVaultRule: EstateRule {
    private typealias Example = ExampleManifests

    package static let description = RuleDescription(
        code: "TR302", severity: .error,
        title: """
            VM assigned to more than one vault, or listed twice; or registered in another vault in stored \
            state that the plan does not release with its data deleted
            """,
        rationale: """
            A VM can be backed up in one vault only, under one policy: a second vault cannot register it, \
            and a second listing would give one protected item two policies. Moving a VM to another vault \
            means stopping its protection in the first one and deleting the backup data there.
            """,
        source: #"seeds 000, 001 ("VMs can only be backed up in one vault")"#,
        triggering: [
            Example.manifests(
                Example.vault(), Example.vault("rsv-dr-weu"), Example.vm(),
                Example.protection(), Example.protection(vault: "rsv-dr-weu", vms: "[↓web-01]")),
            Example.manifests(
                Example.vault(), Example.vm(), Example.protection(vms: "[web-01, ↓rg-web/web-01]"))
        ],
        nonTriggering: [
            Example.manifests(
                Example.vault(), Example.vm(), Example.vm("web-02"),
                Example.protection(vms: "[web-01, rg-web/web-02]"))
        ])

    package static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        for (vmIndex, listings) in estate.protectionsOfVM.enumerated() where listings.count > 1 {
            // Listings in a vault that does not resolve are TR010's.
            let bound = listings.compactMap { listing in
                estate.protections[listing.protection].vaultIndex.map { (listing: listing, vault: $0) }
            }
            guard let first = bound.first else { continue }
            let firstVault = estate.vaults[first.vault]
            let firstPlace = estate.protections[first.listing.protection].vms[first.listing.entry].range
            let vm = estate.virtualMachines[vmIndex].name.value
            for (listing, vaultIndex) in bound.dropFirst() {
                let protection = estate.protections[listing.protection]
                let vault = estate.vaults[vaultIndex]
                let sameVault = vaultIndex == first.vault
                diagnostics.append(
                    diagnostic(
                        sameVault
                            ? "VM \"\(vm)\" is listed again in vault \"\(vault.name.value)\"; a VM is protected once"
                            : "VM \"\(vm)\" is already protected by vault \"\(firstVault.name.value)\"; a VM can be backed up in one vault only",
                        at: protection.vms[listing.entry].range,
                        notes: [DiagnosticNote("first listed here", at: firstPlace)],
                        help: sameVault ? "remove this listing" : "remove the VM from one of the two vaults"))
            }
        }
    }
}
