import TresorModel

/// Where state is kept (SPEC §3, §8): the local file (`StateStore`) or a shared store such as
/// PostgreSQL. Every command and apply go through this protocol, so they behave the same on
/// each: plan and apply lock first, load (replaying an interrupted apply's journal), and apply
/// journals each change and writes the state once at the end.
///
/// Failures are diagnostics: TR603 for a lock another run holds, TR604 for a stored state or
/// journal that cannot be used (which is then never overwritten).
public protocol StateBackend: Sendable {
    /// What the state is, for messages: `state "tresor.state.json"`,
    /// `postgres workspace "default" in schema "tresor"`.
    var description: String { get }

    /// Reads the state with any journal of an interrupted apply replayed over it (`Journal.replay`).
    /// Nothing stored is empty state.
    func load() throws(FatalDiagnostic) -> LoadedState

    /// Stores `state` only if the stored serial is still `serial` (compare and swap: nothing ever
    /// overwrites a state written since it was read; 0 when nothing is stored), and clears the
    /// journal, whose actions `state` now holds.
    func write(_ state: State, replacing serial: Int) throws(FatalDiagnostic)

    /// Takes the lock for `operation` (plan, apply, push), waiting up to `timeout` seconds for
    /// another run to release it; TR603 naming the holder when it does not.
    func lock(operation: String, timeout: Double) throws(FatalDiagnostic) -> any StateLockHandle

    /// Starts the journal of an apply against the stored version `lineage`/`serial`, replacing
    /// any old one.
    func startJournal(lineage: String, serial: Int) throws(FatalDiagnostic) -> any JournalSink

    /// Removes a journal left from an older state version (`LoadedState.hasJournal` without
    /// replayed actions).
    func removeJournal() throws(FatalDiagnostic)

    /// `tresor unlock ID`: removes the record of lock `id` when no live run holds the lock.
    func unlock(id: String) -> UnlockOutcome
}

/// A held state lock; released by `release()` or when its process or connection ends.
public protocol StateLockHandle: AnyObject {
    var record: LockRecord { get }
    func release()
}

/// Receives an apply's journal: each change done, in order. `append` may buffer; `flush` returns
/// once what was appended would survive the process being killed; `finish` does that and ends
/// the journal.
public protocol JournalSink: Sendable {
    mutating func append(_ entry: Journal.Entry) throws(JournalFailure)
    mutating func flush() throws(JournalFailure)
    mutating func finish() throws(JournalFailure)
}

public struct JournalFailure: Error, Sendable {
    public var message: String

    public init(message: String) {
        self.message = message
    }
}

/// State as loaded: the stored state with any journal of an interrupted apply replayed over it.
public struct LoadedState: Sendable {
    public var state: State
    /// Actions replayed from the journal. When there are any, `state.serial` is already one
    /// more than the stored one: the write the interrupted apply did not get to make.
    public var replayedActions: Int
    /// Whether a journal exists (replayed, empty, or left from an older state version).
    public var hasJournal: Bool

    public init(state: State, replayedActions: Int, hasJournal: Bool) {
        self.state = state
        self.replayedActions = replayedActions
        self.hasJournal = hasJournal
    }

    /// The serial stored now: what a write of this state must replace.
    public var storedSerial: Int { replayedActions > 0 ? state.serial - 1 : state.serial }
}

/// `tresor unlock`'s outcomes.
public enum UnlockOutcome: Equatable, Sendable {
    case removed(LockRecord)
    case noLock
    case heldByLiveProcess(LockRecord?)
    case otherLock(LockRecord)
    case failed(String)
}

extension StateBackend {
    /// TR603: the lock is held by `holder` (nil while the holder is still recording itself).
    package func lockedDiagnostic(_ holder: LockRecord?) -> FatalDiagnostic {
        let by = holder.map { " by \($0.summary)" } ?? " (its holder is still writing its details)"
        return FatalDiagnostic(
            StateLockRule.diagnostic(
                "\(description) is locked\(by)", at: nil,
                help: "wait for that run to finish: the lock is released when its process ends, or retry with --lock-timeout. "
                    + "`tresor unlock \(holder?.id ?? "LOCK-ID")` removes a lock record whose holder is gone"))
    }

    /// The diagnostic of a write that lost its compare and swap.
    package func staleWriteDiagnostic(expected: Int, stored: Int?) -> FatalDiagnostic {
        let now = stored.map { "serial \($0)" } ?? "another version"
        return FatalDiagnostic(
            StalePlanRule.diagnostic(
                "\(description) was written by another run: it is at \(now), not serial \(expected) as read; nothing was written",
                at: nil, help: "another run changed the state since this one read it: plan again against what it wrote"))
    }
}
