import TresorModel
import TresorState
import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How far an apply is, for the progress line.
public struct ApplyProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    public var inFlight: Int
    /// The provider's word on what it waits for ("waiting on throttling"), if anything.
    public var note: String?
}

/// Applies a plan: the provider performs each change once the changes it depends on have
/// succeeded, as many at once as the provider allows; each change it confirms is appended to
/// the journal and recorded. At the end the whole state is written once (atomically, serial + 1)
/// and the journal removed. When a change fails, no new change starts, those in flight finish
/// and are recorded, and the state is written the same way before the failure is reported. When
/// the process dies instead, the journal holds every confirmed change; the next load replays it,
/// so planning again yields exactly what is left, and since every change is an idempotent PUT or
/// DELETE, a change that was in flight but not journaled is simply done again.
package struct Applier {
    let store: any StateBackend
    let provider: any Provider
    /// Called whenever a change finishes.
    var progress: ((ApplyProgress) -> Void)?
    /// Given one line per finished change, in plan order ("Vault v: created after 3s").
    var finished: ((String) -> Void)?

    package init(
        store: any StateBackend, provider: any Provider, progress: ((ApplyProgress) -> Void)? = nil,
        finished: ((String) -> Void)? = nil
    ) {
        self.store = store
        self.provider = provider
        self.progress = progress
        self.finished = finished
    }

    /// Test hook: `TRESOR_TEST_PAUSE_AFTER_ACTIONS=N` makes apply stop after N journaled changes,
    /// say so on stderr, and wait to be killed, so the crash tests kill it at a known point.
    static let pauseVariable = "TRESOR_TEST_PAUSE_AFTER_ACTIONS"

    private struct Outcome: Sendable {
        var index: Int
        var result: Result<StateResource?, ProviderFailure>
        var seconds: Double
    }

    /// Applies `plan` to `state`, and writes the state.
    package func apply(_ plan: Plan, to state: inout State) async throws(FatalDiagnostic) {
        let lineage = state.lineage ?? ProcessIdentity.uuid()
        var journal = try store.startJournal(lineage: lineage, serial: state.serial)
        let pauseAfter = getenv(Self.pauseVariable).flatMap { Int(String(cString: $0)) }
        // The context owns the state while changes run, so providers can read what is recorded.
        let context = ApplyContext(state)
        state = State()
        let changes = plan.changes
        // One at a time, plan order is the schedule: dependencies point backwards.
        let oneAtATime = provider.inFlightLimit <= 1
        var dependents = [[Int]](repeating: [], count: changes.count)
        var waitingOn = [Int](repeating: 0, count: changes.count)
        var ready: [Int] = oneAtATime ? Array(changes.indices) : []
        if !oneAtATime {
            for (index, dependencies) in plan.dependencies().enumerated() {
                waitingOn[index] = dependencies.count
                for dependency in dependencies { dependents[dependency].append(index) }
                if dependencies.isEmpty { ready.append(index) }
            }
        }
        var report = Report(changes: changes, finished: finished)
        var failures: [Diagnostic] = []
        var journalFailure: JournalFailure?
        var done = 0

        // Records one finished change; false when apply must start nothing more.
        func record(_ outcome: Outcome) -> Bool {
            let change = changes[outcome.index]
            switch outcome.result {
            case .failure(let failure):
                failures.append(Self.diagnostic(failure, change: change))
                report.finish(outcome.index, line: nil)
                return false
            case .success(let recorded):
                let entry = Journal.Entry(change, recorded: recorded)
                do throws(JournalFailure) {
                    try journal.append(entry)
                    // The journal batches records confirmed microseconds apart (the recording
                    // provider's). A change that took a while, as Azure's do, may be the last
                    // for minutes: it is written out now, so a kill loses nothing Azure confirmed.
                    if outcome.seconds >= 0.01 { try journal.flush() }
                } catch {
                    journalFailure = error
                    return false
                }
                context.recorded.withLock { entry.apply(to: &$0) }
                done += 1
                report.finish(
                    outcome.index,
                    line:
                        "\(change.kind.rawValue) \(change.name): \(PlanText.pastTense(change.action)) after \(Self.duration(outcome.seconds))"
                )
                for dependent in dependents[outcome.index] {
                    waitingOn[dependent] -= 1
                    if waitingOn[dependent] == 0 { ready.append(dependent) }
                }
                if done == pauseAfter {
                    try? journal.flush()
                    Self.pauseForTests(done)
                }
                return true
            }
        }

        let provider = self.provider
        var next = 0
        if oneAtATime {
            // No task per change.
            while next < ready.count, !Interruption.requested {
                let index = ready[next]
                next += 1
                guard record(await Self.perform(changes[index], at: index, by: provider, context: context)) else { break }
                progress?(ApplyProgress(done: done, total: changes.count, inFlight: 0, note: nil))
            }
        } else {
            await withTaskGroup(of: Outcome.self) { group in
                var inFlight = 0
                var stopped = false
                func startReady() {
                    while !stopped, !Interruption.requested, next < ready.count, inFlight < max(1, provider.inFlightLimit) {
                        let index = ready[next]
                        next += 1
                        inFlight += 1
                        let change = changes[index]
                        group.addTask { await Self.perform(change, at: index, by: provider, context: context) }
                    }
                }
                startReady()
                while let outcome = await group.next() {
                    inFlight -= 1
                    if !record(outcome) { stopped = true }
                    progress?(ApplyProgress(done: done, total: changes.count, inFlight: inFlight, note: provider.progressNote))
                    startReady()
                }
            }
        }
        report.flush()

        let interrupted = Interruption.requested && done < changes.count && failures.isEmpty && journalFailure == nil
        state = context.recorded.withLock { recorded in
            let taken = recorded
            recorded = State()
            return taken
        }
        if done == 0 {
            // Nothing was confirmed: the state stays byte for byte as it was.
            try? journal.finish()
            try? store.removeJournal()
        } else {
            try Self.writeState(&state, lineage: lineage, journal: journal, to: store)
        }
        if let journalFailure {
            throw FatalDiagnostic(
                InputFileRule.diagnostic(
                    "apply stopped: \(journalFailure.message)", at: nil,
                    help: "the \(plural(done, "change")) before it are recorded; fix the cause and run apply again"))
        }
        if let first = failures.first {
            var diagnostic = first
            if failures.count > 1 { diagnostic.notes += failures.dropFirst().map { DiagnosticNote("also failed: \($0.message)") } }
            diagnostic.help =
                "the \(plural(done, "change")) that succeeded are recorded in state; fix the cause and run plan again to see what is left"
            throw FatalDiagnostic(diagnostic)
        }
        if interrupted {
            throw FatalDiagnostic(
                InputFileRule.diagnostic(
                    "apply interrupted after \(plural(done, "change")) of \(changes.count)", at: nil,
                    help: "the changes that finished are recorded in state; run apply again to do the rest"))
        }
    }

    private static func perform(
        _ change: PlannedChange, at index: Int, by provider: any Provider,
        context: ApplyContext
    ) async -> Outcome {
        let started = MonotonicClock.seconds()
        let result: Result<StateResource?, ProviderFailure>
        do {
            result = .success(try await provider.perform(change, context: context))
        } catch {
            result = .failure(error)
        }
        return Outcome(index: index, result: result, seconds: MonotonicClock.seconds() - started)
    }

    /// Writes the state while the journal's tail is written out and synced: until the state's
    /// rename the journal is the record, and it is complete before the rename is awaited; after
    /// it, the state holds everything and the journal is removed.
    private static func writeState(_ state: inout State, lineage: String, journal: any JournalSink, to store: any StateBackend)
        throws(FatalDiagnostic)
    {
        let stored = state.serial
        state.lineage = lineage
        state.serial += 1
        let (written, journalFailure) = Parallel.join(
            {
                Result { () throws(FatalDiagnostic) in try store.write(state, replacing: stored) }
            },
            alongside: { [journal] () -> JournalFailure? in
                var journal = journal
                do throws(JournalFailure) { try journal.finish() } catch { return error }
                return nil
            })
        if case .failure(let error) = written {
            let journal = journalFailure.map { "; the journal is incomplete too: \($0.message)" } ?? ""
            throw FatalDiagnostic(
                Diagnostic(
                    error.diagnostic.code, .error, error.diagnostic.message + journal, at: nil,
                    help: error.diagnostic.help))
        }
    }

    /// TR605: the change, where the manifests declare it, and what the target said.
    static func diagnostic(_ failure: ProviderFailure, change: PlannedChange) -> Diagnostic {
        var notes: [DiagnosticNote] = []
        notes.append(
            DiagnosticNote(change.location.map { "declared at \($0)" } ?? "\(change.kind.rawValue) \(change.name) is in state only"))
        notes.append(DiagnosticNote("resource \(change.id)"))
        if let correlation = failure.correlationID { notes.append(DiagnosticNote("x-ms-correlation-request-id: \(correlation)")) }
        return ProviderRefusalRule.diagnostic(
            "cannot \(change.action.rawValue) \(change.kind.rawValue) \(change.name): \(failure.cause)",
            at: nil, notes: notes)
    }

    private static func duration(_ seconds: Double) -> String {
        seconds < 60 ? "\(Int(seconds.rounded()))s" : "\(Int(seconds) / 60)m\(Int(seconds) % 60)s"
    }

    private static func pauseForTests(_ done: Int) -> Never {
        let message = "tresor: paused after \(done) actions (\(pauseVariable))\n"
        _ = message.withCString { write(2, $0, strlen($0)) }
        while true { pause() }
    }

    /// Lines for finished changes, given out in plan order whatever order changes finish in.
    private struct Report {
        let finished: ((String) -> Void)?
        private var lines: [String?]
        private var settled: [Bool]
        private var next = 0

        init(changes: [PlannedChange], finished: ((String) -> Void)?) {
            self.finished = finished
            lines = finished == nil ? [] : Array(repeating: nil, count: changes.count)
            settled = finished == nil ? [] : Array(repeating: false, count: changes.count)
        }

        mutating func finish(_ index: Int, line: String?) {
            guard let finished else { return }
            lines[index] = line
            settled[index] = true
            while next < settled.count, settled[next] {
                if let line = lines[next] { finished(line) }
                next += 1
            }
        }

        /// At the end: what finished after a change that never ran.
        mutating func flush() {
            guard let finished else { return }
            for index in next..<settled.count where settled[index] {
                if let line = lines[index] { finished(line) }
            }
            next = settled.count
        }
    }
}

extension Journal.Entry {
    /// What a confirmed change records: the resource as the provider returned it (or as planned,
    /// when it returned nothing for a change that keeps the resource), or its removal.
    init(_ change: PlannedChange, recorded: StateResource?) {
        if let after = change.after {
            self = .set(
                action: change.action.rawValue,
                recorded ?? StateResource(kind: change.kind, id: change.id, name: change.name, attributes: after))
        } else {
            self = .remove(action: change.action.rawValue, id: change.id)
        }
    }
}
