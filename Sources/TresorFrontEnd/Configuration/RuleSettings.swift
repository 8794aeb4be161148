import TresorModel
import TresorSupport

/// The last stage of every run: inline suppressions, then tresor.yaml severities, applied to all
/// diagnostics at once, so every command (validate, plan, apply) reports the same.
struct RuleSettings: Sendable {
    var configurations: [FileID: RuleConfiguration] = [:]
    var suppressions: [Suppression] = []
    var catalog: [RuleDescription] = RuleCatalog.descriptions

    func apply(to diagnostics: [Diagnostic]) -> [Diagnostic] {
        var output: [Diagnostic] = []
        var active: [SuppressionKey: [Int]] = [:]
        for (index, suppression) in suppressions.enumerated() {
            if let problem = problem(with: suppression) {
                output.append(problem)
            } else {
                active[SuppressionKey(file: suppression.comment.file, code: suppression.code.uppercased()), default: []].append(index)
            }
        }
        var used = Set<Int>()
        for var diagnostic in diagnostics {
            if let range = diagnostic.range {
                let candidates = active[SuppressionKey(file: range.file, code: diagnostic.code)] ?? []
                if let match = candidates.first(where: { suppressions[$0].lines?.contains(range.line) == true }) {
                    used.insert(match)
                    continue
                }
                if let setting = configurations[range.file]?.severities[diagnostic.code] {
                    guard let severity = setting else { continue }
                    diagnostic.severity = severity
                }
            }
            output.append(diagnostic)
        }
        // Until every document was read and bound, rules may not have run where a comment points.
        let readCompletely = !diagnostics.contains { $0.severity == .error && Self.stopsModelling($0.code) }
        guard readCompletely else { return output }
        for index in active.values.joined() where !used.contains(index) {
            let suppression = suppressions[index]
            let code = suppression.code.uppercased()
            output.append(
                UnusedSuppressionRule.diagnostic(
                    suppression.lines == nil
                        ? "`# \(Suppression.marker) \(code)` suppresses nothing: no node follows it"
                        : "`# \(Suppression.marker) \(code)` suppresses nothing: no \(code) diagnostic at the node below it",
                    at: suppression.comment,
                    help: "remove the comment, or put it on the line before the node that \(code) points at"))
        }
        return output
    }

    private struct SuppressionKey: Hashable {
        var file: FileID
        var code: String
    }

    /// TR000–TR010: a file, document or reference could not be read, so the estate is incomplete.
    private static func stopsModelling(_ code: String) -> Bool {
        guard code.hasPrefix("TR"), let number = Int(code.dropFirst(2)) else { return false }
        return number <= 10
    }

    /// TR012 for a comment that cannot suppress anything as written.
    private func problem(with suppression: Suppression) -> Diagnostic? {
        let code = suppression.code.uppercased()
        let usage = "write `# \(Suppression.marker) TR307 <why the rule does not apply here>`"
        func warning(_ message: String, help: String) -> Diagnostic {
            UnusedSuppressionRule.diagnostic(message, at: suppression.comment, help: help)
        }
        if code.isEmpty {
            return warning("`# \(Suppression.marker)` names no rule code, so it suppresses nothing", help: usage)
        }
        guard catalog.contains(where: { $0.code == code }) else {
            let configurable = catalog.map(\.code).filter(RuleConfiguration.isConfigurable)
            return warning(
                "`# \(Suppression.marker) \(suppression.code)` suppresses nothing: \"\(suppression.code)\" is not a rule code",
                help: Suggestion.nearest(to: code, in: configurable).map { "did you mean \($0)?" } ?? usage)
        }
        guard RuleConfiguration.isConfigurable(code) else {
            return warning(
                "`# \(Suppression.marker) \(code)` suppresses nothing: only rules TR1xx–TR5xx can be suppressed",
                help: "TR0xx mean a manifest could not be read and TR6xx protect state and recovery points; fix the cause instead")
        }
        if suppression.reason.isEmpty {
            return warning(
                "`# \(Suppression.marker) \(code)` gives no reason, so it suppresses nothing",
                help: "say why after the code: `# \(Suppression.marker) \(code) <reason>`")
        }
        return nil
    }
}
