import TresorModel
import TresorSupport

/// The front half of the compiler, in stages: read files → parse YAML → decode documents →
/// merge az CLI inventories → bind identities and references → run the rules → apply
/// suppressions and tresor.yaml. Each
/// stage collects diagnostics and the next one runs on whatever the previous could make sense
/// of, so one run reports every problem.
public struct Compiler: Sendable {
    public var limits = YAMLLimits()

    public init() {}

    public struct Result: Sendable {
        public var estate: Estate
        public var report: DiagnosticReport
    }

    /// Checks the manifests under `paths` (files or directories) together with the observed VMs
    /// and NSGs of az CLI `inventories`, with the rule configuration (tresor.yaml) that governs each.
    public func check(paths: [String], inventories: [String] = []) -> Result {
        let (files, inputDiagnostics) = ManifestInputs.collect(paths)
        var inputs = files.map { Input(path: $0, role: .manifest) } + inventories.map { Input(path: $0, role: .inventory) }
        var governedBy: [Int: Int] = [:]
        var configurationInputs: [String: Int] = [:]
        for (index, configuration) in RuleConfiguration.locate(for: inputs.map(\.path), arguments: paths).enumerated() {
            guard let configuration else { continue }
            if configurationInputs[configuration] == nil {
                configurationInputs[configuration] = inputs.count
                inputs.append(Input(path: configuration, role: .configuration))
            }
            governedBy[index] = configurationInputs[configuration]
        }
        return check(parsed: parse(inputs), governedBy: governedBy, inputDiagnostics: inputDiagnostics)
    }

    /// Checks in-memory manifests and inventories, as `(path, text)` pairs (tests and rule
    /// examples), with an optional tresor.yaml that governs all of them.
    public func check(
        sources: [(path: String, text: String)], inventories: [(path: String, text: String)] = [],
        configuration: (path: String, text: String)? = nil
    ) -> Result {
        let files = sources.map { ($0, Input.Role.manifest) } + inventories.map { ($0, Input.Role.inventory) }
        var parsed = files.enumerated().map { index, file in
            parse(SourceFile(path: file.0.path, bytes: Array(file.0.text.utf8)), id: FileID(index), role: file.1)
        }
        var governedBy: [Int: Int] = [:]
        if let configuration {
            parsed.append(
                parse(
                    SourceFile(path: configuration.path, bytes: Array(configuration.text.utf8)),
                    id: FileID(parsed.count), role: .configuration))
            for index in files.indices { governedBy[index] = parsed.count - 1 }
        }
        return check(parsed: parsed, governedBy: governedBy)
    }

    /// A file to read, and what it holds.
    struct Input: Sendable {
        enum Role: Sendable { case manifest, inventory, configuration }
        var path: String
        var role: Role
    }

    struct ParsedFile: Sendable {
        var source: SourceFile
        var resources = ParsedResources()
        var diagnostics: [Diagnostic] = []
        var suppressions: [Suppression] = []
        var inventory = InventoryFacts()
        var configuration: RuleConfiguration?
    }

    /// Reads and parses files, both cores at once; results keep the inputs' order.
    func parse(_ inputs: [Input]) -> [ParsedFile] {
        Parallel.each(inputs.count) { read(inputs[$0], id: FileID($0)) }
    }

    private func read(_ input: Input, id: FileID) -> ParsedFile {
        let path = input.path
        switch Files.map(path, limit: limits.maxFileBytes) {
        case .success(let source):
            return parse(source, id: id, role: input.role)
        case .failure(let error):
            let start = SourceRange(file: id, line: 1, column: 1, endLine: 1, endColumn: 1)
            let diagnostic =
                switch error {
                case .tooLarge(let size):
                    SafetyLimitRule.diagnostic(
                        "input over a safety limit: file of \(size) bytes is larger than the limit of \(limits.maxFileBytes)", at: start)
                case .notAFile:
                    InputFileRule.diagnostic("cannot read \"\(path)\": not a regular file", at: start)
                case .system(let reason):
                    InputFileRule.diagnostic("cannot read \"\(path)\": \(reason)", at: start)
                }
            var file = ParsedFile(source: SourceFile(path: path, bytes: []))
            file.diagnostics.append(diagnostic)
            return file
        }
    }

    func parse(_ source: SourceFile, id: FileID, role: Input.Role) -> ParsedFile {
        var file = ParsedFile(source: source)
        let loader = YAMLLoader(file: id, limits: limits)
        switch role {
        case .manifest:
            var decoder = ManifestDecoder()
            var documents: [ClosedRange<Int32>] = []
            // Room for as many VMs as the file could hold (a VM document takes a few hundred
            // bytes), up to a bound: the array is not regrown and copied as it fills, and room
            // left unused is never touched, so it costs address space, not memory.
            file.resources.virtualMachines.reserveCapacity(min(source.byteCount / 256, 65_536))
            loader.load(source, diagnostics: &file.diagnostics) { root in
                documents.append(root.range.line...max(root.range.line, root.range.endLine))
                if let resource = decoder.decode(root) { file.resources.add(resource) }
            }
            file.diagnostics += decoder.reader.diagnostics
            file.suppressions = Suppression.scan(source, file: id, documents: documents)
        case .inventory:
            var decoder = InventoryDecoder()
            // An inventory is one JSON array that may hold thousands of VMs: read it entry by entry.
            loader.load(source, diagnostics: &file.diagnostics, element: { decoder.decodeEntry($0) }) { root in
                decoder.decode(root)
            }
            file.diagnostics += decoder.reader.diagnostics
            file.inventory = decoder.facts
        case .configuration:
            var configuration = RuleConfiguration()
            var problems: [Diagnostic] = []
            loader.load(source, diagnostics: &file.diagnostics) { root in
                configuration.read(root, catalog: RuleCatalog.descriptions, diagnostics: &problems)
            }
            file.diagnostics += problems
            file.configuration = configuration
        }
        if file.diagnostics.count > limits.maxDiagnosticsPerFile {
            let unreported = file.diagnostics.count - limits.maxDiagnosticsPerFile
            file.diagnostics.sort(by: Diagnostic.ordered)
            file.diagnostics.removeLast(unreported)
            file.diagnostics.append(
                SafetyLimitRule.diagnostic(
                    "input over a safety limit: more than \(limits.maxDiagnosticsPerFile) problems in this file; "
                        + "\(unreported) more are not reported",
                    at: SourceRange(file: id, line: 1, column: 1, endLine: 1, endColumn: 1),
                    help: "fix the problems reported, which usually repeat, and validate again"))
        }
        return file
    }

    /// Binds and checks parsed files. `governedBy` maps a file's index to the index of the
    /// tresor.yaml that governs it.
    func check(parsed: [ParsedFile], governedBy: [Int: Int], inputDiagnostics: [Diagnostic] = []) -> Result {
        var sources = SourceFiles()
        var diagnostics = inputDiagnostics
        var inventory = InventoryFacts()
        for file in parsed {
            sources.add(file.source)
            diagnostics += file.diagnostics
            inventory.virtualMachines += file.inventory.virtualMachines
            inventory.networkSecurityGroups += file.inventory.networkSecurityGroups
        }
        var resources = ParsedResources(merging: parsed.map(\.resources))
        var merge = InventoryMerge()
        merge.merge(inventory, into: &resources)
        var binder = Binder()
        var estate = binder.bind(consume resources)
        merge.settleRules(in: &estate)
        diagnostics += binder.diagnostics + merge.diagnostics
        diagnostics += RuleCatalog.check(RuleContext(estate: estate))
        var settings = RuleSettings(suppressions: parsed.flatMap(\.suppressions))
        for (file, configuration) in governedBy {
            settings.configurations[FileID(file)] = parsed[configuration].configuration
        }
        diagnostics = settings.apply(to: diagnostics)
        // Each file's resources as parsed, which `estate` holds copies of.
        keepUntilExit(parsed)
        return Result(estate: estate, report: DiagnosticReport(sources: sources, diagnostics: diagnostics))
    }
}
