import Foundation
import TresorModel

/// The api-versions tresor sends (SPEC §6): the newest stable of each spec file. Polling URLs
/// that Azure hands back are used as they are, whatever api-version they carry.
public enum ARMAPIVersion {
    /// Microsoft.RecoveryServices vaults (`RecoveryServices/stable/2026-08-01/openapi.json`).
    public static let vaults = "2026-08-01"
    /// Microsoft.RecoveryServices backup: policies, protected items (`bms.json`).
    public static let backup = "2025-08-01"
    /// Microsoft.Network security rules (`networkSecurityGroup.json`).
    public static let network = "2025-05-01"

    static func of(_ kind: ManagedKind) -> String {
        switch kind {
        case .vault: vaults
        case .backupPolicy, .protectedItem: backup
        case .networkRule: network
        }
    }
}

/// URLs and ID parts the requests need.
enum ARMPaths {
    /// Characters left as they are in a path: RFC 3986 path characters. `;` stays literal, as in
    /// the container and item names of Azure's own URLs.
    private static let pathAllowed: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.insert(";")
        return allowed
    }()

    /// `{base}{id}?api-version={version}` with the ID's characters escaped where a URL needs it.
    static func url(base: String, id: String, apiVersion: String) -> String {
        let path = id.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? id
        return "\(base)\(path)?api-version=\(apiVersion)"
    }

    /// A URL Azure returned, absolute as it is; a path (the vault examples' polling headers are
    /// paths) is put on `base`.
    static func absolute(_ url: String, base: String) -> String {
        url.hasPrefix("/") ? base + url : url
    }

    /// The vault ID a policy's or protected item's ID starts with (its first eight segments).
    static func vaultID(ofChild id: String) -> String? {
        let segments = id.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count > 9 else { return nil }
        return segments[0..<9].joined(separator: "/")
    }

    /// The subscription a resource ID or ARM URL names, lower-cased (Azure writes
    /// `/Subscriptions/`); nil when there is none.
    static func subscription(in text: String) -> String? {
        let lowered = ResourceID.key(text)
        guard let range = lowered.range(of: "/subscriptions/") else { return nil }
        let rest = lowered[range.upperBound...]
        let id = rest.prefix { $0 != "/" && $0 != "?" }
        return id.isEmpty ? nil : String(id)
    }

    /// The last segment of an ID (a resource's name).
    static func name(in id: String) -> String {
        // Bytes, not Characters: refresh names every protected item's policy this way.
        var end = id.utf8.endIndex
        while end > id.utf8.startIndex, id.utf8[id.utf8.index(before: end)] == UInt8(ascii: "/") { end = id.utf8.index(before: end) }
        let start = id.utf8[..<end].lastIndex(of: UInt8(ascii: "/")).map { id.utf8.index(after: $0) } ?? id.utf8.startIndex
        return String(id[start..<end])
    }
}
