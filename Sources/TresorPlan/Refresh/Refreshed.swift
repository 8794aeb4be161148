import TresorModel
import TresorState

/// Stored state brought up to date with what Azure holds (SPEC §7): each managed resource as
/// Azure has it, or gone when Azure no longer has it. A soft-deleted protected item is gone for
/// drift (it protects nothing), but Azure still counts it in its vault, and so does
/// `itemCounts`, with the items tresor does not manage. Resources tresor does not manage never
/// enter the state.
public struct Refreshed: Sendable {
    /// The stored state with Azure's values; same lineage and serial.
    public private(set) var state: State
    /// By key: what state recorded for each managed resource that Azure holds otherwise or no
    /// longer holds.
    public private(set) var recorded: [String: StateResource] = [:]
    /// By vault key: every protected item Azure holds there, soft-deleted or not managed by tresor.
    public private(set) var itemCounts: [String: Int] = [:]

    public init(stored: State, live: LiveEstate) {
        state = stored
        // Azure's resources are looked up in state's own index: each ID is folded once, and
        // state's slots say which resources Azure no longer holds.
        var matched = [Bool](repeating: false, count: stored.slotCount)
        func take(_ azure: StateResource, key: String) {
            guard let slot = stored.slot(forKey: key), let resource = stored[slot: slot], resource.kind == azure.kind else { return }
            matched[slot] = true
            // Most of an estate is as state recorded it, spelled alike: nothing to match.
            if azure.attributes == resource.attributes { return }
            let attributes = LiveValues.matching(azure.attributes, recorded: resource.attributes)
            guard attributes != resource.attributes else { return }
            recorded[key] = resource
            state.set(StateResource(kind: resource.kind, id: resource.id, name: resource.name, attributes: attributes))
        }
        for resource in live.vaults + live.policies + live.securityRules { take(resource, key: resource.key) }
        for item in live.items {
            let key = item.resource.key
            if let vault = StateResource.vaultKey(ofChild: key) { itemCounts[vault, default: 0] += 1 }
            if !item.softDeleted { take(item.resource, key: key) }
        }
        for slot in 0..<stored.slotCount where !matched[slot] {
            guard let resource = stored[slot: slot] else { continue }
            recorded[resource.key] = resource
            state.remove(id: resource.id)
        }
    }

    public var hasDrift: Bool { !recorded.isEmpty }

    /// `plan --refresh-only`: only the drift, from stored state to Azure, in state's order.
    /// Applying it records Azure's values in state and changes nothing in Azure.
    public func driftPlan(from stored: State) -> Plan {
        var changes: [PlannedChange] = []
        for resource in stored.resources {
            guard recorded[resource.key] != nil else { continue }
            let azure = state.resource(forKey: resource.key)
            var change = PlannedChange(action: azure == nil ? .delete : .update, kind: resource.kind, id: resource.id,
                                       name: resource.name, destructive: false,
                                       reason: azure == nil ? "deleted outside tresor" : "changed outside tresor",
                                       before: resource.attributes, after: azure?.attributes)
            change.recorded = resource.attributes
            changes.append(change)
        }
        var plan = Plan(lineage: stored.lineage, serial: stored.serial, changes: changes)
        plan.refreshOnly = true
        return plan
    }

    /// Marks the changes of a plan made against `state` whose resource Azure holds otherwise
    /// than state recorded: "changed outside tresor", what state recorded kept beside them.
    func mark(_ plan: inout Plan) {
        guard hasDrift else { return }
        for index in plan.changes.indices {
            guard let stored = recorded[ResourceID.key(plan.changes[index].id)] else { continue }
            plan.changes[index].recorded = stored.attributes
            if plan.changes[index].action == .create {
                plan.changes[index].reason = "deleted outside tresor; created again"
            } else if plan.changes[index].action == .update {
                plan.changes[index].reason = "changed outside tresor; " + plan.changes[index].reason
            }
        }
    }
}

extension Refreshed {
    /// Refreshes `stored` through `provider`, over the vaults and NSGs of state. nil when the
    /// provider does not refresh; a failure to read Azure is TR605, and nothing is planned on a
    /// half-read estate.
    public static func read(_ stored: State, through provider: any Provider) async -> Result<Refreshed?, FatalDiagnostic> {
        do throws(ProviderFailure) {
            guard let live = try await provider.refresh(RefreshScope(state: stored)) else { return .success(nil) }
            return .success(Refreshed(stored: stored, live: live))
        } catch {
            var notes: [DiagnosticNote] = []
            if let correlation = error.correlationID { notes.append(DiagnosticNote("x-ms-correlation-request-id: \(correlation)")) }
            return .failure(FatalDiagnostic(ProviderRefusalRule.diagnostic(
                "cannot read what Azure holds (refresh): \(error.cause)", at: nil, notes: notes,
                help: error.retryable ? "Azure was busy or unreachable: plan again later, or plan from stored state with --no-refresh"
                                      : "plan from stored state with --no-refresh")))
        }
    }

    /// Signs in with `connect`, then refreshes.
    package static func read(_ stored: State, connecting connect: @Sendable () async -> Result<any Provider, FatalDiagnostic>) async
        -> Result<Refreshed?, FatalDiagnostic> {
        switch await connect() {
        case .success(let provider): await read(stored, through: provider)
        case .failure(let error): .failure(error)
        }
    }
}
