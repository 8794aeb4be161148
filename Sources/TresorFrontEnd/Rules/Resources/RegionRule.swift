import TresorModel
import TresorSupport

/// TR103: regions of vaults, VMs and NSGs are programmatic Azure public-region names.
enum RegionRule: EstateRule {
    private typealias Example = ExampleManifests

    static let description = RuleDescription(
        code: "TR103", severity: .error,
        title: "region is not an Azure public region",
        rationale: """
            Vaults, VMs and NSGs name their region by its programmatic name ("westeurope"), the form the \
            REST API, the az CLI and Terraform use. Display names and other spellings ("West Europe", \
            "WestEurope") are reported with the name they mean; region comparisons (TR301, TR402) rely on it.
            """,
        source: "seeds 003, 004 (backup is supported in all public regions); azure-sdk AzureLocation list",
        triggering: [
            Example.vault(region: "↓West Europe"),
            Example.vm(region: "↓westeurop")
        ],
        nonTriggering: [
            Example.vault(region: "swedencentral")
        ])

    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic]) {
        let estate = context.estate
        for vault in estate.vaults { check(vault.region, of: "vault", &diagnostics) }
        // Indexing reads one field; iterating by value would copy every VM.
        for index in estate.virtualMachines.indices { check(estate.virtualMachines[index].region, of: "VM", &diagnostics) }
        for nsg in estate.networkSecurityGroups { check(nsg.region, of: "NSG", &diagnostics) }
    }

    private static func check(_ region: Located<String>, of kind: String, _ diagnostics: inout [Diagnostic]) {
        guard !AzureRegions.isKnown(region.value) else { return }
        let meant =
            AzureRegions.canonicalName(for: region.value)
            ?? Suggestion.nearest(to: region.value, in: AzureRegions.all.map(\.name))
        diagnostics.append(
            diagnostic(
                "\(kind) region \"\(region.value)\" is not the programmatic name of an Azure public region",
                at: region.range,
                help: meant.map { "write \"\($0)\"" }
                    ?? "use a programmatic region name, as `az account list-locations --query [].name` lists them"))
    }
}
