import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel

/// `backend:` in the working directory's tresor.yaml, and TRESOR_BACKEND (SPEC §8).
final class BackendConfigurationTests: XCTestCase {
    private var directory: URL!
    private var previous = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory()
        previous = FileManager.default.currentDirectoryPath
        _ = FileManager.default.changeCurrentDirectoryPath(directory.path)
    }

    override func tearDownWithError() throws {
        _ = FileManager.default.changeCurrentDirectoryPath(previous)
        try? FileManager.default.removeItem(at: directory)
    }

    private func load(_ yaml: String?, environment: [String: String] = [:]) throws -> (BackendConfiguration, [String]) {
        try? FileManager.default.removeItem(atPath: "tresor.yaml")
        if let yaml { try yaml.write(toFile: "tresor.yaml", atomically: true, encoding: .utf8) }
        let (configuration, problems) = BackendConfiguration.load(environment: environment)
        return (configuration, problems.map { TextRenderer(colored: false).render($0).split(separator: "\n").map(String.init) } ?? [])
    }

    func testTheLocalFileIsTheDefault() throws {
        XCTAssertEqual(try load(nil).0, BackendConfiguration())
        XCTAssertEqual(try load("rules: {TR307: off}\n").0, BackendConfiguration())
    }

    func testPostgresWithSchemaAndWorkspace() throws {
        let (configuration, problems) = try load(
            "backend:\n  type: postgres\n  schema: estates\n  workspace: prod-weu\nrules: {TR307: off}\n")
        XCTAssertEqual(problems, [])
        XCTAssertEqual(configuration, BackendConfiguration(kind: .postgres, schema: "estates", workspace: "prod-weu"))
        XCTAssertEqual(try load("backend: postgres\n").0, BackendConfiguration(kind: .postgres))
    }

    func testTheVariableOverridesTheFile() throws {
        XCTAssertEqual(
            try load("backend: {type: postgres, workspace: w}\n", environment: ["TRESOR_BACKEND": "local"]).0, BackendConfiguration())
        XCTAssertEqual(try load(nil, environment: ["TRESOR_BACKEND": "postgres"]).0, BackendConfiguration(kind: .postgres))
        XCTAssertEqual(
            try load("backend: {type: postgres, workspace: w}\n", environment: ["TRESOR_BACKEND": "postgres"]).0,
            BackendConfiguration(kind: .postgres, workspace: "w"))
        XCTAssertEqual(
            try load(nil, environment: ["TRESOR_BACKEND": "s3"]).1,
            ["error[TR000]: TRESOR_BACKEND=s3 names no backend", "  = help: use local or postgres"])
    }

    func testMistakesAreDiagnosticsWithTheirLines() throws {
        let (_, unknown) = try load("backend:\n  type: postgres\n  conn: host=db password=x\n")
        XCTAssertEqual(unknown.first, "tresor.yaml:3:3: error[TR005]: unknown field \"conn\" in backend")
        let (_, kind) = try load("backend: {type: mysql}\n")
        XCTAssertTrue(kind.first?.hasPrefix("tresor.yaml:1:17: error[") ?? false, kind.joined(separator: "\n"))
        let (_, local) = try load("backend: {type: local, workspace: w}\n")
        XCTAssertEqual(local.first, "tresor.yaml:1:10: error[TR007]: schema and workspace apply only to `type: postgres`")
    }
}
