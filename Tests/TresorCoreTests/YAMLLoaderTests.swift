import Foundation
import XCTest

@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorSupport

final class YAMLLoaderTests: XCTestCase {
    private func load(_ text: String, limits: YAMLLimits = YAMLLimits()) -> (roots: [YAMLNode], diagnostics: [Diagnostic]) {
        var roots: [YAMLNode] = []
        var diagnostics: [Diagnostic] = []
        YAMLLoader(file: 0, limits: limits).load(SourceFile(path: "test.yaml", bytes: Array(text.utf8)), diagnostics: &diagnostics) {
            roots.append($0)
        }
        return (roots, diagnostics)
    }

    func testScalarsKeepOneBasedStartAndExclusiveEnd() throws {
        let (roots, diagnostics) = load("a: 1\nname: rsv-prod\n")
        XCTAssertEqual(diagnostics, [])
        guard case .mapping(let pairs) = try XCTUnwrap(roots.first).content else { return XCTFail("not a mapping") }
        let value = pairs[1].value
        XCTAssertEqual(value.scalar, "rsv-prod")
        XCTAssertEqual([value.range.line, value.range.column, value.range.endLine, value.range.endColumn], [2, 7, 2, 15])
        XCTAssertEqual([pairs[1].key.range.line, pairs[1].key.range.column], [2, 1])
    }

    func testColumnsCountCharactersNotBytes() throws {
        let (roots, _) = load("tags: {owner: \"Jürgen\", env: prod}\n")
        guard case .mapping(let pairs) = try XCTUnwrap(roots.first).content,
            case .mapping(let tags) = pairs[0].value.content
        else { return XCTFail("not a mapping") }
        XCTAssertEqual(tags[1].key.range.column, 25)  // 26 if bytes were counted
    }

    func testEveryDocumentOfAStreamIsDelivered() {
        let (roots, diagnostics) = load("a: 1\n---\nb: 2\n---\n# only a comment\n---\nc: 3\n")
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(roots.count, 3)
    }

    func testScalarsStayStrings() throws {
        let (roots, _) = load("region: no\nport: 0443\ntime: 19:00\n")
        guard case .mapping(let pairs) = try XCTUnwrap(roots.first).content else { return XCTFail("not a mapping") }
        XCTAssertEqual(pairs.map(\.value.scalar), ["no", "0443", "19:00"])
    }

    func testRepeatedKeyReportsBothPlacesAndKeepsTheFirst() throws {
        let (roots, diagnostics) = load("region: westeurope\nname: a\nregion: northeurope\n")
        XCTAssertEqual(diagnostics.map(\.code), ["TR002"])
        XCTAssertEqual(diagnostics[0].range?.line, 3)
        XCTAssertEqual(diagnostics[0].notes.first?.range?.line, 1)
        guard case .mapping(let pairs) = try XCTUnwrap(roots.first).content else { return XCTFail("not a mapping") }
        XCTAssertEqual(pairs.count, 2)
        XCTAssertEqual(pairs[0].value.scalar, "westeurope")
    }

    func testRepeatedKeyInALargeMappingIsFound() {
        let keys = (0..<100).map { "k\($0): v" }.joined(separator: "\n")
        let (_, diagnostics) = load(keys + "\nk7: again\n")
        XCTAssertEqual(diagnostics.map(\.code), ["TR002"])
        XCTAssertEqual(diagnostics.first?.range?.line, 101)
    }

    func testSyntaxErrorCarriesLibyamlProblemAndContext() throws {
        let (_, diagnostics) = load("a: [1, 2\nb: 3\n")
        let diagnostic = try XCTUnwrap(diagnostics.first)
        XCTAssertEqual(diagnostic.code, "TR001")
        XCTAssertTrue(diagnostic.message.contains("did not find expected ',' or ']'"), diagnostic.message)
        XCTAssertEqual([diagnostic.range?.line, diagnostic.range?.column], [2, 2])
        XCTAssertEqual(diagnostic.notes.first?.message, "while parsing a flow sequence that starts here")
        XCTAssertEqual([diagnostic.notes.first?.range?.line, diagnostic.notes.first?.range?.column], [1, 4])
    }

    func testInvalidUTF8IsReportedAtTheByte() throws {
        var diagnostics: [Diagnostic] = []
        YAMLLoader(file: 0, limits: YAMLLimits()).load(
            SourceFile(path: "test.yaml", bytes: Array("a: b\nc: ".utf8) + [0xFF, 0x0A]), diagnostics: &diagnostics
        ) { _ in }
        let diagnostic = try XCTUnwrap(diagnostics.first)
        XCTAssertEqual(diagnostic.code, "TR001")
        XCTAssertTrue(diagnostic.message.contains("UTF-8"), diagnostic.message)
        XCTAssertEqual([diagnostic.range?.line, diagnostic.range?.column], [2, 4])
    }

    func testUndefinedAliasIsASyntaxError() {
        XCTAssertEqual(load("a: *nothing\n").diagnostics.map(\.code), ["TR001"])
    }

    func testAliasesExpandToTheAnchoredNode() throws {
        let (roots, diagnostics) = load("a: &x {k: v}\nb: *x\n")
        XCTAssertEqual(diagnostics, [])
        guard case .mapping(let pairs) = try XCTUnwrap(roots.first).content,
            case .mapping(let inner) = pairs[1].value.content
        else { return XCTFail("alias not expanded") }
        XCTAssertEqual(inner.first?.value.scalar, "v")
    }

    func testBillionLaughsStopsAtTheExpansionLimit() {
        var text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            text += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let start = Date()
        let (_, diagnostics) = load(text)
        XCTAssertEqual(diagnostics.map(\.code), ["TR003"])
        XCTAssertTrue(diagnostics[0].message.contains("aliases"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }

    func testDeepNestingStopsAtTheDepthLimit() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let (_, diagnostics) = load(text)
        XCTAssertEqual(diagnostics.map(\.code), ["TR003"])
        XCTAssertTrue(diagnostics[0].message.contains("nesting"))
    }

    func testLongScalarAndManyDocumentsHitTheirLimits() {
        var limits = YAMLLimits()
        limits.maxScalarBytes = 10
        XCTAssertEqual(load("a: 12345678901\n", limits: limits).diagnostics.map(\.code), ["TR003"])
        limits = YAMLLimits()
        limits.maxDocuments = 3
        XCTAssertEqual(load("a: 1\n---\na: 2\n---\na: 3\n---\na: 4\n", limits: limits).diagnostics.map(\.code), ["TR003"])
    }

    func testOversizedFileIsRefusedBeforeReading() throws {
        let path = NSTemporaryDirectory() + "tresor-huge-\(UUID().uuidString).yaml"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 1 << 30)  // sparse: 1 GiB without writing it
        try handle.close()
        let start = Date()
        let result = Compiler().check(paths: [path])
        XCTAssertEqual(codes(result), ["TR003"])
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }
}

final class HostileInputTests: XCTestCase {
    func testAHugeScalarIsRefusedBeforeLibyamlBuffersIt() throws {
        let text = "name: \"" + String(repeating: "x", count: 8 << 20) + "\"\n"
        let result = check(text)
        XCTAssertEqual(positions(result), ["test.yaml:1:5 TR003"])
        XCTAssertTrue(result.report.diagnostics[0].message.contains("without a complete YAML token"))
        // The snippet shows the start of the line, not 8 MB of it.
        let rendered = TextRenderer(colored: false).render(result.report)
        XCTAssertLessThan(rendered.utf8.count, 1_000)
        XCTAssertTrue(rendered.contains("xxx…\n"))
    }

    func testProblemsBeyondThePerFileLimitAreCountedNotListed() {
        var compiler = Compiler()
        compiler.limits.maxDiagnosticsPerFile = 10
        let text = String(repeating: "---\na: 1\n", count: 20)
        let result = compiler.check(sources: [(path: "many.yaml", text: text)])
        XCTAssertEqual(result.report.diagnostics.count, 11)
        let summary = result.report.diagnostics.first { $0.message.contains("problems in this file") }
        XCTAssertEqual(summary?.code, "TR003")
        XCTAssertTrue(summary?.message.contains("30 more are not reported") == true, summary?.message ?? "")
    }

    func testControlCharactersAreNotPrintedToTheTerminal() {
        let result = check("a: \u{1B}[31mred\n")
        let rendered = TextRenderer(colored: false).render(result.report)
        XCTAssertEqual(codes(result), ["TR001"])
        XCTAssertFalse(rendered.contains("\u{1B}"))
    }
}
