import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorSupport

/// The field-slot table keeps a position per allowed name inline, in room for `FieldSet.capacity`
/// names: every set must fit, and a set larger than the old 16-slot table must work.
final class FieldSetTests: XCTestCase {
    /// Every field set the decoders declare.
    private let everySet: [(name: String, set: FieldSet)] = [
        ("vaultFields", ManifestDecoder.vaultFields), ("policyFields", ManifestDecoder.policyFields),
        ("scheduleFields", ManifestDecoder.scheduleFields), ("retentionFields", ManifestDecoder.retentionFields),
        ("weeklyFields", ManifestDecoder.weeklyFields), ("monthlyFields", ManifestDecoder.monthlyFields),
        ("yearlyFields", ManifestDecoder.yearlyFields), ("protectionFields", ManifestDecoder.protectionFields),
        ("securityRuleFields", ManifestDecoder.securityRuleFields), ("networkRuleFields", ManifestDecoder.networkRuleFields),
        ("vmFields", ManifestDecoder.vmFields), ("osFields", ManifestDecoder.osFields),
        ("agentFields", ManifestDecoder.agentFields), ("disksFields", ManifestDecoder.disksFields),
        ("classicFields", ManifestDecoder.classicFields), ("egressFields", ManifestDecoder.egressFields),
        ("nsgFields", ManifestDecoder.nsgFields), ("fields", RuleConfiguration.fields), ("fields", BackendConfiguration.fields)
    ]

    func testEveryFieldSetFitsTheSlotTable() {
        for (name, set) in everySet {
            XCTAssertLessThanOrEqual(set.names.count, FieldSet.capacity, name)
        }
    }

    /// The list above is every set declared in the sources: a new set is checked too.
    func testTheListHoldsEveryDeclaredFieldSet() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/TresorFrontEnd").standardized
        var declared = 0
        let files = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        for case let file as URL in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            declared += text.components(separatedBy: "= FieldSet(").count - 1
        }
        XCTAssertEqual(declared, everySet.count)
    }

    /// 17 names: the SIMD16 table this replaced stopped the process on the 17th.
    func testAllSeventeenFieldsOfALargeSetAreRead() throws {
        let names = (0..<17).map { "field\($0)" }
        let set = FieldSet(names)
        let text = names.reversed().map { "\($0): value of \($0)" }.joined(separator: "\n") + "\n"
        var syntax: [Diagnostic] = []
        var reader = FieldReader()
        var values: [String?] = []
        YAMLLoader(file: 0, limits: YAMLLimits()).load(SourceFile(path: "test.yaml", bytes: Array(text.utf8)), diagnostics: &syntax) {
            root in
            guard let fields = reader.fields(of: root, what: "test", owner: root.range, allowed: set) else { return }
            values = names.map { reader.string(fields, $0)?.value }
        }
        XCTAssertEqual(syntax + reader.diagnostics, [])
        XCTAssertEqual(values, names.map { "value of \($0)" })
    }
}
