import Foundation
import XCTest

@testable import TresorModel
@testable import TresorPostgres
@testable import TresorState
@testable import TresorSupport

/// The PostgreSQL backend against a real server: the conformance suite every backend passes,
/// then what is particular to PostgreSQL (SPEC §8). The server comes from TRESOR_TEST_PG_CONN
/// (`scripts/postgres-test-server.sh start` prints one); without it these tests are skipped.
final class PostgresBackendTests: XCTestCase {
    private var connection = ""
    private var workspace = ""
    private let schema = "tresor_test"

    override func setUpWithError() throws {
        connection = try PostgresTestServer.connection()
        workspace = "ws-\(UUID().uuidString.lowercased())"
    }

    private func backend(schema: String? = nil, workspace: String? = nil) -> PostgresBackend {
        PostgresBackend(
            settings: PostgresSettings(connection: connection, schema: schema ?? self.schema, workspace: workspace ?? self.workspace))
    }

    /// A plain connection for looking at and tampering with what the backend stored.
    @discardableResult
    private func sql(_ statement: String, _ parameters: [PostgresConnection.Parameter] = []) throws -> PostgresConnection.Rows {
        let raw = try PostgresConnection.open(connection).get()
        return try raw.execute(statement, parameters)
    }

    private var conformance: StateBackendConformance {
        let (connection, schema, workspace) = (self.connection, self.schema, self.workspace)
        return StateBackendConformance {
            PostgresBackend(settings: PostgresSettings(connection: connection, schema: schema, workspace: workspace))
        }
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

    private func expectUnusable(_ backend: PostgresBackend, _ contains: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try backend.load(), file: file, line: line) { error in
            let diagnostic = (error as? FatalDiagnostic)?.diagnostic
            XCTAssertEqual(diagnostic?.code, "TR604", file: file, line: line)
            XCTAssertTrue(diagnostic?.message.contains(contains) ?? false, diagnostic?.message ?? "", file: file, line: line)
        }
    }

    /// The row holds the state file's bytes exactly, so a pulled state is a local state file.
    func testTheStoredBytesAreTheStateFile() throws {
        let state = StateBackendConformance.sample()
        try backend().write(state, replacing: 0)
        let rows = try sql("SELECT encode(data, 'base64'), serial::text FROM \(schema).states WHERE workspace = $1", [.text(workspace)])
        let stored = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(rows.text(0, 0)), options: .ignoreUnknownCharacters))
        XCTAssertEqual(Array(stored), StateFile.encode(state))
        XCTAssertEqual(rows.text(0, 1), "1")
    }

    func testADamagedStateRowIsReportedAndNeverOverwritten() throws {
        try backend().write(StateBackendConformance.sample(), replacing: 0)
        try sql(
            "UPDATE \(schema).states SET data = overlay(data placing 'X'::bytea from 200 for 1) WHERE workspace = $1", [.text(workspace)])
        let damaged = try sql("SELECT md5(data) FROM \(schema).states WHERE workspace = $1", [.text(workspace)]).text(0, 0)
        expectUnusable(backend(), "checksum does not match")
        // Neither a plan nor an apply gets past loading it; the row is as it was.
        let applying = backend()
        let lock = try applying.lock(operation: "apply", timeout: 0)
        XCTAssertThrowsError(try applying.load())
        lock.release()
        XCTAssertEqual(try sql("SELECT md5(data) FROM \(schema).states WHERE workspace = $1", [.text(workspace)]).text(0, 0), damaged)

        try sql(
            "UPDATE \(schema).states SET data = $2, serial = 7 WHERE workspace = $1",
            [.text(workspace), .bytes(StateFile.encode(StateBackendConformance.sample()))])
        expectUnusable(backend(), "its serial column says 7 but the stored state is at serial 1")
    }

    func testADamagedJournalRowIsReportedAndNeverOverwritten() throws {
        let state = StateBackendConformance.sample()
        try backend().write(state, replacing: 0)
        var journal = try backend().startJournal(lineage: state.lineage!, serial: 1)
        try journal.append(.set(action: "create", StateBackendConformance.policy("weekly")))
        try journal.append(.remove(action: "delete", id: StateBackendConformance.vaultID))
        try journal.finish()
        try sql(
            "UPDATE \(schema).journal SET entry = replace(entry, 'weekly', 'weekli') WHERE workspace = $1 AND seq = 1", [.text(workspace)])
        expectUnusable(backend(), "journal row 1 is damaged (its checksum does not match)")
        XCTAssertEqual(try sql("SELECT count(*) FROM \(schema).journal WHERE workspace = $1", [.text(workspace)]).text(0, 0), "2")

        try sql(
            "UPDATE \(schema).journal SET entry = '{}', checksum = $2 WHERE workspace = $1 AND seq = 1",
            [.text(workspace), .text(XXH64.hex(Array("{}".utf8)))])
        expectUnusable(backend(), "journal row 1 is not an action record")
        try sql("UPDATE \(schema).journal SET serial = 5 WHERE workspace = $1 AND seq = 2", [.text(workspace)])
        try sql("DELETE FROM \(schema).journal WHERE workspace = $1 AND seq = 1", [.text(workspace)])
        let loaded = try backend().load()
        XCTAssertEqual(loaded.replayedActions, 0, "a journal of another serial is not replayed")
    }

    /// A record appended just before a long wait (a slow change) is committed all the same,
    /// within a few batch intervals, without a later record or a flush to push it out.
    func testAJournalRecordIsCommittedWithoutALaterOne() throws {
        var journal = try backend().startJournal(lineage: "lineage-3", serial: 0)
        // The vault, then what it holds: a journal that leaves a policy without its vault is refused.
        try journal.append(.set(action: "create", StateBackendConformance.sample().resources[0]))
        try journal.append(.set(action: "create", StateBackendConformance.policy("then-a-wait")))
        let started = Date()
        while try sql("SELECT count(*) FROM \(schema).journal WHERE workspace = $1", [.text(workspace)]).text(0, 0) != "2",
            Date().timeIntervalSince(started) < 5
        { usleep(10_000) }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1, "committed within a second")
        XCTAssertEqual(try backend().load().replayedActions, 2)
        try journal.finish()
    }

    /// A run whose connection dies leaves its record behind, stale: it does not block, is
    /// not reported as a holder, and `unlock` removes it.
    func testAStaleLockRecordDoesNotBlockAndUnlockRemovesIt() throws {
        let dead = backend()
        let lock = try dead.lock(operation: "apply", timeout: 0)
        let pid = try XCTUnwrap(sql("SELECT backend_pid::text FROM \(schema).locks WHERE workspace = $1", [.text(workspace)]).text(0, 0))
        try sql("SELECT pg_terminate_backend($1::integer)", [.text(pid)])
        // The advisory lock goes with the session at once; the record stays.
        let waited = Date()
        while try sql("SELECT count(*) FROM pg_stat_activity WHERE pid = $1::integer", [.text(pid)]).text(0, 0) != "0",
            Date().timeIntervalSince(waited) < 10
        { usleep(20_000) }
        XCTAssertEqual(backend().unlock(id: "another"), .otherLock(lock.record))
        XCTAssertEqual(backend().unlock(id: lock.record.id), .removed(lock.record))
        XCTAssertEqual(backend().unlock(id: lock.record.id), .noLock)

        // A stale record with a live-looking backend pid: still not believed while that
        // session does not hold the lock.
        try sql(
            """
            INSERT INTO \(schema).locks (workspace, id, operation, holder, host, pid, created, backend_pid)
            VALUES ($1, 'stale', 'apply', 'ci', 'runner-7', 999999, '2024-01-01T00:00:00Z', pg_backend_pid())
            """, [.text(workspace)])
        let next = try backend().lock(operation: "plan", timeout: 0)
        XCTAssertEqual(try sql("SELECT id FROM \(schema).locks WHERE workspace = $1", [.text(workspace)]).text(0, 0), next.record.id)
        next.release()
        XCTAssertEqual(try sql("SELECT count(*) FROM \(schema).locks WHERE workspace = $1", [.text(workspace)]).text(0, 0), "0")
        lock.release()  // its connection is gone: nothing to do, and no crash
    }

    /// Workspaces of one schema lock and store independently.
    func testWorkspacesAreIndependent() throws {
        let other = "\(workspace)-b"
        let lock = try backend().lock(operation: "apply", timeout: 0)
        try backend(workspace: other).lock(operation: "apply", timeout: 0).release()
        try backend(workspace: other).write(StateBackendConformance.sample(), replacing: 0)
        XCTAssertTrue(try backend().load().state.isEmpty)
        lock.release()
    }

    /// Runs that start on a schema nobody created yet all create it, at once, without failing.
    func testTablesAreCreatedOnFirstUseByConcurrentRuns() throws {
        let fresh = "tresor_t\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? sql("DROP SCHEMA \(fresh) CASCADE") }
        let failures = Failures()
        let (connection, workspace) = (self.connection, self.workspace)
        DispatchQueue.concurrentPerform(iterations: 6) { index in
            let backend = PostgresBackend(
                settings: PostgresSettings(connection: connection, schema: fresh, workspace: "\(workspace)-\(index)"))
            do {
                try backend.lock(operation: "plan", timeout: 0).release()
            } catch {
                failures.add((error as? FatalDiagnostic)?.diagnostic.message ?? "\(error)")
            }
        }
        XCTAssertEqual(failures.all, [])
        XCTAssertEqual(try sql("SELECT count(*) FROM pg_tables WHERE schemaname = $1", [.text(fresh)]).text(0, 0), "3")
    }

    private final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [String] = []
        func add(_ message: String) { lock.withLock { messages.append(message) } }
        var all: [String] { lock.withLock { messages } }
    }

    func testConnectionFailuresNeverShowThePassword() throws {
        var wrong = connection.replacingOccurrences(of: #"password=\S+"#, with: "", options: .regularExpression)
        wrong += " password=Sup3rSecretWrong"
        let backend = PostgresBackend(settings: PostgresSettings(connection: wrong, schema: schema, workspace: workspace))
        XCTAssertThrowsError(try backend.load()) { error in
            let diagnostic = (error as? FatalDiagnostic)?.diagnostic
            let text = (diagnostic?.message ?? "") + (diagnostic?.help ?? "")
            XCTAssertEqual(diagnostic?.code, "TR604")
            XCTAssertTrue(text.contains("cannot connect to PostgreSQL (host 127.0.0.1 port"), text)
            XCTAssertFalse(text.contains("Sup3rSecretWrong"), text)
        }
        let uri = PostgresBackend(settings: PostgresSettings(connection: "postgresql://tresor:Sup3rSecretWrong@127.0.0.1:1/postgres"))
        XCTAssertThrowsError(try uri.load()) { error in
            let text = (error as? FatalDiagnostic)?.diagnostic.message ?? ""
            XCTAssertTrue(text.contains("port 1"), text)
            XCTAssertFalse(text.contains("Sup3rSecretWrong"), text)
        }
    }

    func testASchemaNameMustBeAPlainIdentifier() {
        XCTAssertThrowsError(try backend(schema: "tresor\"; DROP TABLE x; --").load()) { error in
            XCTAssertEqual(
                (error as? FatalDiagnostic)?.diagnostic.message, "postgres schema \"tresor\"; DROP TABLE x; --\" is not a plain identifier")
        }
        XCTAssertTrue(PostgresSettings.isValidIdentifier("tresor_2"))
        XCTAssertFalse(PostgresSettings.isValidIdentifier("Tresor"))
        XCTAssertFalse(PostgresSettings.isValidIdentifier("2tresor"))
    }
}

/// The test server's connection, or a skip that says how to get one.
enum PostgresTestServer {
    static let variable = "TRESOR_TEST_PG_CONN"

    static func connection() throws -> String {
        guard let connection = ProcessInfo.processInfo.environment[variable], !connection.isEmpty else {
            throw XCTSkip("\(variable) is not set: no PostgreSQL to test against (`scripts/postgres-test-server.sh start` starts one)")
        }
        if case .failure(let failure) = PostgresConnection.open(connection) {
            throw XCTSkip("the PostgreSQL of \(variable) is unreachable: \(failure.message)")
        }
        return connection
    }
}
