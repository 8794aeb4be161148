import Foundation
import XCTest

@testable import TresorCore
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState

/// plan, apply, show and unlock against a state file in a temporary directory.
final class StateCommandTests: XCTestCase {
    private var directory: URL!
    private var store: StateStore!
    private var manifests: String { directory.appendingPathComponent("manifests").path }
    private var planFile: String { directory.appendingPathComponent("tresor.plan").path }

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        store = StateStore(path: directory.appendingPathComponent("tresor.state.json").path)
        try writeManifests(baseEstate)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func writeManifests(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try text.write(toFile: manifests + "/estate.yaml", atomically: true, encoding: .utf8)
    }

    private func plan(format: PlanFormat = .text, out: String? = nil, allowDestroy: Bool = false) async -> CommandOutput {
        var command = PlanCommand(paths: [manifests], store: store)
        command.format = format
        command.out = out
        command.detailedExitCode = true
        command.allowDestroy = allowDestroy
        return await command.run()
    }

    private static var silent: ApplyConsole { ApplyConsole(show: { _ in }, confirm: nil, progress: nil) }

    private func apply(planFile: String? = nil, autoApprove: Bool = true, console: ApplyConsole = silent) async -> CommandOutput {
        var command = ApplyCommand(
            paths: planFile == nil ? [manifests] : [], planFile: planFile, store: store,
            provider: RecordingProvider())
        command.autoApprove = autoApprove
        return await command.run(console)
    }

    private func stateBytes() throws -> Data { try Data(contentsOf: URL(fileURLWithPath: store.path)) }

    func testSavedPlanAppliesExactlyAndConverges() async throws {
        let planned = await plan(out: planFile)
        XCTAssertEqual(planned.exitCode, ExitCode.changes, planned.stdout)
        XCTAssertTrue(planned.stdout.contains("Plan: 3 to create"), planned.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: planFile))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path), "plan writes no state")
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.lockPath), "plan releases its lock")

        let applied = await apply(planFile: planFile)
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        XCTAssertTrue(applied.stdout.contains("Apply complete: 3 created"), applied.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.journalPath), "a finished apply leaves no journal")

        let again = await plan()
        XCTAssertEqual(again.exitCode, ExitCode.success, again.stdout)
        XCTAssertEqual(again.stdout, "No changes: the state matches the manifests.\n")
    }

    /// A saved plan applies what was reviewed, even if the manifests changed since.
    func testSavedPlanIgnoresLaterManifestEdits() async throws {
        let saved = await plan(out: planFile)
        XCTAssertEqual(saved.exitCode, ExitCode.changes)
        try writeManifests(baseEstate(replacing: "retention: {daily: 30}", with: "retention: {daily: 45}"))
        let applied1 = await apply(planFile: planFile)

        XCTAssertEqual(applied1.exitCode, ExitCode.success)
        let policy = try XCTUnwrap(store.load().state.resources.first { $0.kind == .backupPolicy })
        XCTAssertEqual(policy.attributes["retention"]?["daily"], .int(30))
        let edited = await plan()
        XCTAssertTrue(edited.stdout.contains("retention.daily: 30 -> 45"))
    }

    func testStaleSavedPlanIsRefusedAndChangesNothing() async throws {
        let applied2 = await apply()

        XCTAssertEqual(applied2.exitCode, ExitCode.success)
        try writeManifests(baseEstate(replacing: "retention: {daily: 30}", with: "retention: {daily: 45}"))
        let saved = await plan(out: planFile)
        XCTAssertEqual(saved.exitCode, ExitCode.changes)
        try writeManifests(baseEstate(replacing: "retention: {daily: 30}", with: "retention: {daily: 60}"))
        let applied3 = await apply()

        XCTAssertEqual(applied3.exitCode, ExitCode.success)  // serial 1 -> 2
        let before = try snapshot(directory)

        let stale = await apply(planFile: planFile)
        XCTAssertEqual(stale.exitCode, ExitCode.failure)
        XCTAssertTrue(stale.stdout.contains("error[TR602]: saved plan"), stale.stdout)
        XCTAssertTrue(stale.stdout.contains("made against lineage"), stale.stdout)
        XCTAssertTrue(stale.stdout.contains("serial 1, the state is now at"), stale.stdout)
        XCTAssertEqual(try snapshot(directory), before)
    }

    func testPlanSavedAgainstAnotherStateIsStale() async throws {
        let saved = await plan(out: planFile)
        XCTAssertEqual(saved.exitCode, ExitCode.changes)  // against no state
        let applied4 = await apply()

        XCTAssertEqual(applied4.exitCode, ExitCode.success)
        let stale = await apply(planFile: planFile)
        XCTAssertEqual(stale.exitCode, ExitCode.failure)
        XCTAssertTrue(stale.stdout.contains("TR602"), stale.stdout)
        XCTAssertTrue(stale.stdout.contains("its lineage differs"), stale.stdout)
    }

    /// TR604: a damaged state stops every command before anything is written.
    func testACorruptStateIsLeftByteForByteUntouched() async throws {
        let applied5 = await apply()

        XCTAssertEqual(applied5.exitCode, ExitCode.success)
        try writeManifests(baseEstate(replacing: "retention: {daily: 30}", with: "retention: {daily: 45}"))
        let applied6 = await apply()

        XCTAssertEqual(applied6.exitCode, ExitCode.success)  // now there is a backup too
        var bytes = try stateBytes()
        let index = try XCTUnwrap(bytes.firstRange(of: Data("daily-30".utf8))).lowerBound
        bytes[index] = UInt8(ascii: "D")
        try bytes.write(to: URL(fileURLWithPath: store.path))
        let before = try snapshot(directory)

        let applied = await apply()
        let outputs = [
            await plan(), await plan(format: .json), await plan(out: planFile), applied, ShowCommand(planFile: nil, store: store).run()
        ]
        for output in outputs {
            XCTAssertEqual(output.exitCode, ExitCode.failure, output.stdout)
            XCTAssertTrue(output.stdout.contains("TR604"), output.stdout)
            XCTAssertTrue(output.stdout.contains("checksum does not match"), output.stdout)
        }
        XCTAssertEqual(try snapshot(directory), before, "state, backup and directory are unchanged")
    }

    /// The probe's case: a protected item whose ID has lost its vault, in a state whose checksum
    /// was made again. plan and apply refuse it at load (TR604) and write nothing; before, plan
    /// showed "stop protection" and every apply failed on the missing vault yet rewrote the state.
    func testAChecksummedStateWithAMalformedItemIDIsUnusableAndNothingIsWritten() async throws {
        let applied = await apply()
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        var state = try store.load().state
        let item = try XCTUnwrap(state.resources.first { $0.kind == .protectedItem })
        let malformed = item.id.replacingOccurrences(of: "/vaults/rsv-prod-weu/", with: "/vaults/")
        state.remove(id: item.id)
        state.set(StateResource(kind: .protectedItem, id: malformed, name: item.name, attributes: item.attributes))
        try Data(StateFile.encode(state)).write(to: URL(fileURLWithPath: store.path))
        try writeManifests(baseEstate.components(separatedBy: "---\n").prefix(2).joined(separator: "---\n"))
        let before = try snapshot(directory)

        let (planned, saved, refused) = (await plan(), await plan(out: planFile), await apply())
        let outputs = [planned, saved, refused, ShowCommand(planFile: nil, store: store).run()]
        for output in outputs {
            XCTAssertEqual(output.exitCode, ExitCode.failure, output.stdout)
            XCTAssertTrue(
                output.stdout.contains(
                    "error[TR604]: cannot use \"\(store.path)\": ProtectedItem \"\(malformed)\" does not have the ID of a ProtectedItem"),
                output.stdout)
            XCTAssertTrue(output.stdout.contains("nothing was written"), output.stdout)
            XCTAssertFalse(output.stdout.contains("stop"), output.stdout)
        }
        XCTAssertEqual(try snapshot(directory), before, "state, backup, journal and lock are as they were")
    }

    /// A saved plan is not checksummed: one whose change would record a malformed resource is
    /// refused before anything runs, for the state apply wrote could not be loaded again.
    func testASavedPlanWithAMalformedChangeIsRefused() async throws {
        let saved = await plan(out: planFile)
        XCTAssertEqual(saved.exitCode, ExitCode.changes)
        let text = try String(contentsOfFile: planFile, encoding: .utf8)
        let edits = [
            ("/protectedItems/", "/items/", "change 3 is not a valid plan change: ProtectedItem \""),
            ("\"protectionState\": \"Protected\"", "\"protectionState\": \"On\"", "lacks its vm, its policy or its protectionState"),
            (
                "\"after\": {\n        \"region\"", "\"after\": 1, \"x\": {\n        \"region\"",
                "change 1 is not a valid plan change: Vault \""
            )
        ]
        for (old, new, message) in edits {
            XCTAssertTrue(text.contains(old), old)
            try text.replacingOccurrences(of: old, with: new).write(toFile: planFile, atomically: true, encoding: .utf8)
            let before = try snapshot(directory)
            let applied = await apply(planFile: planFile)
            XCTAssertEqual(applied.exitCode, ExitCode.failure, applied.stdout)
            XCTAssertTrue(applied.stdout.contains(message), applied.stdout)
            XCTAssertEqual(try snapshot(directory), before)
        }
    }

    func testApplyNeedsAutoApproveWithoutATerminal() async throws {
        let output = await apply(autoApprove: false)
        XCTAssertEqual(output.exitCode, ExitCode.usage)
        XCTAssertTrue(output.stderr.contains("--auto-approve"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))
    }

    func testApplyOnATerminalAsksAndOnlyYesApplies() async throws {
        var shown = ""
        var asked = ""
        let refusing = ApplyConsole(
            show: { shown += $0 },
            confirm: {
                asked = $0
                return false
            }, progress: nil)
        let cancelled = await apply(autoApprove: false, console: refusing)
        XCTAssertEqual(cancelled.exitCode, ExitCode.failure)
        XCTAssertTrue(shown.contains("Plan: 3 to create"), shown)
        XCTAssertTrue(asked.contains("Only 'yes'"), asked)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path))

        var progress: [Int] = []
        let agreeing = ApplyConsole(show: { _ in }, confirm: { _ in true }, progress: { progress.append($0.done) })
        let applied7 = await apply(autoApprove: false, console: agreeing)

        XCTAssertEqual(applied7.exitCode, ExitCode.success)
        XCTAssertEqual(progress, [1, 2, 3])
        XCTAssertEqual(try store.load().state.count, 3)
    }

    func testLockedStateIsReportedWithItsHolder() async throws {
        let lock = try store.lock(operation: "apply")
        let output = await plan()
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(output.stdout.contains("error[TR603]"), output.stdout)
        XCTAssertTrue(output.stdout.contains(lock.record.id), output.stdout)
        let applied8 = await apply()

        XCTAssertEqual(applied8.exitCode, ExitCode.failure)
        lock.release()
        let applied9 = await apply()

        XCTAssertEqual(applied9.exitCode, ExitCode.success)
    }

    func testPlanWithErrorsPrintsDiagnosticsAndNoPlan() async throws {
        try writeManifests(baseEstate(replacing: "policy: daily-30\nvms", with: "policy: daily-31\nvms"))
        let output = await plan(out: planFile)
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(output.stdout.contains("error[TR010]"), output.stdout)
        XCTAssertTrue(output.stdout.hasSuffix("No plan: 1 error, 0 warnings.\n"), output.stdout)
        XCTAssertFalse(output.stdout.contains("Plan:"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: planFile))
        let jsonOutput = await plan(format: .json)
        let json = try JSONDecoder().decode(PlanOutputTests.PlanDocument.self, from: Data(jsonOutput.stdout.utf8))
        XCTAssertEqual(json.changes.count, 0)
        XCTAssertEqual(json.diagnostics.count, 1)
    }

    func testDestructivePlanNeedsAllowDestroyThenApplies() async throws {
        let applied10 = await apply()

        XCTAssertEqual(applied10.exitCode, ExitCode.success)
        try writeManifests("apiVersion: tresor/v1\n" + baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\n")[2])
        let refused = await plan()
        XCTAssertEqual(refused.exitCode, ExitCode.failure)
        XCTAssertTrue(refused.stdout.contains("error[TR601]"), refused.stdout)
        let applied11 = await apply()

        XCTAssertEqual(applied11.exitCode, ExitCode.failure)

        var command = ApplyCommand(paths: [manifests], planFile: nil, store: store, provider: RecordingProvider())
        command.autoApprove = true
        command.allowDestroy = true
        let applied = await command.run(Self.silent)
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        XCTAssertTrue(try store.load().state.isEmpty)
    }

    func testShowRendersTheStateAndSavedPlans() async throws {
        XCTAssertEqual(ShowCommand(planFile: nil, store: store).run().stdout, "State \"\(store.path)\": nothing has been applied yet.\n")
        let saved = await plan(out: planFile)
        XCTAssertEqual(saved.exitCode, ExitCode.changes)
        let shownPlan = ShowCommand(planFile: planFile, store: store).run()
        XCTAssertTrue(shownPlan.stdout.contains("made against serial 0 of lineage (new state)"), shownPlan.stdout)
        XCTAssertTrue(shownPlan.stdout.contains("+ Vault rsv-prod-weu"), shownPlan.stdout)
        let applied12 = await apply(planFile: planFile)

        XCTAssertEqual(applied12.exitCode, ExitCode.success)

        let text = ShowCommand(planFile: nil, store: store).run().stdout
        XCTAssertTrue(text.contains("serial 1, 3 resources."), text)
        XCTAssertTrue(text.contains("ProtectedItem web-01 (Protected)\n"), text)
        XCTAssertTrue(text.contains("    retention.daily: 30\n"), text)

        var json = ShowCommand(planFile: nil, store: store)
        json.format = .json
        struct Document: Decodable {
            struct Resource: Decodable { var kind, id, name: String }
            var formatVersion: Int
            var lineage: String
            var serial: Int
            var resources: [Resource]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(json.run().stdout.utf8))
        XCTAssertEqual(document.serial, 1)
        XCTAssertEqual(document.resources.map(\.name), ["rsv-prod-weu", "daily-30", "web-01"])
    }

    /// A provider that refuses every change after the first `allowed`, as Azure would with an
    /// HTTP status, an ARM code and a correlation ID.
    private final class RefusingProvider: Provider, @unchecked Sendable {
        private var allowed: Int
        init(allowed: Int) { self.allowed = allowed }

        var banner: String? { nil }
        var inFlightLimit: Int { 1 }
        var progressNote: String? { nil }

        func perform(_ change: PlannedChange, context: ApplyContext) async throws(ProviderFailure) -> StateResource? {
            guard allowed > 0 else {
                throw ProviderFailure(message: "quota exceeded", httpStatus: 409, code: "QuotaExceeded", correlationID: "c0ffee")
            }
            allowed -= 1
            return nil
        }
    }

    func testAFailedChangeStopsApplyAndKeepsWhatWasDone() async throws {
        let planned = try XCTUnwrap(Planning().plan(sources: [(path: "base.yaml", text: baseEstate)], against: State()).plan)
        var state = State()
        do {
            try await Applier(store: store, provider: RefusingProvider(allowed: 2)).apply(planned, to: &state)
            XCTFail("the third change is refused")
        } catch {
            XCTAssertEqual(error.diagnostic.code, "TR605")
            XCTAssertEqual(error.diagnostic.message, "cannot create ProtectedItem web-01: QuotaExceeded: quota exceeded (HTTP 409)")
            XCTAssertEqual(
                error.diagnostic.notes.map(\.message),
                [
                    "declared at base.yaml:29:7",  // `vms: [web-01]`
                    "resource \(planned.changes[2].id)",
                    "x-ms-correlation-request-id: c0ffee"
                ])
        }
        let stored = try store.load()
        XCTAssertEqual(stored.state.resources.map(\.name), ["rsv-prod-weu", "daily-30"])
        XCTAssertEqual(stored.state.serial, 1)
        XCTAssertFalse(stored.hasJournal)
        let rest = await plan()
        XCTAssertTrue(rest.stdout.contains("Plan: 1 to create, 0 to update"), rest.stdout)
    }

    /// An interrupted apply leaves a journal; the next apply records its changes first.
    func testAnInterruptedApplyIsRecoveredByTheNextApply() async throws {
        let planned = await plan(out: planFile)
        XCTAssertEqual(planned.exitCode, ExitCode.changes)
        let saved = try PlanJSON.decode(Array(Data(contentsOf: URL(fileURLWithPath: planFile))))
        var journal = try JournalWriter(path: store.journalPath, lineage: "lineage-x", serial: 0)
        try journal.append(Journal.Entry(saved.changes[0], recorded: nil))
        try journal.finish()

        let replayed = await plan()
        XCTAssertTrue(replayed.stdout.contains("Plan: 2 to create"), replayed.stdout)
        XCTAssertTrue(replayed.stdout.contains("1 change of an interrupted apply"), replayed.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.path), "plan does not write")

        let applied = await apply()
        XCTAssertEqual(applied.exitCode, ExitCode.success, applied.stdout)
        let state = try store.load().state
        XCTAssertEqual(state.lineage, "lineage-x")
        XCTAssertEqual(state.serial, 2, "serial 1 records the interrupted apply, 2 this one")
        let converged = await plan()
        XCTAssertEqual(converged.exitCode, ExitCode.success)
    }
}
