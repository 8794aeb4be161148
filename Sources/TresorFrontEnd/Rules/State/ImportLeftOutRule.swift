import TresorModel

/// TR607: reported by `tresor import` for each thing in Azure the manifests cannot express.
package enum ImportLeftOutRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR607", severity: .warning,
        title: "import left out something the model cannot express",
        rationale: """
            `tresor import` writes manifests and state for an existing estate. What the model cannot express is \
            not approximated: an Enhanced (V2) policy, an hourly schedule, several backup times a day, tiering \
            to the archive tier, a policy for another workload, a redundancy other than GRS or LRS, security \
            rules between application security groups, items that are soft-deleted or whose VM or policy is not \
            in the export. Each is named with its resource ID and left out, so tresor neither manages nor \
            touches it; vault settings tresor does not manage (immutability, soft delete, customer-managed keys, \
            multi-user authorization) stay as they are in Azure and are named too. This is about Azure's \
            estate, not manifests, so it has no manifest examples: the import tests cover it.
            """,
        source: "SPEC §7",
        triggering: [], nonTriggering: [])
}
