import TresorModel

/// TR307: protected VMs that are not running.
enum PowerStateRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR307", severity: .warning,
        title: "VM not running: recovery points are crash-consistent only",
        rationale: """
            Azure Backup still backs up a VM that is turned off (an "offline VM"), but nothing inside it can \
            flush to disk first, so its recovery points are crash-consistent, never application-consistent. \
            Checked for protected VMs only: an unprotected VM is TR501's business. The seeds do not tell \
            stopped from deallocated; both are turned off.
            """,
        source: #"seeds 000–004 ("Even when the VM is turned off, a backup happens … the recovery point is crash-consistent")"#,
        triggering: [
            Example.manifests(
                Example.vault(), Example.vm("web-01", "powerState: ↓deallocated"),
                Example.protection())
        ],
        nonTriggering: [
            Example.manifests(
                Example.vault(), Example.vm("web-01", "powerState: running"),
                Example.protection()),
            Example.vm("web-01", "powerState: stopped")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        for index in estate.virtualMachines.indices {
            guard let power = estate.virtualMachines[index].powerState, power.value != .running,
                let listing = estate.protectionsOfVM[index].first
            else { continue }
            let vm = estate.virtualMachines[index]
            diagnostics.append(
                diagnostic(
                    "VM \"\(vm.name.value)\" is \(power.value.rawValue): its recovery points will be crash-consistent only",
                    at: power.range,
                    notes: [DiagnosticNote("protected here", at: estate.protections[listing.protection].vms[listing.entry].range)],
                    help: "start the VM for application-consistent backups, or stop protecting it if it is retired"))
        }
    }
}
