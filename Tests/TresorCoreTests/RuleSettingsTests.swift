import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorSupport

/// tresor.yaml and `# tresor:ignore` comments.
final class RuleSettingsTests: XCTestCase {
    /// Configurable rules to test with, whatever the catalog holds.
    private static let catalog =
        RuleCatalog.descriptions
        + ["TR106", "TR301", "TR307"].map { code in
            RuleDescription(
                code: code, severity: code == "TR301" ? .error : .warning, title: code, rationale: "",
                source: "", triggering: [], nonTriggering: [])
        }

    private func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }

    private func write(_ text: String, _ path: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// A tresor.yaml read with the test catalog, and its problems as "line:column code help".
    private func configuration(_ text: String) -> (RuleConfiguration, [String]) {
        var configuration = RuleConfiguration()
        var syntax: [Diagnostic] = []
        var problems: [Diagnostic] = []
        YAMLLoader(file: 0, limits: YAMLLimits()).load(SourceFile(path: "tresor.yaml", bytes: Array(text.utf8)), diagnostics: &syntax) {
            root in
            configuration.read(root, catalog: Self.catalog, diagnostics: &problems)
        }
        return (configuration, (syntax + problems).map { "\($0.range!.line):\($0.range!.column) \($0.code) \($0.help ?? "")" })
    }

    // MARK: tresor.yaml

    func testConfigurationSetsSeveritiesAndSwitchesRulesOff() {
        let (settings, problems) = configuration("rules:\n  TR307: off\n  tr106: Error\n  TR301: warning\n")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(settings.severities, ["TR307": Severity?.none, "TR106": .error, "TR301": .warning])
    }

    func testBadConfigurationIsReportedWhereItIsWritten() {
        XCTAssertEqual(configuration("rule:\n  TR307: off\n").1, ["1:1 TR005 did you mean \"rules\"?"])
        XCTAssertEqual(configuration("rules: [TR307]\n").1, ["1:8 TR007 write `rules: {TR307: off}`"])
        XCTAssertEqual(
            configuration("rules:\n  TR3O7: off\n  TR006: off\n  TR307: sometimes\n  TR106: [off]\n").1,
            [
                "2:3 TR008 did you mean TR307?",
                "3:3 TR008 TR0xx mean a manifest could not be read and TR6xx protect state and recovery points; fix the cause instead",
                "4:10 TR008 ",
                "5:10 TR007 "
            ])
    }

    func testTheNearestConfigurationGovernsEachManifest() throws {
        let folder = try temporaryFolder()
        let root = folder.path
        try write("rules: {}\n", "tresor.yaml", in: folder)
        try write("rules: {}\n", "apps/tresor.yaml", in: folder)
        for path in ["vaults.yaml", "apps/weu/vms.yaml", "other/vms.yaml", "apps/weu/direct.yaml"] {
            try write("", path, in: folder)
        }
        let located = RuleConfiguration.locate(
            for: [
                "\(root)/vaults.yaml", "\(root)/apps/weu/vms.yaml", "\(root)/other/vms.yaml", "\(root)/apps/weu/direct.yaml",
                "\(root)/apps/tresor.yaml"
            ],
            arguments: [root, "\(root)/apps/weu/direct.yaml"])
        XCTAssertEqual(
            located,
            [
                "\(root)/tresor.yaml", "\(root)/apps/tresor.yaml", "\(root)/tresor.yaml",
                "\(root)/apps/tresor.yaml", "\(root)/apps/tresor.yaml"
            ])

        // A file named directly: its own folder, else the current directory.
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder.appendingPathComponent("other").path))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        XCTAssertEqual(
            RuleConfiguration.locate(for: ["vms.yaml", "\(root)/apps/weu/direct.yaml"], arguments: ["vms.yaml"]),
            [nil, nil])
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(root))
        XCTAssertEqual(
            RuleConfiguration.locate(for: ["other/vms.yaml", "./apps/weu/vms.yaml"], arguments: ["other/vms.yaml", "."]),
            ["tresor.yaml", "apps/tresor.yaml"])
    }

    func testValidateReadsTheConfigurationBesideTheManifests() throws {
        let folder = try temporaryFolder()
        try write(baseEstate, "estate/all.yaml", in: folder)
        try write("rules:\n  TR999: off\n", "estate/tresor.yaml", in: folder)
        let result = Compiler().check(paths: [folder.appendingPathComponent("estate").path])
        XCTAssertEqual(result.report.sources.files.map { URL(fileURLWithPath: $0.path).lastPathComponent }, ["all.yaml", "tresor.yaml"])
        XCTAssertEqual(positions(result).map { String($0.split(separator: "/").last!) }, ["tresor.yaml:2:3 TR008"])
    }

    // MARK: Suppression comments

    private func scan(_ text: String) -> [String] {
        let source = SourceFile(path: "test.yaml", bytes: Array(text.utf8))
        var documents: [ClosedRange<Int32>] = []
        var diagnostics: [Diagnostic] = []
        YAMLLoader(file: 0, limits: YAMLLimits()).load(source, diagnostics: &diagnostics) { root in
            documents.append(root.range.line...root.range.endLine)
        }
        return Suppression.scan(source, file: 0, documents: documents).map { suppression in
            let lines = suppression.lines.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "nothing"
            return "\(suppression.comment.line):\(suppression.comment.column) \(suppression.code) [\(suppression.reason)] \(lines)"
        }
    }

    func testASuppressionCoversTheNodeOnTheNextLine() {
        XCTAssertEqual(
            scan(
                """
                # tresor:ignore TR501 lab machine, rebuilt nightly
                apiVersion: tresor/v1
                kind: VirtualMachine
                name: web-01
                os:
                  type: Windows

                  # tresor:ignore TR305   legacy, retired in Q3\u{20}
                  version: "2008"
                # tresor:ignore TR307
                # tresor:ignore TR401 proxied
                networkSecurityGroups:
                - nsg-a
                - nsg-b
                disks: {managed: true}
                rules:
                  # tresor:ignore TR404 kept for the audit
                  - {name: a,
                     priority: 100}
                  - {name: b}
                #tresor:ignore TR406 no space after the hash
                last: true
                # tresor:ignored TR406 not the marker
                # tresor:ignore TR406 nothing follows
                ---
                """),
            [
                "1:1 TR501 [lab machine, rebuilt nightly] 2-25",
                "8:3 TR305 [legacy, retired in Q3] 9-9",
                "10:1 TR307 [] 12-14",
                "11:1 TR401 [proxied] 12-14",
                "17:3 TR404 [kept for the audit] 18-19",
                "21:1 TR406 [no space after the hash] 22-22",
                "24:1 TR406 [nothing follows] nothing"
            ])
    }

    func testSettingsSuppressConfigureAndReportSuppressionsThatSuppressNothing() {
        func at(_ line: Int, file: FileID = 0) -> SourceRange {
            SourceRange(file: file, line: line, column: 1, endLine: line, endColumn: 2)
        }
        func suppression(_ code: String, _ reason: String, comment line: Int, covers lines: ClosedRange<Int32>?) -> Suppression {
            Suppression(code: code, reason: reason, comment: at(line), lines: lines)
        }
        let (off, offProblems) = configuration("rules: {TR301: off}")
        let (promote, promoteProblems) = configuration("rules: {TR106: error}")
        XCTAssertEqual(offProblems + promoteProblems, [])
        let settings = RuleSettings(
            configurations: [0: promote, 1: off],
            suppressions: [
                suppression("tr307", "stopped for the move", comment: 9, covers: 10...12),
                suppression("TR301", "moving regions", comment: 4, covers: 5...6),
                suppression("TR307", "", comment: 13, covers: 14...14),
                suppression("TR30", "typo", comment: 15, covers: 16...16),
                suppression("TR009", "copied", comment: 17, covers: 18...18),
                suppression("", "", comment: 19, covers: nil),
                suppression("TR106", "no node", comment: 21, covers: nil)
            ],
            catalog: Self.catalog)
        let reported = [
            Diagnostic("TR307", .warning, "stopped", at: at(11)),
            Diagnostic("TR307", .warning, "stopped elsewhere", at: at(11, file: 1)),
            Diagnostic("TR106", .note, "LRS", at: at(3)),
            Diagnostic("TR301", .error, "region", at: at(20, file: 1)),
            Diagnostic("TR307", .warning, "unexplained", at: at(14))
        ]
        let summary = { (diagnostics: [Diagnostic]) in
            DiagnosticReport(sources: SourceFiles(), diagnostics: diagnostics).diagnostics.map {
                "\($0.range!.file):\($0.range!.line) \($0.code) \($0.severity.rawValue) \($0.help ?? $0.message)"
            }
        }
        XCTAssertEqual(
            summary(settings.apply(to: reported)),
            [
                "0:3 TR106 error LRS",
                "0:4 TR012 warning remove the comment, or put it on the line before the node that TR301 points at",
                "0:13 TR012 warning say why after the code: `# tresor:ignore TR307 <reason>`",
                "0:14 TR307 warning unexplained",
                "0:15 TR012 warning did you mean TR301?",
                "0:17 TR012 warning TR0xx mean a manifest could not be read and TR6xx protect state and recovery points; fix the cause instead",
                "0:19 TR012 warning write `# tresor:ignore TR307 <why the rule does not apply here>`",
                "0:21 TR012 warning remove the comment, or put it on the line before the node that TR106 points at",
                "1:11 TR307 warning stopped elsewhere"
            ])
        // While a document could not be read, unused comments are not reported; malformed ones are.
        let incomplete = summary(settings.apply(to: reported + [Diagnostic("TR006", .error, "missing", at: at(1, file: 1))]))
        XCTAssertEqual(incomplete.filter { $0.contains("TR012") }.count, 4)
        XCTAssertFalse(incomplete.contains { $0.hasPrefix("0:4 TR012") })
    }

    func testSuppressionCommentsAreCheckedInEveryRun() {
        let text = baseEstate.replacingOccurrences(
            of: "agent: {installed: true", with: "# tresor:ignore TR007 never mind\nagent: {installed: true")
        XCTAssertEqual(positions(check(text)), ["test.yaml:23:1 TR012"])
    }
}

final class SuppressionWithRulesTests: XCTestCase {
    /// The TR012 catalog example that suppresses a real rule: without the comment the same
    /// estate reports TR307, with it nothing at all.
    func testAnIgnoreCommentSuppressesItsRuleAtTheNodeBelow() throws {
        let example = try XCTUnwrap(RuleCatalog.description(of: "TR012")?.nonTriggering.first)
        XCTAssertEqual(codes(check(example)), [])
        let withoutComment = example.split(separator: "\n").filter { !$0.contains("tresor:ignore") }.joined(separator: "\n")
        XCTAssertEqual(codes(check(withoutComment)), ["TR307"])
    }
}
