import TresorModel

/// TR301: a vault protects only VMs of its own region.
enum VMRegionRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR301", severity: .error,
        title: "VM and vault in different regions: a vault protects only VMs in its own region",
        rationale: """
            A Recovery Services vault backs up only VMs in its own Azure region; the portal does not even \
            offer other VMs. Every region with VMs to protect needs a vault of its own.
            """,
        source:
            #"seeds (all): "The vault must be in the same region as the VMs to back up"; "You cannot back up VMs in one location to a vault in another location""#,
        triggering: [
            Example.manifests(
                Example.vault(), Example.vm(region: "northeurope"), Example.protection(vms: "[↓web-01]"))
        ],
        nonTriggering: [
            Example.manifests(
                Example.vault("rsv-prod-neu", region: "northeurope"), Example.vm(region: "northeurope"),
                Example.protection(vault: "rsv-prod-neu"))
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        // A region that is no region (TR103) is compared by what it clearly means, or not at all.
        let vaultRegions = estate.vaults.map { region($0.region.value) }
        for protection in estate.protections {
            guard let vaultIndex = protection.vaultIndex, let vaultRegion = vaultRegions[vaultIndex] else { continue }
            let vault = estate.vaults[vaultIndex]
            for (entry, vmIndex) in protection.vmIndices.enumerated() {
                // The same text is the same region: the common case costs one comparison.
                guard let vmIndex, estate.virtualMachines[vmIndex].region.value != vault.region.value,
                    let vmRegion = region(estate.virtualMachines[vmIndex].region.value), vmRegion != vaultRegion
                else { continue }
                let vm = estate.virtualMachines[vmIndex]
                diagnostics.append(
                    diagnostic(
                        "VM \"\(vm.name.value)\" is in \(vmRegion) but vault \"\(vault.name.value)\" is in \(vaultRegion); a vault protects only VMs in its own region",
                        at: protection.vms[entry].range,
                        notes: [
                            DiagnosticNote("the VM's region is here", at: vm.region.range),
                            DiagnosticNote("the vault's region is here", at: vault.region.range)
                        ],
                        help: "protect the VM with a vault in \(vmRegion)"))
            }
        }
    }

    private static func region(_ text: String) -> String? {
        AzureRegions.isKnown(text) ? text : AzureRegions.canonicalName(for: text)
    }
}
