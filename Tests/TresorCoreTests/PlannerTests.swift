import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorPlan
@testable import TresorState
@testable import TresorSupport

/// Plans against in-memory state: the SPEC §3 actions, their order, and the guards.
final class PlannerTests: XCTestCase {
    private func plan(_ text: String, against state: State, allowDestroy: Bool = false) -> Planning.Result {
        Planning(allowDestroy: allowDestroy).plan(sources: [(path: "test.yaml", text: text)], against: state)
    }

    /// The state after applying `text` to empty state.
    private func applied(_ text: String = baseEstate) throws -> State {
        var state = State()
        let result = plan(text, against: state)
        state.record(try XCTUnwrap(result.plan, "\(result.report.diagnostics)"))
        return state
    }

    private func summary(_ plan: Plan?) -> [String] {
        (plan?.changes ?? []).map { "\($0.action.rawValue) \($0.kind.rawValue) \($0.name)" }
    }

    func testFirstPlanCreatesInDependencyOrderAndASecondPlanIsEmpty() throws {
        let text = baseEstate + backupStorageRule
        let first = try XCTUnwrap(plan(text, against: State()).plan)
        XCTAssertEqual(
            summary(first),
            [
                "create Vault rsv-prod-weu", "create BackupPolicy daily-30",
                "create NetworkRule allow-backup", "create ProtectedItem web-01"
            ])
        XCTAssertNil(first.lineage)
        XCTAssertEqual(first.serial, 0)
        var state = State()
        state.record(first)
        let second = try XCTUnwrap(plan(text, against: state).plan)
        XCTAssertEqual(second.changes, [])
        XCTAssertEqual(second.serial, 1)
        XCTAssertEqual(second.lineage, state.lineage)
    }

    func testSpelledOutDefaultsPlanNoChange() throws {
        let state = try applied()
        let explicit = baseEstate(
            replacing: "region: westeurope\n---", with: "region: westeurope\nreplication: grs\ncrossRegionRestore: false\n---"
        )
        .replacingOccurrences(of: "time: \"19:00\"}", with: "time: \"19:00\", timeZone: UTC}")
        XCTAssertEqual(try XCTUnwrap(plan(explicit, against: state).plan).changes, [])
    }

    func testUpdateShowsOnlyTheChangedFieldsByPath() throws {
        let state = try applied()
        let changed = baseEstate(replacing: "retention: {daily: 30}", with: "retention: {daily: 35}")
            .replacingOccurrences(
                of: "region: westeurope\n---\napiVersion: tresor/v1\nkind: BackupPolicy",
                with: "region: westeurope\ntags: {env: prod}\n---\napiVersion: tresor/v1\nkind: BackupPolicy")
        let result = try XCTUnwrap(plan(changed, against: state).plan)
        XCTAssertEqual(summary(result), ["update Vault rsv-prod-weu", "update BackupPolicy daily-30"])
        XCTAssertEqual(result.changes[0].diff, [FieldChange(path: "tags.env", before: nil, after: .string("prod"))])
        XCTAssertEqual(result.changes[1].diff, [FieldChange(path: "retention.daily", before: .int(30), after: .int(35))])
    }

    func testRemovingAVMStopsProtectionAndRetainsData() throws {
        var state = try applied()
        let withoutProtection = baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\nkind: Protection")[0]
        let result = try XCTUnwrap(plan(withoutProtection, against: state).plan)
        XCTAssertEqual(summary(result), ["stop-protection ProtectedItem web-01"])
        let change = result.changes[0]
        XCTAssertFalse(change.destructive)
        XCTAssertEqual(
            change.diff, [FieldChange(path: "protectionState", before: .string("Protected"), after: .string("ProtectionStopped"))])
        state.record(result)
        XCTAssertEqual(state.resources.last?.protectionState, .stopped)
        // Converges: the retained item stays, and planning again shows nothing.
        XCTAssertEqual(try XCTUnwrap(plan(withoutProtection, against: state).plan).changes, [])
        // Listing the VM again resumes protection.
        let resumed = try XCTUnwrap(plan(baseEstate, against: state).plan)
        XCTAssertEqual(summary(resumed), ["update ProtectedItem web-01"])
        XCTAssertEqual(resumed.changes[0].reason, "protection resumes")
        // With --allow-destroy the retained data is deleted.
        let deleted = try XCTUnwrap(plan(withoutProtection, against: state, allowDestroy: true).plan)
        XCTAssertEqual(summary(deleted), ["delete ProtectedItem web-01"])
        XCTAssertTrue(deleted.changes[0].destructive)
    }

    func testRemovingAVMWithAllowDestroyDeletesItsData() throws {
        let state = try applied()
        let withoutProtection = baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\nkind: Protection")[0]
        let result = try XCTUnwrap(plan(withoutProtection, against: state, allowDestroy: true).plan)
        XCTAssertEqual(summary(result), ["delete ProtectedItem web-01"])
        XCTAssertTrue(result.changes[0].destructive)
    }

    func testReplicationLockedOnceTheVaultHoldsItems() throws {
        let state = try applied()
        let result = plan(
            baseEstate(replacing: "region: westeurope\n---", with: "region: westeurope\nreplication: LRS\n---"), against: state)
        XCTAssertNil(result.plan)
        XCTAssertEqual(positions(result).filter { $0.hasSuffix("TR104") }, ["test.yaml:7:14 TR104"])
        XCTAssertTrue(result.report.diagnostics.first { $0.code == "TR104" }?.message.contains("holds 1 backup item") ?? false)
        // A stopped item still counts: the vault keeps holding its data.
        var stopped = state
        stopped.record(
            try XCTUnwrap(
                plan(
                    baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\nkind: Protection")[0],
                    against: state
                ).plan))
        let again = plan(
            baseEstate(replacing: "region: westeurope\n---", with: "region: westeurope\nreplication: LRS\n---")
                .components(separatedBy: "---\napiVersion: tresor/v1\nkind: Protection")[0], against: stopped)
        XCTAssertTrue(codes(again).contains("TR104"))
    }

    func testCrossRegionRestoreCannotBeTurnedOff() throws {
        let enabled = baseEstate(replacing: "region: westeurope\n---", with: "region: westeurope\ncrossRegionRestore: true\n---")
        let state = try applied(enabled)
        let result = plan(
            baseEstate(replacing: "region: westeurope\n---", with: "region: westeurope\ncrossRegionRestore: false\n---"), against: state)
        XCTAssertEqual(positions(result).filter { $0.hasSuffix("TR105") }, ["test.yaml:7:21 TR105"])
        XCTAssertNil(result.plan)
        // Leaving the field out means false too: reported at the vault's name.
        XCTAssertEqual(positions(plan(baseEstate, against: state)).filter { $0.hasSuffix("TR105") }, ["test.yaml:3:7 TR105"])
    }

    private let secondVault = "---\n" + ExampleManifests.file(ExampleManifests.vault("rsv-prod-weu-2"))

    func testMovingAVMBetweenVaultsNeedsAllowDestroy() throws {
        let state = try applied(baseEstate + secondVault)
        let moved = baseEstate(replacing: "vault: rsv-prod-weu\npolicy: daily-30", with: "vault: rsv-prod-weu-2") + secondVault
        let refused = plan(moved, against: state)
        XCTAssertNil(refused.plan)
        XCTAssertEqual(
            positions(refused).filter { $0.hasPrefix("test.yaml") && !$0.hasSuffix("TR501") },
            ["test.yaml:28:7 TR302", "test.yaml:28:7 TR601"])
        let diagnostic = try XCTUnwrap(refused.report.diagnostics.first { $0.code == "TR302" })
        XCTAssertTrue(diagnostic.message.contains("registered in vault rsv-prod-weu in stored state"), diagnostic.message)
        XCTAssertTrue(diagnostic.help?.contains("--allow-destroy") ?? false)

        let allowed = try XCTUnwrap(plan(moved, against: state, allowDestroy: true).plan)
        XCTAssertEqual(summary(allowed), ["delete ProtectedItem web-01", "create ProtectedItem web-01"])
        XCTAssertTrue(allowed.changes[0].destructive)
        XCTAssertTrue(allowed.changes[0].id.contains("/vaults/rsv-prod-weu/"))
        XCTAssertTrue(allowed.changes[1].id.contains("/vaults/rsv-prod-weu-2/"))
        var after = state
        after.record(allowed)
        XCTAssertEqual(try XCTUnwrap(plan(moved, against: after).plan).changes, [])
    }

    func testAVMWithRetainedDataElsewhereCannotBeProtectedWithoutAllowDestroy() throws {
        var state = try applied(baseEstate + secondVault)
        let unprotected = baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\nkind: Protection")[0] + secondVault
        state.record(try XCTUnwrap(plan(unprotected, against: state).plan))
        let moved = baseEstate(replacing: "vault: rsv-prod-weu\npolicy: daily-30", with: "vault: rsv-prod-weu-2") + secondVault
        let result = plan(moved, against: state)
        XCTAssertTrue(result.report.diagnostics.contains { $0.code == "TR302" && $0.message.contains("(ProtectionStopped)") })
    }

    func testDeletingAVaultThatHoldsItemsNeedsAllowDestroy() throws {
        let state = try applied()
        let onlyVM = "apiVersion: tresor/v1\n" + baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\n")[2]
        let refused = plan(onlyVM, against: state)
        XCTAssertNil(refused.plan)
        let diagnostic = try XCTUnwrap(refused.report.diagnostics.first { $0.code == "TR601" })
        XCTAssertTrue(diagnostic.message.contains("delete Vault rsv-prod-weu"), diagnostic.message)
        XCTAssertEqual(refused.report.diagnostics.count { $0.code == "TR601" }, 1, "the item is reported with its vault")

        let allowed = try XCTUnwrap(plan(onlyVM, against: state, allowDestroy: true).plan)
        XCTAssertEqual(summary(allowed), ["delete ProtectedItem web-01", "delete BackupPolicy daily-30", "delete Vault rsv-prod-weu"])
        XCTAssertEqual(allowed.changes.map(\.destructive), [true, false, true])
    }

    func testAVaultThatChangesRegionIsReplacedWithItsContents() throws {
        let state = try applied()
        let moved = baseEstate.replacingOccurrences(of: "region: westeurope", with: "region: northeurope")
        let refused = plan(moved, against: state)
        XCTAssertEqual(positions(refused).filter { $0.hasSuffix("TR601") }, ["test.yaml:6:9 TR601"])
        let allowed = try XCTUnwrap(plan(moved, against: state, allowDestroy: true).plan)
        XCTAssertEqual(summary(allowed), ["replace Vault rsv-prod-weu", "replace BackupPolicy daily-30", "replace ProtectedItem web-01"])
        XCTAssertEqual(allowed.changes.map(\.destructive), [true, false, true])
        XCTAssertEqual(allowed.changes[0].diff, [FieldChange(path: "region", before: .string("westeurope"), after: .string("northeurope"))])
    }

    /// Every scenario above without --allow-destroy yields either errors or no destructive change.
    func testNoPlanWithoutAllowDestroyDeletesRecoveryPoints() throws {
        let state = try applied(baseEstate + secondVault)
        let variants = [
            baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\nkind: Protection")[0],
            baseEstate(replacing: "vault: rsv-prod-weu\npolicy: daily-30", with: "vault: rsv-prod-weu-2") + secondVault,
            baseEstate.replacingOccurrences(of: "region: westeurope", with: "region: northeurope"),
            "apiVersion: tresor/v1\n" + baseEstate.components(separatedBy: "---\napiVersion: tresor/v1\n")[2]
        ]
        for text in variants {
            let result = plan(text, against: state)
            XCTAssertFalse(result.plan?.changes.contains { $0.destructive } ?? false, text)
        }
    }

    func testLongListsShowOnlyTheirChangedEntries() {
        let field = FieldChange(
            path: "destinationPorts",
            before: .array(["80", "443", "1000", "2000", "3000"].map(JSON.string)),
            after: .array(["443", "1000", "2000", "3000", "8443"].map(JSON.string)))
        XCTAssertEqual(
            PlanText.fieldLines(field),
            """
                destinationPorts: 4 entries unchanged
                  - "80"
                  + "8443"

            """)
        let short = FieldChange(path: "schedule.days", before: .array([.string("Sunday")]), after: .array([.string("Monday")]))
        XCTAssertEqual(PlanText.fieldLines(short), "    schedule.days: [\"Sunday\"] -> [\"Monday\"]\n")
    }
}
