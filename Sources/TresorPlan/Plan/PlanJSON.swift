import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// Plans as JSON (SPEC §4), which is also the saved plan format of `plan --out`: the lineage and
/// serial the plan was made against and its exact changes. A saved plan is applied from its
/// `action`, `kind`, `id`, `name` and `after` (a `refreshOnly` plan only into state); `diff`,
/// `dependsOn`, `summary` and what refresh found (`changedOutsideTresor`, `recorded`) are for
/// readers (a saved plan's dependencies are derived again from its order when it is read).
public enum PlanJSON {
    public static let formatVersion = 1

    public static func encode(_ plan: Plan, report: DiagnosticReport) -> JSON {
        .object([
            ("formatVersion", .int(formatVersion)),
            ("lineage", plan.lineage.map(JSON.string) ?? .null),
            ("serial", .int(plan.serial)),
            ("refreshOnly", .bool(plan.refreshOnly)),
            ("changes", .array(zip(plan.changes, plan.dependencies()).map(change))),
            (
                "summary",
                .object([
                    ("create", .int(plan.count(.create))),
                    ("update", .int(plan.count(.update))),
                    ("replace", .int(plan.count(.replace))),
                    ("delete", .int(plan.count(.delete))),
                    ("stopProtection", .int(plan.count(.stopProtection)))
                ])
            ),
            ("diagnostics", DiagnosticJSON.diagnostics(report))
        ])
    }

    private static func change(_ change: PlannedChange, dependsOn: [Int]) -> JSON {
        let outside = change.pathsChangedOutsideTresor
        return .object([
            ("action", .string(change.action.rawValue)),
            ("kind", .string(change.kind.rawValue)),
            ("id", .string(change.id)),
            ("name", .string(change.name)),
            ("destructive", .bool(change.destructive)),
            ("reason", .string(change.reason)),
            ("before", change.before ?? .null),
            ("after", change.after ?? .null),
            ("changedOutsideTresor", .bool(change.changedOutsideTresor)),
            ("recorded", change.recorded ?? .null),
            (
                "diff",
                .array(
                    change.diff.map { field in
                        .object([
                            ("path", .string(field.path)), ("before", field.before ?? .null), ("after", field.after ?? .null),
                            ("changedOutsideTresor", .bool(outside.contains(field.path)))
                        ])
                    })
            ),
            ("location", change.location.map(JSON.string) ?? .null),
            ("dependsOn", .array(dependsOn.map(JSON.int)))
        ])
    }

    public struct Failure: Error, Sendable {
        public var message: String
    }

    /// Reads a saved plan.
    public static func decode(_ bytes: [UInt8]) throws(Failure) -> Plan {
        let document: JSON
        do {
            document = try JSONReader.parse(bytes)
        } catch {
            throw Failure(message: "it is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard document["formatVersion"]?.intValue == formatVersion, let serial = document["serial"]?.intValue,
            let lineage = document["lineage"], lineage == .null || lineage.stringValue != nil,
            let items = document["changes"]?.arrayValue
        else { throw Failure(message: "it is not a tresor plan of format version \(formatVersion)") }
        var changes: [PlannedChange] = []
        changes.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let action = item["action"]?.stringValue.flatMap(PlanAction.init(rawValue:)),
                let kind = item["kind"]?.stringValue.flatMap(ManagedKind.init(rawValue:)),
                let id = item["id"]?.stringValue, let name = item["name"]?.stringValue,
                case .bool(let destructive)? = item["destructive"], let reason = item["reason"]?.stringValue,
                let before = item["before"], let after = item["after"],
                (after == .null) == (action == .delete)
            else { throw Failure(message: "change \(index + 1) is not a valid plan change") }
            // What apply records must load again: the change's identity and, unless it deletes,
            // its attributes have the shape state requires.
            if let problem = after == .null
                ? StateResource.idProblem(id, of: kind)
                : StateResource(kind: kind, id: id, name: name, attributes: after).shapeProblem
            {
                throw Failure(message: "change \(index + 1) is not a valid plan change: \(problem)")
            }
            var change = PlannedChange(
                action: action, kind: kind, id: id, name: name, destructive: destructive,
                reason: reason, before: before == .null ? nil : before,
                after: after == .null ? nil : after, location: item["location"]?.stringValue)
            if let recorded = item["recorded"], recorded != .null { change.recorded = recorded }
            changes.append(change)
        }
        var plan = Plan(lineage: lineage.stringValue, serial: serial, changes: changes)
        plan.refreshOnly = document["refreshOnly"] == .bool(true)
        return plan
    }
}
