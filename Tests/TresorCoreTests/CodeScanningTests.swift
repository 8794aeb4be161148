import Foundation
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorSupport

/// `--format sarif` and `--format github`: what code scanning and pull-request annotations read.
final class CodeScanningTests: XCTestCase {
    private static let manifest = """
        apiVersion: tresor/v1
        kind: Vault
        name: rsv-prod-weu
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-backup-prod
        region: westeurope
        replicaton: LRS
        ---
        apiVersion: tresor/v1
        kind: Vault
        name: RSV-PROD-WEU
        subscription: 1f0c5c6e-0000-4000-8000-00000000a001
        resourceGroup: rg-backup-prod
        region: westeurope
        """

    private struct Log: Decodable {
        struct Run: Decodable {
            var tool: Tool
            var originalUriBaseIds: [String: ArtifactLocation]
            var columnKind: String
            var results: [Result]
        }
        struct Tool: Decodable { var driver: Driver }
        struct Driver: Decodable {
            var name: String
            var rules: [Rule]
        }
        struct Text: Decodable { var text: String }
        struct Rule: Decodable {
            struct Configuration: Decodable { var level: String }
            var id: String
            var shortDescription, fullDescription, help: Text
            var defaultConfiguration: Configuration
        }
        struct ArtifactLocation: Decodable {
            var uri: String
            var uriBaseId: String?
        }
        struct Region: Decodable { var startLine, startColumn, endLine, endColumn: Int }
        struct PhysicalLocation: Decodable {
            var artifactLocation: ArtifactLocation
            var region: Region
        }
        struct Location: Decodable {
            var id: Int?
            var physicalLocation: PhysicalLocation
            var message: Text?
        }
        struct Result: Decodable {
            var ruleId: String
            var ruleIndex: Int?
            var level: String
            var message: Text
            var locations: [Location]?
            var relatedLocations: [Location]?
        }
        var version: String
        var runs: [Run]
    }

    private func sarif(_ files: [(String, String)], workingDirectory: String = "/work/repo") throws -> (Log, String) {
        let result = check(files)
        let text = DiagnosticSARIF.log(result.report, workingDirectory: workingDirectory).rendered()
        return (try JSONDecoder().decode(Log.self, from: Data(text.utf8)), text)
    }

    func testSARIFCarriesTheCatalogAndEachDiagnosticAtItsRegion() throws {
        let (log, _) = try sarif([("backup/vaults.yaml", Self.manifest)])
        XCTAssertEqual(log.version, "2.1.0")
        let run = try XCTUnwrap(log.runs.first)
        XCTAssertEqual(run.tool.driver.name, "tresor")
        XCTAssertEqual(run.columnKind, "unicodeCodePoints")
        XCTAssertEqual(run.originalUriBaseIds["%SRCROOT%"]?.uri, "file:///work/repo/")
        XCTAssertEqual(run.tool.driver.rules.map(\.id), RuleCatalog.descriptions.map(\.code))
        let tr005 = try XCTUnwrap(run.tool.driver.rules.first { $0.id == "TR005" })
        XCTAssertEqual(tr005.shortDescription.text, "unknown field (suggest the nearest known one)")
        XCTAssertTrue(tr005.fullDescription.text.hasPrefix("A misspelt optional field"))
        XCTAssertTrue(tr005.help.text.contains("Source: kubeconform -strict"))
        XCTAssertEqual(tr005.defaultConfiguration.level, "error")

        XCTAssertEqual(run.results.map(\.ruleId), ["TR005", "TR009"])
        for result in run.results {
            XCTAssertEqual(result.ruleIndex.map { run.tool.driver.rules[$0].id }, result.ruleId)
            XCTAssertEqual(result.level, "error")
        }
        let unknownField = run.results[0]
        XCTAssertEqual(unknownField.message.text, "unknown field \"replicaton\" in Vault\nhelp: did you mean \"replication\"?")
        let location = try XCTUnwrap(unknownField.locations?.first?.physicalLocation)
        XCTAssertEqual(location.artifactLocation.uri, "backup/vaults.yaml")
        XCTAssertEqual(location.artifactLocation.uriBaseId, "%SRCROOT%")
        XCTAssertEqual(
            [location.region.startLine, location.region.startColumn, location.region.endLine, location.region.endColumn],
            [7, 1, 7, 11])

        let duplicate = run.results[1]
        let related = try XCTUnwrap(duplicate.relatedLocations?.first)
        XCTAssertEqual(related.id, 1)
        XCTAssertEqual(related.message?.text, "first declared here")
        XCTAssertEqual(related.physicalLocation.region.startLine, 3)
        XCTAssertTrue(duplicate.message.text.contains("note: first declared here at [backup/vaults.yaml:3:7](1)"))
    }

    func testSARIFPathsAreRelativeToTheWorkingDirectory() throws {
        let vault = Self.manifest.components(separatedBy: "\n---\n")[0]
        let (log, _) = try sarif([
            ("/work/repo/backup/prod vaults.yaml", vault),
            ("./backup/../other/ä.yaml", vault),
            ("/elsewhere/vaults.yaml", vault)
        ])
        let locations = try XCTUnwrap(
            log.runs.first?.results.filter { $0.ruleId == "TR005" }
                .compactMap { $0.locations?.first?.physicalLocation.artifactLocation })
        XCTAssertEqual(locations.map(\.uri), ["backup/prod%20vaults.yaml", "other/%C3%A4.yaml", "file:///elsewhere/vaults.yaml"])
        XCTAssertEqual(locations.map(\.uriBaseId), ["%SRCROOT%", "%SRCROOT%", nil])
    }

    /// The official SARIF 2.1.0 schema, from the shared data folder beside the repository.
    func testSARIFMatchesTheOfficialSchema() throws {
        let schema = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data/sarif-schema-2.1.0.json")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: schema.path), "no SARIF schema at \(schema.path)")
        let unlocated = Diagnostic("TR000", .error, "cannot read \"missing\": No such file or directory", at: nil)
        var report = check([("backup/vaults.yaml", Self.manifest)]).report
        report = DiagnosticReport(sources: report.sources, diagnostics: report.diagnostics + [unlocated])
        let text = DiagnosticSARIF.log(report, workingDirectory: "/work/repo").rendered()
        let instance = try JSONSerialization.jsonObject(with: Data(text.utf8))
        struct Errors: Decodable { var errors: [String] }
        let result = try jsonSchemaCheck("instance", ["schema": schema.path, "instance": instance], as: Errors.self)
        XCTAssertEqual(result.errors, [])
        // The check can fail: a result without a message breaks the schema.
        var broken = try XCTUnwrap(instance as? [String: Any])
        var runs = try XCTUnwrap(broken["runs"] as? [[String: Any]])
        var results = try XCTUnwrap(runs[0]["results"] as? [[String: Any]])
        results[0]["message"] = nil
        runs[0]["results"] = results
        broken["runs"] = runs
        XCTAssertFalse(try jsonSchemaCheck("instance", ["schema": schema.path, "instance": broken], as: Errors.self).errors.isEmpty)
    }

    func testGitHubAnnotationsPutEachDiagnosticOnItsLine() throws {
        let result = check([("backup/vaults, prod: a.yaml", Self.manifest.replacingOccurrences(of: "replicaton", with: "100%"))])
        var diagnostics = result.report.diagnostics
        diagnostics.append(
            Diagnostic("TR307", .warning, "VM web-01 is stopped", at: SourceRange(file: 0, line: 2, column: 1, endLine: 4, endColumn: 3)))
        diagnostics.append(Diagnostic("TR106", .note, "two\r\nlines", at: nil))
        let report = DiagnosticReport(sources: result.report.sources, diagnostics: diagnostics)
        try assertGolden(GitHubAnnotations.render(report, workingDirectory: "/work/repo"), "github/annotations.txt")
    }

    func testGitHubEscaping() {
        XCTAssertEqual(GitHubAnnotations.escapeData("50% a:b,c\r\nd"), "50%25 a:b,c%0D%0Ad")
        XCTAssertEqual(GitHubAnnotations.escapeProperty("50% a:b,c\r\nd"), "50%25 a%3Ab%2Cc%0D%0Ad")
    }

    func testValidateFormats() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.manifest.write(to: folder.appendingPathComponent("vaults.yaml"), atomically: true, encoding: .utf8)
        var command = ValidateCommand(paths: [folder.path])
        command.workingDirectory = folder.path
        command.format = .github
        let github = command.run()
        XCTAssertEqual(github.exitCode, ExitCode.failure)
        XCTAssertTrue(github.stdout.hasPrefix("::error file=vaults.yaml,line=7,col=1,endLine=7,endColumn=11,title=TR005::"), github.stdout)
        XCTAssertTrue(github.stdout.hasSuffix("failed: 1 file, 1 resource, 2 errors, 0 warnings\n"), github.stdout)
        command.format = .sarif
        let sarif = command.run()
        XCTAssertEqual(sarif.exitCode, ExitCode.failure)
        let log = try JSONDecoder().decode(Log.self, from: Data(sarif.stdout.utf8))
        XCTAssertEqual(log.runs.first?.results.first?.locations?.first?.physicalLocation.artifactLocation.uri, "vaults.yaml")
    }
}
