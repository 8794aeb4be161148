import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// TR608 (the rule AlreadyInAzureRule describes): what the manifests declare, Azure already
/// holds and state does not record, which a plan refuses to create over.
enum AlreadyInAzure {
    /// One error per vault or NSG: at the first declaration, naming the others.
    static func diagnostics(_ adoptable: [DesiredState.Entry], in estate: Estate) -> [Diagnostic] {
        var groups: [(container: String, entries: [DesiredState.Entry])] = []
        var groupOf: [String: Int] = [:]
        for entry in adoptable {
            let resource = entry.resource
            let levels =
                switch resource.kind {
                case .vault: 0
                case .backupPolicy, .networkRule: 1
                case .protectedItem: 3
                }
            let container = ResourceID.parent(of: resource.id, levels: levels) ?? resource.id
            if let index = groupOf[ResourceID.key(container)] {
                groups[index].entries.append(entry)
            } else {
                groupOf[ResourceID.key(container)] = groups.count
                groups.append((container, [entry]))
            }
        }
        return groups.map { group in
            let first = group.entries[0].resource
            let name = ResourceID.lastComponent(group.container)
            let holder = first.kind == .networkRule ? "NSG \(name)" : "vault \(name)"
            var counts: [String] = []
            for (kind, one, many) in [
                (ManagedKind.backupPolicy, "backup policy", "backup policies"),
                (.protectedItem, "protected item", "protected items"), (.networkRule, "security rule", "security rules")
            ] {
                let count = group.entries.count { $0.resource.kind == kind }
                if count > 0 { counts.append(plural(count, one, many)) }
            }
            let message =
                first.kind == .vault
                ? "\(holder) already exists in Azure but not in state"
                    + (counts.isEmpty ? "" : ", with \(counts.joined(separator: " and ")) the manifests declare in it")
                : "\(counts.joined(separator: " and ")) declared in \(holder) already "
                    + (group.entries.count == 1 ? "exists" : "exist") + " in Azure but not in state"
            let shown = group.entries.dropFirst().prefix(3)
            var notes = shown.map {
                DiagnosticNote(
                    "\($0.resource.kind.rawValue) \($0.resource.name) is held by Azure too",
                    at: DesiredState.range(of: $0.origin, in: estate))
            }
            if group.entries.count > shown.count + 1 { notes.append(DiagnosticNote("and \(group.entries.count - shown.count - 1) more")) }
            notes.append(DiagnosticNote("in Azure: \(first.id)"))
            return AlreadyInAzureRule.diagnostic(
                message + ": creating it would overwrite what Azure holds",
                at: DesiredState.range(of: group.entries[0].origin, in: estate), notes: notes,
                help: "`tresor apply --refresh-only` adopts it (records Azure's values in state, changes nothing in Azure); "
                    + "plan again to see how it differs from the manifests. Or take it out of the manifests")
        }
    }
}
