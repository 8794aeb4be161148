import TresorModel
import TresorSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `tresor.yaml` says about rules: the severity to report a rule at, or off.
///
/// ```yaml
/// rules:
///   TR307: off
///   TR106: warning
/// ```
///
/// Only rules about what the manifests describe (TR1xx–TR5xx) can be configured: a front-end
/// error (TR0xx) means a document could not be read, and TR6xx guard state and destructive plans.
struct RuleConfiguration: Sendable {
    static let fileName = "tresor.yaml"
    static let fields = FieldSet(["rules", "backend"])

    enum Setting: String, ManifestEnum { case error, warning, note, off }

    /// Rule code → the severity to report it at; nil switches the rule off.
    private(set) var severities: [String: Severity?] = [:]
    /// `backend:`, read here so that validate reports its problems too (BackendConfiguration).
    private(set) var backend: BackendConfiguration?

    init() {}

    static func isConfigurable(_ code: String) -> Bool {
        guard code.count == 5, code.hasPrefix("TR"), let hundreds = code.dropFirst(2).first else { return false }
        return ("1"..."5").contains(hundreds)
    }

    /// Reads one document of a tresor.yaml, reporting what does not fit (TR005, TR007, TR008).
    mutating func read(_ root: YAMLNode, catalog: [RuleDescription], diagnostics: inout [Diagnostic]) {
        var reader = FieldReader()
        defer { diagnostics += reader.diagnostics }
        guard let fields = reader.fields(of: root, what: Self.fileName, owner: root.range, allowed: Self.fields) else { return }
        if let node = reader.value(fields, "backend", required: false) { backend = BackendConfiguration.read(node, reader: &reader) }
        guard let rules = reader.value(fields, "rules", required: false) else { return }
        guard case .mapping(let pairs) = rules.content else {
            reader.diagnostics.append(
                ValueTypeRule.diagnostic(
                    "rules in \(Self.fileName) must be a mapping of rule codes to settings, not \(rules.kindDescription)",
                    at: rules.range, help: "write `rules: {TR307: off}`"))
            return
        }
        let configurable = catalog.map(\.code).filter(Self.isConfigurable)
        for pair in pairs {
            guard let key = reader.scalar(pair.key, what: "a rule code") else { continue }
            let code = key.value.uppercased()
            guard catalog.contains(where: { $0.code == code }) else {
                reader.diagnostics.append(
                    AllowedValueRule.diagnostic(
                        "\"\(key.value)\" is not a rule code", at: key.range,
                        help: Suggestion.nearest(to: code, in: configurable).map { "did you mean \($0)?" }
                            ?? "`tresor rules` lists the codes"))
                continue
            }
            guard Self.isConfigurable(code) else {
                reader.diagnostics.append(
                    AllowedValueRule.diagnostic(
                        "\(code) cannot be configured: only rules TR1xx–TR5xx can", at: key.range,
                        help: "TR0xx mean a manifest could not be read and TR6xx protect state and recovery points; fix the cause instead"))
                continue
            }
            guard let setting = reader.enumeration(pair.value, what: "the setting of \(code)", as: Setting.self) else { continue }
            switch setting.value {
            case .off: severities[code] = .some(nil)
            case .error: severities[code] = .error
            case .warning: severities[code] = .warning
            case .note: severities[code] = .note
            }
        }
    }

    /// Which tresor.yaml governs each file: the nearest one in the file's folder or above it, up
    /// to the folder named on the command line that holds the file (a file named directly: its
    /// own folder); otherwise the one in the current directory. nil when there is none.
    static func locate(for files: [String], arguments: [String]) -> [String?] {
        var known: [String: String?] = [:]
        var pathOfFile: [String: String] = [:]
        // The path to report a tresor.yaml under; one path per file, however it was reached.
        func existing(_ folder: String) -> String? {
            let path = ReportPath.normalized(folder == "." ? fileName : "\(folder)/\(fileName)")
            if let cached = known[path] { return cached }
            var info = stat()
            var found: String?
            if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let resolved = realpath(path, nil) {
                defer { free(resolved) }
                let canonical = String(cString: resolved)
                found = pathOfFile[canonical] ?? path
                pathOfFile[canonical] = found
            }
            known[path] = found
            return found
        }
        let folders = arguments.filter { argument in
            var info = stat()
            return stat(argument, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
        }
        return files.map { file in
            let root = folders.filter { file.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }.max { $0.count < $1.count }
            var candidates: [String] = []
            if let root {
                var folder = root.hasSuffix("/") ? String(root.dropLast()) : root
                candidates.append(folder)
                for component in file.dropFirst(folder.count + 1).split(separator: "/").dropLast() {
                    folder += "/\(component)"
                    candidates.append(folder)
                }
                candidates.reverse()
            } else if let slash = file.lastIndex(of: "/") {
                candidates.append(String(file[..<slash]))
            } else {
                candidates.append(".")
            }
            candidates.append(".")
            return candidates.lazy.compactMap(existing).first
        }
    }
}
