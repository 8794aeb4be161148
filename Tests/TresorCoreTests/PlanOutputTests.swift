import Foundation
import XCTest

@testable import TresorModel
@testable import TresorPlan
@testable import TresorState

/// Plan text and markdown (golden files), plan JSON (decoded with the SPEC §4 shape).
final class PlanOutputTests: XCTestCase {
    /// The plan of `Fixtures/plans/NAME.after.yaml` against the state `NAME.before.yaml` leaves.
    private func fixturePlan(_ name: String, allowDestroy: Bool = false) throws -> (Plan, DiagnosticReport) {
        let folder = fixturesDirectory.appendingPathComponent("plans")
        let before = try String(contentsOf: folder.appendingPathComponent("\(name).before.yaml"), encoding: .utf8)
        let after = try String(contentsOf: folder.appendingPathComponent("\(name).after.yaml"), encoding: .utf8)
        var state = State()
        let first = Planning().plan(sources: [(path: "plans/\(name).before.yaml", text: before)], against: state)
        XCTAssertEqual(first.report.diagnostics, [], "the applied manifests should be clean")
        state.record(try XCTUnwrap(first.plan))
        let result = Planning(allowDestroy: allowDestroy).plan(sources: [(path: "plans/\(name).after.yaml", text: after)], against: state)
        XCTAssertEqual(result.report.diagnostics, [], "the planned manifests should be clean")
        return (try XCTUnwrap(result.plan), result.report)
    }

    func testPlanTextAndMarkdownMatchGoldenFiles() throws {
        for (name, allowDestroy) in [("changes", false), ("destroy", true), ("move", true)] {
            let (plan, report) = try fixturePlan(name, allowDestroy: allowDestroy)
            try assertGolden(PlanText.render(plan), "plans/\(name).txt")
            try assertGolden(PlanMarkdown.render(plan, diagnostics: report.diagnostics, sources: report.sources), "plans/\(name).md")
        }
    }

    func testNoChangesIsOneLine() {
        let plan = Plan(lineage: "l", serial: 3, changes: [])
        XCTAssertEqual(PlanText.render(plan), "No changes: the state matches the manifests.\n")
        XCTAssertTrue(PlanMarkdown.render(plan).contains("No changes"))
    }

    /// The SPEC §4 shape, decoded.
    struct PlanDocument: Decodable {
        struct Field: Decodable {
            var path: String
            var before: AnyDecodable?
            var after: AnyDecodable?
            var changedOutsideTresor: Bool
        }
        struct Change: Decodable {
            var action, kind, id, name, reason: String
            var destructive: Bool
            var before: [String: AnyDecodable]?
            var after: [String: AnyDecodable]?
            var changedOutsideTresor: Bool
            var recorded: [String: AnyDecodable]?
            var diff: [Field]
        }
        struct Summary: Decodable, Equatable {
            var create, update, replace, delete, stopProtection: Int
        }
        var formatVersion: Int
        var lineage: String?
        var serial: Int
        var refreshOnly: Bool
        var changes: [Change]
        var summary: Summary
        var diagnostics: [AnyDecodable]
    }

    func testPlanJSONHasTheSpecShape() throws {
        let (plan, report) = try fixturePlan("changes")
        let json = PlanJSON.encode(plan, report: report).rendered()
        let document = try JSONDecoder().decode(PlanDocument.self, from: Data(json.utf8))
        XCTAssertEqual(document.formatVersion, 1)
        XCTAssertEqual(document.lineage, plan.lineage)
        XCTAssertEqual(document.serial, 1)
        XCTAssertEqual(document.summary, PlanDocument.Summary(create: 1, update: 4, replace: 0, delete: 1, stopProtection: 1))
        XCTAssertEqual(document.changes.map(\.action), ["stop-protection", "delete", "update", "update", "update", "create", "update"])
        let policy = try XCTUnwrap(document.changes.first { $0.kind == "BackupPolicy" })
        XCTAssertEqual(policy.diff.map(\.path), ["retention.daily"])
        XCTAssertEqual(policy.diff.first?.before?.value as? Int, 30)
        XCTAssertEqual(policy.diff.first?.after?.value as? Int, 35)
        let created = try XCTUnwrap(document.changes.first { $0.action == "create" })
        XCTAssertNil(created.before)
        XCTAssertEqual(created.after?["policy"]?.value as? String, "daily-30")
        XCTAssertEqual(created.diff.count, 0)
        XCTAssertTrue(document.changes.allSatisfy { !$0.destructive })
    }

    func testSavedPlanRoundTrips() throws {
        let (plan, report) = try fixturePlan("destroy", allowDestroy: true)
        var bytes: [UInt8] = []
        PlanJSON.encode(plan, report: report).write(into: &bytes, pretty: true)
        XCTAssertEqual(try PlanJSON.decode(bytes), plan)
    }

    func testDamagedSavedPlansAreRefused() {
        for text in [
            "", "{}", #"{"formatVersion": 1, "lineage": null, "serial": 0, "changes": [{"action": "explode"}]}"#,
            #"{"formatVersion": 1, "lineage": null, "serial": 0, "changes": [{"action": "delete", "kind": "Vault", "id": "x", "name": "x", "destructive": false, "reason": "", "before": null, "after": {}}]}"#
        ] {
            XCTAssertThrowsError(try PlanJSON.decode(Array(text.utf8)), text)
        }
    }
}
