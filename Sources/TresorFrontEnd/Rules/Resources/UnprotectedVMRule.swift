import TresorModel

/// TR501: coverage: every declared VM is backed up.
enum UnprotectedVMRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR501", severity: .warning,
        title: "a declared VM is protected by no vault",
        rationale: """
            Every VM the manifests describe should be backed up; one that no Protection lists has no \
            recovery points at all. This is the manifest form of the Azure Policy built-in "Azure Backup \
            should be enabled for Virtual Machines". A VM listed in a Protection whose vault does not \
            resolve (TR010) counts as listed.
            """,
        source: #"Azure Policy built-in "Azure Backup should be enabled for Virtual Machines""#,
        triggering: [
            Example.manifests(
                Example.vault(), Example.vm(), Example.vm("↓web-02"),
                Example.protection())
        ],
        nonTriggering: [
            Example.protectedVM
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        for index in estate.virtualMachines.indices where estate.protectionsOfVM[index].isEmpty {
            let vm = estate.virtualMachines[index]
            diagnostics.append(
                diagnostic(
                    "VM \"\(vm.name.value)\" is not protected by any vault", at: vm.name.range,
                    help: "list it in a Protection of a vault in \(vm.region.value), or remove it from the manifests if it needs no backup")
            )
        }
    }
}
