import Foundation
import XCTest

@testable import TresorCore
@testable import TresorModel
@testable import TresorSupport

final class RenderingTests: XCTestCase {
    /// Every `Fixtures/diagnostics/NAME.yaml` renders exactly as `NAME.txt`.
    func testDiagnosticTextMatchesGoldenFiles() throws {
        let folder = fixturesDirectory.appendingPathComponent("diagnostics")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertFalse(names.isEmpty)
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let result = check(text, path: "diagnostics/\(name)")
            var command = ValidateCommand(paths: [])
            command.format = .text
            let rendered =
                TextRenderer(colored: false).render(result.report)
                + ValidateCommand.summary(result.report, estate: result.estate, strict: false)
            try assertGolden(rendered, "diagnostics/\(name.dropLast(5)).txt")
        }
    }

    func testColourIsOnlyAddedWhenAsked() {
        let result = check("apiVersion: tresor/v1\nkind: Vualt\n")
        XCTAssertFalse(TextRenderer(colored: false).render(result.report).contains("\u{1B}["))
        XCTAssertTrue(TextRenderer(colored: true).render(result.report).contains("\u{1B}[1;31merror[TR004]"))
    }

    func testCaretCoversTheSpanOnItsLine() {
        let result = check("apiVersion: tresor/v1\nkind: Vualt\n")
        let text = TextRenderer(colored: false).render(result.report)
        XCTAssertTrue(text.contains("2 | kind: Vualt\n  |       ^^^^^\n"), text)
    }

    func testJSONReportDecodesWithTheSpecShape() throws {
        let result = check("apiVersion: tresor/v1\nkind: Vault\nname: v\nregion: westeurope\nregoin: x\n")
        let json = DiagnosticJSON.report(result.report, strict: false).rendered()
        struct Report: Decodable {
            struct Note: Decodable {
                var message: String
                var file: String?
                var line: Int?
            }
            struct Item: Decodable {
                var code, severity, message, file: String
                var line, column, endLine, endColumn: Int
                var notes: [Note]
            }
            var formatVersion: Int
            var valid: Bool
            var errorCount, warningCount: Int
            var diagnostics: [Item]
        }
        let report = try JSONDecoder().decode(Report.self, from: Data(json.utf8))
        XCTAssertEqual(report.formatVersion, 1)
        XCTAssertFalse(report.valid)
        XCTAssertEqual(report.errorCount, 3)
        XCTAssertEqual(report.diagnostics.map(\.code), ["TR006", "TR006", "TR005"])
        XCTAssertEqual(report.diagnostics.last.map { [$0.line, $0.column, $0.endLine, $0.endColumn] }, [5, 1, 5, 7])
        XCTAssertEqual(report.diagnostics.last?.notes.first?.message, "help: did you mean \"region\"?")
    }

    func testStrictTurnsWarningsIntoFailure() {
        let report = DiagnosticReport(sources: SourceFiles(), diagnostics: [Diagnostic("TR307", .warning, "w", at: nil)])
        XCTAssertFalse(report.failed(strict: false))
        XCTAssertTrue(report.failed(strict: true))
    }
}
