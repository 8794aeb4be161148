/// TR605: reported by apply when Azure refuses a change or its operation fails.
package enum ProviderRefusalRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR605", severity: .error,
        title: "Azure refused a change, or its operation failed",
        rationale: """
            Some refusals only Azure can make: a vault's storage redundancy is locked once it holds items \
            (StorageModelModifyError), a VM already registered to another vault fails inside the operation's \
            status, two NSG rules may not share a priority and direction (SecurityRuleConflict). apply reports \
            the change, where the manifests declare it, the HTTP status, Azure Resource Manager's error code and \
            message, and the x-ms-correlation-request-id that Azure support asks for. No new change starts after \
            it; changes in flight finish and are recorded, so the state holds exactly what Azure confirmed and \
            planning again shows what is left. Throttling, server errors and dropped connections are retried \
            first, within the change's --timeout. This is about Azure's answers, not manifests, so it has no \
            manifest examples: the test suite covers it against an emulator of Azure Resource Manager.
            """,
        source: "Azure Resource Manager error responses; SPEC §6",
        triggering: [], nonTriggering: [])
}
