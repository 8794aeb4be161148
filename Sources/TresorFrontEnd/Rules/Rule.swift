import TresorModel
import TresorState

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
public protocol EstateRule: CatalogRule {
    static func check(_ context: RuleContext, _ diagnostics: inout [Diagnostic])
}
