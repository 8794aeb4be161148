import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorState

/// What every state backend must do, whatever keeps the state (SPEC §3, §8). A backend's test
/// class calls each check with a factory that opens the same store anew each call, as another
/// run would. The file is shared by TresorCoreTests (the local file) and TresorPostgresTests
/// (a real PostgreSQL server), which links it.
struct StateBackendConformance {
    /// Opens the store under test; every call is another run on the same store.
    var open: () throws -> any StateBackend

    static let vaultID =
        "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourceGroups/rg-backup/providers/Microsoft.RecoveryServices/vaults/rsv-conformance"

    static func policy(_ name: String, days: Int = 30) -> StateResource {
        StateResource(
            kind: .backupPolicy, id: ResourceID.backupPolicy(vaultID: vaultID, name: name), name: name,
            attributes: .object([("retention", .object([("daily", .int(days))])), ("note", .string("tab\there \\ \"quoted\" é"))]))
    }

    static func sample(lineage: String = "7d4f7c1e-8d2a-4c57-9a53-3f1a0c2b9e10", serial: Int = 1) -> State {
        let vault = StateResource(
            kind: .vault, id: vaultID, name: "rsv-conformance",
            attributes: .object([("region", .string("westeurope")), ("tags", .object([("env", .string("prod"))]))]))
        return State(lineage: lineage, serial: serial, resources: [vault, policy("daily-30")])
    }

    private func failure(_ body: () throws -> Void, file: StaticString, line: UInt) -> Diagnostic? {
        do {
            try body()
            XCTFail("expected a diagnostic", file: file, line: line)
            return nil
        } catch let error as FatalDiagnostic {
            return error.diagnostic
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
            return nil
        }
    }

    func missingStateIsEmpty() throws {
        let loaded = try open().load()
        XCTAssertNil(loaded.state.lineage)
        XCTAssertEqual(loaded.state.serial, 0)
        XCTAssertTrue(loaded.state.isEmpty)
        XCTAssertEqual(loaded.replayedActions, 0)
        XCTAssertFalse(loaded.hasJournal)
    }

    /// Written state loads back as it was, and encodes to the same bytes (`state pull`).
    func writeThenLoadRoundTrips() throws {
        let state = Self.sample()
        try open().write(state, replacing: 0)
        let loaded = try open().load().state
        XCTAssertEqual(loaded.lineage, state.lineage)
        XCTAssertEqual(loaded.serial, 1)
        XCTAssertEqual(loaded.resources, state.resources)
        XCTAssertEqual(StateFile.encode(loaded), StateFile.encode(state))
    }

    /// A write whose expected serial is not the stored one writes nothing.
    func aStaleWriterLosesItsCompareAndSwap() throws {
        try open().write(Self.sample(serial: 1), replacing: 0)
        let first = try open()
        let second = try open()
        let readByFirst = try first.load().state
        let readBySecond = try second.load().state
        var newer = readByFirst
        newer.set(Self.policy("weekly"))
        newer.serial += 1
        try first.write(newer, replacing: readByFirst.serial)
        var stale = readBySecond
        stale.remove(id: Self.vaultID)
        stale.serial += 1
        let diagnostic = failure({ try second.write(stale, replacing: readBySecond.serial) }, file: #filePath, line: #line)
        XCTAssertEqual(diagnostic?.code, "TR602")
        XCTAssertTrue(diagnostic?.message.contains("nothing was written") ?? false, diagnostic?.message ?? "")
        let stored = try open().load().state
        XCTAssertEqual(stored.serial, 2)
        XCTAssertEqual(stored.resources, newer.resources)
        // A first write over an existing state is stale too.
        XCTAssertEqual(
            failure({ try open().write(Self.sample(lineage: "other"), replacing: 0) }, file: #filePath, line: #line)?.code, "TR602")
    }

    func theJournalReplaysOverTheStateItWasStartedAgainst() throws {
        let state = Self.sample()
        try open().write(state, replacing: 0)
        let weekly = Self.policy("weekly")
        let applying = try open()
        var journal = try applying.startJournal(lineage: state.lineage!, serial: 1)
        try journal.append(.set(action: "create", weekly))
        try journal.append(.remove(action: "delete", id: Self.policy("daily-30").id))
        try journal.flush()
        let loaded = try open().load()
        XCTAssertEqual(loaded.replayedActions, 2)
        XCTAssertTrue(loaded.hasJournal)
        XCTAssertEqual(loaded.state.serial, 2)
        XCTAssertEqual(loaded.storedSerial, 1)
        XCTAssertEqual(loaded.state.resources.map(\.name), ["rsv-conformance", "weekly"])
        // Recording the replay clears the journal.
        let recorder = try open()
        try recorder.write(loaded.state, replacing: loaded.storedSerial)
        let after = try open().load()
        XCTAssertFalse(after.hasJournal)
        XCTAssertEqual(after.replayedActions, 0)
        XCTAssertEqual(after.state.resources, loaded.state.resources)
    }

    func aJournalWithoutStateReplaysIntoEmptyState() throws {
        var journal = try open().startJournal(lineage: "lineage-1", serial: 0)
        try journal.append(.set(action: "create", Self.sample().resources[0]))
        try journal.finish()
        let loaded = try open().load()
        XCTAssertEqual(loaded.state.lineage, "lineage-1")
        XCTAssertEqual(loaded.state.serial, 1)
        XCTAssertEqual(loaded.state.resources, [Self.sample().resources[0]])
    }

    /// Every backend reads a journal by the same rules: one that records a resource whose ID has
    /// not its kind's shape, or whose replay leaves a policy without its vault, is TR604 when
    /// loaded, and what is stored stays as it was. (The postgres fuzz target found the PostgreSQL
    /// backend replaying both.)
    func aJournalTresorCannotUseIsRefused(file: StaticString = #filePath, line: UInt = #line) throws {
        let state = Self.sample()
        try open().write(state, replacing: 0)
        var journal = try open().startJournal(lineage: state.lineage!, serial: 1)
        try journal.append(.remove(action: "delete", id: Self.vaultID))
        try journal.finish()
        let orphan = failure({ _ = try open().load() }, file: file, line: line)
        XCTAssertEqual(orphan?.code, "TR604", file: file, line: line)
        XCTAssertTrue(
            orphan?.message.contains("BackupPolicy \"\(Self.policy("daily-30").id)\" without its vault") == true,
            orphan?.message ?? "", file: file, line: line)

        try open().removeJournal()
        let malformed = StateResource(
            kind: .networkRule,
            id: "/subscriptions/1f0c5c6e-0000-4000-8000-00000000a001/resourcoGroups/rg-net"
                + "/providers/Microsoft.Network/networkSecurityGroups/nsg-web/securityRules/allow-https",
            name: "allow-https", attributes: .object([("priority", .int(100))]))
        journal = try open().startJournal(lineage: state.lineage!, serial: 1)
        try journal.append(.set(action: "create", malformed))
        try journal.finish()
        let shape = failure({ _ = try open().load() }, file: file, line: line)
        XCTAssertEqual(shape?.code, "TR604", file: file, line: line)
        XCTAssertTrue(shape?.message.contains("records a resource tresor cannot use") == true, shape?.message ?? "", file: file, line: line)
        try open().removeJournal()
        XCTAssertEqual(try open().load().state.resources, state.resources, "the stored state is as it was written")
    }

    /// A journal whose state was written since holds nothing new: it is not replayed.
    func aJournalOfAnotherStateVersionIsIgnored() throws {
        let state = Self.sample()
        try open().write(state, replacing: 0)
        let backend = try open()
        var journal = try backend.startJournal(lineage: state.lineage!, serial: 0)
        try journal.append(.remove(action: "delete", id: Self.vaultID))
        try journal.finish()
        let loaded = try open().load()
        XCTAssertEqual(loaded.replayedActions, 0)
        XCTAssertTrue(loaded.hasJournal)
        XCTAssertEqual(loaded.state.resources, state.resources)
        try open().removeJournal()
        XCTAssertFalse(try open().load().hasJournal)
    }

    /// An apply's whole cycle, as the applier runs it: the journal finished on another thread
    /// while the state write that supersedes it runs; no journal is left behind, whichever
    /// finishes first.
    func aWriteAfterAJournalClearsIt() throws {
        for round in 0..<4 {
            let backend = try open()
            let stored = try backend.load().state
            var state = stored
            var journal = try backend.startJournal(lineage: "lineage-2", serial: stored.serial)
            // The policies' vault first: a state that holds a policy without its vault is TR604.
            if stored.resource(id: Self.vaultID) == nil {
                let vault = Journal.Entry.set(action: "create", Self.sample().resources[0])
                try journal.append(vault)
                vault.apply(to: &state)
            }
            for index in 0..<(round == 0 ? 2500 : 300) {
                let entry = Journal.Entry.set(action: "create", Self.policy("p-\(round)-\(index)", days: index))
                try journal.append(entry)
                entry.apply(to: &state)
            }
            state.lineage = "lineage-2"
            state.serial += 1
            let finished = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var finishing = journal
            DispatchQueue.global().async {
                try? finishing.finish()
                finished.signal()
            }
            try backend.write(state, replacing: stored.serial)
            finished.wait()
            let loaded = try open().load()
            XCTAssertFalse(loaded.hasJournal, "round \(round)")
            XCTAssertEqual(loaded.state.count, state.count)
            XCTAssertEqual(loaded.state.serial, round + 1)
        }
    }

    func aSecondLockIsRefusedWithItsHolder() throws {
        let holder = try open()
        let lock = try holder.lock(operation: "apply", timeout: 0)
        let other = try open()
        let diagnostic = failure({ _ = try other.lock(operation: "plan", timeout: 0) }, file: #filePath, line: #line)
        XCTAssertEqual(diagnostic?.code, "TR603")
        let text = (diagnostic?.message ?? "") + (diagnostic?.help ?? "")
        for part in [
            other.description, lock.record.id, "apply by \(lock.record.user)", lock.record.host, "pid \(getpid())",
            lock.record.created, "tresor unlock \(lock.record.id)"
        ] {
            XCTAssertTrue(text.contains(part), "\(text) lacks \(part)")
        }
        lock.release()
        try other.lock(operation: "plan", timeout: 0).release()
    }

    /// --lock-timeout waits for the holder to finish, then takes the lock.
    func aLockTimeoutWaitsForTheHolder() throws {
        let lock = try open().lock(operation: "apply", timeout: 0)
        let released = DispatchSemaphore(value: 0)
        nonisolated(unsafe) let held = lock
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.4) {
            held.release()
            released.signal()
        }
        let start = Date()
        let second = try open().lock(operation: "plan", timeout: 10)
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 0.3)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        released.wait()
        second.release()
        // A timeout shorter than the hold fails with TR603 once it has passed.
        let third = try open().lock(operation: "apply", timeout: 0)
        let start2 = Date()
        XCTAssertEqual(failure({ _ = try open().lock(operation: "plan", timeout: 0.3) }, file: #filePath, line: #line)?.code, "TR603")
        XCTAssertGreaterThan(Date().timeIntervalSince(start2), 0.25)
        third.release()
    }

    func unlockRefusesALiveLockAndAnotherID() throws {
        let lock = try open().lock(operation: "apply", timeout: 0)
        XCTAssertEqual(try open().unlock(id: lock.record.id), .heldByLiveProcess(lock.record))
        XCTAssertEqual(try open().unlock(id: "not-this-one"), .heldByLiveProcess(lock.record))
        lock.release()
        XCTAssertEqual(try open().unlock(id: lock.record.id), .noLock)
    }
}
