import TresorModel
import TresorSupport

/// A plan for people: the summary first and last, then one block per change, marked
/// `+` create, `~` update or stop-protection, `-` delete, `-/+` replace. Creates list their
/// fields, updates only the fields that change; a long list shows only its changed entries.
public enum PlanText {
    public static func render(_ plan: Plan) -> String {
        guard plan.hasChanges else { return nothingToDo(plan) + "\n" }
        let summary = summaryLine(plan)
        var output = summary + "\n\n"
        output += body(plan)
        output += "\n" + summary + "\n"
        return output
    }

    package static let noChanges = "No changes: the state matches the manifests."
    static let noDrift = "No changes outside tresor: Azure holds what the state records."

    static func nothingToDo(_ plan: Plan) -> String { plan.refreshOnly ? noDrift : noChanges }

    /// "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete, 0 to stop protection."
    /// A refresh-only plan: "Refresh only: 1 changed outside tresor, 0 deleted outside tresor; …".
    public static func summaryLine(_ plan: Plan) -> String {
        if plan.refreshOnly {
            let adopted = plan.count(.create)
            return "Refresh only: \(plan.count(.update)) changed outside tresor, \(plan.count(.delete)) deleted outside tresor"
                + (adopted > 0 ? ", \(adopted) declared in the manifests and held by Azure (adopted)" : "")
                + "; applying records Azure's values in the state and changes nothing in Azure."
        }
        let counts = PlanAction.allCases.map { "\(plan.count($0)) to \(verb($0))" }
        return "Plan: " + counts.joined(separator: ", ") + "."
    }

    static func verb(_ action: PlanAction) -> String {
        action == .stopProtection ? "stop protection" : action.rawValue
    }

    package static func pastTense(_ action: PlanAction) -> String {
        switch action {
        case .create: "created"
        case .update: "updated"
        case .replace: "replaced"
        case .delete: "deleted"
        case .stopProtection: "protections stopped"
        }
    }

    /// The change blocks, without the summary. Built as bytes: a large apply has 100,000 blocks.
    static func body(_ plan: Plan) -> String {
        String(
            decoding: Parallel.map(count: plan.changes.count) { changes in
                body(plan.changes[changes], refreshOnly: plan.refreshOnly)
            }, as: UTF8.self)
    }

    private static func body(_ changes: ArraySlice<PlannedChange>, refreshOnly: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(changes.count * 400)
        for change in changes {
            output += "\(change.action.symbol) \(change.kind.rawValue) \(change.name)".utf8
            if change.action == .stopProtection { output += ": stop protection".utf8 }
            if change.destructive { output += ": DELETES RECOVERY POINTS".utf8 }
            output += " (\(change.reason))\n    id: \(change.id)\n".utf8
            switch change.action {
            case .create:
                writeFields(change.after, into: &output)
            case .update, .replace, .stopProtection:
                let outside = refreshOnly ? [] : change.pathsChangedOutsideTresor
                for field in change.diff {
                    let labels = refreshOnly ? stateToAzure : outside.contains(field.path) ? azureToManifests : nil
                    output += fieldLines(field, labels: labels).utf8
                }
            case .delete:
                break
            }
        }
        return output
    }

    /// `    path: value` for each leaf field of attributes; empty objects and lists are leaves.
    package static func writeFields(_ value: JSON?, path: String = "", into output: inout [UInt8]) {
        guard let value else { return }
        if case .object(let members) = value, !members.isEmpty {
            for (key, member) in members {
                writeFields(member, path: path.isEmpty ? key : "\(path).\(key)", into: &output)
            }
            return
        }
        output += "    \(path): ".utf8
        value.write(into: &output)
        output.append(UInt8(ascii: "\n"))
    }

    /// Lists longer than this show only their changed entries.
    static let shortList = 4

    /// Where a field's two values come from, when it is not stored state and manifests.
    typealias Labels = (before: String, after: String)
    /// A field changed outside tresor: Azure's value beside the manifests'.
    static let azureToManifests: Labels = ("in Azure, changed outside tresor", "in the manifests")
    /// A refresh-only plan: what state recorded beside what Azure holds.
    static let stateToAzure: Labels = ("in state", "in Azure")

    static func fieldLines(_ field: FieldChange, labels: Labels? = nil) -> String {
        if case .array(let old)? = field.before, case .array(let new)? = field.after,
            max(old.count, new.count) > shortList
        {
            let removed = difference(old, new)
            let added = difference(new, old)
            if !removed.isEmpty || !added.isEmpty {
                let unchanged = old.count - removed.count
                let from = labels.map { " (\($0.before) -> \($0.after))" } ?? ""
                var lines = "    \(field.path)\(from): \(plural(unchanged, "entry", "entries")) unchanged\n"
                for entry in removed { lines += "      - \(show(entry))\n" }
                for entry in added { lines += "      + \(show(entry))\n" }
                return lines
            }
        }
        guard let labels else { return "    \(field.path): \(show(field.before)) -> \(show(field.after))\n" }
        return "    \(field.path): \(show(field.before)) (\(labels.before)) -> \(show(field.after)) (\(labels.after))\n"
    }

    /// Entries of `list` not matched in `other`, counting repeats.
    private static func difference(_ list: [JSON], _ other: [JSON]) -> [JSON] {
        var remaining: [String: Int] = [:]
        for entry in other { remaining[entry.rendered(pretty: false), default: 0] += 1 }
        return list.filter { entry in
            let key = entry.rendered(pretty: false)
            guard let count = remaining[key], count > 0 else { return true }
            remaining[key] = count - 1
            return false
        }
    }

    static func show(_ value: JSON?) -> String {
        value.map { $0.rendered(pretty: false) } ?? "(none)"
    }
}

/// A plan as a pull-request comment: a Mermaid diagram of what changes (GitHub and GitLab draw
/// it), the summary as a heading, a warning when recovery points are deleted, every change in a
/// collapsible `diff` block, and the summary again.
public enum PlanMarkdown {
    public static func render(_ plan: Plan, diagnostics: [Diagnostic] = [], sources: SourceFiles = SourceFiles()) -> String {
        var output = "### tresor plan\n\n"
        guard plan.hasChanges else { return output + PlanText.nothingToDo(plan) + "\n" + warnings(diagnostics, sources) }
        // Labels are escaped so that no backtick reaches the block: three always close it.
        output += "```mermaid\n" + MermaidRenderer.render(PlanDiagram.diagram(plan), groupsInRow: true) + "```\n\n"
        let summary = PlanText.summaryLine(plan)
        output += "**\(summary)**\n"
        let destructive = plan.changes.count { $0.destructive }
        if destructive > 0 {
            output +=
                "\n> [!WARNING]\n> \(plural(destructive, "change")) in this plan \(destructive == 1 ? "deletes" : "delete") recovery points.\n"
        }
        output += warnings(diagnostics, sources)
        let body = PlanText.body(plan)
        let fence = String(repeating: "`", count: max(3, longestBacktickRun(body) + 1))
        output += "\n<details>\n<summary>\(plural(plan.changes.count, "change"))</summary>\n\n"
        output += "\(fence)diff\n\(body)\(fence)\n\n</details>\n\n"
        output += "**\(summary)**\n"
        return output
    }

    private static func warnings(_ diagnostics: [Diagnostic], _ sources: SourceFiles) -> String {
        guard !diagnostics.isEmpty else { return "" }
        var output = "\n"
        for diagnostic in diagnostics {
            let place = diagnostic.range.map { " (`\(sources[$0.file].path):\($0.line):\($0.column)`)" } ?? ""
            output += "- **\(diagnostic.severity.rawValue) \(diagnostic.code)**\(place): \(diagnostic.message)\n"
        }
        return output
    }

    private static func longestBacktickRun(_ text: String) -> Int {
        var longest = 0
        var run = 0
        for byte in text.utf8 {
            run = byte == UInt8(ascii: "`") ? run + 1 : 0
            longest = max(longest, run)
        }
        return longest
    }
}
