import Foundation

/// Keeps secrets out of what sign-in says: text from elsewhere (a token endpoint's error, the
/// Azure CLI's stderr) passes through here before it reaches a message.
struct Redaction: Sendable {
    /// Values known to be secret in this process: the client secret, the GitHub request token,
    /// the identity header, assertions read so far.
    var secrets: [String]

    static let marker = "[redacted]"

    /// `text` without any known secret and without anything shaped like a token: a JWT (`eyJ...`)
    /// or a run of 32 or more token characters that is not a GUID (Entra's trace and correlation
    /// IDs stay readable).
    func scrub(_ text: String) -> String {
        var text = text
        for secret in secrets where secret.count >= 4 {
            text = text.replacingOccurrences(of: secret, with: Self.marker)
        }
        var output = ""
        var run = ""
        func flush() {
            output += Self.looksLikeToken(run) ? Self.marker : run
            run = ""
        }
        for character in text {
            if Self.isTokenCharacter(character) {
                run.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    /// The string members `fields` of a JSON error body (the only parts quoted: OAuth's `error` and
    /// `error_description`, App Service's and GitHub's `message`), scrubbed; nil when it has none.
    func quoteError(_ body: [UInt8], fields: [String] = ["error", "error_description"]) -> String? {
        guard let answer = JSONAnswer(body) else { return nil }
        let parts = fields.map { answer.string($0) }
            .compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return nil }
        return scrub(parts.joined(separator: ": "))
    }

    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "-_.~+/=".contains(character)
    }

    private static func looksLikeToken(_ run: String) -> Bool {
        if run.hasPrefix("eyJ") && run.count > 10 { return true }
        guard run.count >= 32 else { return false }
        return !isGUID(run)
    }

    private static func isGUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }
}
