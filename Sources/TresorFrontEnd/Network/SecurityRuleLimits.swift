/// What Azure accepts in an NSG security rule's name, description and priority (SPEC §1
/// NetworkRule; Azure NSG security rule API). TR403 and TR406 report against these limits, and
/// the evaluator does not rely on a rule that breaks them.
enum SecurityRuleLimits {
    static let priorities = 100...4096
    static let maxNameLength = 80
    static let maxDescriptionLength = 140
    static let forbiddenNameCharacters: [Character] = ["/", "\\", "?", "%", ";"]

    /// What is wrong with a rule name, or nil when Azure accepts it.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "security rule name is empty" }
        if name.count > maxNameLength {
            return "security rule name is \(name.count) characters long; the limit is \(maxNameLength)"
        }
        if let bad = name.first(where: forbiddenNameCharacters.contains) {
            return "security rule name \"\(name)\" contains \"\(bad)\", which Azure does not allow"
        }
        return nil
    }

    static func isValidDescription(_ description: String) -> Bool { description.count <= maxDescriptionLength }
}
