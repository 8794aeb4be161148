import Foundation
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState

/// The local backend: the conformance suite every backend passes, then what is particular to
/// the state file, its backup, the journal file and the lock file (SPEC §3; TR603, TR604).
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

    private var conformance: StateBackendConformance {
        let path = store.path
        return StateBackendConformance { StateStore(path: path) }
    }

    func testConformanceMissingStateIsEmpty() throws { try conformance.missingStateIsEmpty() }
    func testConformanceWriteThenLoadRoundTrips() throws { try conformance.writeThenLoadRoundTrips() }
    func testConformanceAStaleWriterLosesItsCompareAndSwap() throws { try conformance.aStaleWriterLosesItsCompareAndSwap() }
    func testConformanceJournalReplays() throws { try conformance.theJournalReplaysOverTheStateItWasStartedAgainst() }
    func testConformanceJournalWithoutState() throws { try conformance.aJournalWithoutStateReplaysIntoEmptyState() }
    func testConformanceJournalOfAnotherVersion() throws { try conformance.aJournalOfAnotherStateVersionIsIgnored() }
    func testConformanceJournalTresorCannotUse() throws { try conformance.aJournalTresorCannotUseIsRefused() }
    func testConformanceWriteClearsTheJournal() throws { try conformance.aWriteAfterAJournalClearsIt() }
    func testConformanceSecondLock() throws { try conformance.aSecondLockIsRefusedWithItsHolder() }
    func testConformanceLockTimeout() throws { try conformance.aLockTimeoutWaitsForTheHolder() }
    func testConformanceUnlock() throws { try conformance.unlockRefusesALiveLockAndAnotherID() }

    private func appliedState() -> State {
        var state = State()
        state.record(Planning().plan(sources: [(path: "base.yaml", text: baseEstate)], against: state).plan!)
        return state
    }

    func testEveryWriteKeepsThePreviousVersionAsBackup() throws {
        var state = appliedState()
        try store.write(state, replacing: 0)
        let first = try Data(contentsOf: URL(fileURLWithPath: store.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.backupPath))
        state.serial += 1
        try store.write(state, replacing: state.serial - 1)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: store.backupPath)), first)
        XCTAssertEqual(try store.load().state.serial, state.serial)
    }

    /// The state file is JSON that decodes with the documented shape.
    func testStateFileShape() throws {
        try store.write(appliedState(), replacing: 0)
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
        try store.write(appliedState(), replacing: 0)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        try text.replacingOccurrences(of: "daily-30", with: "daily-31").write(toFile: store.path, atomically: false, encoding: .utf8)
        expectUnusable("checksum does not match")
    }

    func testAnEditedSerialFailsItsChecksum() throws {
        try store.write(appliedState(), replacing: 0)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"serial\": 1", with: "\"serial\": 7").write(
            toFile: store.path, atomically: false, encoding: .utf8)
        expectUnusable("checksum does not match")
    }

    func testTheIDsTresorBuildsHaveTheirKindsShape() {
        let vault = ResourceID.vault(subscription: "1F0C5C6E-0000-4000-8000-00000000A001", resourceGroup: "RG_(x).y", name: "rsv-A")
        let nsg = ResourceID.networkSecurityGroup(subscription: "1f0c5c6e-0000-4000-8000-00000000a001", resourceGroup: "rg", name: "nsg")
        let ids: [(String, ManagedKind)] = [
            (vault, .vault),
            (ResourceID.backupPolicy(vaultID: vault, name: "daily-30"), .backupPolicy),
            (ResourceID.protectedItem(vaultID: vault, vmResourceGroup: "rg-web", vmName: "web-01"), .protectedItem),
            // VM names tresor accepts may hold ";" (Azure's do not).
            (ResourceID.protectedItem(vaultID: vault, vmResourceGroup: "rg-web", vmName: "web;01"), .protectedItem),
            (ResourceID.securityRule(nsgID: nsg, name: "allow-backup"), .networkRule),
            // Azure's casing of keywords is not tresor's.
            ("/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/PROVIDERS/microsoft.recoveryservices/VAULTS/v", .vault),
            (
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/azure/"
                    + "protectionContainers/IaasVMContainer;iaasvmcontainerv2;RG;VM/protectedItems/VM;iaasvmcontainerv2;rg;vm",
                .protectedItem
            )
        ]
        for (id, kind) in ids {
            XCTAssertTrue(ResourceID.hasShape(id, of: kind), id)
            for other in ManagedKind.allCases where other != kind {
                XCTAssertFalse(ResourceID.hasShape(id, of: other), "\(id) as \(other)")
            }
        }
    }

    /// IDs of the right length in the wrong shape, each once per kind.
    private static var malformedIDs: [(String, ManagedKind)] {
        let vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v"
        let item =
            "/backupFabrics/Azure/protectionContainers/iaasvmcontainer;iaasvmcontainerv2;rg;vm/protectedItems/vm;iaasvmcontainerv2;rg;vm"
        return [
            ("", .vault), ("v", .vault), (vault + "/", .vault), (String(vault.dropFirst()), .vault),
            (vault.replacingOccurrences(of: "RecoveryServices", with: "Network"), .vault),
            (vault.replacingOccurrences(of: "/vaults/", with: "/vault/"), .vault),
            (vault + "/backupPolicies", .backupPolicy), (vault + "/policies/p", .backupPolicy),
            (vault + "/backupPolicies/p/x", .backupPolicy),
            (vault + item.replacingOccurrences(of: "/protectedItems/", with: "/protectedItem/"), .protectedItem),
            // The probe's item: the vault part cut short, so no vault can be read off it.
            ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults" + item, .protectedItem),
            (
                vault
                    + item.replacingOccurrences(
                        of: "protectedItems/vm;iaasvmcontainerv2;rg;vm", with: "protectedItems/vm;iaasvmcontainerv2;rg;other"),
                .protectedItem
            ),
            (
                vault + item.replacingOccurrences(of: "iaasvmcontainer;iaasvmcontainerv2;rg;vm", with: "iaasvmcontainer;rg;vm"),
                .protectedItem
            ),
            (vault + item.replacingOccurrences(of: ";rg;vm", with: ";vm"), .protectedItem),
            (vault + item.replacingOccurrences(of: "vm;iaasvmcontainerv2;rg;vm", with: "vm;iaasvmcontainerv2;"), .protectedItem),
            ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n/securityRules", .networkRule),
            ("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n/rules/r", .networkRule)
        ]
    }

    func testIDsOfAnotherShapeAreRefused() {
        for (id, kind) in Self.malformedIDs {
            XCTAssertFalse(ResourceID.hasShape(id, of: kind), "\(id) as \(kind)")
        }
    }

    /// A hand edit with the checksum made again is caught by shape: TR604 at load.
    func testAChecksummedStateWithAMalformedResourceIsUnusable() throws {
        let state = appliedState()
        for (id, kind) in Self.malformedIDs {
            var damaged = state
            damaged.set(StateResource(kind: kind, id: id, name: "x", attributes: .object([])))
            try Data(StateFile.encode(damaged)).write(to: URL(fileURLWithPath: store.path))
            expectUnusable("does not have the ID of a \(kind.rawValue), ")
        }
        let item = state.resources[2]
        for attribute in ["vm", "policy", "protectionState"] {
            guard case .object(let members) = item.attributes else { return XCTFail("attributes are an object") }
            var damaged = state
            damaged.set(
                StateResource(
                    kind: .protectedItem, id: item.id, name: item.name,
                    attributes: .object(members.filter { $0.0 != attribute })))
            try Data(StateFile.encode(damaged)).write(to: URL(fileURLWithPath: store.path))
            expectUnusable("lacks its vm, its policy or its protectionState")
        }
        var damaged = state
        damaged.set(
            StateResource(
                kind: .protectedItem, id: item.id, name: item.name,
                attributes: .object([
                    ("vm", .string("x")), ("policy", .string("daily-30")), ("protectionState", .string("Paused"))
                ])))
        try Data(StateFile.encode(damaged)).write(to: URL(fileURLWithPath: store.path))
        expectUnusable("lacks its vm, its policy or its protectionState")
        damaged.set(StateResource(kind: .vault, id: state.resources[0].id, name: "v", attributes: .int(1)))
        try Data(StateFile.encode(damaged)).write(to: URL(fileURLWithPath: store.path))
        expectUnusable("a resource has the wrong shape")
    }

    /// Well shaped, but in a vault the state does not hold: no change to it could be applied.
    func testAChecksummedStateWithAPolicyOrItemWithoutItsVaultIsUnusable() throws {
        let state = appliedState()
        let vault = state.resources[0]
        for child in state.resources.dropFirst() {
            var orphaned = State(lineage: state.lineage, serial: state.serial)
            XCTAssertTrue(orphaned.insert(child))
            try Data(StateFile.encode(orphaned)).write(to: URL(fileURLWithPath: store.path))
            expectUnusable("it holds \(child.kind.rawValue) \"\(child.id)\" without its vault")
        }
        var whole = state
        whole.remove(id: vault.id)
        whole.set(vault)  // recorded after what it holds: order does not matter
        try Data(StateFile.encode(whole)).write(to: URL(fileURLWithPath: store.path))
        XCTAssertEqual(try store.load().state.count, 3)
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
        return StateResource(
            kind: .backupPolicy, id: ResourceID.backupPolicy(vaultID: vault.id, name: name), name: name,
            attributes: .object([("retention", .object([("daily", .int(7))]))]))
    }

    func testATornLastLineIsIgnored() throws {
        let state = appliedState()
        try store.write(state, replacing: 0)
        let policy = newPolicy("weekly", in: state)
        let torn = String(
            decoding: Journal.line(Journal.Entry.set(action: "create", newPolicy("other", in: state)).json).dropLast(9), as: UTF8.self)
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
        try store.write(state, replacing: 0)
        try writeJournal(
            state, entries: [],
            tail: "0123456789abcdef {\"action\":\"create\"}\n"
                + String(decoding: Journal.line(Journal.Entry.remove(action: "delete", id: "x").json), as: UTF8.self))
        expectUnusable("journal line 2 is damaged")
    }

    func testAJournalLineWithAMalformedResourceIsUnusable() throws {
        let state = appliedState()
        try store.write(state, replacing: 0)
        let before = try snapshot(directory)
        let vault = state.resources[0]
        try writeJournal(
            state,
            entries: [
                .set(action: "create", newPolicy("weekly", in: state)),
                .set(action: "update", StateResource(kind: .backupPolicy, id: vault.id, name: "p", attributes: .object([])))
            ])
        expectUnusable("journal line 3 records a resource tresor cannot use: BackupPolicy \"\(vault.id)\" does not have the ID")
        XCTAssertEqual(try snapshot(directory).filter { !$0.key.hasSuffix(".journal") }, before)
    }

    func testAJournalThatLeavesAnItemWithoutItsVaultIsUnusable() throws {
        let state = appliedState()
        try store.write(state, replacing: 0)
        try writeJournal(state, entries: [.remove(action: "delete", id: state.resources[0].id)])
        expectUnusable("replayed, it leaves BackupPolicy \"\(state.resources[1].id)\" without its vault")
    }

    // MARK: lock

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
        if container.decodeNil() {
            value = NSNull()
        } else if let bool = try? container.decode(Bool.self) {
            value = bool
        } else if let int = try? container.decode(Int.self) {
            value = int
        } else if let string = try? container.decode(String.self) {
            value = string
        } else if let array = try? container.decode([AnyDecodable].self) {
            value = array.map(\.value)
        } else {
            value = try container.decode([String: AnyDecodable].self).mapValues(\.value)
        }
    }
}
