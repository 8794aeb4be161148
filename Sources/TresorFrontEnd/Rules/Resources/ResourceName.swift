import TresorModel
import TresorSupport

/// The naming pattern shared by vault (TR101) and policy (TR201) names: an ASCII letter first,
/// then ASCII letters, digits and the allowed punctuation, within a length range.
struct ResourceName {
    /// The rule whose diagnostic a name that does not fit gets.
    let rule: any EstateRule.Type
    let kind: String
    let lengths: ClosedRange<Int>
    let punctuation: String
    /// How the allowed characters read in messages: "letters, digits and hyphens".
    let allowedWords: String

    /// The diagnostic for a name that does not fit, at the name.
    func diagnostic(for name: Located<String>) -> Diagnostic? {
        problem(name.value).map { problem in
            rule.diagnostic(
                problem, at: name.range,
                help: "rename the \(kind): \(lengths.lowerBound)–\(lengths.upperBound) characters, "
                    + "a letter first, then \(allowedWords)")
        }
    }

    private func problem(_ name: String) -> String? {
        let length = name.unicodeScalars.count
        if !lengths.contains(length) {
            return "\(kind) name \"\(name)\" has \(plural(length, "character")); it must have "
                + "\(lengths.lowerBound)–\(lengths.upperBound)"
        }
        if let first = name.unicodeScalars.first, !Self.isASCIILetter(first) {
            return "\(kind) name \"\(name)\" must start with a letter"
        }
        if let bad = name.unicodeScalars.first(where: {
            !Self.isASCIILetter($0) && !("0"..."9").contains($0)
                && !punctuation.unicodeScalars.contains($0)
        }) {
            return "\(kind) name \"\(name)\" contains \"\(bad)\"; only \(allowedWords) are allowed"
        }
        return nil
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}
