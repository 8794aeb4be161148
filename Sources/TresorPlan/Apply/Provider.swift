import TresorModel
import TresorState
import TresorSupport

/// Where apply's changes take effect: Azure (TresorAzure's provider), or nowhere but state
/// (`RecordingProvider`). The CLI picks one and hands it to apply; the core never builds a
/// provider that talks to a network.
public protocol Provider: Sendable {
    /// Said as the first line of plan and apply output; the recording provider says that it
    /// changes nothing in Azure. nil for none.
    var banner: String? { get }
    /// How many changes may be in flight now. The applier reads it before starting each change:
    /// a fixed `--parallelism N`, or a number the provider grows and shrinks with the room its
    /// target reports.
    var inFlightLimit: Int { get }
    /// Shown on the progress line beside done/total/in flight ("waiting on throttling"); nil
    /// when there is nothing to say.
    var progressNote: String? { get }
    /// Performs one change, with its own retries and polling. Returns the resource as the target
    /// recorded it, in state's shape (nil when the change removed it).
    func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource?
    /// Reads what the target holds of `scope` (SPEC §7), through list operations: the number of
    /// requests grows with vaults, NSGs and pages, not with protected items. nil when the
    /// provider has no target to read, and plans trust stored state.
    func refresh(_ scope: RefreshScope) async throws(ProviderFailure) -> LiveEstate?
}

extension Provider {
    /// A provider without a target to read (the recording one) does not refresh.
    public func refresh(_ scope: RefreshScope) async throws(ProviderFailure) -> LiveEstate? { nil }
}

/// A change the target refused or could not complete. It carries what the person running
/// apply needs to act on it, and never a secret.
public struct ProviderFailure: Error, Sendable, Equatable {
    public var message: String
    /// Throttling, a server error or a dropped connection that outlasted the provider's retries.
    public var retryable: Bool
    public var httpStatus: Int?
    /// Azure Resource Manager's error code (`StorageModelModifyError`).
    public var code: String?
    /// `x-ms-correlation-request-id`, what Azure support asks for.
    public var correlationID: String?
    /// Seconds the target asked to wait before trying again.
    public var retryAfter: Double?

    public init(
        message: String, retryable: Bool = false, httpStatus: Int? = nil, code: String? = nil,
        correlationID: String? = nil, retryAfter: Double? = nil
    ) {
        self.message = message
        self.retryable = retryable
        self.httpStatus = httpStatus
        self.code = code
        self.correlationID = correlationID
        self.retryAfter = retryAfter
    }

    /// "StorageModelModifyError: message (HTTP 400)", for a diagnostic.
    var cause: String {
        var cause = code.map { "\($0): \(message)" } ?? message
        if let httpStatus { cause += " (HTTP \(httpStatus))" }
        return cause
    }
}

/// What an apply has recorded so far, readable from any thread while changes run, and whether
/// it was interrupted.
public final class ApplyContext: Sendable {
    let recorded: Locked<State>

    init(_ state: consuming State) {
        recorded = Locked(state)
    }

    public func resource(id: String) -> StateResource? {
        recorded.withLock { $0.resource(id: id) }
    }

    func resource(forKey key: String) -> StateResource? {
        recorded.withLock { $0.resource(forKey: key) }
    }

    /// Protected items (in either state) the vault holds in what is recorded.
    public func itemCount(ofVault id: String) -> Int {
        recorded.withLock { $0.itemCountsByVault()[ResourceID.key(id), default: 0] }
    }

    /// A first SIGINT or SIGTERM arrived: changes in flight finish, no new one starts.
    public var interrupted: Bool { Interruption.requested }
}

/// Records changes without calling anything (`--provider record`), refusing those Azure would
/// refuse given the recorded state: a policy or protected item needs its vault, a protected
/// item its policy, and a vault cannot be deleted while it holds items. A plan applied in
/// dependency order never trips these; a damaged state or saved plan would.
public struct RecordingProvider: Provider {
    public init() {}

    public var banner: String? {
        "Provider: record (--provider record): changes are recorded in state only; nothing in Azure is changed."
    }

    private static let defaultPolicyKey = BackupPolicy.defaultName.asciiLowercased()

    /// One at a time, in plan order: nothing waits on a network, so parallelism would only cost.
    public var inFlightLimit: Int { 1 }
    public var progressNote: String? { nil }

    public func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
        guard let after = change.after else {
            if change.kind == .vault, context.itemCount(ofVault: change.id) > 0 {
                throw ProviderFailure(message: "vault \(change.name) still holds protected items")
            }
            return nil
        }
        let resource = StateResource(kind: change.kind, id: change.id, name: change.name, attributes: after)
        switch change.kind {
        case .vault, .networkRule:
            break
        case .backupPolicy:
            guard let vault = resource.vaultKey, context.resource(forKey: vault) != nil
            else { throw ProviderFailure(message: "policy \(change.name) needs its vault, which does not exist") }
        case .protectedItem:
            // By key, each lowered once: an apply checks this for every VM it protects.
            guard let vault = resource.vaultKey, context.resource(forKey: vault) != nil else {
                throw ProviderFailure(message: "protected item \(change.name) needs its vault, which does not exist")
            }
            let policy = after[ProtectedItemAttribute.policy]?.stringValue ?? ""
            guard
                policy.asciiLowercased() == Self.defaultPolicyKey
                    || context.resource(forKey: ResourceID.key(ResourceID.backupPolicy(vaultID: vault, name: policy))) != nil
            else { throw ProviderFailure(message: "protected item \(change.name) needs policy \(policy), which its vault does not hold") }
        }
        return resource
    }
}
