import Foundation
import XCTest
@testable import TresorCore

/// The state file, its backup, the journal and the lock (SPEC §3; TR603, TR604).
final class StateStoreTests: XCTestCase {
    private var directory: URL!
    private var store: StateStore!

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        store = StateStore(path: directory.appendingPathComponent("tresor.state.json").path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func appliedState() -> State {
        var state = State()
        state.record(Planning().plan(sources: [(path: "base.yaml", text: baseEstate)], against: state).plan!)
        return state
    }

    func testMissingStateIsEmpty() throws {
        let loaded = try store.load()
        XCTAssertNil(loaded.state.lineage)
        XCTAssertEqual(loaded.state.serial, 0)
        XCTAssertTrue(loaded.state.isEmpty)
    }

    func testWriteThenLoadRoundTrips() throws {
        let state = appliedState()
        try store.write(state)
        let loaded = try store.load().state
        XCTAssertEqual(loaded.lineage, state.lineage)
        XCTAssertEqual(loaded.serial, state.serial)
        XCTAssertEqual(loaded.resources, state.resources)
        XCTAssertEqual(loaded.resources.map(\.kind), [.vault, .backupPolicy, .protectedItem])
    }

    func testEveryWriteKeepsThePreviousVersionAsBackup() throws {
        var state = appliedState()
        try store.write(state)
        let first = try Data(contentsOf: URL(fileURLWithPath: store.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.backupPath))
        state.serial += 1
        try store.write(state)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store.backupPath)), first)
        XCTAssertEqual(try store.load().state.serial, state.serial)
    }

    /// The state file is JSON that decodes with the documented shape.
    func testStateFileShape() throws {
        try store.write(appliedState())
        struct Document: Decodable {
            struct Resource: Decodable {
                var kind, id, name: String
                var attributes: [String: AnyDecodable]
            }
            var formatVersion: Int
            var lineage: String
            var serial: Int
            var checksum: String
            var resources: [Resource]
        }
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: URL(fileURLWithPath: store.path)))
        XCTAssertEqual(document.formatVersion, 1)
        XCTAssertEqual(document.serial, 1)
        XCTAssertTrue(document.checksum.hasPrefix("xxh64:"))
        XCTAssertEqual(document.resources.map(\.kind), ["Vault", "BackupPolicy", "ProtectedItem"])
        let item = document.resources[2]
        XCTAssertEqual(item.attributes["protectionState"]?.value as? String, "Protected")
        XCTAssertEqual(item.attributes["policy"]?.value as? String, "daily-30")
        XCTAssertTrue(item.id.hasSuffix("/protectedItems/vm;iaasvmcontainerv2;rg-web;web-01"))
    }

    private func expectUnusable(_ contains: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try store.load(), file: file, line: line) { error in
            let diagnostic = (error as? FatalDiagnostic)?.diagnostic
            XCTAssertEqual(diagnostic?.code, "TR604", file: file, line: line)
            XCTAssertTrue(diagnostic?.message.contains(contains) ?? false, "\(diagnostic?.message ?? "")", file: file, line: line)
        }
    }

    func testAnEditedStateFailsItsChecksum() throws {
        try store.write(appliedState())
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        try text.replacingOccurrences(of: "daily-30", with: "daily-31").write(toFile: store.path, atomically: false, encoding: .utf8)
        expectUnusable("checksum does not match")
    }

    func testAnEditedSerialFailsItsChecksum() throws {
        try store.write(appliedState())
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"serial\": 1", with: "\"serial\": 7").write(toFile: store.path, atomically: false, encoding: .utf8)
        expectUnusable("checksum does not match")
    }

    func testTheFixNamesTheBackupOnlyWhenThereIsOne() throws {
        func help() -> String? {
            do {
                _ = try store.load()
                return nil
            } catch {
                return error.diagnostic.help
            }
        }
        try "not json".write(toFile: store.path, atomically: false, encoding: .utf8)
        XCTAssertEqual(help(), "point --state at the right file, or restore it from version control or your backups")
        try "{}".write(toFile: store.backupPath, atomically: false, encoding: .utf8)
        XCTAssertEqual(help(), "restore the previous version from \"\(store.backupPath)\", or point --state at the right file")
    }

    func testUnknownFormatVersion() throws {
        try #"{"formatVersion": 2, "lineage": "x", "serial": 1, "checksum": "", "resources": []}"#
            .write(toFile: store.path, atomically: false, encoding: .utf8)
        expectUnusable("format version 2 is unknown")
    }

    func testUnreadableStates() throws {
        let hugeSerial = #"{"formatVersion": 1, "checksum": "", "lineage": "x", "serial": 9223372036854775807, "resources": []}"#
        for text in ["", "not json", "[]", #"{"serial": 1}"#, "{\"formatVersion\": 1}", hugeSerial] {
            try text.write(toFile: store.path, atomically: false, encoding: .utf8)
            expectUnusable(store.path)
        }
        try FileManager.default.removeItem(atPath: store.path)
        try FileManager.default.createDirectory(atPath: store.path, withIntermediateDirectories: false)
        expectUnusable("not a regular file")
    }

    // MARK: journal

    private func writeJournal(_ state: State, entries: [Journal.Entry], tail: String = "") throws {
        var bytes = Journal.line(Journal.header(lineage: state.lineage!, serial: state.serial))
        for entry in entries { bytes += Journal.line(entry.json) }
        bytes += Array(tail.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: store.journalPath))
    }

    private func newPolicy(_ name: String, in state: State) -> StateResource {
        let vault = state.resources[0]
        return StateResource(kind: .backupPolicy, id: ResourceID.backupPolicy(vaultID: vault.id, name: name), name: name,
                             attributes: .object([("retention", .object([("daily", .int(7))]))]))
    }

    func testLoadReplaysAMatchingJournal() throws {
        let state = appliedState()
        try store.write(state)
        let policy = newPolicy("weekly", in: state)
        let item = state.resources[2]
        try writeJournal(state, entries: [.set(action: "create", policy), .remove(action: "delete", id: item.id)])
        let loaded = try store.load()
        XCTAssertEqual(loaded.replayedActions, 2)
        XCTAssertEqual(loaded.state.serial, state.serial + 1)
        XCTAssertEqual(loaded.state.resource(id: policy.id), policy)
        XCTAssertNil(loaded.state.resource(id: item.id))
    }

    func testATornLastLineIsIgnored() throws {
        let state = appliedState()
        try store.write(state)
        let policy = newPolicy("weekly", in: state)
        let torn = String(decoding: Journal.line(Journal.Entry.set(action: "create", newPolicy("other", in: state)).json).dropLast(9), as: UTF8.self)
        try writeJournal(state, entries: [.set(action: "create", policy)], tail: torn)
        let loaded = try store.load()
        XCTAssertEqual(loaded.replayedActions, 1)
        XCTAssertNotNil(loaded.state.resource(id: policy.id))
        // A complete last line whose checksum fails was torn too.
        var bad = Journal.line(Journal.Entry.set(action: "create", newPolicy("other", in: state)).json)
        bad[0] = bad[0] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try writeJournal(state, entries: [.set(action: "create", policy)], tail: String(decoding: bad, as: UTF8.self))
        XCTAssertEqual(try store.load().replayedActions, 1)
    }

    func testADamagedLineBeforeTheLastIsUnusable() throws {
        let state = appliedState()
        try store.write(state)
        try writeJournal(state, entries: [], tail: "0123456789abcdef {\"action\":\"create\"}\n"
            + String(decoding: Journal.line(Journal.Entry.remove(action: "delete", id: "x").json), as: UTF8.self))
        expectUnusable("journal line 2 is damaged")
    }

    func testAJournalOfAnotherStateVersionIsIgnored() throws {
        var state = appliedState()
        try store.write(state)
        try writeJournal(state, entries: [.set(action: "create", newPolicy("weekly", in: state))])
        state.serial += 1  // the apply's final write happened; the journal was not yet removed
        try store.write(state)
        try writeJournal(State(lineage: state.lineage, serial: state.serial - 1), entries: [.remove(action: "delete", id: state.resources[0].id)])
        let loaded = try store.load()
        XCTAssertEqual(loaded.replayedActions, 0)
        XCTAssertTrue(loaded.hasJournal)
        XCTAssertEqual(loaded.state.resources, state.resources)
    }

    func testAJournalWithoutStateReplaysIntoEmptyState() throws {
        let fresh = State(lineage: "lineage-1", serial: 0)
        let vault = appliedState().resources[0]
        try writeJournal(fresh, entries: [.set(action: "create", vault)])
        let loaded = try store.load()
        XCTAssertEqual(loaded.state.lineage, "lineage-1")
        XCTAssertEqual(loaded.state.serial, 1)
        XCTAssertEqual(loaded.state.resources, [vault])
    }

    // MARK: lock

    func testASecondLockIsRefusedWithTheHolder() throws {
        let lock = try store.lock(operation: "apply")
        XCTAssertThrowsError(try store.lock(operation: "plan")) { error in
            let diagnostic = (error as? FatalDiagnostic)?.diagnostic
            XCTAssertEqual(diagnostic?.code, "TR603")
            let text = (diagnostic?.message ?? "") + (diagnostic?.help ?? "")
            for part in [lock.record.id, "apply by \(lock.record.user)", lock.record.host, "pid \(getpid())", lock.record.created,
                         "tresor unlock \(lock.record.id)"] {
                XCTAssertTrue(text.contains(part), "\(text) lacks \(part)")
            }
        }
        lock.release()
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.lockPath))
        try store.lock(operation: "plan").release()
    }

    /// A lock file left by a killed process holds a record but no flock: it does not block.
    func testAStaleLockRecordDoesNotBlockAndUnlockRemovesIt() throws {
        let stale = #"{"id":"1111","operation":"apply","user":"ci","host":"runner-7","pid":999999,"created":"2024-01-01T00:00:00Z"}"#
        try stale.write(toFile: store.lockPath, atomically: false, encoding: .utf8)
        XCTAssertEqual(UnlockCommand(lockID: "2222", store: store).run().exitCode, ExitCode.failure)
        let output = UnlockCommand(lockID: "1111", store: store).run()
        XCTAssertEqual(output.exitCode, ExitCode.success)
        XCTAssertTrue(output.stdout.contains("lock 1111 (apply by ci on runner-7, pid 999999"), output.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.lockPath))
        XCTAssertEqual(UnlockCommand(lockID: "1111", store: store).run().exitCode, ExitCode.failure)

        try stale.write(toFile: store.lockPath, atomically: false, encoding: .utf8)
        try store.lock(operation: "plan").release()
    }

    func testUnlockRefusesALockThatALiveProcessHolds() throws {
        let lock = try store.lock(operation: "apply")
        let output = UnlockCommand(lockID: lock.record.id, store: store).run()
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(output.stderr.contains("held by a running process"), output.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.lockPath))
        lock.release()
    }

    func testStatePathResolution() {
        XCTAssertEqual(StateStore.resolve(option: "a.json", environment: ["TRESOR_STATE": "b.json"]).path, "a.json")
        XCTAssertEqual(StateStore.resolve(option: nil, environment: ["TRESOR_STATE": "b.json"]).path, "b.json")
        XCTAssertEqual(StateStore.resolve(option: nil, environment: [:]).path, "tresor.state.json")
    }
}

/// Decodes any JSON value, for checking documents whose attributes vary by kind.
struct AnyDecodable: Decodable {
    var value: Any

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { value = NSNull() }
        else if let bool = try? container.decode(Bool.self) { value = bool }
        else if let int = try? container.decode(Int.self) { value = int }
        else if let string = try? container.decode(String.self) { value = string }
        else if let array = try? container.decode([AnyDecodable].self) { value = array.map(\.value) }
        else { value = try container.decode([String: AnyDecodable].self).mapValues(\.value) }
    }
}
