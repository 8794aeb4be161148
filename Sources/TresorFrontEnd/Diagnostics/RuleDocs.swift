import TresorModel
import TresorSupport

/// `tresor rules` and `tresor explain`: the catalog rendered from the rules' own descriptions.
public enum RuleDocs {
    public static func catalog() -> String {
        var output = ""
        for rule in RuleCatalog.descriptions {
            let severity = rule.severity.rawValue.padding(toLength: 8)
            output += "\(rule.code)  \(severity)  \(rule.title)\n"
        }
        return output
    }

    public static func explain(_ rule: RuleDescription) -> String {
        var output = "\(rule.code) (\(rule.severity.rawValue)): \(rule.title)\n\n"
        output += "\(rule.rationale)\n\nSource: \(rule.source)\n"
        for (heading, examples) in [("Triggers", rule.triggering.map(\.text)), ("Does not trigger", rule.nonTriggering)]
        where !examples.isEmpty {
            for (index, example) in examples.enumerated() {
                let number = examples.count > 1 ? " (\(index + 1) of \(examples.count))" : ""
                output += "\n\(heading)\(number):\n" + indented(example)
            }
        }
        for (heading, examples) in [("Triggers", rule.triggeringAfterApply), ("Does not trigger", rule.nonTriggeringAfterApply)]
        where !examples.isEmpty {
            for (index, example) in examples.enumerated() {
                let number = examples.count > 1 ? " (\(index + 1) of \(examples.count))" : ""
                let flag = example.allowDestroy ? " with --allow-destroy" : ""
                output += "\n\(heading)\(number), after applying:\n" + indented(example.applied)
                output += "  then planning\(flag):\n" + indented(example.manifests.text)
            }
        }
        return output
    }

    private static func indented(_ example: String) -> String {
        var output = ""
        for line in example.split(separator: "\n", omittingEmptySubsequences: false) {
            output += line.isEmpty ? "\n" : "    \(line)\n"
        }
        return output
    }

    /// The nearest known code for a mistyped one.
    public static func suggestion(for code: String) -> String? {
        Suggestion.nearest(to: code, in: RuleCatalog.descriptions.map(\.code))
    }
}
