import Foundation
import XCTest

/// Runs the built `tresor` and kills it with SIGKILL in the middle of applies: the state must
/// stay readable and match what was done, and applying again must converge to no changes.
/// Apply pauses at a known point when TRESOR_TEST_PAUSE_AFTER_ACTIONS is set, so that the kill
/// lands there and the test does not depend on timing.
final class CrashTests: XCTestCase {
    private var directory: URL!
    private var statePath: String { directory.appendingPathComponent("tresor.state.json").path }
    private var manifests: String { directory.appendingPathComponent("estate").path }

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory.path + "/estate", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private var executable: URL {
        Bundle.main.executableURL!.deletingLastPathComponent().appendingPathComponent("tresor")
    }

    private func writeEstate(vaults: Int, perVault: Int) throws {
        try TestEstate.write(vaults: vaults, perVault: perVault, name: "crash", into: manifests)
    }

    private struct Run {
        var status: Int32
        var killed: Bool
        var stdout: String
        var stderr: String
    }

    /// Runs tresor; with `pauseAfter`, waits for apply to pause there, then kills it.
    private func tresor(_ arguments: [String], pauseAfter: Int? = nil, file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + ["--state", statePath] + (["apply", "plan"].contains(arguments.first) ? ["--provider", "record"] : [])
        var environment = ProcessInfo.processInfo.environment
        environment["TRESOR_TEST_PAUSE_AFTER_ACTIONS"] = pauseAfter.map(String.init)
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let collected = Collected()
        let paused = DispatchSemaphore(value: 0)
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if collected.append(data), data.isEmpty == false { paused.signal() }
        }
        let stdout = Collected()
        output.fileHandleForReading.readabilityHandler = { handle in _ = stdout.append(handle.availableData) }
        try process.run()
        var killed = false
        if pauseAfter != nil {
            if paused.wait(timeout: .now() + 120) == .timedOut || !collected.text.contains("paused after") {
                XCTFail("apply did not pause: \(collected.text)", file: file, line: line)
            }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                killed = true
            }
        }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        output.fileHandleForReading.readabilityHandler = nil
        _ = stdout.append(output.fileHandleForReading.readDataToEndOfFile())
        if killed {
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, file: file, line: line)
        }
        return Run(status: process.terminationStatus, killed: killed, stdout: stdout.text, stderr: collected.text)
    }

    /// Output gathered from a pipe's handler thread.
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()

        /// Appends; true once the text holds the pause message.
        func append(_ more: Data) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            data.append(more)
            return String(decoding: data, as: UTF8.self).contains("paused after")
        }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    private struct Shown: Decodable {
        struct Resource: Decodable { var kind: String; var id: String }
        var serial: Int
        var resources: [Resource]
    }

    private struct Planned: Decodable {
        struct Summary: Decodable { var create, update, replace, delete, stopProtection: Int }
        var summary: Summary
    }

    private func shownState(file: StaticString = #filePath, line: UInt = #line) throws -> Shown {
        let run = try tresor(["show", "--format", "json"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr, file: file, line: line)
        return try JSONDecoder().decode(Shown.self, from: Data(run.stdout.utf8))
    }

    private func plannedCreates(file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let run = try tresor(["plan", manifests, "--format", "json", "--detailed-exitcode"])
        XCTAssertNotEqual(run.status, 1, run.stdout, file: file, line: line)
        let plan = try JSONDecoder().decode(Planned.self, from: Data(run.stdout.utf8))
        XCTAssertEqual([plan.summary.update, plan.summary.replace, plan.summary.delete, plan.summary.stopProtection], [0, 0, 0, 0],
                       file: file, line: line)
        XCTAssertEqual(run.status, plan.summary.create == 0 ? 0 : 2, file: file, line: line)
        return plan.summary.create
    }

    func testKilledAppliesLeaveConsistentStateAndReapplyConverges() throws {
        try writeEstate(vaults: 6, perVault: 500)
        let total = 6 * 2 + 6 * 500
        XCTAssertEqual(try plannedCreates(), total)

        var done = 0
        // Kill after the first change, in the middle, and after the last change of an apply but
        // before its state write; each later apply first records what the killed one did.
        for pause in [1, 1200, 900, total - 2101] {
            let run = try tresor(["apply", manifests, "--auto-approve"], pauseAfter: pause)
            XCTAssertTrue(run.killed, run.stderr)
            done += pause
            let state = try shownState()
            XCTAssertEqual(state.resources.count, done, "the state holds exactly the changes done")
            XCTAssertEqual(Set(state.resources.map(\.id)).count, done)
            XCTAssertEqual(try plannedCreates(), total - done, "planning again yields exactly what is left")
        }
        XCTAssertEqual(done, total)
        XCTAssertTrue(FileManager.default.fileExists(atPath: statePath + ".journal"))

        let final = try tresor(["apply", manifests, "--auto-approve"])
        XCTAssertEqual(final.status, 0, final.stdout + final.stderr)
        XCTAssertTrue(final.stdout.contains("No changes"), final.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: statePath + ".journal"))
        XCTAssertEqual(try shownState().resources.count, total)
        XCTAssertEqual(try plannedCreates(), 0)
    }

    /// Kills at whatever moment a delay lands on (reading, planning, applying or writing): the
    /// state is always readable and a re-run converges.
    func testKillsAtArbitraryMomentsConverge() throws {
        try writeEstate(vaults: 2, perVault: 400)
        for delay in [0.05, 0.3, 0.8] {
            let process = Process()
            process.executableURL = executable
            process.arguments = ["apply", manifests, "--auto-approve", "--state", statePath, "--provider", "record"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            _ = try shownState()
        }
        let final = try tresor(["apply", manifests, "--auto-approve"])
        XCTAssertEqual(final.status, 0, final.stdout + final.stderr)
        XCTAssertEqual(try plannedCreates(), 0)
        XCTAssertEqual(try shownState().resources.count, 2 * 2 + 2 * 400)
    }
}
