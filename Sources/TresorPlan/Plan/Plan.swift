import TresorModel
import TresorSupport

/// What a plan does to one resource (SPEC §3).
public enum PlanAction: String, CaseIterable, Sendable {
    case create
    case update
    /// Identity fields changed: deleted and created again.
    case replace
    case delete
    /// A protected item stops being backed up; its recovery points are retained.
    case stopProtection = "stop-protection"

    /// The plan's symbol for it.
    public var symbol: String {
        switch self {
        case .create: "+"
        case .update, .stopProtection: "~"
        case .replace: "-/+"
        case .delete: "-"
        }
    }
}

/// One field that differs, by its path in the attributes (`retention.daily`, `tags.env`).
/// A missing value is `nil`.
public struct FieldChange: Sendable, Equatable {
    public var path: String
    public var before: JSON?
    public var after: JSON?

    /// The changed fields between two attribute objects: objects are compared member by member,
    /// anything else (strings, numbers, lists) as a whole.
    static func between(_ before: JSON?, _ after: JSON?, path: String = "") -> [FieldChange] {
        guard before != after else { return [] }
        guard case .object(let old)? = before, case .object(let new)? = after else {
            return path.isEmpty && (before == nil || after == nil) ? [] : [FieldChange(path: path, before: before, after: after)]
        }
        var changes: [FieldChange] = []
        for (key, value) in old {
            changes += between(value, new.first { $0.0 == key }?.1, path: join(path, key))
        }
        for (key, value) in new where !old.contains(where: { $0.0 == key }) {
            changes += between(nil, value, path: join(path, key))
        }
        return changes
    }

    private static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }
}

/// One planned action on one resource. `before` and `after` are the resource's attributes in
/// state and as planned (nil when it does not exist on that side).
public struct PlannedChange: Sendable, Equatable {
    public var action: PlanAction
    public var kind: ManagedKind
    public var id: String
    public var name: String
    /// Deletes recovery points; refused without `--allow-destroy` (TR601).
    public var destructive: Bool
    public var reason: String
    public var before: JSON?
    public var after: JSON?
    /// Where the manifests declare the resource ("path:line:column"); nil for a resource that is
    /// only in state. Failures in Azure are reported there.
    public var location: String?
    /// What stored state recorded, when refresh found that Azure holds the resource otherwise,
    /// or no longer holds it: the change is "changed outside tresor", and `before` is Azure's.
    /// nil when Azure holds what state recorded, or when the plan did not refresh.
    public var recorded: JSON?

    public init(
        action: PlanAction, kind: ManagedKind, id: String, name: String, destructive: Bool, reason: String,
        before: JSON?, after: JSON?, location: String? = nil
    ) {
        self.action = action
        self.kind = kind
        self.id = id
        self.name = name
        self.destructive = destructive
        self.reason = reason
        self.before = before
        self.after = after
        self.location = location
    }

    /// Changed fields; empty for creates and deletes, whose whole resource appears or goes.
    public var diff: [FieldChange] { FieldChange.between(before, after) }

    public var changedOutsideTresor: Bool { recorded != nil }

    /// Paths of the fields whose value in Azure (`before`) differs from what state recorded:
    /// those changed outside tresor.
    public var pathsChangedOutsideTresor: Set<String> {
        guard let recorded else { return [] }
        return Set(FieldChange.between(recorded, before).map(\.path))
    }
}

/// A plan: the changes that take the state, as of `lineage`/`serial`, to the manifests.
public struct Plan: Sendable, Equatable {
    public var lineage: String?
    public var serial: Int
    public var changes: [PlannedChange]
    /// `plan --refresh-only`: the changes take state to what Azure holds (`after` is Azure's);
    /// applying them records them in state and changes nothing in Azure.
    public var refreshOnly = false

    public init(lineage: String?, serial: Int, changes: [PlannedChange]) {
        self.lineage = lineage
        self.serial = serial
        self.changes = changes
    }

    /// For each change, the indices of the earlier changes that must succeed before it starts,
    /// derived from the plan's order (`PlanDependencies`). Computed when asked, by an apply that
    /// runs changes at once and by the JSON plan: an apply one change at a time in plan order
    /// never needs them, and keeping them per change cost 45 MB at 100,000 VMs.
    public func dependencies() -> [[Int]] { PlanDependencies.of(changes) }

    public var hasChanges: Bool { !changes.isEmpty }

    public func count(_ action: PlanAction) -> Int {
        // By index: `count(where:)` copies each change, retaining every string and array in it.
        var count = 0
        for index in changes.indices where changes[index].action == action { count += 1 }
        return count
    }
}
