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

    private func assertHelp(_ command: any ParsableCommand.Type, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
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
