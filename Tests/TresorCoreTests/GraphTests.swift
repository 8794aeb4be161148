import Foundation
import XCTest

@testable import TresorCore
@testable import TresorFrontEnd
@testable import TresorModel
@testable import TresorPlan
@testable import TresorState

/// `tresor graph` and the markdown plan's diagram: goldens for what people read, a structural
/// check of every Mermaid output, and the real renderers (Graphviz `dot`, mermaid.js in headless
/// Chromium) drawing every output, skipped where they are not installed.
final class GraphTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    // MARK: - What the tests draw

    /// The bundled example, as the command prints it.
    private func exampleEstate(_ format: GraphFormat) -> CommandOutput {
        var command = GraphCommand(paths: [Self.repository.appendingPathComponent("Examples/estate").path])
        command.format = format
        return command.run()
    }

    private static let graphFixtures = fixturesDirectory.appendingPathComponent("graph")

    /// What `state.applied.yaml`, then `state.stopped.yaml`, leave in state.
    private func fixtureState() throws -> State {
        var state = State()
        for step in ["state.applied", "state.stopped"] {
            let text = try String(contentsOf: Self.graphFixtures.appendingPathComponent("\(step).yaml"), encoding: .utf8)
            let result = Planning().plan(sources: [(path: "graph/\(step).yaml", text: text)], against: state)
            XCTAssertEqual(result.report.errorCount, 0, "\(step): \(result.report.diagnostics)")
            state.record(try XCTUnwrap(result.plan))
        }
        return state
    }

    /// The graph fixture against a state file with `fixtureState()`: items only in state, a
    /// stopped one, new ones, blocked VMs.
    private func fixtureWithState(_ format: GraphFormat) throws -> CommandOutput {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = StateStore(path: directory.appendingPathComponent("tresor.state.json").path)
        try store.write(try fixtureState(), replacing: 0)
        var command = GraphCommand(paths: [Self.graphFixtures.appendingPathComponent("estate.yaml").path])
        command.format = format
        command.store = store
        return command.run()
    }

    /// The graph fixture with state at each detail coarser than `vms`, which the command picks
    /// only for larger estates.
    private func fixtureAtEachDetail() throws -> [(detail: EstateGraph.Detail, diagram: Diagram)] {
        let compiled = Compiler().check(paths: [Self.graphFixtures.appendingPathComponent("estate.yaml").path])
        let graph = EstateGraph(compiled.estate, state: try fixtureState())
        return [EstateGraph.Detail.policies, .regions, .subscriptions].map { ($0, graph.diagram($0)) }
    }

    /// Every label a name could hold that either syntax would misread.
    private func hostileLabels() -> Diagram {
        var diagram = Diagram()
        var group = diagram.group(#"sub "quoted" \ back\slash # end"#)
        let names = [
            #"say "hi""#, #"back\slash \n \l"#, "hash #35; #quot; and ;", "<b>tag</b> & amp", "`tick` ```fence",
            "end", "subgraph", "graph", "line\nbreak", "o", "x", "ünïcødé → ✓", "{braces} [brackets] (parens) |pipe|"
        ]
        var previous: Diagram.Node?
        for (index, name) in names.enumerated() {
            let node = diagram.node(
                [name, "second line"], [.box, .rounded, .cylinder, .hexagon, .stadium][index % 5],
                Diagram.Style.allCases[index % Diagram.Style.allCases.count])
            group.nodes.append(node)
            if let previous { diagram.connect(previous, node, [.solid, .dotted, .blocked][index % 3], label: index % 2 == 0 ? name : nil) }
            previous = node
        }
        diagram.groups.append(group)
        return diagram
    }

    private func planMarkdown(_ name: String) throws -> String {
        try String(contentsOf: fixturesDirectory.appendingPathComponent("plans/\(name).md"), encoding: .utf8)
    }

    /// A plan too large to list: 40 VMs protected, 30 stopped, 3 deleted with their recovery points.
    private func largePlan() -> Plan {
        let vault = ResourceID.vault(subscription: "s", resourceGroup: "rg", name: "rsv-big")
        func item(_ index: Int, _ action: PlanAction, destructive: Bool = false) -> PlannedChange {
            let id = ResourceID.protectedItem(vaultID: vault, vmResourceGroup: "rg", vmName: "vm-\(index)")
            return PlannedChange(
                action: action, kind: .protectedItem, id: id, name: "vm-\(index)", destructive: destructive,
                reason: "", before: nil, after: nil)
        }
        var changes = (0..<40).map { item($0, .create) } + (40..<70).map { item($0, .stopProtection) }
        changes += (70..<73).map { item($0, .delete, destructive: true) }
        changes.append(
            PlannedChange(
                action: .create, kind: .vault, id: vault, name: "rsv-big", destructive: false, reason: "", before: nil, after: nil))
        return Plan(lineage: nil, serial: 1, changes: changes)
    }

    private func mermaidOutputs() throws -> [(name: String, text: String)] {
        var outputs = [
            ("estate", exampleEstate(.mermaid).stdout), ("state", try fixtureWithState(.mermaid).stdout),
            ("hostile", MermaidRenderer.render(hostileLabels())),
            ("large-plan", MermaidRenderer.render(PlanDiagram.diagram(largePlan()), groupsInRow: true))
        ]
        outputs += try fixtureAtEachDetail().map { ("state-\($0.detail)", MermaidRenderer.render($0.diagram)) }
        for name in ["changes", "destroy", "move"] {
            outputs += mermaidBlocks(try planMarkdown(name)).map { ("plan-\(name)", $0) }
        }
        return outputs
    }

    private func dotOutputs() throws -> [(name: String, text: String)] {
        [
            ("estate", exampleEstate(.dot).stdout), ("state", try fixtureWithState(.dot).stdout),
            ("hostile", DOTRenderer.render(hostileLabels(), title: #"title "with" \ quotes"#))
        ]
            + (try fixtureAtEachDetail().map { ("state-\($0.detail)", DOTRenderer.render($0.diagram, title: "\($0.detail)")) })
    }

    // MARK: - Goldens

    func testExampleEstateDiagramsMatchGoldenFiles() throws {
        for format in GraphFormat.allCases {
            let output = exampleEstate(format)
            XCTAssertEqual(output.exitCode, ExitCode.success)
            XCTAssertEqual(output.stderr, "")
            try assertGolden(output.stdout, "graph/estate.\(format == .dot ? "dot" : "mmd")")
        }
    }

    /// docs/graph.md shows the command's own output: it must not drift from what the command prints.
    func testDocumentedDiagramIsTheCommandsOutput() throws {
        let mermaid = exampleEstate(.mermaid).stdout
        let docs = Self.repository.appendingPathComponent("docs")
        XCTAssertEqual(
            try String(contentsOf: docs.appendingPathComponent("estate.mmd"), encoding: .utf8), mermaid,
            "regenerate docs/estate.mmd and docs/estate.svg as docs/graph.md says")
        XCTAssertTrue(
            try String(contentsOf: docs.appendingPathComponent("graph.md"), encoding: .utf8).contains("```mermaid\n" + mermaid + "```\n"))
    }

    func testStateOverlayMatchesGoldenFiles() throws {
        for format in GraphFormat.allCases {
            let output = try fixtureWithState(format)
            // TR401 and TR405 are errors: the diagram is drawn, and the exit code says so.
            XCTAssertEqual(output.exitCode, ExitCode.failure)
            XCTAssertTrue(output.stderr.contains("error[TR401]") && output.stderr.contains("error[TR405]"), output.stderr)
            XCTAssertTrue(output.stderr.hasSuffix("The graph shows only what could be read: 2 errors, 3 warnings.\n"), output.stderr)
            try assertGolden(output.stdout, "graph/state.\(format == .dot ? "dot" : "mmd")")
        }
    }

    func testCoarserDetailsMatchGoldenFiles() throws {
        for (detail, diagram) in try fixtureAtEachDetail() {
            try assertGolden(MermaidRenderer.render(diagram), "graph/state-\(detail).mmd")
        }
    }

    func testLargePlanDiagramCountsByKind() throws {
        try assertGolden(MermaidRenderer.render(PlanDiagram.diagram(largePlan()), groupsInRow: true), "plans/large-diagram.mmd")
    }

    func testMovedItemIsOneMove() throws {
        let blocks = mermaidBlocks(try planMarkdown("move"))
        XCTAssertEqual(blocks.count, 1)
        let diagram = try XCTUnwrap(blocks.first)
        XCTAssertTrue(diagram.contains(#"subgraph g2 ["move between vaults: 1, 1 deleting recovery points"]"#), diagram)
        XCTAssertTrue(diagram.contains("ProtectedItem web-02<br>rsv-prod-weu → rsv-dr-weu<br>DELETES RECOVERY POINTS"), diagram)
        XCTAssertFalse(diagram.contains("create: 2"), "the move's create is not counted again")
    }

    func testUnreadableStateIsAnErrorAndTheEstateIsStillDrawn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tresor.state.json").path
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        var command = GraphCommand(paths: [Self.repository.appendingPathComponent("Examples/estate").path])
        command.store = StateStore(path: path)
        let output = command.run()
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(output.stderr.contains("TR604"), output.stderr)
        XCTAssertTrue(
            output.stdout.contains("\n%% tresor graph, with 1 error: 2 subscriptions, 3 regions, 4 vaults, 38 VMs"), output.stdout)
    }

    func testEmptyFolderIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = GraphCommand(paths: [directory.path]).run()
        XCTAssertEqual(output.exitCode, ExitCode.failure)
        XCTAssertTrue(output.stderr.contains("TR000"), output.stderr)
        XCTAssertNoThrow(try MermaidStructure.check(output.stdout))
    }

    // MARK: - Structure and size

    func testEveryMermaidOutputIsWellFormed() throws {
        for (name, text) in try mermaidOutputs() {
            XCTAssertNoThrow(try MermaidStructure.check(text), name)
        }
    }

    func testStructureCheckFindsMistakes() {
        let header = "---\nconfig:\n  flowchart:\n    wrappingWidth: 400\n---\nflowchart LR\n"
        let valid =
            header + "  subgraph g0 [\"a\"]\n    n0[\"x\"]:::vault\n  end\n  subgraph g1 [\"b\"]\n    n1{{\"y\"}}:::vault\n  end\n"
            + "  n0 ==>|\"z\"| n1\n  g0 ~~~ g1\n  classDef vault fill:#fff,stroke:#000\n  linkStyle 0 stroke:#c0262d\n"
        XCTAssertEqual(try MermaidStructure.check(valid).nodes, 2)
        for broken in [
            valid.replacingOccurrences(of: "---\n", with: ""),  // no front matter
            valid.replacingOccurrences(of: "  end\n  subgraph g1", with: "  subgraph g1"),  // no end
            valid.replacingOccurrences(of: "n0 ==>", with: "n7 ==>"),  // undeclared node
            valid.replacingOccurrences(of: "[\"x\"]", with: "[\"say \"hi\"\"]"),  // bare quotes
            valid.replacingOccurrences(of: "}}:::vault", with: "}}:::ghost"),  // class never defined
            valid.replacingOccurrences(of: "n0[", with: "end["),  // a keyword as id
            valid.replacingOccurrences(of: "linkStyle 0", with: "linkStyle 1"),  // past the last edge
            valid.replacingOccurrences(of: "g0 ~~~ g1", with: "g0 ~~~ g5"),  // undeclared group
            valid + "  n1 --> n0\n"
        ] {  // an edge after the row
            XCTAssertThrowsError(try MermaidStructure.check(broken), broken)
        }
    }

    func testLabelsAreQuotedForEachSyntax() {
        XCTAssertEqual(MermaidRenderer.escape(#"a "b" #c <d> & `e` \n"#), "a #34;b#34; #35;c #60;d#62; #38; #96;e#96; #92;n")
        XCTAssertEqual(DOTRenderer.quote(#"a "b" \n c"#), #""a \"b\" \\n c""#)
        XCTAssertEqual(DOTRenderer.quote("two\nlines"), #""two\nlines""#)
    }

    /// The estate generator's 100,000 VMs: collapsed to counts per policy name in each
    /// subscription, within the node and edge budgets, drawn by Graphviz and mermaid.js.
    func testHundredThousandVMEstateStaysReadable() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let generator = try run(
            "/usr/bin/env",
            [
                "python3", Self.repository.appendingPathComponent("Benchmarks/generate-estate.py").path,
                "--vms", "100000", "--out", directory.path
            ])
        XCTAssertEqual(generator.status, 0, generator.stderr)
        // Compiled once (about 20 s in a debug build), drawn in both syntaxes.
        let compiled = Compiler().check(paths: [directory.path])
        XCTAssertEqual(compiled.report.diagnostics.count, 0)
        let graph = EstateGraph(compiled.estate, state: nil)
        let (diagram, detail) = graph.diagram()
        XCTAssertEqual(detail, .subscriptions)
        XCTAssertEqual(graph.summary, "6 subscriptions, 10 regions, 120 vaults, 100,000 VMs: 100,000 protected, 0 unprotected")
        let mermaid = MermaidRenderer.render(diagram)
        let dot = DOTRenderer.render(diagram, title: graph.summary)
        let structure = try MermaidStructure.check(mermaid)
        XCTAssertLessThanOrEqual(structure.nodes, EstateGraph.nodeBudget)
        XCTAssertLessThanOrEqual(structure.edges, EstateGraph.edgeBudget)
        XCTAssertTrue(mermaid.contains(#"n2("daily-30<br>in 20 vaults<br>2,780 VMs"):::policy"#), mermaid)
        XCTAssertTrue(mermaid.contains(#"n7{{"40 NSGs<br>reach backup storage"}}:::nsgReaches"#), mermaid)
        try assertDrawnByGraphviz([("100,000 VMs", dot)])
        try assertDrawnByMermaid([("100,000 VMs", mermaid)])
    }

    // MARK: - Real renderers

    func testGraphvizDrawsEveryDOTOutput() throws {
        try assertDrawnByGraphviz(try dotOutputs())
    }

    func testMermaidJSDrawsEveryMermaidOutput() throws {
        let drawn = try assertDrawnByMermaid(try mermaidOutputs())
        // Hostile names are drawn as written, not as entities, markup or a broken label.
        // Except a backslash before "n", which Mermaid draws as a line break however it is
        // written (Azure names cannot hold a backslash): "back\slash \n \l" shows as two lines.
        XCTAssertTrue(drawn.contains(#"label: back\slash  /  \l / second line"#), "back\\slash not drawn")
        for text in [
            #"say "hi" / second line"#, "hash #35; #quot; and ; / second line",
            "<b>tag</b> & amp / second line", "`tick` ```fence / second line", "end / second line",
            "line break / second line", "ünïcødé → ✓ / second line", #"sub "quoted" \ back\slash # end"#
        ] {
            XCTAssertTrue(drawn.contains("\nlabel: \(text)\n"), "\(text) not drawn")
        }
    }

    /// Graphviz shows each hostile name as written, not as an escape sequence or markup.
    func testGraphvizShowsHostileLabelsAsWritten() throws {
        let svg = try assertDrawnByGraphviz([("hostile", DOTRenderer.render(hostileLabels(), title: "t"))])
        for text in [
            "say &quot;hi&quot;", #"back\slash \n \l"#, "hash #35; #quot; and ;", "&lt;b&gt;tag&lt;/b&gt; &amp; amp",
            "`tick` ```fence", "ünïcødé → ✓", #"sub &quot;quoted&quot; \ back\slash # end"#
        ] {
            XCTAssertTrue(svg.contains(">\(text)</text>"), "\(text) not in the SVG")
        }
    }

    /// `dot -Tsvg` exits 0 with an SVG and says nothing on standard error (no warning).
    @discardableResult
    private func assertDrawnByGraphviz(_ outputs: [(name: String, text: String)], file: StaticString = #filePath, line: UInt = #line) throws
        -> String
    {
        guard (try? run("/usr/bin/env", ["dot", "-V"]))?.status == 0 else {
            throw XCTSkip("Graphviz dot is not installed (scripts/install-deps.sh installs it)")
        }
        var svg = ""
        for (name, text) in outputs {
            let result = try run("/usr/bin/env", ["dot", "-Tsvg"], input: text)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)", file: file, line: line)
            XCTAssertEqual(result.stderr, "", "\(name): dot warned", file: file, line: line)
            XCTAssertTrue(result.stdout.contains("<svg"), name, file: file, line: line)
            svg = result.stdout
        }
        return svg
    }

    /// scripts/check-mermaid.py: mermaid.parse and mermaid.render accept every diagram. Returns
    /// what the script prints, with the text of every label as drawn.
    @discardableResult
    private func assertDrawnByMermaid(_ outputs: [(name: String, text: String)], file: StaticString = #filePath, line: UInt = #line) throws
        -> String
    {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, output) in outputs.enumerated() {
            let url = directory.appendingPathComponent("\(index)-\(output.name.filter(\.isLetter)).mmd")
            try output.text.write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        let script = Self.repository.appendingPathComponent("scripts/check-mermaid.py").path
        let result = try run("/usr/bin/env", ["python3", script, "--labels"] + paths)
        if result.status == 77 { throw XCTSkip("mermaid.js or Chromium missing: \(result.stderr)") }
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr, file: file, line: line)
        XCTAssertTrue(result.stdout.contains("check-mermaid: \(outputs.count) rendered, 0 failed"), result.stdout, file: file, line: line)
        return result.stdout
    }

    private func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let (output, errors, feed) = (Pipe(), Pipe(), Pipe())
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = feed
        try process.run()
        // Read both pipes while the process runs: a large SVG would fill one and block it.
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        if let input { feed.fileHandleForWriting.write(Data(input.utf8)) }
        try feed.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    private func mermaidBlocks(_ markdown: String) -> [String] {
        markdown.components(separatedBy: "```mermaid\n").dropFirst().map { $0.components(separatedBy: "```\n")[0] }
    }
}

/// What tresor's Mermaid must look like, checked line by line: the configuration front matter,
/// `%%` comments, the header, subgraphs closed by
/// `end`, ids of the form `n0`/`g0` declared once, labels double-quoted with no bare quote
/// inside, edges between declared nodes, a classDef for every class used, linkStyle indices
/// within the edges, invisible links (`~~~`) between declared groups. It does not check layout, what Mermaid's parser accepts beyond these
/// forms, or how labels look: the mermaid.js test does, where it can run.
enum MermaidStructure {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ text: String) throws -> (nodes: Int, edges: Int) {
        func fail(_ message: String, _ line: String) -> Failure { Failure(description: "\(message): \(line)") }
        let quoted = #""(?:[^"]*)""#
        let node = try Regex(
            "^(n[0-9]+)(\\[\(quoted)\\]|\\(\(quoted)\\)|\\[\\(\(quoted)\\)\\]|\\{\\{\(quoted)\\}\\}|\\(\\[\(quoted)\\]\\)):::([A-Za-z]+)$")
        let subgraph = try Regex("^subgraph (g[0-9]+) \\[\(quoted)\\]$")
        let edge = try Regex("^(n[0-9]+) (-->|-\\.->|==>)(\\|\(quoted)\\|)? (n[0-9]+)$")
        let classDef = try Regex("^classDef ([A-Za-z]+) [a-z-]+:[^ ,]+(,[a-z-]+:[^,]+)*$")
        let linkStyle = try Regex("^linkStyle ([0-9,]+) [a-z-]+:.+$")
        let invisibleLinks = try Regex("^g[0-9]+( ~~~ g[0-9]+)+$")
        let frontMatter = "---\nconfig:\n  flowchart:\n    wrappingWidth: 400\n---\n"
        guard text.hasPrefix(frontMatter) else { throw Failure(description: "no configuration front matter") }
        var lines = text.dropFirst(frontMatter.count).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.first?.hasPrefix("%% ") == true { lines.removeFirst() }
        guard lines.first == "flowchart LR" else { throw Failure(description: "no flowchart header after the comments") }
        lines.removeFirst()
        var depth = 0
        var ids: Set<String> = []
        var classesUsed: Set<String> = []
        var classesDefined: Set<String> = []
        var edges: [(String, String)] = []
        var linkIndices: [Int] = []
        var row: [String] = []
        for line in lines {
            if let match = line.wholeMatch(of: subgraph) {
                guard ids.insert(String(match.output[1].substring!)).inserted else { throw fail("id declared twice", line) }
                depth += 1
            } else if line == "end" {
                depth -= 1
                guard depth >= 0 else { throw fail("end without subgraph", line) }
            } else if let match = line.wholeMatch(of: node) {
                guard ids.insert(String(match.output[1].substring!)).inserted else { throw fail("id declared twice", line) }
                classesUsed.insert(String(match.output[match.output.count - 1].substring!))
            } else if let match = line.wholeMatch(of: edge) {
                // Invisible links count in linkStyle's numbering: they must follow every edge.
                guard row.isEmpty else { throw fail("edge after the invisible links", line) }
                edges.append((String(match.output[1].substring!), String(match.output[match.output.count - 1].substring!)))
            } else if let match = line.wholeMatch(of: classDef) {
                classesDefined.insert(String(match.output[1].substring!))
            } else if line.wholeMatch(of: invisibleLinks) != nil {
                row = line.components(separatedBy: " ~~~ ")
            } else if let match = line.wholeMatch(of: linkStyle) {
                linkIndices += match.output[1].substring!.split(separator: ",").compactMap { Int($0) }
            } else {
                throw fail("not a line tresor writes", line)
            }
        }
        guard depth == 0 else { throw Failure(description: "\(depth) subgraph(s) without end") }
        for (from, to) in edges where !ids.contains(from) || !ids.contains(to) || from.hasPrefix("g") || to.hasPrefix("g") {
            throw Failure(description: "edge between undeclared nodes: \(from) \(to)")
        }
        guard classesUsed.isSubset(of: classesDefined) else {
            throw Failure(description: "classes used but not defined: \(classesUsed.subtracting(classesDefined).sorted())")
        }
        guard linkIndices.allSatisfy({ $0 < edges.count }) else { throw Failure(description: "linkStyle past the last edge") }
        guard row.allSatisfy(ids.contains) else { throw Failure(description: "invisible link to an undeclared group") }
        return (ids.filter { $0.hasPrefix("n") }.count, edges.count)
    }
}
