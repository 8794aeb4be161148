import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Work over many items on every core: the items are split into one contiguous chunk per core,
/// processed at once, and the results joined in order. For the state file, large plans and the
/// planner's per-resource work; below a few thousand items it runs on the calling thread.
enum Parallel {
    static func map<T: Sendable>(count: Int, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
        let chunks = max(1, min(sysconf(Int32(_SC_NPROCESSORS_ONLN)), count / 1000))
        guard chunks > 1 else { return body(0..<count) }
        var parts = [[T]](repeating: [], count: chunks)
        parts.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let results = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                results[chunk] = body((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
            }
        }
        var joined: [T] = []
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { joined += part }
        return joined
    }
}
