import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// Diffs the manifests' managed resources against stored state and orders the changes.
///
/// - A resource in the manifests and not in state is created; in both with other attributes,
///   updated; in state only, deleted. A vault whose region changed is replaced (a vault cannot
///   move), and so are its policies and protected items.
/// - A protected item no longer in the manifests stops protection and keeps its recovery points;
///   with `--allow-destroy` it is deleted with them. An item already stopped stays as it is
///   unless `--allow-destroy` is given.
/// - A VM protected in another vault in state (TR302) moves only with `--allow-destroy`: its
///   item there is deleted with its recovery points, and a new one created.
/// - Order: removals first, in reverse dependency order (protected items, network rules,
///   policies, vaults), then creates, updates and replaces in dependency order (vaults,
///   policies, network rules, protected items), each in manifest order.
/// - Every destructive change (one that deletes recovery points) needs `--allow-destroy` (TR601).
///
/// Work is linear in the size of manifests plus state: lookups go through state's index, and
/// the index of state's items by VM is built only when an item is created.
struct Planner {
    let estate: Estate
    let state: State
    let allowDestroy: Bool
    /// The manifests' files, for each change's location.
    let sources: SourceFiles

    private(set) var diagnostics: [Diagnostic] = []
    private var removals: [PlannedChange] = []
    private var forward: [PlannedChange] = []
    /// By state slot: whether the manifests still declare the resource.
    private var declaredSlots: [Bool]
    /// Keys of state items that a move to another vault deletes.
    private var moved: [String: String] = [:]
    private var replacedVaults: Set<String> = []
    /// Keys of vaults this plan deletes.
    private var deletedVaults: Set<String> = []
    private var itemsByVM: [String: [String]]?
    /// By vault key: the items Azure holds when the plan refreshed (soft-deleted and unmanaged
    /// ones included), else state's, counted when first needed.
    private var itemCounts: [String: Int]?

    init(estate: Estate, state: State, allowDestroy: Bool, sources: SourceFiles, liveItemCounts: [String: Int]? = nil) {
        self.estate = estate
        self.state = state
        self.allowDestroy = allowDestroy
        self.sources = sources
        itemCounts = liveItemCounts
        declaredSlots = Array(repeating: false, count: state.slotCount)
    }

    mutating func plan(_ desired: DesiredState? = nil) -> Plan {
        let desired = desired ?? DesiredState(estate)
        let matches = Self.match(desired.entries, in: state)
        // Only a protected item can be declared twice once the binder has dropped duplicate
        // identities (TR009): a VM listed twice for one vault (TR302). It is planned once.
        var vaultOfVM = [Int](repeating: -1, count: estate.virtualMachines.count)
        var itemsInOtherVaults: Set<Int> = []
        var createdItems: [(change: Int, entry: DesiredState.Entry)] = []
        for position in desired.entries.indices {
            if case .protectedItem(let protection, let vmEntry) = desired.entries[position].origin,
                let vault = estate.protections[protection].vaultIndex, let vm = estate.protections[protection].vmIndices[vmEntry]
            {
                if vaultOfVM[vm] == vault { continue }
                if vaultOfVM[vm] < 0 {
                    vaultOfVM[vm] = vault
                } else if !itemsInOtherVaults.insert(vault * estate.virtualMachines.count + vm).inserted {
                    continue
                }
            }
            if let slot = matches[position].slot {
                declaredSlots[slot] = true
                // Unchanged, and no replaced vault to take it along: nothing to plan. Vaults are
                // always looked at, for their stored Cross Region Restore.
                if matches[position].unchanged, replacedVaults.isEmpty, desired.entries[position].resource.kind != .vault { continue }
                planChange(from: state[slot: slot]!, to: desired.entries[position])
            } else {
                let entry = desired.entries[position]
                if entry.resource.kind == .protectedItem { createdItems.append((forward.count, entry)) }
                let resource = entry.resource
                forward.append(
                    PlannedChange(
                        action: .create, kind: resource.kind, id: resource.id, name: resource.name,
                        destructive: false, reason: "declared in the manifests, not in state",
                        before: nil, after: resource.attributes, location: location(of: entry.origin)))
            }
        }
        // Once every declared resource is known: a new item's VM may be registered elsewhere.
        for (change, entry) in createdItems {
            checkRegistration(of: entry, change: change)
        }
        planRemovals()
        var removalsByRank: [[PlannedChange]] = Array(repeating: [], count: ManagedKind.allCases.count)
        for change in removals { removalsByRank[change.kind.dependencyRank].append(change) }
        let changes = removalsByRank.reversed().flatMap { $0 } + forward
        guardDestructiveChanges(changes)
        return Plan(lineage: state.lineage, serial: state.serial, changes: changes)
    }

    /// For each desired entry, its slot in state and whether the stored attributes are the same:
    /// the per-resource part of the diff, which reads state only, on both cores.
    private static func match(_ entries: [DesiredState.Entry], in state: State) -> [(slot: Int?, unchanged: Bool)] {
        guard !state.isEmpty else { return Array(repeating: (nil, false), count: entries.count) }
        return Parallel.map(entries.count) { position in
            guard let slot = state.slot(forKey: entries[position].resource.key), let stored = state[slot: slot] else {
                return (nil, false)
            }
            return (slot, stored.attributes == entries[position].resource.attributes)
        }
    }

    private mutating func planChange(from stored: StateResource, to entry: DesiredState.Entry) {
        let resource = entry.resource
        var change = PlannedChange(
            action: .update, kind: resource.kind, id: stored.id, name: resource.name,
            destructive: false, reason: "", before: stored.attributes, after: resource.attributes,
            location: location(of: entry.origin))
        if case .vault(let index) = entry.origin {
            checkCrossRegionRestore(stored: stored.attributes, vault: estate.vaults[index])
            let (oldRegion, newRegion) = (stored.attributes["region"], resource.attributes["region"])
            if oldRegion != newRegion {
                let items = itemCount(ofVault: stored.key)
                replacedVaults.insert(stored.key)
                change.action = .replace
                change.destructive = items > 0
                change.reason =
                    "region changes from \(oldRegion?.stringValue ?? "?") to \(newRegion?.stringValue ?? "?"): "
                    + "a vault cannot move, so it is deleted and created again"
                    + (items > 0 ? ", deleting the recovery points of its \(plural(items, "protected item"))" : "")
                forward.append(change)
                return
            }
        }
        if !replacedVaults.isEmpty, let vault = stored.vaultKey, replacedVaults.contains(vault) {
            change.action = .replace
            change.destructive = stored.kind == .protectedItem
            change.reason =
                stored.kind == .protectedItem
                ? "its vault is replaced: protection starts again in the new vault, without the old recovery points"
                : "its vault is replaced"
            forward.append(change)
            return
        }
        guard stored.attributes != resource.attributes else { return }
        if stored.kind == .protectedItem, stored.protectionState == .stopped {
            change.reason = "protection resumes"
        } else {
            change.reason = "\(plural(change.diff.count, "field")) changed"
        }
        forward.append(change)
    }

    /// TR302, the stored half: a VM registered in another vault in state moves only with
    /// --allow-destroy, which deletes its item (and recovery points) there.
    private mutating func checkRegistration(of entry: DesiredState.Entry, change: Int) {
        guard case .protectedItem(let protection, let vmEntry) = entry.origin, let vm = entry.resource.vmKey,
            let vault = estate.protections[protection].vaultIndex
        else { return }
        let toVault = estate.vaults[vault].name.value
        for other in storedItems(ofVM: vm) {
            guard let stored = state.resource(forKey: other), let fromVault = stored.vaultKey else { continue }
            let vaultName = stateName(ofVault: fromVault)
            let stillDeclared = isDeclared(other)
            if allowDestroy, !stillDeclared {
                moved[other] = toVault
                forward[change].reason = "the VM moves here from vault \(vaultName)"
                continue
            }
            let reference = estate.protections[protection].vms[vmEntry].range
            diagnostics.append(
                SingleVaultRule.diagnostic(
                    "VM \(entry.resource.name) is registered in vault \(vaultName) in stored state "
                        + "(\(stored.protectionState?.rawValue ?? "Protected")); it cannot also be protected in \(toVault)",
                    at: reference,
                    help: stillDeclared
                        ? "list the VM in one vault only"
                        : "moving it deletes its recovery points in \(vaultName): plan with --allow-destroy to do that, or keep it in \(vaultName)"
                ))
            // SPEC §2 lists the move under TR601 too: releasing the VM would be destructive.
            if !stillDeclared {
                diagnostics.append(
                    DestructiveChangeRule.diagnostic(
                        "moving VM \(entry.resource.name) from vault \(vaultName) to \(toVault) would delete its recovery points in \(vaultName)",
                        at: reference,
                        help: "if they may go, plan again with --allow-destroy; otherwise keep the VM in \(vaultName)"))
            }
        }
    }

    private mutating func planRemovals() {
        for slot in 0..<state.slotCount where !declaredSlots[slot] {
            guard let stored = state[slot: slot] else { continue }
            var change = PlannedChange(
                action: .delete, kind: stored.kind, id: stored.id, name: stored.name,
                destructive: false, reason: "no longer in the manifests",
                before: stored.attributes, after: nil)
            let vaultGoes = stored.vaultKey.map { replacedVaults.contains($0) || !isDeclared($0) } ?? false
            switch stored.kind {
            case .protectedItem:
                change.destructive = true
                if let destination = moved[stored.key] {
                    change.reason = "the VM moves to vault \(destination); its recovery points here are deleted"
                } else if vaultGoes {
                    change.reason = "its vault is deleted; its recovery points are deleted"
                } else if allowDestroy {
                    change.reason = "no longer in the manifests; --allow-destroy deletes its recovery points"
                } else if stored.protectionState == .protected {
                    change.action = .stopProtection
                    change.destructive = false
                    change.reason = "no longer in the manifests; its recovery points are retained"
                    change.after = stopped(stored.attributes)
                } else {
                    continue  // stopped with data retained: stays so until --allow-destroy
                }
            case .vault:
                deletedVaults.insert(stored.key)
                let items = itemCount(ofVault: stored.key)
                change.destructive = items > 0
                if items > 0 { change.reason += "; it holds \(plural(items, "protected item")), whose recovery points are deleted" }
            case .backupPolicy, .networkRule:
                if vaultGoes, stored.kind == .backupPolicy { change.reason = "its vault is deleted or replaced" }
            }
            removals.append(change)
        }
    }

    /// TR601: destructive changes need --allow-destroy. Items that go with their vault are
    /// reported once, with the vault.
    private mutating func guardDestructiveChanges(_ changes: [PlannedChange]) {
        guard !allowDestroy else { return }
        for change in changes where change.destructive {
            if change.kind == .protectedItem, let vault = StateResource.vaultKey(ofChild: ResourceID.key(change.id)),
                replacedVaults.contains(vault) || deletedVaults.contains(vault)
            {
                continue
            }
            let what = change.action == .replace ? "replace" : "delete"
            var location: SourceRange?
            if change.action == .replace, let index = estate.vaults.firstIndex(where: { $0.id == change.id }) {
                location = estate.vaults[index].region.range
            }
            diagnostics.append(
                DestructiveChangeRule.diagnostic(
                    "the plan would \(what) \(change.kind.rawValue) \(change.name), deleting recovery points: \(change.reason)",
                    at: location,
                    help:
                        "if the recovery points may go, plan again with --allow-destroy; otherwise keep the \(change.kind.rawValue) as it is in the manifests"
                ))
        }
    }

    /// TR105, the stored half: Cross Region Restore cannot be turned off once on.
    private mutating func checkCrossRegionRestore(stored: JSON, vault: Vault) {
        guard stored["crossRegionRestore"] == .bool(true), !(vault.crossRegionRestore?.value ?? false) else { return }
        diagnostics.append(
            CrossRegionRestoreRule.diagnostic(
                "crossRegionRestore of vault \(vault.name.value) is enabled in stored state and cannot be disabled",
                at: vault.crossRegionRestore?.range ?? vault.name.range,
                help: "keep `crossRegionRestore: true`; turning it off needs a new vault"))
    }

    /// "path:line:column" of the name that declares the resource.
    private func location(of origin: DesiredState.Origin) -> String {
        let range = DesiredState.range(of: origin, in: estate)
        return "\(sources[range.file].path):\(range.line):\(range.column)"
    }

    private func stopped(_ attributes: JSON) -> JSON {
        guard case .object(var members) = attributes else { return attributes }
        for index in members.indices where members[index].0 == ProtectedItemAttribute.protectionState {
            members[index].1 = .string(ProtectionState.stopped.rawValue)
        }
        return .object(members)
    }

    private func isDeclared(_ key: String) -> Bool {
        state.slot(forKey: key).map { declaredSlots[$0] } ?? false
    }

    private func stateName(ofVault key: String) -> String {
        state.resource(forKey: key)?.name ?? ResourceID.lastComponent(key)
    }

    private mutating func itemCount(ofVault key: String) -> Int {
        if itemCounts == nil { itemCounts = state.itemCountsByVault() }
        return itemCounts?[key] ?? 0
    }

    private mutating func storedItems(ofVM key: String) -> [String] {
        if itemsByVM == nil {
            var index: [String: [String]] = [:]
            for slot in 0..<state.slotCount {
                guard let resource = state[slot: slot], resource.kind == .protectedItem, let vm = resource.vmKey else { continue }
                index[vm, default: []].append(resource.key)
            }
            itemsByVM = index
        }
        return itemsByVM?[key] ?? []
    }
}
