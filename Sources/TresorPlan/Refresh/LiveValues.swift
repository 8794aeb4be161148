import TresorFrontEnd
import TresorModel
import TresorState
import TresorSupport

/// Values that mean the same are not drift (SPEC §7). Azure answers with its own spelling:
/// `/Subscriptions/` and `iaasvmcontainer;` in IDs, enum values in another case, a port as
/// "443" where state has ["443"], "10.0.0.4" for "10.0.0.4/32", address lists reordered, tags
/// in another member order. `matching` puts Azure's attributes in state's spelling wherever
/// the two are equivalent, so that comparing them afterwards finds only real differences.
enum LiveValues {
    /// `live` with `recorded`'s spelling and member order wherever the values are equivalent.
    static func matching(_ live: JSON, recorded: JSON) -> JSON {
        matching(live, recorded, key: "", inTags: false)
    }

    private static func matching(_ live: JSON, _ recorded: JSON, key: String, inTags: Bool) -> JSON {
        switch (live, recorded) {
        case (.object(let liveMembers), .object(let recordedMembers)):
            var remaining = liveMembers
            var result: [(String, JSON)] = []
            result.reserveCapacity(liveMembers.count)
            for (name, recordedValue) in recordedMembers {
                guard let index = remaining.firstIndex(where: { $0.0 == name }) else { continue }
                result.append((name, matching(remaining[index].1, recordedValue, key: name, inTags: inTags || name == "tags")))
                remaining.remove(at: index)
            }
            return .object(result + remaining)
        case (.string(let value), .string(let stored)):
            return equivalentText(value, stored, key: key, inTags: inTags) ? recorded : live
        case (.string(let value), .array(let stored)) where listKeys.contains(key):
            return equivalentList([.string(value)], stored, key: key) ? recorded : .array([live])
        case (.array(let values), .array(let stored)):
            if listKeys.contains(key) { return equivalentList(values, stored, key: key) ? recorded : live }
            guard values.count == stored.count else { return live }
            return .array(zip(values, stored).map { matching($0, $1, key: key, inTags: inTags) })
        default:
            return live
        }
    }

    /// Security rule lists whose order and spelling Azure may change.
    private static let listKeys: Set<String> = ["source", "destination", "sourcePorts", "destinationPorts"]

    /// Tag values and descriptions are the user's text: their case is meaningful. Everything
    /// else that is text (IDs, names, enum values, regions, time zones, protocols) Azure
    /// compares without case.
    private static func equivalentText(_ value: String, _ stored: String, key: String, inTags: Bool) -> Bool {
        if value == stored { return true }
        // Azure clears the policy of an item whose protection stopped (`policyId: ""`); only
        // protected items need one, and state keeps the last.
        if key == ProtectedItemAttribute.policy, value.isEmpty { return true }
        if inTags || key == "description" { return false }
        return ResourceID.key(value) == ResourceID.key(stored)
    }

    private static func equivalentList(_ values: [JSON], _ stored: [JSON], key: String) -> Bool {
        let ports = key.hasSuffix("Ports")
        guard let live = canonical(values, ports: ports), let recorded = canonical(stored, ports: ports) else { return false }
        return live == recorded
    }

    /// A list's meaning: for ports, the set of ports; for addresses, the set of address
    /// blocks and (case-folded) service tags. nil when an entry is not text.
    private static func canonical(_ entries: [JSON], ports: Bool) -> Set<String>? {
        var result: Set<String> = []
        var portRanges: [ClosedRange<Int>] = []
        for entry in entries {
            guard let text = entry.stringValue else { return nil }
            if ports, case .success(let range) = PortRange.parse(text) {
                portRanges.append(range)
            } else if !ports, let block = IPv4Block.parse(text) {
                result.insert("\(block.first)-\(block.last)")
            } else {
                result.insert(ResourceID.key(text))
            }
        }
        for range in PortSet(portRanges).ranges { result.insert("\(range.lowerBound)-\(range.upperBound)") }
        return result
    }
}
