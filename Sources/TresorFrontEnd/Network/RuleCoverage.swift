/// Whether one rule's traffic includes all of another's (TR404: an Allow that a Deny before it
/// covers can never apply). Only containments tresor can prove count: a CIDR and a service tag
/// are never taken to cover each other.
extension MatchCriteria {
    func covers(_ other: MatchCriteria) -> Bool {
        networkProtocol.covers(other.networkProtocol)
            && sourcePorts.covers(other.sourcePorts) && destinationPorts.covers(other.destinationPorts)
            && Self.covers(sources, other.sources) && Self.covers(destinations, other.destinations)
    }

    private static func covers(_ outer: [AddressPrefix], _ inner: [AddressPrefix]) -> Bool {
        if outer.contains(.any) { return true }
        let blocks = mergedBlocks(outer)
        return inner.allSatisfy { prefix in
            switch prefix {
            case .any:
                return false
            case .ipv4(let block):
                return blocks.contains { $0.first <= block.first && block.last <= $0.last }
            case .ipv6:
                return outer.contains(prefix)
            case .serviceTag(let tag):
                return outer.contains { if case .serviceTag(let outerTag) = $0 { outerTag.contains(tag) } else { false } }
            }
        }
    }

    /// The IPv4 blocks of `prefixes`, with overlapping and adjacent blocks joined.
    private static func mergedBlocks(_ prefixes: [AddressPrefix]) -> [IPv4Block] {
        let blocks = prefixes.compactMap { if case .ipv4(let block) = $0 { block } else { nil } }.sorted { $0.first < $1.first }
        var merged: [IPv4Block] = []
        for block in blocks {
            if let last = merged.last, last.last == .max || block.first <= last.last + 1 {
                merged[merged.count - 1].last = max(last.last, block.last)
            } else {
                merged.append(block)
            }
        }
        return merged
    }
}
