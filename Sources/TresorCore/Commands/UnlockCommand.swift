import TresorState

/// `tresor unlock LOCK-ID`: removes the record of a lock whose holder is gone. The kernel
/// already released such a lock when its process died, so this tidies the record rather than
/// freeing anything; a lock that a live process holds is never removed.
public struct UnlockCommand: Sendable {
    public var lockID: String
    public var store: any StateBackend

    public init(lockID: String, store: any StateBackend) {
        self.lockID = lockID
        self.store = store
    }

    public func run() -> CommandOutput {
        switch store.unlock(id: lockID) {
        case .removed(let record):
            return CommandOutput(stdout: "Removed \(record.summary) from \(store.description).\n")
        case .noLock:
            return CommandOutput(stderr: "error: no lock is recorded for \(store.description)\n", exitCode: ExitCode.failure)
        case .heldByLiveProcess(let record):
            let holder = record.map(\.summary) ?? "a lock"
            return CommandOutput(
                stderr: "error: \(holder) is held by a running process; it is released when that run ends. Not removed.\n",
                exitCode: ExitCode.failure)
        case .otherLock(let record):
            return CommandOutput(
                stderr: "error: the recorded lock is \(record.summary), not \(lockID). Not removed.\n",
                exitCode: ExitCode.failure)
        case .failed(let message):
            return CommandOutput(stderr: "error: \(message)\n", exitCode: ExitCode.failure)
        }
    }
}
