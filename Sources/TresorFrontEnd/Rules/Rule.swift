import TresorModel
import TresorState

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
    /// Examples for rules about stored state: manifests planned against the state that
    /// applying other manifests first leaves.
    public let triggeringAfterApply: [StateExample]
    public let nonTriggeringAfterApply: [StateExample]

    public init(code: String, severity: Severity, title: String, rationale: String, source: String,
                triggering: [String], nonTriggering: [String],
                triggeringAfterApply: [StateExample] = [], nonTriggeringAfterApply: [StateExample] = []) {
        self.code = code
        self.severity = severity
        self.title = title
        self.rationale = rationale
        self.source = source
        self.triggering = triggering
        self.nonTriggering = nonTriggering
        self.triggeringAfterApply = triggeringAfterApply
        self.nonTriggeringAfterApply = nonTriggeringAfterApply
    }
}

/// An example that needs stored state: `applied` is applied to empty state first, then
/// `manifests` is planned against the result (with `--allow-destroy` when `allowDestroy`).
public struct StateExample: Sendable {
    public let applied: String
    public let manifests: String
    public let allowDestroy: Bool

    public init(applied: String, manifests: String, allowDestroy: Bool = false) {
        self.applied = applied
        self.manifests = manifests
        self.allowDestroy = allowDestroy
    }
}

/// What a rule sees: the bound estate and, when planning, the stored state.
public struct RuleContext: Sendable {
    public let estate: Estate
    /// The state the manifests are planned against; nil when only validating.
    public let state: State?
    /// By vault key, the protected items Azure holds, soft-deleted and unmanaged ones included,
    /// when plan refreshed; nil otherwise (state's items are all that is known).
    public let liveItemCounts: [String: Int]?

    public init(estate: Estate, state: State? = nil, liveItemCounts: [String: Int]? = nil) {
        self.estate = estate
        self.state = state
        self.liveItemCounts = liveItemCounts
    }
}

/// A rule checked over the bound estate. Each lives in its own file under `Rules/`.
/// Rules must stay linear in the size of the estate: no rule scans every VM for each VM.
public protocol EstateRule: Sendable {
    static var description: RuleDescription { get }
    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic])
}

/// A code reported outside the estate rules: by the loader, decoder or binder, or by the
/// planner, the state store or apply.
public protocol FrontEndRule: Sendable {
    static var description: RuleDescription { get }
}
