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
        var environment = ProcessInfo.processInfo.environment
        environment["TRESOR_TEST_PAUSE_AFTER_ACTIONS"] = pauseAfter.map(String.init)
        let child = try Child(
            executable.path,
            arguments + ["--state", statePath] + (["apply", "plan"].contains(arguments.first) ? ["--provider", "record"] : []),
            environment: environment)
        var killed = false
        if pauseAfter != nil {
            if !child.stderr.wait(for: "paused after", timeout: 120) {
                XCTFail("apply did not pause: \(child.stderr.text)", file: file, line: line)
            }
            killed = kill(child.pid, SIGKILL) == 0
        }
        let termination = child.wait()
        if killed {
            XCTAssertEqual(termination.signal, SIGKILL, file: file, line: line)
        }
        let run = Run(
            status: termination.signal ?? termination.status, killed: killed, stdout: child.stdout.text, stderr: child.stderr.text)
        // Under scripts/sanitize.sh tresor is built with the sanitizer too: a report from a run
        // that was killed has no exit status to show it.
        XCTAssertFalse(run.stderr.contains("Sanitizer"), run.stderr, file: file, line: line)
        return run
    }

    /// A child process with its standard output and error on pipes and its input from
    /// /dev/null. Started with posix_spawn and read with plain read(2) calls on threads of its
    /// own, so that the tests run under ThreadSanitizer too: Foundation's Process with a
    /// readabilityHandler crashes inside libdispatch there when the child is SIGKILLed.
    private struct Child {
        let pid: pid_t
        let stdout: PipeReader
        let stderr: PipeReader

        init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
            var outputs: [[Int32]] = []
            for _ in 0..<2 {
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                // Not inherited by other children; dup2 gives the child its copies without the flag.
                for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
                outputs.append(ends)
            }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, outputs[0][1], 1)
            posix_spawn_file_actions_adddup2(&actions, outputs[1][1], 2)
            let argv = ([path] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in argv + envp { free(pointer) } }
            var pid = pid_t()
            let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
            for ends in outputs { close(ends[1]) }
            guard spawned == 0 else {
                for ends in outputs { close(ends[0]) }
                throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO)
            }
            self.pid = pid
            stdout = PipeReader(outputs[0][0])
            stderr = PipeReader(outputs[1][0])
        }

        /// Waits for the child to end: its exit status, or the signal that ended it.
        func wait() -> (status: Int32, signal: Int32?) {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return status & 0x7F == 0 ? ((status >> 8) & 0xFF, nil) : (0, status & 0x7F)
        }
    }

    /// What a pipe delivers, read on a thread of its own until end of file.
    private final class PipeReader: @unchecked Sendable {
        private let condition = NSCondition()
        private var data = Data()
        private var ended = false

        init(_ descriptor: Int32) {
            Thread.detachNewThread { [self] in
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    condition.lock()
                    if count > 0 { data.append(contentsOf: buffer[..<count]) } else { ended = true }
                    condition.broadcast()
                    condition.unlock()
                    if count <= 0 { break }
                }
                close(descriptor)
            }
        }

        /// Waits until the output holds `marker`, the pipe ends or `timeout` seconds pass;
        /// whether the output holds it.
        func wait(for marker: String, timeout: TimeInterval) -> Bool {
            let deadline = Date(timeIntervalSinceNow: timeout)
            condition.lock()
            defer { condition.unlock() }
            while !String(decoding: data, as: UTF8.self).contains(marker) {
                if ended || !condition.wait(until: deadline) { return String(decoding: data, as: UTF8.self).contains(marker) }
            }
            return true
        }

        /// The whole output, once the pipe has ended.
        var text: String {
            condition.lock()
            defer { condition.unlock() }
            while !ended { condition.wait() }
            return String(decoding: data, as: UTF8.self)
        }
    }

    private struct Shown: Decodable {
        struct Resource: Decodable {
            var kind: String
            var id: String
        }
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
        XCTAssertEqual(
            [plan.summary.update, plan.summary.replace, plan.summary.delete, plan.summary.stopProtection], [0, 0, 0, 0],
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
            let child = try Child(
                executable.path, ["apply", manifests, "--auto-approve", "--state", statePath, "--provider", "record"],
                environment: ProcessInfo.processInfo.environment)
            Thread.sleep(forTimeInterval: delay)
            kill(child.pid, SIGKILL)
            _ = child.wait()
            _ = try shownState()
        }
        let final = try tresor(["apply", manifests, "--auto-approve"])
        XCTAssertEqual(final.status, 0, final.stdout + final.stderr)
        XCTAssertEqual(try plannedCreates(), 0)
        XCTAssertEqual(try shownState().resources.count, 2 * 2 + 2 * 400)
    }
}
