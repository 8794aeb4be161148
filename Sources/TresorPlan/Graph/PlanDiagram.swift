import TresorModel
import TresorState
import TresorSupport

/// What a plan changes, as a small diagram for the top of the markdown plan: one group per kind
/// of change (create, update, move, replace, stop protection, delete), updates and replaces with
/// the fields they change, removals and changes that delete recovery points in red and bold.
///
/// A group with at most `listedChangesPerGroup` changes lists each; a larger one shows counts by
/// resource kind. A move is a protected item deleted in one vault and created in another for the
/// same VM (`--allow-destroy`): shown once, as a move.
enum PlanDiagram {
    static let listedChangesPerGroup = 8

    private enum Group: CaseIterable {
        case create, update, move, replace, stopProtection, delete

        var title: String {
            switch self {
            case .create: "create"
            case .update: "update"
            case .move: "move between vaults"
            case .replace: "replace"
            case .stopProtection: "stop protection"
            case .delete: "delete"
            }
        }
    }

    private struct Entry {
        var change: PlannedChange
        /// For a move: the vault it leaves and the vault it joins.
        var move: (from: String, to: String)?
    }

    static func diagram(_ plan: Plan) -> Diagram {
        var entries: [Group: [Entry]] = [:]
        // Deleted items by the VM they protect, to pair with a created item of the same VM.
        var deletedItems: [String: Int] = [:]
        for (index, change) in plan.changes.enumerated() where change.kind == .protectedItem && change.action == .delete {
            if let vm = vmKey(change.before) { deletedItems[vm] = index }
        }
        var moved: Set<Int> = []
        for (index, change) in plan.changes.enumerated() where change.kind == .protectedItem && change.action == .create {
            guard let vm = vmKey(change.after), let deleted = deletedItems[vm] else { continue }
            moved.formUnion([deleted, index])
            var move = change
            move.destructive = true
            entries[.move, default: []].append(
                Entry(change: move, move: (vaultName(of: plan.changes[deleted].id), vaultName(of: change.id))))
        }
        for (index, change) in plan.changes.enumerated() where !moved.contains(index) {
            entries[group(of: change.action), default: []].append(Entry(change: change))
        }

        var diagram = Diagram()
        for group in Group.allCases {
            guard let members = entries[group], !members.isEmpty else { continue }
            let destructive = members.count { $0.change.destructive }
            var title = "\(group.title): \(grouped(members.count))"
            if destructive > 0 { title += ", \(grouped(destructive)) deleting recovery points" }
            var box = diagram.group(title)
            if members.count <= listedChangesPerGroup {
                for entry in members {
                    box.nodes.append(diagram.node(lines(entry), .box, style(group, destructive: entry.change.destructive)))
                }
            } else {
                for kind in ManagedKind.allCases {
                    for destroying in [false, true] {
                        let count = members.count { $0.change.kind == kind && $0.change.destructive == destroying }
                        guard count > 0 else { continue }
                        var lines = ["\(kind.rawValue) × \(grouped(count))"]
                        if destroying { lines.append("deletes recovery points") }
                        box.nodes.append(diagram.node(lines, .box, style(group, destructive: destroying)))
                    }
                }
            }
            diagram.groups.append(box)
        }
        return diagram
    }

    private static func group(of action: PlanAction) -> Group {
        switch action {
        case .create: .create
        case .update: .update
        case .replace: .replace
        case .stopProtection: .stopProtection
        case .delete: .delete
        }
    }

    private static func style(_ group: Group, destructive: Bool) -> Diagram.Style {
        if destructive { return .destroy }
        switch group {
        case .create: return .create
        case .update: return .update
        case .move, .replace: return .replace
        case .stopProtection: return .stopProtection
        case .delete: return .delete
        }
    }

    private static func lines(_ entry: Entry) -> [String] {
        let change = entry.change
        var lines = ["\(change.kind.rawValue) \(change.name)"]
        if let move = entry.move {
            lines.append("\(move.from) → \(move.to)")
        } else if change.action == .update || change.action == .replace {
            let fields = change.diff.map(\.path)
            lines.append(
                fields.count > 2
                    ? "\(fields.prefix(2).joined(separator: ", ")) and \(fields.count - 2) more" : fields.joined(separator: ", "))
        } else if change.action == .stopProtection {
            lines.append("recovery points kept")
        }
        if change.destructive { lines.append("DELETES RECOVERY POINTS") }
        return lines
    }

    private static func vmKey(_ attributes: JSON?) -> String? {
        attributes?[ProtectedItemAttribute.vm]?.stringValue.map(ResourceID.key)
    }

    /// The vault's name in a protected item's ID.
    private static func vaultName(of itemID: String) -> String {
        StateResource.vaultKey(ofChild: itemID).map(ResourceID.lastComponent) ?? "?"
    }
}
