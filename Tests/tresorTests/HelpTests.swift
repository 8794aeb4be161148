import ArgumentParser
import Foundation
import XCTest

@testable import tresor

final class HelpTests: XCTestCase {
    private func golden(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["TRESOR_UPDATE_GOLDEN"] == "1" { return "" }
        return try String(contentsOf: url, encoding: .utf8)
    }

    private func assertHelp(_ command: any ParsableCommand.Type, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws
    {
        let help = Tresor.helpMessage(for: command, columns: 100) + "\n"
        if ProcessInfo.processInfo.environment["TRESOR_UPDATE_GOLDEN"] == "1" {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
            try help.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        XCTAssertEqual(help, try golden(name), "help for \(name) changed (TRESOR_UPDATE_GOLDEN=1 rewrites it)", file: file, line: line)
    }

    func testRootHelp() throws { try assertHelp(Tresor.self, "tresor.txt") }
    func testValidateHelp() throws { try assertHelp(Validate.self, "validate.txt") }
    func testExplainHelp() throws { try assertHelp(Explain.self, "explain.txt") }
    func testPlanHelp() throws { try assertHelp(Plan.self, "plan.txt") }
    func testApplyHelp() throws { try assertHelp(Apply.self, "apply.txt") }
    func testShowHelp() throws { try assertHelp(Show.self, "show.txt") }
    func testUnlockHelp() throws { try assertHelp(Unlock.self, "unlock.txt") }
    func testImportHelp() throws { try assertHelp(Import.self, "import.txt") }
    func testGraphHelp() throws { try assertHelp(Graph.self, "graph.txt") }
    func testStatePullHelp() throws { try assertHelp(StateGroup.Pull.self, "state-pull.txt") }
    func testStatePushHelp() throws { try assertHelp(StateGroup.Push.self, "state-push.txt") }

    func testPlanOptionsParse() throws {
        let command = try XCTUnwrap(
            Tresor.parseAsRoot([
                "plan", "backup", "--state", "s.json", "--out", "p.json",
                "--format", "markdown", "--detailed-exitcode", "--allow-destroy"
            ]) as? Plan)
        XCTAssertEqual(command.paths, ["backup"])
        XCTAssertEqual(command.state.path, "s.json")
        XCTAssertEqual(command.out, "p.json")
        XCTAssertEqual(command.format, .markdown)
        XCTAssertTrue(command.detailedExitcode)
        XCTAssertTrue(command.allowDestroy)
    }

    func testRefreshOptionsParse() throws {
        let plan = try XCTUnwrap(Tresor.parseAsRoot(["plan", "--refresh-only", "--provider", "azure"]) as? Plan)
        XCTAssertTrue(plan.refresh.refreshOnly)
        let apply = try XCTUnwrap(Tresor.parseAsRoot(["apply", "--no-refresh", "--provider", "azure"]) as? Apply)
        XCTAssertTrue(apply.refresh.noRefresh)
        for arguments in [
            ["plan", "--refresh-only", "--no-refresh"], ["apply", "--refresh-only", "--provider", "record"],
            ["import", "--out", "d"], ["import", "--out", "d", "--subscription", "s", "--from-az", "f.json"]
        ] {
            XCTAssertThrowsError(try Tresor.parseAsRoot(arguments), "\(arguments)") { error in
                XCTAssertEqual(Tresor.exitCode(for: error).rawValue, 64)
            }
        }
    }

    func testUnlockNeedsALockID() {
        XCTAssertThrowsError(try Tresor.parseAsRoot(["unlock"])) { error in
            XCTAssertEqual(Tresor.exitCode(for: error).rawValue, 64)
        }
    }

    func testUnknownRuleCodeIsAUsageError() {
        XCTAssertThrowsError(try Tresor.parseAsRoot(["explain", "TR01"])) { error in
            XCTAssertEqual(Tresor.exitCode(for: error).rawValue, 64)
            XCTAssertTrue(Tresor.message(for: error).contains("Did you mean TR001?"))
        }
    }

    func testUnknownFormatIsAUsageError() {
        XCTAssertThrowsError(try Tresor.parseAsRoot(["validate", "--format", "yaml"])) { error in
            XCTAssertEqual(Tresor.exitCode(for: error).rawValue, 64)
        }
    }
}
