import Dispatch

/// The front half of the compiler, in stages: read files → parse YAML → decode documents →
/// bind identities and references → run the rules. Each stage collects diagnostics and the next
/// one runs on whatever the previous could make sense of, so one run reports every problem.
public struct Compiler: Sendable {
    public var limits = YAMLLimits()

    public init() {}

    public struct Result: Sendable {
        public var estate: Estate
        public var report: DiagnosticReport
    }

    /// Checks the manifests under `paths` (files or directories).
    public func check(paths: [String]) -> Result {
        let (files, inputDiagnostics) = ManifestInputs.collect(paths)
        var result = check(parsed: parse(paths: files))
        result.report = DiagnosticReport(sources: result.report.sources,
                                         diagnostics: inputDiagnostics + result.report.diagnostics)
        return result
    }

    /// Checks in-memory manifests, as `(path, text)` pairs (tests and rule examples).
    public func check(sources: [(path: String, text: String)]) -> Result {
        check(parsed: sources.enumerated().map { index, source in
            parse(SourceFile(path: source.path, bytes: Array(source.text.utf8)), id: FileID(index))
        })
    }

    struct ParsedFile: Sendable {
        var source: SourceFile
        var resources: [Resource] = []
        var diagnostics: [Diagnostic] = []
    }

    /// Reads and parses files, both cores at once; results keep the files' order.
    func parse(paths: [String]) -> [ParsedFile] {
        var parsed = [ParsedFile?](repeating: nil, count: paths.count)
        parsed.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let results = buffer
            DispatchQueue.concurrentPerform(iterations: paths.count) { index in
                results[index] = read(paths[index], id: FileID(index))
            }
        }
        return parsed.map { $0! }
    }

    private func read(_ path: String, id: FileID) -> ParsedFile {
        switch ManifestInputs.read(path, limit: limits.maxFileBytes) {
        case .success(let bytes):
            return parse(SourceFile(path: path, bytes: bytes), id: id)
        case .failure(let error):
            let message: String
            let code: String
            switch error {
            case .tooLarge(let size):
                code = "TR003"
                message = "input over a safety limit: file of \(size) bytes is larger than the limit of \(limits.maxFileBytes)"
            case .notAFile:
                code = "TR000"
                message = "cannot read \"\(path)\": not a regular file"
            case .system(let reason):
                code = "TR000"
                message = "cannot read \"\(path)\": \(reason)"
            }
            var file = ParsedFile(source: SourceFile(path: path, bytes: []))
            file.diagnostics.append(Diagnostic(code, .error, message,
                                               at: SourceRange(file: id, line: 1, column: 1, endLine: 1, endColumn: 1)))
            return file
        }
    }

    func parse(_ source: SourceFile, id: FileID) -> ParsedFile {
        var file = ParsedFile(source: source)
        var decoder = ManifestDecoder()
        YAMLLoader(file: id, limits: limits).load(source.bytes, diagnostics: &file.diagnostics) { root in
            if let resource = decoder.decode(root) { file.resources.append(resource) }
        }
        file.diagnostics += decoder.reader.diagnostics
        return file
    }

    func check(parsed: [ParsedFile]) -> Result {
        var sources = SourceFiles()
        var estate = Estate()
        var diagnostics: [Diagnostic] = []
        for file in parsed {
            sources.add(file.source)
            diagnostics += file.diagnostics
            for resource in file.resources { estate.add(resource) }
        }
        var binder = Binder()
        binder.bind(&estate)
        diagnostics += binder.diagnostics
        diagnostics += RuleCatalog.check(RuleContext(estate: estate))
        return Result(estate: estate, report: DiagnosticReport(sources: sources, diagnostics: diagnostics))
    }
}
