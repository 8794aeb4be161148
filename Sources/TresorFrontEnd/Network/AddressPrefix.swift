/// A block of IPv4 addresses: a CIDR such as "10.0.0.0/8", or one address as a /32.
package struct IPv4Block: Hashable, Sendable {
    package var first: UInt32
    package var last: UInt32

    /// "0.0.0.0/0": every IPv4 address.
    var isEverything: Bool { first == 0 && last == .max }

    func contains(_ address: UInt32) -> Bool { first <= address && address <= last }

    /// Parses "a.b.c.d" or "a.b.c.d/n". Host bits under the mask are ignored, as Azure does.
    package static func parse(_ text: String) -> IPv4Block? {
        // Bytes, not Characters: every address of every NSG rule comes through here.
        let utf8 = text.utf8
        let slash = utf8.firstIndex(of: UInt8(ascii: "/"))
        guard let address = parseAddress(text[..<(slash ?? text.endIndex)]) else { return nil }
        var length = 32
        if let slash {
            let digits = utf8[utf8.index(after: slash)...]
            guard (1...2).contains(digits.count), let (bits, _) = digits.decimalValue, bits <= 32 else { return nil }
            length = bits
        }
        let hostMask: UInt32 = length == 0 ? .max : (length == 32 ? 0 : (UInt32(1) << UInt32(32 - length)) - 1)
        return IPv4Block(first: address & ~hostMask, last: address | hostMask)
    }

    /// Parses dotted-quad "a.b.c.d" (each part 0–255).
    static func parseAddress(_ text: Substring) -> UInt32? {
        let utf8 = text.utf8
        var address: UInt32 = 0
        var octets = 0
        var start = utf8.startIndex
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: ".")) ?? utf8.endIndex
            let digits = utf8[start..<end]
            guard octets < 4, (1...3).contains(digits.count), let (value, _) = digits.decimalValue, value <= 255 else { return nil }
            address = address << 8 | UInt32(value)
            octets += 1
            guard end < utf8.endIndex else { break }
            start = utf8.index(after: end)
        }
        return octets == 4 ? address : nil
    }

    /// RFC 1918 private space: addresses that are never part of the Internet service tag.
    static func isPrivate(_ address: UInt32) -> Bool {
        address >> 24 == 10 || address >> 20 == 0xAC1 || address >> 16 == 0xC0A8
    }
}

/// A service tag as NSG rules name it: "Internet", "Storage", "Storage.westeurope".
struct ServiceTag: Hashable, Sendable, CustomStringConvertible {
    /// Canonical spelling, e.g. "Storage".
    var base: String
    /// Lowercase programmatic region name, or nil for the global tag.
    var region: String?

    var description: String { region.map { "\(base).\($0)" } ?? base }

    /// Tags whose addresses are public Azure addresses, and so inside the Internet tag.
    private static let publicAzureBases: Set<String> = ["AzureCloud", "Storage"]

    /// Whether every address of `inner` is also an address of this tag. Only the containments
    /// tresor can vouch for are listed: a tag contains its regional forms; Internet contains the
    /// public Azure ranges (AzureCloud and Storage, regional or not); AzureCloud contains Storage
    /// (AzureCloud.<region> contains Storage.<region>). Anything else counts as not contained.
    func contains(_ inner: ServiceTag) -> Bool {
        if base == inner.base { return region == nil || region == inner.region }
        switch base {
        case "Internet": return Self.publicAzureBases.contains(inner.base)
        case "AzureCloud": return inner.base == "Storage" && (region == nil || region == inner.region)
        default: return false
        }
    }
}

/// One source or destination entry of a security rule.
enum AddressPrefix: Hashable, Sendable {
    /// "*": every address.
    case any
    case ipv4(IPv4Block)
    /// An IPv6 address or prefix, kept as lowercase text: accepted, never interpreted.
    case ipv6(String)
    case serviceTag(ServiceTag)

    enum Problem: Error, Equatable, Sendable {
        /// Reads as a service tag (starts with a letter) that Azure does not publish: TR402.
        case unknownServiceTag
        /// Neither "*", an IP address, a CIDR nor a service tag: TR406.
        case malformed
    }

    static func parse(_ text: String) -> Result<AddressPrefix, Problem> {
        if text == "*" { return .success(.any) }
        if let block = IPv4Block.parse(text) { return .success(.ipv4(block)) }
        if text.utf8.contains(UInt8(ascii: ":")) {
            return isIPv6(text) ? .success(.ipv6(text.lowercased())) : .failure(.malformed)
        }
        guard ServiceTags.looksLikeTag(text) else { return .failure(.malformed) }
        guard let tag = ServiceTags.parse(text) else { return .failure(.unknownServiceTag) }
        return .success(.serviceTag(ServiceTag(base: tag.base, region: tag.region)))
    }

    /// Loose IPv6 syntax check: hex groups separated by colons (with at most one "::"), an
    /// optional embedded IPv4 tail and an optional "/0"–"/128".
    private static func isIPv6(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 {
            let digits = parts[1].utf8
            guard (1...3).contains(digits.count), let (bits, _) = digits.decimalValue, bits <= 128 else { return false }
        }
        let address = parts[0]
        let compressed = address.ranges(of: "::").count
        guard compressed <= 1 else { return false }
        let groups = address.split(separator: ":", omittingEmptySubsequences: true)
        guard !groups.isEmpty || compressed == 1 else { return false }
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, group.contains(".") {
                guard IPv4Block.parseAddress(group) != nil else { return false }
            } else if !(1...4).contains(group.count) || !group.allSatisfy(\.isHexDigit) {
                return false
            }
        }
        return compressed == 1 ? groups.count <= 7 : groups.count == 8 || (groups.count == 7 && groups.last?.contains(".") == true)
    }
}
