import Foundation
import XCTest

/// The built `tresor` on a real PostgreSQL (SPEC §8): concurrent, killed and disconnected
/// applies. The server comes from TRESOR_TEST_PG_CONN (`scripts/postgres-test-server.sh start`
/// prints one); without it, or when it cannot be reached, these tests are skipped. Each test
/// uses a workspace of its own; psql (from the server's packages) looks at and tampers with
/// the tables.
final class PostgresScenarioTests: XCTestCase {
    private var directory: URL!
    private var connection = ""
    private var workspace = ""
    private var manifests: String { directory.appendingPathComponent("estate").path }

    override func setUpWithError() throws {
        guard let connection = ProcessInfo.processInfo.environment["TRESOR_TEST_PG_CONN"], !connection.isEmpty else {
            throw XCTSkip(
                "TRESOR_TEST_PG_CONN is not set: no PostgreSQL to test against (`scripts/postgres-test-server.sh start` starts one)")
        }
        self.connection = connection
        guard (try? psql("SELECT 1")) == "1" else {
            throw XCTSkip("the PostgreSQL of TRESOR_TEST_PG_CONN is unreachable (or psql is missing)")
        }
        workspace = "scenario-\(UUID().uuidString.lowercased())"
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try "backend:\n  type: postgres\n  schema: tresor_scenarios\n"
            .write(to: directory.appendingPathComponent("tresor.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    private var executable: URL {
        Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("tresor")
    }

    private var password: String? {
        connection.split(separator: " ").first { $0.hasPrefix("password=") }.map { String($0.dropFirst("password=".count)) }
    }

    @discardableResult
    private func psql(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [connection, "-XAtqc", sql]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func writeEstate(vaults: Int, perVault: Int) throws {
        try TestEstate.write(vaults: vaults, perVault: perVault, name: "pg", into: manifests)
    }

    /// A started tresor, its output gathered as it comes.
    private final class Running: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var stdoutData = Data()
        private var stderrData = Data()
        private let output = Pipe()
        private let errors = Pipe()

        var stdout: String { lock.withLock { String(decoding: stdoutData, as: UTF8.self) } }
        var stderr: String { lock.withLock { String(decoding: stderrData, as: UTF8.self) } }

        func start(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]) throws {
            process.executableURL = executable
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.environment = environment
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = output
            process.standardError = errors
            output.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.withLock { stdoutData.append(data) }
            }
            errors.fileHandleForReading.readabilityHandler = { [self] handle in
                let data = handle.availableData
                lock.withLock { stderrData.append(data) }
            }
            try process.run()
        }

        /// Waits up to `seconds` for `condition`; false when it never held.
        func wait(seconds: Double, until condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while !condition() {
                if Date() > deadline { return false }
                usleep(20_000)
            }
            return true
        }

        func finish() -> Int32 {
            process.waitUntilExit()
            // What the handlers have not read yet.
            output.fileHandleForReading.readabilityHandler = nil
            errors.fileHandleForReading.readabilityHandler = nil
            let rest = (output.fileHandleForReading.readDataToEndOfFile(), errors.fileHandleForReading.readDataToEndOfFile())
            lock.withLock {
                stdoutData.append(rest.0)
                stderrData.append(rest.1)
            }
            return process.terminationStatus
        }
    }

    private func start(_ arguments: [String], pauseAfter: Int? = nil) throws -> Running {
        var environment = ProcessInfo.processInfo.environment
        environment["TRESOR_PG_CONN"] = connection
        environment["TRESOR_WORKSPACE"] = workspace
        environment["TRESOR_BACKEND"] = nil
        environment["TRESOR_PROVIDER"] = "record"
        environment["TRESOR_TEST_PAUSE_AFTER_ACTIONS"] = pauseAfter.map(String.init)
        let running = Running()
        try running.start(executable, arguments, in: directory, environment: environment)
        return running
    }

    private struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var text: String { stdout + stderr }
    }

    private func run(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let running = try start(arguments)
        let status = running.finish()
        let result = Run(status: status, stdout: running.stdout, stderr: running.stderr)
        if let password { XCTAssertFalse(result.text.contains(password), "the password reached the output", file: file, line: line) }
        return result
    }

    /// An apply paused after `actions` journaled changes, holding the lock.
    private func pausedApply(after actions: Int) throws -> Running {
        let running = try start(["apply", manifests, "--auto-approve"], pauseAfter: actions)
        XCTAssertTrue(running.wait(seconds: 120) { running.stderr.contains("paused after") }, "apply did not pause: \(running.stderr)")
        return running
    }

    private func killed(_ running: Running) {
        kill(running.process.processIdentifier, SIGKILL)
        _ = running.finish()
    }

    private struct Planned: Decodable {
        struct Summary: Decodable { var create, update, replace, delete, stopProtection: Int }
        var summary: Summary
    }

    private func plannedCreates(file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let result = try run(["plan", manifests, "--format", "json"])
        XCTAssertEqual(result.status, 0, result.text, file: file, line: line)
        return try JSONDecoder().decode(Planned.self, from: Data(result.stdout.utf8)).summary.create
    }

    private func journalRows() throws -> Int {
        Int(try psql("SELECT count(*) FROM tresor_scenarios.journal WHERE workspace = '\(workspace)'")) ?? -1
    }

    /// The second of two applies fails with TR603 naming the first; under --lock-timeout it
    /// waits instead, and goes on once the first is gone.
    func testASecondApplyFailsNamingTheFirstOrWaitsUnderLockTimeout() throws {
        try writeEstate(vaults: 2, perVault: 50)
        let first = try pausedApply(after: 10)
        let second = try run(["apply", manifests, "--auto-approve"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(
            second.text.contains("error[TR603]: postgres workspace \"\(workspace)\" in schema \"tresor_scenarios\" is locked by lock "),
            second.text)
        XCTAssertTrue(second.text.contains("(apply by "), second.text)
        XCTAssertTrue(second.text.contains("pid \(first.process.processIdentifier)"), second.text)

        let waiting = try start(["apply", manifests, "--auto-approve", "--lock-timeout", "60s"])
        usleep(700_000)
        XCTAssertTrue(waiting.process.isRunning, "it waits for the lock: \(waiting.stdout)\(waiting.stderr)")
        killed(first)
        XCTAssertEqual(waiting.finish(), 0, waiting.stdout + waiting.stderr)
        XCTAssertTrue(waiting.stdout.contains("10 changes of an interrupted apply"), waiting.stdout)
        XCTAssertEqual(try plannedCreates(), 0)
    }

    /// A killed apply's lock goes with its connection at once, and its journal replays.
    func testAKilledApplyReleasesTheLockAtOnceAndItsJournalReplays() throws {
        try writeEstate(vaults: 2, perVault: 200)
        let total = 2 * 2 + 2 * 200
        let apply = try pausedApply(after: 150)
        killed(apply)
        let plan = try run(["plan", manifests])
        XCTAssertEqual(plan.status, 0, plan.text)
        XCTAssertTrue(plan.text.contains("150 changes of an interrupted apply, replayed from its journal"), plan.text)
        XCTAssertEqual(try plannedCreates(), total - 150)
        XCTAssertEqual(try journalRows(), 150, "plan writes nothing")
        let again = try run(["apply", manifests, "--auto-approve"])
        XCTAssertEqual(again.status, 0, again.text)
        XCTAssertEqual(try journalRows(), 0)
        XCTAssertEqual(try plannedCreates(), 0)
        XCTAssertEqual(try psql("SELECT count(*) FROM tresor_scenarios.locks WHERE workspace = '\(workspace)'"), "0")
    }

    /// The server ends tresor's connection in the middle of an apply: the apply stops with an
    /// error that says so, what it committed stays, and applying again converges.
    func testATerminatedConnectionStopsApplyWithoutLosingState() throws {
        try writeEstate(vaults: 12, perVault: 1000)
        let total = 12 * 2 + 12 * 1000
        let apply = try start(["apply", manifests, "--auto-approve"])
        XCTAssertTrue(
            apply.wait(seconds: 120) { ((try? self.journalRows()) ?? 0) > 0 || !apply.process.isRunning },
            "no journal rows appeared")
        // Held still while its connection is ended, so that it cannot finish first.
        kill(apply.process.processIdentifier, SIGSTOP)
        try psql("SELECT pg_terminate_backend(backend_pid) FROM tresor_scenarios.locks WHERE workspace = '\(workspace)'")
        kill(apply.process.processIdentifier, SIGCONT)
        XCTAssertEqual(apply.finish(), 1, apply.stdout + apply.stderr)
        let output = apply.stdout + apply.stderr
        XCTAssertTrue(output.contains("the connection to PostgreSQL was lost"), output)
        XCTAssertTrue(output.contains("Apply failed"), output)
        if let password { XCTAssertFalse(output.contains(password)) }

        let left = try plannedCreates()
        XCTAssertLessThan(left, total, "the committed journal rows are replayed")
        let again = try run(["apply", manifests, "--auto-approve"])
        XCTAssertEqual(again.status, 0, again.text)
        XCTAssertEqual(try plannedCreates(), 0)
        let shown = try run(["show"])
        XCTAssertTrue(shown.stdout.contains("\(total) resources."), shown.stdout)
    }

    /// Without libpq the command stops with a diagnostic that says what to install.
    func testAMissingClientLibraryIsADiagnostic() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["TRESOR_LIBPQ"] = "/nonexistent/libpq.so.5"
        environment["TRESOR_PG_CONN"] = connection
        let running = Running()
        try running.start(executable, ["plan", manifests, "--provider", "record"], in: directory, environment: environment)
        XCTAssertEqual(running.finish(), 1)
        XCTAssertTrue(
            running.stdout.contains("error[TR604]: cannot load PostgreSQL's client library /nonexistent/libpq.so.5 ("),
            running.stdout + running.stderr)
        XCTAssertTrue(running.stdout.contains("help: install it (Debian and Ubuntu: `apt-get install libpq5`)"), running.stdout)
    }

    /// push checks lineage and serial; pull prints what a local state file would hold, so a
    /// state moves between the backends byte for byte.
    func testPushRefusesAnotherLineageAndStateMovesBetweenBackends() throws {
        try writeEstate(vaults: 1, perVault: 3)
        XCTAssertEqual(try run(["apply", manifests, "--auto-approve"]).status, 0)
        let pulled = try run(["state", "pull"])
        XCTAssertEqual(pulled.status, 0, pulled.text)
        let pulledFile = directory.appendingPathComponent("pulled.json").path
        try pulled.stdout.write(toFile: pulledFile, atomically: true, encoding: .utf8)

        // Another estate's state, made with the local backend.
        let other = directory.appendingPathComponent("other.state.json").path
        XCTAssertEqual(try runLocal(["apply", manifests, "--auto-approve", "--state", other]), 0)
        let refused = try run(["state", "push", other])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.text.contains("error[TR602]: \"\(other)\" is another state than postgres workspace"), refused.text)
        let stale = try run(["state", "push", pulledFile])
        XCTAssertEqual(stale.status, 1)
        XCTAssertTrue(stale.text.contains("is at serial 1, not newer than"), stale.text)
        XCTAssertEqual(try run(["state", "pull"]).stdout, pulled.stdout, "a refused push writes nothing")

        // To a local file and back, with a change made there.
        let moved = directory.appendingPathComponent("moved.state.json").path
        XCTAssertEqual(try runLocal(["state", "push", pulledFile, "--state", moved]), 0)
        XCTAssertEqual(try String(contentsOfFile: moved, encoding: .utf8), pulled.stdout)
        try writeEstate(vaults: 1, perVault: 4)
        XCTAssertEqual(try runLocal(["apply", manifests, "--auto-approve", "--state", moved]), 0)
        let pushed = try run(["state", "push", moved])
        XCTAssertEqual(pushed.status, 0, pushed.text)
        XCTAssertTrue(pushed.stdout.contains("serial 2, 6 resources"), pushed.stdout)
        XCTAssertEqual(try run(["state", "pull"]).stdout, try String(contentsOfFile: moved, encoding: .utf8))
        XCTAssertEqual(try plannedCreates(), 0)

        // --force replaces it all the same, one serial past the stored one.
        let forced = try run(["state", "push", other, "--force"])
        XCTAssertEqual(forced.status, 0, forced.text)
        XCTAssertTrue(forced.stdout.contains("serial 3"), forced.stdout)
    }

    /// Runs tresor on the local backend; its exit status.
    private func runLocal(_ arguments: [String]) throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment["TRESOR_BACKEND"] = "local"
        environment["TRESOR_PROVIDER"] = "record"
        let running = Running()
        try running.start(executable, arguments, in: directory, environment: environment)
        let status = running.finish()
        if status != 0 { XCTFail(running.stdout + running.stderr) }
        return status
    }
}
