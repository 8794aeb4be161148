import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies a plan: each change is performed by the provider, then appended to the journal and
/// recorded in the in-memory state. At the end the whole state is written once (atomically,
/// serial + 1) and the journal removed. When a change fails, what was done before it is written
/// the same way and the failure reported. When the process dies instead, the journal holds what
/// was done; the next load replays it, so the state read matches what was done and planning
/// again yields exactly what is left.
struct Applier {
    let store: StateStore
    var provider: any Provider = RecordingProvider()
    /// Called after each change with (done, total); for the progress line on a terminal.
    var progress: ((Int, Int) -> Void)?

    /// Test hook: `TRESOR_TEST_PAUSE_AFTER_ACTIONS=N` makes apply stop after N journaled changes,
    /// say so on stderr, and wait to be killed, so the crash tests kill it at a known point.
    static let pauseVariable = "TRESOR_TEST_PAUSE_AFTER_ACTIONS"

    /// Applies `plan` to `state`, and writes the state.
    func apply(_ plan: Plan, to state: inout State) throws(FatalDiagnostic) {
        let lineage = state.lineage ?? ProcessIdentity.uuid()
        var journal = try store.startJournal(lineage: lineage, serial: state.serial)
        let pauseAfter = getenv(Self.pauseVariable).flatMap { Int(String(cString: $0)) }
        var provider = self.provider
        var done = 0
        var failure: Diagnostic?
        for change in plan.changes {
            do {
                try provider.perform(change, in: state)
                let entry = change.journalEntry
                try journal.append(entry)
                entry.apply(to: &state)
            } catch let error as ProviderFailure {
                failure = Diagnostic("TR000", .error, "apply stopped at \(change.action.rawValue) \(change.kind.rawValue) \(change.name): \(error.message)",
                                     at: nil, help: "the \(plural(done, "change")) before it are recorded in state; plan again")
                break
            } catch let error as Files.Failure {
                failure = Diagnostic("TR000", .error, "apply stopped: \(error.message)", at: nil,
                                     help: "the \(plural(done, "change")) before it are recorded in the journal; fix the cause and run apply again")
                break
            } catch {
                preconditionFailure("perform and append throw only the errors caught above")
            }
            done += 1
            progress?(done, plan.changes.count)
            if done == pauseAfter {
                try? journal.flush()
                Self.pauseForTests(done)
            }
        }
        // The journal's tail is written out and synced while the state is written: until the
        // state's rename the journal is the record, and it is complete before the rename is
        // awaited; after it, the state holds everything and the journal is removed.
        nonisolated(unsafe) var journalFailure: Files.Failure?
        let journalFinished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { [journal] in
            var journal = journal
            do throws(Files.Failure) { try journal.finish() } catch { journalFailure = error }
            journalFinished.signal()
        }
        state.lineage = lineage
        state.serial += 1
        let written = Result { () throws(FatalDiagnostic) in try store.write(state) }
        journalFinished.wait()
        if case .failure(let error) = written {
            let journal = journalFailure.map { "; the journal is incomplete too: \($0.message)" } ?? ""
            throw FatalDiagnostic(Diagnostic(error.diagnostic.code, .error, error.diagnostic.message + journal, at: nil,
                                             help: error.diagnostic.help))
        }
        if let failure { throw FatalDiagnostic(failure) }
    }

    private static func pauseForTests(_ done: Int) -> Never {
        let message = "tresor: paused after \(done) actions (\(pauseVariable))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        while true { pause() }
    }
}
