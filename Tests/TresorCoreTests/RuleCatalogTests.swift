import XCTest
@testable import TresorFrontEnd

/// Runs every example of every rule: triggering ones must report the rule's code, the others must not.
final class RuleCatalogTests: XCTestCase {
    func testEveryTriggeringExampleReportsItsCode() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.triggering.enumerated() {
                let reported = codes(check(example, path: "\(rule.code)-trigger-\(index + 1).yaml"))
                XCTAssertTrue(reported.contains(rule.code),
                              "\(rule.code) triggering example \(index + 1) reported \(reported) instead")
            }
        }
    }

    func testNoNonTriggeringExampleReportsItsCode() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.nonTriggering.enumerated() {
                let reported = codes(check(example, path: "\(rule.code)-clean-\(index + 1).yaml"))
                XCTAssertFalse(reported.contains(rule.code),
                               "\(rule.code) non-triggering example \(index + 1) reported it: \(reported)")
            }
        }
    }

    /// Examples that apply manifests into empty state, then plan others against it.
    func testEveryExampleAfterApplyBehaves() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.triggeringAfterApply.enumerated() {
                let reported = codes(planAfterApplying(example))
                XCTAssertTrue(reported.contains(rule.code),
                              "\(rule.code) triggering example \(index + 1) after apply reported \(reported) instead")
            }
            for (index, example) in rule.nonTriggeringAfterApply.enumerated() {
                let reported = codes(planAfterApplying(example))
                XCTAssertFalse(reported.contains(rule.code),
                               "\(rule.code) non-triggering example \(index + 1) after apply reported it: \(reported)")
            }
        }
    }

    /// TR000 is about paths and TR011 needs an inventory file; TR602–TR607 are about the state, Azure,
    /// plan files and imports, tested by scenarios in StateStoreTests, ApplyCommandTests and ImportTests.
    static let rulesWithoutManifestExamples: Set<String> = ["TR000", "TR011", "TR602", "TR603", "TR604", "TR605", "TR606", "TR607"]

    func testEveryRuleExceptFileErrorsHasExamplesOfBothKinds() {
        for rule in RuleCatalog.descriptions where !Self.rulesWithoutManifestExamples.contains(rule.code) {
            XCTAssertFalse(rule.triggering.isEmpty && rule.triggeringAfterApply.isEmpty, "\(rule.code) has no triggering example")
            XCTAssertFalse(rule.nonTriggering.isEmpty && rule.nonTriggeringAfterApply.isEmpty,
                           "\(rule.code) has no non-triggering example")
            XCTAssertFalse(rule.rationale.isEmpty, "\(rule.code) has no rationale")
            XCTAssertFalse(rule.source.isEmpty, "\(rule.code) has no source")
        }
    }

    func testFileRulesStillExplainThemselves() {
        for code in Self.rulesWithoutManifestExamples {
            let rule = RuleCatalog.description(of: code)
            XCTAssertNotNil(rule, code)
            XCTAssertFalse(rule?.rationale.isEmpty ?? true, "\(code) has no rationale")
        }
    }

    func testExplainShowsExamplesAfterApply() throws {
        let text = RuleDocs.explain(try XCTUnwrap(RuleCatalog.description(of: "TR601")))
        XCTAssertTrue(text.contains("\nTriggers (1 of 3), after applying:\n    apiVersion: tresor/v1\n"), text)
        XCTAssertTrue(text.contains("  then planning with --allow-destroy:\n"), text)
    }

    func testCodesAreUniqueAndWellFormed() {
        let codes = RuleCatalog.descriptions.map(\.code)
        XCTAssertEqual(Set(codes).count, codes.count)
        for code in codes {
            XCTAssertNotNil(code.wholeMatch(of: /TR[0-9]{3}/), code)
        }
    }

    func testExplainShowsTitleRationaleSourceAndExamples() throws {
        let rule = try XCTUnwrap(RuleCatalog.description(of: "tr005"))
        let text = RuleDocs.explain(rule)
        XCTAssertTrue(text.hasPrefix("TR005 (error): unknown field"))
        XCTAssertTrue(text.contains("Source: kubeconform -strict"))
        XCTAssertTrue(text.contains("Triggers:\n    apiVersion: tresor/v1"))
        XCTAssertTrue(text.contains("Does not trigger:\n"))
        XCTAssertTrue(text.contains("    replicaton: LRS"))
    }
}
