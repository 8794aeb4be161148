import TresorModel
import TresorSupport

/// Protected VMs per group (a vault for TR107, a policy for TR209), each VM counted once per group
/// however often it is listed (listing it twice is TR302's business). A listing that names no
/// declared VM (TR010) still counts, by its text: once its reference is fixed it is one more item.
/// Groups are numbered 0..<groupCount. Counting walks each VM's listings once; only for a group
/// over the limit does a second walk, in declaration order, find the listing that went over.
struct ProtectedVMCount {
    struct Overflow {
        var group: Int
        var count: Int
        /// The listing that made the count go over the limit.
        var listing: SourceRange
    }

    private struct UnresolvedListing: Hashable {
        var group: Int
        var reference: String
    }

    private(set) var overflows: [Overflow] = []

    /// `group` gives the group a Protection's VMs count in, or nil for none.
    init(_ estate: Estate, groupCount: Int, limit: Int, group: (Protection) -> Int?) {
        let groupOf = estate.protections.map(group)
        var counts = [Int](repeating: 0, count: groupCount)
        for listings in estate.protectionsOfVM {
            if listings.count == 1 {
                if let group = groupOf[listings[0].protection] { counts[group] += 1 }
            } else if listings.count > 1 {
                var groups = Set<Int>()
                for listing in listings {
                    if let group = groupOf[listing.protection], groups.insert(group).inserted { counts[group] += 1 }
                }
            }
        }
        var unresolved = Set<UnresolvedListing>()
        for (index, protection) in estate.protections.enumerated() {
            guard let group = groupOf[index] else { continue }
            for (entry, vm) in protection.vmIndices.enumerated() where vm == nil {
                if unresolved.insert(UnresolvedListing(group: group, reference: protection.vms[entry].value.lowercased())).inserted {
                    counts[group] += 1
                }
            }
        }
        guard counts.contains(where: { $0 > limit }) else { return }
        overflows = Self.overflows(estate, groupOf: groupOf, counts: counts, limit: limit)
    }

    /// For each group over the limit, the listing that went over, in declaration order.
    private static func overflows(_ estate: Estate, groupOf: [Int?], counts: [Int], limit: Int) -> [Overflow] {
        enum VM: Hashable {
            case declared(Int)
            case unresolved(String)
        }
        struct Member: Hashable {
            var group: Int
            var vm: VM
        }
        var seen = Set<Member>()
        var running = [Int](repeating: 0, count: counts.count)
        var overflows: [Overflow] = []
        for (index, protection) in estate.protections.enumerated() {
            guard let group = groupOf[index], counts[group] > limit, running[group] <= limit else { continue }
            for (entry, reference) in protection.vms.enumerated() {
                let vm = protection.vmIndices[entry].map(VM.declared) ?? .unresolved(reference.value.lowercased())
                guard seen.insert(Member(group: group, vm: vm)).inserted else { continue }
                running[group] += 1
                if running[group] == limit + 1 {
                    overflows.append(Overflow(group: group, count: counts[group], listing: reference.range))
                    break
                }
            }
        }
        return overflows
    }
}
