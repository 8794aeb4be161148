import TresorFrontEnd
import TresorModel
import TresorState

/// Stored state brought up to date with what Azure holds (SPEC §7): each managed resource as
/// Azure has it, or gone when Azure no longer has it. A soft-deleted protected item is gone for
/// drift (it protects nothing), but Azure still counts it in its vault, and so does
/// `itemCounts`, with the items tresor does not manage. Resources tresor does not manage never
/// enter the state on their own: those the manifests declare are adopted only by a refresh-only
/// apply, and until then a plan refuses to create them over what Azure holds (TR608).
public struct Refreshed: Sendable {
    /// The stored state with Azure's values; same lineage and serial.
    public private(set) var state: State
    /// By key: what state recorded for each managed resource that Azure holds otherwise or no
    /// longer holds.
    public private(set) var recorded: [String: StateResource] = [:]
    /// By vault key: every protected item Azure holds there, soft-deleted or not managed by tresor.
    public private(set) var itemCounts: [String: Int] = [:]
    /// By key: what Azure holds that state does not (soft-deleted items aside).
    public private(set) var unmanaged: [String: StateResource] = [:]
    /// The vaults and NSGs read.
    public private(set) var scope: RefreshScope

    public init(stored: State, live: LiveEstate, scope: RefreshScope? = nil) {
        state = stored
        self.scope = scope ?? RefreshScope(state: stored)
        // Azure's resources are looked up in state's own index: each ID is folded once, and
        // state's slots say which resources Azure no longer holds.
        var matched = [Bool](repeating: false, count: stored.slotCount)
        func take(_ azure: StateResource, key: String) {
            guard let slot = stored.slot(forKey: key) else {
                unmanaged[key] = azure
                return
            }
            guard let resource = stored[slot: slot], resource.kind == azure.kind else { return }
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

    /// Adds what Azure holds in vaults and NSGs that state does not know (`RefreshScope.declared`):
    /// all of it unmanaged, its items counted.
    public mutating func add(_ live: LiveEstate, of extra: RefreshScope) {
        let vaults = Set(extra.vaults.map(ResourceID.key))
        let groups = Set(extra.networkSecurityGroups.map(ResourceID.key))
        func inScope(_ resource: StateResource) -> Bool {
            switch resource.kind {
            case .vault: vaults.contains(resource.key)
            case .networkRule: ResourceID.parent(of: resource.key, levels: 1).map(groups.contains) ?? false
            case .backupPolicy, .protectedItem: resource.vaultKey.map(vaults.contains) ?? false
            }
        }
        for resource in live.vaults + live.policies + live.securityRules where inScope(resource) && state.slot(forKey: resource.key) == nil
        {
            unmanaged[resource.key] = resource
        }
        for item in live.items where inScope(item.resource) {
            let key = item.resource.key
            if let vault = item.resource.vaultKey { itemCounts[vault, default: 0] += 1 }
            if !item.softDeleted, state.slot(forKey: key) == nil { unmanaged[key] = item.resource }
        }
        scope = RefreshScope(
            vaults: scope.vaults + extra.vaults,
            networkSecurityGroups: scope.networkSecurityGroups + extra.networkSecurityGroups)
    }

    /// The resources the manifests declare that Azure holds and state does not, in `desired`'s
    /// order, each with Azure's values in the manifests' spelling where they mean the same.
    func adoptable(_ desired: DesiredState) -> [DesiredState.Entry] {
        guard !unmanaged.isEmpty else { return [] }
        // Usually only Azure's system policies: the 100,000 items need no lookup then.
        let kinds = Set(unmanaged.values.map(\.kind))
        return desired.entries.compactMap { entry in
            guard kinds.contains(entry.resource.kind), let azure = unmanaged[entry.resource.key], azure.kind == entry.resource.kind
            else { return nil }
            let attributes = LiveValues.matching(azure.attributes, recorded: entry.resource.attributes)
            return DesiredState.Entry(
                resource: StateResource(
                    kind: azure.kind, id: entry.resource.id, name: entry.resource.name,
                    attributes: attributes),
                origin: entry.origin)
        }
    }

    /// `plan --refresh-only`: only the drift, from stored state to Azure, in state's order, then
    /// the resources `estate` declares that Azure holds and state does not, adopted. Applying it
    /// records Azure's values in state and changes nothing in Azure.
    public func driftPlan(from stored: State, declaring estate: Estate? = nil) -> Plan {
        var changes: [PlannedChange] = []
        for resource in stored.resources {
            guard recorded[resource.key] != nil else { continue }
            let azure = state.resource(forKey: resource.key)
            var change = PlannedChange(
                action: azure == nil ? .delete : .update, kind: resource.kind, id: resource.id,
                name: resource.name, destructive: false,
                reason: azure == nil ? "deleted outside tresor" : "changed outside tresor",
                before: resource.attributes, after: azure?.attributes)
            change.recorded = resource.attributes
            changes.append(change)
        }
        if let estate {
            for entry in adoptable(DesiredState(estate)) {
                let resource = entry.resource
                changes.append(
                    PlannedChange(
                        action: .create, kind: resource.kind, id: resource.id, name: resource.name,
                        destructive: false, reason: "declared in the manifests and held by Azure: adopted",
                        before: nil, after: resource.attributes))
            }
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
            let scope = RefreshScope(state: stored)
            guard let live = try await provider.refresh(scope) else { return .success(nil) }
            return .success(Refreshed(stored: stored, live: live, scope: scope))
        } catch {
            return .failure(failure(error))
        }
    }

    /// Refreshes `stored`, then reads what `estate` declares beyond it (plan's reads when the
    /// manifests are compiled first, as apply's are).
    public static func read(_ stored: State, declaring estate: Estate, through provider: any Provider) async
        -> Result<Refreshed?, FatalDiagnostic>
    {
        switch await read(stored, through: provider) {
        case .success(var refreshed?):
            if let failure = await refreshed.readDeclared(by: estate, through: provider) { return .failure(failure) }
            return .success(refreshed)
        case let other: return other
        }
    }

    /// Signs in with `connect`, then refreshes; the provider is kept for `readDeclared`.
    package static func read(_ stored: State, connecting connect: @Sendable () async -> Result<any Provider, FatalDiagnostic>) async
        -> Result<(refreshed: Refreshed, provider: any Provider)?, FatalDiagnostic>
    {
        switch await connect() {
        case .success(let provider): await read(stored, through: provider).map { $0.map { ($0, provider) } }
        case .failure(let error): .failure(error)
        }
    }

    /// Reads the vaults and NSGs `estate` declares that were not read yet (none once state
    /// records the estate); a vault Azure does not have is the usual case, not drift.
    public mutating func readDeclared(by estate: Estate, through provider: any Provider) async -> FatalDiagnostic? {
        let extra = RefreshScope.declared(by: estate, beyond: scope)
        guard !extra.isEmpty else { return nil }
        do throws(ProviderFailure) {
            if let live = try await provider.refresh(extra) { add(live, of: extra) }
            return nil
        } catch {
            return Self.failure(error)
        }
    }

    private static func failure(_ error: ProviderFailure) -> FatalDiagnostic {
        var notes: [DiagnosticNote] = []
        if let correlation = error.correlationID { notes.append(DiagnosticNote("x-ms-correlation-request-id: \(correlation)")) }
        return FatalDiagnostic(
            ProviderRefusalRule.diagnostic(
                "cannot read what Azure holds (refresh): \(error.cause)", at: nil, notes: notes,
                help: error.retryable
                    ? "Azure was busy or unreachable: plan again later, or plan from stored state with --no-refresh"
                    : "plan from stored state with --no-refresh"))
    }
}
