/// Protected VMs per group (a vault for TR107, a policy for TR209), each VM counted once per group
/// however often it is listed (listing it twice is TR302's business). A listing that names no
/// declared VM (TR010) still counts, by its text: once its reference is fixed it is one more item.
/// Walks the Protection listings once, in declaration order, and keeps the listing that first
/// went over the limit.
struct ProtectedVMCount<Group: Hashable> {
    struct Overflow {
        var group: Group
        var count: Int
        /// The listing that made the count go over the limit.
        var listing: SourceRange
    }

    private enum VM: Hashable {
        case declared(Int)
        case unresolved(String)
    }

    private struct Member: Hashable {
        var group: Group
        var vm: VM
    }

    private(set) var overflows: [Overflow] = []

    /// `group` says which group a Protection's VMs count in, or nil for none.
    init(_ estate: Estate, limit: Int, group: (Protection) -> Group?) {
        var counted = Set<Member>()
        var counts: [Group: Int] = [:]
        var overflowOf: [Group: Int] = [:]
        for protection in estate.protections {
            guard let group = group(protection) else { continue }
            for (entry, reference) in protection.vms.enumerated() {
                let vm = protection.vmIndices[entry].map(VM.declared) ?? .unresolved(reference.value.lowercased())
                guard counted.insert(Member(group: group, vm: vm)).inserted else { continue }
                let count = counts[group, default: 0] + 1
                counts[group] = count
                if count == limit + 1 {
                    overflowOf[group] = overflows.count
                    overflows.append(Overflow(group: group, count: count, listing: reference.range))
                }
            }
        }
        for (group, index) in overflowOf {
            overflows[index].count = counts[group, default: 0]
        }
    }
}
