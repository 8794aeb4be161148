/// TR000: reported when a path on the command line cannot be read.
package enum InputFileRule: FrontEndRule {
    package static let description = RuleDescription(
        code: "TR000", severity: .error,
        title: "an input path cannot be read: it does not exist, is not a regular file, or holds no manifests",
        rationale: """
            A path that names nothing usually means a typo in a pipeline or hook. Validating nothing and \
            reporting success would let every broken manifest through, so tresor fails instead.
            """,
        source: "tresor (not in the SPEC's catalog: the SPEC is silent on unreadable inputs)",
        triggering: [], nonTriggering: [])
}
