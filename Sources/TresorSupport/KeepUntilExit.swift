import Synchronization

/// What the process deliberately never frees. A command's estate, state and plan are freed one
/// object at a time, which for 100,000 resources is wasted work in a process about to end (half a
/// second of a 100,000-VM plan), so commands hand them here. Only a process that exits after its
/// command keeps them (the CLI calls `keepingUntilExit()` first); elsewhere, in tests, values are
/// freed as usual.
private let kept = Mutex<[any Sendable]?>(nil)

/// Keeps `value` until the process exits, once `keepingUntilExit()` was called.
package func keepUntilExit(_ value: some Sendable) {
    kept.withLock { $0?.append(value) }
}

/// Makes `keepUntilExit` keep what it is given from now on.
public func keepingUntilExit() {
    kept.withLock { $0 = $0 ?? [] }
}
