internal import CYAML

/// Reads YAML documents from bytes with libyaml's event API and builds a located node tree per
/// document. Problems become diagnostics (TR001–TR003); the loader never throws or traps.
struct YAMLLoader {
    let file: FileID
    let limits: YAMLLimits

    /// Parses `bytes` and calls `document` with each document's root as soon as it is complete,
    /// so a large file never holds more than one document's tree. With `element`, a document
    /// whose root is a sequence (a JSON array of resources) streams instead: `element` gets each
    /// entry as soon as it is complete, each within the node limit on its own, and `document`
    /// gets the root without them.
    func load(_ bytes: [UInt8], diagnostics: inout [Diagnostic], element: ((YAMLNode) -> Void)? = nil,
              document: (YAMLNode) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            let parser = LibYAMLParser(input: buffer)
            var builder = TreeBuilder(file: file, limits: limits, streamsRootSequence: element != nil)
            let event = LibYAMLEvent()
            while true {
                guard event.parse(with: parser) else {
                    diagnostics.append(parser.syntaxDiagnostic(file: file, input: buffer))
                    return
                }
                switch builder.consume(event, diagnostics: &diagnostics) {
                case .continue:
                    continue
                case .document(let root):
                    document(root)
                case .element(let entry):
                    element?(entry)
                case .stop(let diagnostic):
                    diagnostics.append(diagnostic)
                    return
                case .end:
                    return
                }
            }
        }
    }
}

/// Owns a `yaml_parser_t`; deinit frees it.
private final class LibYAMLParser {
    var raw = yaml_parser_t()

    init(input: UnsafeBufferPointer<UInt8>) {
        yaml_parser_initialize(&raw)
        yaml_parser_set_input_string(&raw, input.baseAddress ?? UnsafePointer(bitPattern: 1)!, input.count)
    }

    deinit { yaml_parser_delete(&raw) }

    /// TR001 for the parser's error: libyaml's problem at its mark, and its context as a note.
    func syntaxDiagnostic(file: FileID, input: UnsafeBufferPointer<UInt8>) -> Diagnostic {
        let problem = raw.problem.map { String(cString: $0) } ?? "unknown error"
        if raw.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) carry a byte offset, not a mark.
            let offset = min(raw.problem_offset, input.count)
            let (line, column) = Self.position(ofByte: offset, in: input)
            let byte = raw.problem_value >= 0 ? String(format2: raw.problem_value) : ""
            return Diagnostic(
                "TR001", .error, "input is not valid UTF-8: \(problem)\(byte)",
                at: SourceRange(file: file, line: line, column: column, endLine: line, endColumn: column + 1),
                help: "save the file as UTF-8")
        }
        let mark = raw.problem_mark
        var notes: [DiagnosticNote] = []
        if let context = raw.context {
            let contextMark = raw.context_mark
            notes.append(DiagnosticNote(
                "\(String(cString: context)) that starts here",
                at: SourceRange(mark: contextMark, file: file)))
        }
        return Diagnostic(
            "TR001", .error, "YAML is not well formed: \(problem)",
            at: SourceRange(mark: mark, file: file), notes: notes)
    }

    /// 1-based line and character column of a byte offset.
    private static func position(ofByte offset: Int, in input: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in input[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}

private extension String {
    init(format2 value: Int32) {
        let hex = String(value, radix: 16, uppercase: true)
        self = " (byte 0x\(hex.count < 2 ? "0" + hex : hex))"
    }
}

/// Owns one `yaml_event_t` at a time; each parse and deinit free the previous event.
private final class LibYAMLEvent {
    var raw = yaml_event_t()

    func parse(with parser: LibYAMLParser) -> Bool {
        yaml_event_delete(&raw)
        return yaml_parser_parse(&parser.raw, &raw) == 1
    }

    deinit { yaml_event_delete(&raw) }

    var start: yaml_mark_t { raw.start_mark }
    var end: yaml_mark_t { raw.end_mark }
}

extension SourceRange {
    /// libyaml's marks are 0-based; tresor's are 1-based. This is the one place that converts.
    fileprivate init(mark: yaml_mark_t, file: FileID) {
        self.init(file: file, line: mark.line + 1, column: mark.column + 1,
                  endLine: mark.line + 1, endColumn: mark.column + 2)
    }

    fileprivate init(start: yaml_mark_t, end: yaml_mark_t, file: FileID) {
        self.init(file: file, line: start.line + 1, column: start.column + 1,
                  endLine: end.line + 1, endColumn: end.column + 1)
    }
}

private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
    guard let pointer else { return "" }
    return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
}

private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
}

/// Turns the event stream into one node tree per document, enforcing the limits.
private struct TreeBuilder {
    enum Step {
        case `continue`
        case document(YAMLNode)
        case element(YAMLNode)
        case stop(Diagnostic)
        case end
    }

    struct Frame {
        var isMapping: Bool
        var start: yaml_mark_t
        var anchor: String?
        var nodesBefore: Int
        var children: [YAMLNode] = []
    }

    let file: FileID
    let limits: YAMLLimits
    let streamsRootSequence: Bool
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, weight: Int)] = [:]
    var documentNodes = 0
    var documents = 0
    var root: YAMLNode?

    init(file: FileID, limits: YAMLLimits, streamsRootSequence: Bool) {
        self.file = file
        self.limits = limits
        self.streamsRootSequence = streamsRootSequence
    }

    mutating func consume(_ event: LibYAMLEvent, diagnostics: inout [Diagnostic]) -> Step {
        let raw = event.raw
        switch raw.type {
        case YAML_STREAM_START_EVENT:
            return .continue
        case YAML_STREAM_END_EVENT:
            return .end
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > limits.maxDocuments {
                return .stop(limit("more than \(limits.maxDocuments) documents in one file", at: event.start))
            }
            anchors.removeAll(keepingCapacity: true)
            documentNodes = 0
            root = nil
            return .continue
        case YAML_DOCUMENT_END_EVENT:
            defer { root = nil }
            if let root, !root.isNull { return .document(root) }
            return .continue
        case YAML_SCALAR_EVENT:
            let scalar = raw.data.scalar
            if scalar.length > limits.maxScalarBytes {
                return .stop(limit(
                    "a scalar of \(scalar.length) bytes is longer than the limit of \(limits.maxScalarBytes)",
                    at: event.start))
            }
            let node = YAMLNode(
                content: .scalar(string(scalar.value, length: scalar.length),
                                 plain: scalar.style == YAML_PLAIN_SCALAR_STYLE),
                range: SourceRange(start: event.start, end: event.end, file: file))
            return add(node, anchor: string(scalar.anchor), weight: 1, at: event.start)
        case YAML_ALIAS_EVENT:
            let name = string(raw.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                return .stop(Diagnostic(
                    "TR001", .error, "YAML is not well formed: alias *\(name) names no anchor defined before it",
                    at: SourceRange(start: event.start, end: event.end, file: file)))
            }
            return add(anchored.node, anchor: nil, weight: anchored.weight, at: event.start)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if stack.count >= limits.maxDepth {
                return .stop(limit("nesting deeper than \(limits.maxDepth) levels", at: event.start))
            }
            let isMapping = raw.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? string(raw.data.mapping_start.anchor) : string(raw.data.sequence_start.anchor)
            stack.append(Frame(isMapping: isMapping, start: event.start, anchor: anchor, nodesBefore: documentNodes))
            return .continue
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let range = SourceRange(start: frame.start, end: event.end, file: file)
            let node: YAMLNode
            if frame.isMapping {
                node = YAMLNode(content: .mapping(pairs(of: frame.children, diagnostics: &diagnostics)), range: range)
            } else {
                node = YAMLNode(content: .sequence(frame.children), range: range)
            }
            let weight = documentNodes - frame.nodesBefore + 1
            return add(node, anchor: frame.anchor, weight: weight, at: frame.start, counted: weight - 1)
        default:
            return .continue
        }
    }

    /// Pairs up a mapping's keys and values, reporting a repeated key (TR002) and keeping the first.
    private func pairs(of children: [YAMLNode], diagnostics: inout [Diagnostic]) -> [YAMLNode.Pair] {
        var pairs: [YAMLNode.Pair] = []
        pairs.reserveCapacity(children.count / 2)
        // Manifest mappings are small: a linear search beats hashing until they are not.
        var index: [String: Int]? = children.count > 32 ? [:] : nil
        var position = 0
        while position + 1 < children.count {
            let pair = YAMLNode.Pair(key: children[position], value: children[position + 1])
            position += 2
            if let key = pair.key.scalar {
                let first: Int?
                if index != nil {
                    first = index![key]
                    if first == nil { index![key] = pairs.count }
                } else {
                    first = pairs.firstIndex { $0.key.scalar == key }
                }
                if let first {
                    diagnostics.append(Diagnostic(
                        "TR002", .error, "mapping repeats the key \"\(key)\"",
                        at: pair.key.range,
                        notes: [DiagnosticNote("first declared here", at: pairs[first].key.range)],
                        help: "remove one of the two; YAML keeps neither reliably"))
                    continue
                }
            }
            pairs.append(pair)
        }
        return pairs
    }

    /// Attaches a finished node to its parent (or makes it the root). `weight` is how many nodes
    /// it stands for once aliases are expanded; `counted` how many of those are already counted.
    private mutating func add(
        _ node: YAMLNode, anchor: String?, weight: Int, at mark: yaml_mark_t, counted: Int = 0
    ) -> Step {
        documentNodes += weight - counted
        if documentNodes > limits.maxDocumentNodes {
            return .stop(limit(
                "the document expands to more than \(limits.maxDocumentNodes) nodes (aliases included)",
                at: mark))
        }
        if let anchor { anchors[anchor] = (node, weight) }
        if stack.isEmpty {
            root = node
        } else if streamsRootSequence, stack.count == 1, !stack[0].isMapping {
            // Each entry is counted on its own: the limit is per resource, not per file.
            documentNodes = stack[0].nodesBefore
            return .element(node)
        } else {
            stack[stack.count - 1].children.append(node)
        }
        return .continue
    }

    private func limit(_ what: String, at mark: yaml_mark_t) -> Diagnostic {
        Diagnostic("TR003", .error, "input over a safety limit: \(what)",
                   at: SourceRange(mark: mark, file: file),
                   help: "split the input or remove the construct; real manifests stay far below this limit")
    }
}
