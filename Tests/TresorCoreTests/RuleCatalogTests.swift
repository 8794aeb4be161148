import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel

/// Runs every example of every rule: triggering ones must report the rule's code where their `↓`
/// markers stand, the others must not report it.
final class RuleCatalogTests: XCTestCase {
    /// Triggering examples whose diagnostic starts where no marker can stand, by code and example
    /// number ("after apply" for `triggeringAfterApply`): the place it is reported at instead, and
    /// why. Every other triggering example marks where each of its diagnostics starts.
    static let unmarkableExamples: [String: (place: String, reason: String)] = [
        "TR001 2": ("5:1", "libyaml reports the unclosed flow sequence at the end of the input, on the line after the last"),
        "TR601 1 after apply": ("nowhere", "the vault the plan deletes is in no manifest any more")
    ]

    func testEveryTriggeringExampleReportsItsCodeWhereMarked() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.triggering.enumerated() {
                let report = check(example.text, path: "\(rule.code)-trigger-\(index + 1).yaml").report
                assertReported(rule.code, in: report, at: example.marks, "\(rule.code) \(index + 1)")
            }
        }
    }

    /// The same for examples that apply manifests into empty state, then plan others against it.
    func testEveryTriggeringExampleAfterApplyReportsItsCodeWhereMarked() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.triggeringAfterApply.enumerated() {
                let report = planAfterApplying(example).report
                assertReported(rule.code, in: report, at: example.manifests.marks, "\(rule.code) \(index + 1) after apply")
            }
        }
    }

    /// `name` is the example's key in `unmarkableExamples`.
    private func assertReported(
        _ code: String, in report: DiagnosticReport, at marks: [MarkedManifests.Mark], _ name: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let reported = report.diagnostics.filter { $0.code == code }
        XCTAssertFalse(
            reported.isEmpty, "\(name): the example reported \(report.diagnostics.map(\.code)) instead",
            file: file, line: line)
        let places = reported.map { $0.range.map { "\($0.line):\($0.column)" } ?? "nowhere" }
        if let unmarkable = Self.unmarkableExamples[name] {
            XCTAssertEqual(marks, [], "\(name) is listed as unmarkable but has markers", file: file, line: line)
            XCTAssertEqual(places, [unmarkable.place], "\(name) (\(unmarkable.reason))", file: file, line: line)
        } else {
            XCTAssertEqual(
                Set(places), Set(marks.map(\.description)),
                "\(name): diagnostics start at \(places), markers stand at \(marks.map(\.description))",
                file: file, line: line)
        }
    }

    func testNonTriggeringExamplesHaveNoMarkers() {
        for rule in RuleCatalog.descriptions {
            for example in rule.nonTriggering + rule.nonTriggeringAfterApply.flatMap({ [$0.applied, $0.manifests.text] })
                + rule.triggeringAfterApply.map(\.applied)
            {
                XCTAssertFalse(
                    example.unicodeScalars.contains(MarkedManifests.marker), "\(rule.code): a marker where no diagnostic is expected")
            }
            for example in rule.nonTriggeringAfterApply {
                XCTAssertEqual(example.manifests.marks, [], "\(rule.code): a marker where no diagnostic is expected")
            }
        }
    }

    func testExplainShowsNoMarkers() {
        for rule in RuleCatalog.descriptions {
            XCTAssertFalse(RuleDocs.explain(rule).unicodeScalars.contains(MarkedManifests.marker), rule.code)
        }
    }

    func testMarkersTellLineAndColumnInUnicodeScalars() {
        // "é" written as e and a combining accent is one character but two scalars, as libyaml counts it.
        let example = MarkedManifests("a: ↓b\ne\u{301}: ↓[x, ↓y]\n↓")
        XCTAssertEqual(example.text, "a: b\ne\u{301}: [x, y]\n")
        XCTAssertEqual(example.marks.map(\.description), ["1:4", "2:5", "2:9", "3:1"])
    }

    func testNoNonTriggeringExampleReportsItsCode() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.nonTriggering.enumerated() {
                let reported = codes(check(example, path: "\(rule.code)-clean-\(index + 1).yaml"))
                XCTAssertFalse(
                    reported.contains(rule.code),
                    "\(rule.code) non-triggering example \(index + 1) reported it: \(reported)")
            }
        }
    }

    func testNoNonTriggeringExampleAfterApplyReportsItsCode() {
        for rule in RuleCatalog.descriptions {
            for (index, example) in rule.nonTriggeringAfterApply.enumerated() {
                let reported = codes(planAfterApplying(example))
                XCTAssertFalse(
                    reported.contains(rule.code),
                    "\(rule.code) non-triggering example \(index + 1) after apply reported it: \(reported)")
            }
        }
    }

    /// TR000 is about paths and TR011 needs an inventory file; TR602–TR608 are about the state, Azure,
    /// plan files and imports, tested by scenarios in StateStoreTests, ApplyCommandTests, ImportTests
    /// and RefreshTests.
    static let rulesWithoutManifestExamples: Set<String> = ["TR000", "TR011", "TR602", "TR603", "TR604", "TR605", "TR606", "TR607", "TR608"]

    func testEveryRuleExceptFileErrorsHasExamplesOfBothKinds() {
        for rule in RuleCatalog.descriptions where !Self.rulesWithoutManifestExamples.contains(rule.code) {
            XCTAssertFalse(rule.triggering.isEmpty && rule.triggeringAfterApply.isEmpty, "\(rule.code) has no triggering example")
            XCTAssertFalse(
                rule.nonTriggering.isEmpty && rule.nonTriggeringAfterApply.isEmpty,
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

    /// Swift cannot list a protocol's conformances at run time, so the sources are read instead:
    /// every type declared to conform to a rule protocol must be in `RuleCatalog`.
    func testEveryRuleInTheSourcesIsInTheCatalog() throws {
        let registered = Set(
            (RuleCatalog.frontEnd + RuleCatalog.planAndStateCodes).map { String(describing: $0) }
                + RuleCatalog.estateRules.map { String(describing: $0) })
        let declared = try Set(Self.swiftSources().filter { $0.text.contains("Rule") }.flatMap { Self.ruleTypes(declaredIn: $0.text) })
        XCTAssertGreaterThanOrEqual(declared.count, 50, "the scan finds the rules")
        XCTAssertEqual(declared.subtracting(registered).sorted(), [], "rules missing from RuleCatalog")
        XCTAssertEqual(registered.subtracting(declared).sorted(), [], "catalog entries the scan does not see")
    }

    func testRuleScanSeesEveryFormOfConformance() {
        let text = """
            enum VaultNameRule: EstateRule {
            package enum SignInRule: FrontEndRule {
            struct SomeRule: Sendable, CatalogRule {
            extension LateRule: EstateRule {}
            enum Other: Sendable {
            // enum Commented: EstateRule
            """
        XCTAssertEqual(Self.ruleTypes(declaredIn: text), ["VaultNameRule", "SignInRule", "SomeRule", "LateRule"])
    }

    /// A code is written once, as the `code:` of its rule's description; diagnostics take it from there.
    func testCodesAreWrittenOnlyInRuleDescriptions() throws {
        var described: [String] = []
        for source in try Self.swiftSources() {
            for line in source.text.split(separator: "\n", omittingEmptySubsequences: false) where line.contains("\"TR") {
                for match in line.matches(of: /"TR[0-9]{3}"/) {
                    let code = String(line[match.range].dropFirst().dropLast())
                    if line.contains(/^\s*code: "TR[0-9]{3}", severity: \.[a-z]+,$/) {
                        described.append(code)
                    } else {
                        XCTFail(
                            "\(source.path): \(code) written outside its rule's description: \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        XCTAssertEqual(described.sorted(), RuleCatalog.descriptions.map(\.code), "each code is described once")
    }

    /// Every Swift file under Sources, with its path relative to the repository.
    private static func swiftSources() throws -> [(path: String, text: String)] {
        let sources = repositoryRoot.appendingPathComponent("Sources")
        let paths = try FileManager.default.subpathsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }.sorted()
        XCTAssertFalse(paths.isEmpty, "no sources under \(sources.path)")
        return try paths.map { ("Sources/\($0)", try String(contentsOf: sources.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Names of the types `text` declares (or extends) to conform to a rule protocol.
    private static func ruleTypes(declaredIn text: String) -> [String] {
        text.matches(
            of:
                /(?m)^\s*(?:(?:public|package|private|fileprivate|internal|final)\s+)*(?:enum|struct|class|actor|extension)\s+(\w+)\s*:([^{]*)\{/
        )
        .filter { $0.2.contains(/\b(EstateRule|FrontEndRule|CatalogRule)\b/) }
        .map { String($0.1) }
    }
}
