import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Renders many items to bytes on every core: the items are split into one contiguous chunk per
/// core, rendered at once, and joined in order. For the state file and large plans.
enum ParallelBytes {
    static func render(count: Int, _ render: @Sendable (Range<Int>) -> [UInt8]) -> [UInt8] {
        let chunks = max(1, min(sysconf(Int32(_SC_NPROCESSORS_ONLN)), count / 1000))
        guard chunks > 1 else { return render(0..<count) }
        var parts = [[UInt8]](repeating: [], count: chunks)
        parts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let results = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                results[chunk] = render((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
            }
        }
        var joined: [UInt8] = []
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { joined += part }
        return joined
    }
}
