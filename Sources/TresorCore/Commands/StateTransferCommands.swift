import TresorModel
import TresorState
import TresorSupport

/// `tresor state pull`: prints the stored state as a state file (SPEC §8): byte for byte what
/// the local backend would hold, so `tresor state pull > tresor.state.json` moves it to a file.
/// Read-only: takes no lock. A journal of an interrupted apply is replayed into what is printed.
public struct StatePullCommand: Sendable {
    public var store: any StateBackend

    public init(store: any StateBackend) {
        self.store = store
    }

    public func run() -> CommandOutput {
        let loaded: LoadedState
        do {
            loaded = try store.load()
        } catch {
            return CommandOutput(
                stdout: TextRenderer(colored: false).render(DiagnosticReport(sources: SourceFiles(), diagnostics: [error.diagnostic])),
                exitCode: ExitCode.failure)
        }
        guard loaded.state.lineage != nil else {
            return CommandOutput(stderr: "error: \(store.description) holds no state yet: nothing to pull\n", exitCode: ExitCode.failure)
        }
        return CommandOutput(stdout: String(decoding: StateFile.encode(loaded.state), as: UTF8.self), stderr: replayNote(loaded))
    }
}

/// `tresor state push FILE [--force]`: replaces the stored state with a state file, under the
/// lock (SPEC §8). Refused without `--force` when the file is of another lineage (another
/// estate's state) or its serial is not newer than the stored one (it would undo writes). A
/// forced push of an older serial is stored one serial past the current one, so that saved
/// plans made against the replaced state are stale (TR602) rather than applied to the wrong one.
public struct StatePushCommand: Sendable {
    public var file: String
    public var store: any StateBackend
    public var force = false
    /// Seconds to wait for a lock another run holds (`--lock-timeout`).
    public var lockTimeout = 0.0

    public init(file: String, store: any StateBackend) {
        self.file = file
        self.store = store
    }

    public func run() -> CommandOutput {
        do {
            return CommandOutput(stdout: try push())
        } catch {
            let report = DiagnosticReport(sources: SourceFiles(), diagnostics: [error.diagnostic])
            return CommandOutput(
                stdout: TextRenderer(colored: false).render(report) + "\nPush failed: nothing was written.\n",
                exitCode: ExitCode.failure)
        }
    }

    private func push() throws(FatalDiagnostic) -> String {
        var pushed: State
        switch Files.read(file, limit: .max) {
        case .failure:
            throw FatalDiagnostic(InputFileRule.diagnostic("cannot read \"\(file)\"", at: nil))
        case .success(let bytes):
            do {
                pushed = try bytes.withUnsafeBufferPointer { buffer throws(StateFile.Failure) in try StateFile.decode(buffer) }
            } catch {
                throw FatalDiagnostic(UnusableStateRule.diagnostic("cannot push \"\(file)\": \(error.message)", at: nil))
            }
        }
        guard let lineage = pushed.lineage else {
            throw FatalDiagnostic(
                InputFileRule.diagnostic(
                    "\"\(file)\" is a state that was never written (it has no lineage): nothing to push", at: nil))
        }
        let lock = try store.lock(operation: "push", timeout: lockTimeout)
        defer { lock.release() }
        let loaded = try store.load()
        let current = loaded.state
        if !force, let storedLineage = current.lineage {
            guard storedLineage == lineage else {
                throw FatalDiagnostic(
                    StalePlanRule.diagnostic(
                        "\"\(file)\" is another state than \(store.description): its lineage is \(lineage), the stored one's \(storedLineage)",
                        at: nil, help: "check that you push the right estate's state; --force replaces it all the same"))
            }
            guard pushed.serial > current.serial else {
                throw FatalDiagnostic(
                    StalePlanRule.diagnostic(
                        "\"\(file)\" is at serial \(pushed.serial), not newer than \(store.description) at serial \(current.serial)",
                        at: nil, help: "pushing it would undo later writes: pull the stored state instead; --force replaces it all the same"
                    ))
            }
        }
        pushed.serial = max(pushed.serial, loaded.storedSerial + 1)
        try store.write(pushed, replacing: loaded.storedSerial)
        return
            "Pushed \"\(file)\" to \(store.description): lineage \(lineage), serial \(pushed.serial), \(plural(pushed.count, "resource")).\n"
    }
}
