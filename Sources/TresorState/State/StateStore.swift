import TresorModel
import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local state backend: the state file and the files beside it.
///
///     tresor.state.json          the state (StateFile)
///     tresor.state.json.backup   the previous version, kept by every write
///     tresor.state.json.journal  actions done since the last write, while an apply runs
///     tresor.state.json.lock     the lock and its holder, while a plan or apply runs
///
/// A state that cannot be read, has an unknown format version or fails its checksum is refused
/// with TR604, and none of these files is written: the state, its backup and its journal stay
/// byte for byte as they were (the lock file, taken before reading, is removed again).
public struct StateStore: StateBackend {
    public static let defaultPath = "tresor.state.json"
    public static let environmentVariable = "TRESOR_STATE"

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The state file: `--state`, else `TRESOR_STATE`, else `tresor.state.json` in the working directory.
    public static func resolve(option: String?, environment: [String: String]) -> StateStore {
        if let option, !option.isEmpty { return StateStore(path: option) }
        if let variable = environment[environmentVariable], !variable.isEmpty { return StateStore(path: variable) }
        return StateStore(path: defaultPath)
    }

    public var backupPath: String { path + ".backup" }
    public var journalPath: String { path + ".journal" }
    public var lockPath: String { path + ".lock" }

    public var description: String { "state \"\(path)\"" }

    /// Reads the state; a missing file is empty state. Failures are TR604 diagnostics.
    public func load() throws(FatalDiagnostic) -> LoadedState {
        var state = State()
        if Files.exists(path) {
            // Decoded from the mapping: a 100,000-VM state is 57 MB, not worth copying first.
            let file = try open(path)
            let decoded = file.withBytes { bytes in Result { () throws(StateFile.Failure) in try StateFile.decode(bytes) } }
            switch decoded {
            case .success(let value): state = value
            case .failure(let error): throw FatalDiagnostic(unusable(path, reason: error.message))
            }
        }
        guard Files.exists(journalPath) else { return LoadedState(state: state, replayedActions: 0, hasJournal: false) }
        let journal: Journal.Contents?
        let bytes = try read(journalPath)
        do {
            journal = try Journal.decode(bytes)
        } catch {
            throw FatalDiagnostic(unusable(journalPath, reason: error.message))
        }
        do {
            let replayed = try Journal.replayForLoading(journal, onto: &state)
            return LoadedState(state: state, replayedActions: replayed, hasJournal: true)
        } catch {
            throw FatalDiagnostic(unusable(journalPath, reason: error.message))
        }
    }

    /// Writes `state` atomically if the file still holds serial `serial`, keeping the previous
    /// version as the backup, then removes the journal, whose actions the written state now holds.
    public func write(_ state: State, replacing serial: Int) throws(FatalDiagnostic) {
        let stored = Files.exists(path) ? try open(path).withBytes { StateFile.serial(ofPrefix: $0.prefix(4096)) } : 0
        guard stored == serial else { throw staleWriteDiagnostic(expected: serial, stored: stored) }
        do {
            try Files.replaceAtomically(path, with: StateFile.encode(state), keepingPreviousAt: backupPath)
        } catch {
            throw FatalDiagnostic(
                InputFileRule.diagnostic(
                    "cannot write the state: \(error.message)", at: nil,
                    help: "the previous state and the journal of this apply are kept; fix the cause and run apply again"))
        }
        removeJournal()
    }

    public func removeJournal() {
        if unlink(journalPath) == 0 { Files.syncDirectory(of: journalPath) }
    }

    public func startJournal(lineage: String, serial: Int) throws(FatalDiagnostic) -> any JournalSink {
        do {
            return try JournalWriter(path: journalPath, lineage: lineage, serial: serial)
        } catch {
            throw FatalDiagnostic(InputFileRule.diagnostic("cannot start the apply journal: \(error.message)", at: nil))
        }
    }

    /// Takes the lock for `operation`, retrying for up to `timeout` seconds; TR603 when another
    /// run holds it.
    public func lock(operation: String, timeout: Double = 0) throws(FatalDiagnostic) -> any StateLockHandle {
        let deadline = LockWait(timeout: timeout)
        while true {
            switch StateLock.acquire(lockPath, operation: operation) {
            case .acquired(let lock):
                return lock
            case .held(let record):
                guard deadline.waitAgain() else { throw lockedDiagnostic(record) }
            case .failed(let message):
                throw FatalDiagnostic(
                    UnusableStateRule.diagnostic(
                        "cannot lock the state: \(message); nothing was written", at: nil,
                        help: "check that the state's directory exists and is writable, or choose another with --state"))
            }
        }
    }

    public func unlock(id: String) -> UnlockOutcome {
        StateLock.unlock(lockPath, id: id)
    }

    private func unusable(_ file: String, reason: String) -> Diagnostic {
        UnusableStateRule.diagnostic(
            "cannot use \"\(file)\": \(reason); nothing was written", at: nil,
            help: file != path
                ? "move \"\(file)\" aside after checking which of its actions were done"
                : Files.exists(backupPath)
                    ? "restore the previous version from \"\(backupPath)\", or point --state at the right file"
                    : "point --state at the right file, or restore it from version control or your backups")
    }

    /// The whole of `file`; TR604 when it cannot be read.
    private func read(_ file: String) throws(FatalDiagnostic) -> [UInt8] {
        try open(file).withBytes { Array($0) }
    }

    /// The file, memory-mapped.
    private func open(_ file: String) throws(FatalDiagnostic) -> SourceFile {
        switch Files.map(file, limit: .max) {
        case .success(let source):
            return source
        case .failure(.system(let reason)):
            throw FatalDiagnostic(unusable(file, reason: "it cannot be read (\(reason))"))
        case .failure(.notAFile):
            throw FatalDiagnostic(unusable(file, reason: "it is not a regular file"))
        case .failure(.tooLarge(let size)):
            throw FatalDiagnostic(unusable(file, reason: "it is too large (\(size) bytes)"))
        }
    }
}
