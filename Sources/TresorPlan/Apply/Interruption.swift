import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private let signalsReceived = Atomic<Int>(0)

/// SIGINT and SIGTERM during apply (SPEC §6): the first stops new changes from starting, lets
/// those in flight finish and the state be written; the second exits at once, and the journal
/// holds every change that was confirmed.
public enum Interruption {
    static var requested: Bool { signalsReceived.load(ordering: .relaxed) > 0 }

    /// Installs the handlers; the CLI calls it for apply.
    public static func install() {
        _ = signalsReceived.load(ordering: .relaxed)  // initialised here, never first in a handler
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                if signalsReceived.add(1, ordering: .relaxed).newValue >= 2 { _exit(130) }
                let message: StaticString = "\ntresor: interrupted; finishing the changes in flight and writing state (again to exit now)\n"
                _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
            }
        }
    }
}
