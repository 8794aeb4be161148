#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value behind a pthread mutex: tresor's one lock. Synchronization's `Mutex` hands a
/// contended lock over inside the kernel on Linux (a priority-inheriting futex, in an
/// uninstrumented library), where ThreadSanitizer cannot see it, so TSan reported races on every
/// value a contended `Mutex` guarded; it intercepts pthread mutexes, so its runs over the
/// parallel apply, refresh and journal writers report only real races.
public final class Locked<Value>: @unchecked Sendable {
    // Allocated apart: a pthread mutex must not move, and a class's stored property may be
    // passed to C through a temporary.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: consuming Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` on the value while holding the lock.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
