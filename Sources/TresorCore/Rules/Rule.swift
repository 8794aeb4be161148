/// What a rule is, for the catalog, `tresor explain`, the rule docs and the tests: its stable
/// code, its severity, why it exists, where the fact comes from, and manifests that do and do
/// not trigger it. Every example is run by the test suite.
public struct RuleDescription: Sendable {
    public let code: String
    public let severity: Severity
    public let title: String
    public let rationale: String
    public let source: String
    /// Each example is a complete set of manifests (YAML documents separated by `---`).
    public let triggering: [String]
    public let nonTriggering: [String]

    public init(code: String, severity: Severity, title: String, rationale: String, source: String,
                triggering: [String], nonTriggering: [String]) {
        self.code = code
        self.severity = severity
        self.title = title
        self.rationale = rationale
        self.source = source
        self.triggering = triggering
        self.nonTriggering = nonTriggering
    }
}

/// What a rule sees: the bound estate.
public struct RuleContext: Sendable {
    public let estate: Estate

    public init(estate: Estate) {
        self.estate = estate
    }
}

/// A rule checked over the bound estate. Each lives in its own file under `Rules/`.
/// Rules must stay linear in the size of the estate: no rule scans every VM for each VM.
public protocol EstateRule: Sendable {
    static var description: RuleDescription { get }
    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic])
}

/// A code reported by the loader, decoder or binder rather than by an estate rule.
public protocol FrontEndRule: Sendable {
    static var description: RuleDescription { get }
}
