import TresorModel

/// TR306: limits of classic (Azure Service Manager) VMs.
enum ClassicVMRule: EstateRule {
    private typealias Example = ExampleManifests

    static let maxDataDisks = 16

    static let description = RuleDescription(
        code: "TR306", severity: .error,
        title: "classic VM with more than 16 data disks, or with a reserved IP and no endpoint",
        rationale: """
            For VMs of the classic deployment model, Azure Backup does not back up a VM with more than 16 \
            data disks, nor one with a reserved IP address and no defined endpoint. Resource Manager VMs \
            have neither limit. A classic VM whose `classic` settings give no endpoints has none.
            """,
        source: #"seeds 003, 004 (limitations when deploying in the classic model)"#,
        triggering: [
            Example.vm("legacy-01", "deployment: Classic", "disks: {managed: false, encryptedStorage: true, data: ↓17}"),
            Example.vm("legacy-01", "deployment: Classic", "classic: {reservedIp: ↓true, endpoints: 0}")
        ],
        nonTriggering: [
            Example.vm(
                "legacy-01", "deployment: Classic", "disks: {managed: false, encryptedStorage: true, data: 16}",
                "classic: {reservedIp: true, endpoints: 1}"),
            Example.vm("big-01", "disks: {managed: true, data: 32}")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let vms = context.estate.virtualMachines
        // Indexing reads one field; iterating by value would copy every VM.
        for index in vms.indices where vms[index].deployment?.value == .Classic {
            let vm = vms[index]
            if let data = vm.disks?.data, data.value > maxDataDisks {
                diagnostics.append(
                    diagnostic(
                        "classic VM \"\(vm.name.value)\" has \(data.value) data disks; Azure Backup backs up classic VMs with at most \(maxDataDisks)",
                        at: data.range,
                        help: "move data to at most \(maxDataDisks) disks, or migrate the VM to Resource Manager"))
            }
            if let classic = vm.classic, let reservedIp = classic.reservedIp, reservedIp.value,
                (classic.endpoints?.value ?? 0) == 0
            {
                diagnostics.append(
                    diagnostic(
                        "classic VM \"\(vm.name.value)\" has a reserved IP address and no endpoint; Azure Backup cannot back it up",
                        at: reservedIp.range,
                        notes: classic.endpoints.map { [DiagnosticNote("no endpoints here", at: $0.range)] } ?? [],
                        help: "define an endpoint for the VM, or release the reserved IP"))
            }
        }
    }
}
