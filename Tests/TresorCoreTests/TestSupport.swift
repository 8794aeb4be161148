import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState

/// Checks in-memory manifests, each `(path, text)`.
func check(_ files: [(String, String)]) -> Compiler.Result {
    Compiler().check(sources: files.map { (path: $0.0, text: $0.1) })
}

func check(_ text: String, path: String = "test.yaml") -> Compiler.Result {
    check([(path, text)])
}

func codes(_ result: Compiler.Result) -> [String] {
    result.report.diagnostics.map(\.code)
}

/// `file:line:column code` for each diagnostic, the form the position tests compare.
func positions(_ result: Compiler.Result) -> [String] {
    positions(result.report)
}

func positions(_ result: Planning.Result) -> [String] {
    positions(result.report)
}

func positions(_ report: DiagnosticReport) -> [String] {
    report.diagnostics.map { diagnostic in
        guard let range = diagnostic.range else { return diagnostic.code }
        return "\(report.path(of: range)):\(range.line):\(range.column) \(diagnostic.code)"
    }
}

/// Applies `example.applied` to empty in-memory state, then plans `example.manifests` against it.
func planAfterApplying(_ example: StateExample) -> Planning.Result {
    var state = State()
    let first = Planning().plan(sources: [(path: "applied.yaml", text: example.applied)], against: state)
    XCTAssertEqual(first.report.errorCount, 0, "the manifests applied first have errors: \(first.report.diagnostics)")
    if let plan = first.plan { state.record(plan) }
    return Planning(allowDestroy: example.allowDestroy).plan(
        sources: [(path: "example.yaml", text: example.manifests.text)], against: state)
}

func codes(_ result: Planning.Result) -> [String] {
    result.report.diagnostics.map(\.code)
}

/// The Fixtures folder in the source tree (golden files are updated there).
let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

/// Compares `actual` with a golden file; with TRESOR_UPDATE_GOLDEN=1 rewrites it instead.
func assertGolden(_ actual: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
    let url = fixturesDirectory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["TRESOR_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    XCTAssertEqual(
        actual, expected, "output differs from golden file \(name) (TRESOR_UPDATE_GOLDEN=1 rewrites it)",
        file: file, line: line)
}

/// A valid vault, policy, VM and protection in West Europe, to build examples on: the vault on
/// lines 1–6, policy daily-30 on 8–14 (schedule, instantRestoreDays and retention on 12–14), VM
/// web-01 on 16–23 and its protection on 25–29, with a final line break.
let baseEstate = ExampleManifests.file(
    ExampleManifests.vault(),
    ExampleManifests.policy("daily-30", ExampleManifests.dailySchedule, "instantRestoreDays: 2", "retention: {daily: 30}"),
    ExampleManifests.vm(), ExampleManifests.protection(policy: "daily-30"))

/// An NSG and a managed rule on it that lets backup reach storage, to follow `baseEstate`.
let backupStorageRule =
    "---\n"
    + ExampleManifests.manifests(
        ExampleManifests.nsg(), ExampleManifests.allowOutbound("allow-backup", priority: "900", ports: #"["443", "8443"]"#))

/// A fresh directory under the system's temporary directory, removed by `tearDown` callers.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tresor-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The bytes of every file under `directory`, by relative path: to check that a command wrote nothing.
func snapshot(_ directory: URL) throws -> [String: Data] {
    var files: [String: Data] = [:]
    for name in try FileManager.default.subpathsOfDirectory(atPath: directory.path) {
        var isDirectory: ObjCBool = false
        let path = directory.appendingPathComponent(name).path
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        files[name] = isDirectory.boolValue ? Data() : try Data(contentsOf: URL(fileURLWithPath: path))
    }
    return files
}

/// `baseEstate` with `old` replaced by `new` (which must occur).
func baseEstate(replacing old: String, with new: String, file: StaticString = #filePath, line: UInt = #line) -> String {
    XCTAssertTrue(baseEstate.contains(old), "base estate has no \"\(old)\"", file: file, line: line)
    return baseEstate.replacingOccurrences(of: old, with: new)
}
