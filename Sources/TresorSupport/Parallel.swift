import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Work spread over every core, with results in a fixed order whatever finishes first.
package enum Parallel {
    /// How many chunks to split work into: one per core.
    package static let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    /// `body` for each index below `count`, as tasks taken by free cores (files, rules); the
    /// results in index order.
    @inlinable package static func each<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        var results = [T?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: count) { slots[$0] = body($0) }
        }
        return results.map { $0! }
    }

    /// Many small items (the state file, large plans, references to bind) split into one
    /// contiguous chunk per core, the results joined in order; with fewer than `grain` items a
    /// chunk it runs on the calling thread.
    @inlinable package static func map<T: Sendable>(count: Int, grain: Int = 1000, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
        let chunks = max(1, min(cores, count / grain))
        guard chunks > 1 else { return body(0..<count) }
        let parts = each(chunks) { chunk in body((count * chunk / chunks)..<(count * (chunk + 1) / chunks)) }
        var joined: [T] = []
        joined.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { joined += part }
        return joined
    }

    /// `first` on the calling thread while `second` runs on another; both results once both are
    /// done. The caller keeps `first` when it spreads work over the cores itself: a
    /// concurrentPerform nested in another thread's work would run serially.
    package static func join<A, B: Sendable>(_ first: () -> A, alongside second: @escaping @Sendable () -> B) -> (A, B) {
        // Written by the other thread before it signals, read after the wait: never at once.
        nonisolated(unsafe) var other: B?
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            other = second()
            done.signal()
        }
        let mine = first()
        done.wait()
        return (mine, other!)
    }

    /// `transform` of each index below `count`, written in place by one contiguous chunk per
    /// core (no joining of parts); with fewer than `grain` items a chunk it runs on the calling
    /// thread.
    @inlinable package static func map<T: Sendable>(_ count: Int, grain: Int = 1000, _ transform: @Sendable (Int) -> T) -> [T] {
        let chunks = max(1, min(cores, count / grain))
        guard chunks > 1 else { return (0..<count).map(transform) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for index in (count * chunk / chunks)..<(count * (chunk + 1) / chunks) {
                    (slots.baseAddress! + index).initialize(to: transform(index))
                }
            }
            initialized = count
        }
    }
}

extension Parallel {
    /// Runs `body` on a thread of its own and waits for it without holding a thread of the
    /// shared pool. Dispatch's pool on Linux starts no worker while as many as there are cores
    /// are busy computing: CPU-bound work run from a task (the compiler) would otherwise stall
    /// every other task and network answer (a refresh) until it ends.
    package static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let work = Unmanaged.passRetained(ThreadWork { continuation.resume(returning: body()) }).toOpaque()
            var thread = pthread_t()
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            // As deep a stack as the main thread's: the compiler recurses over nested YAML.
            pthread_attr_setstacksize(&attributes, 8 << 20)
            pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
            let started = pthread_create(
                &thread, &attributes,
                { pointer in
                    let work = Unmanaged<ThreadWork>.fromOpaque(pointer!).takeRetainedValue()
                    work.run()
                    return nil
                }, work)
            pthread_attr_destroy(&attributes)
            if started != 0 {
                Unmanaged<ThreadWork>.fromOpaque(work).takeRetainedValue().run()
            }
        }
    }
}

/// What a thread of `onOwnThread` runs, passed through pthread's untyped argument.
private final class ThreadWork: Sendable {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
