internal import CYAML
import TresorModel
import TresorSupport

/// Reads YAML documents from bytes with libyaml's event API and builds a located node tree per
/// document. Problems become diagnostics (TR001–TR003); the loader never throws or traps.
package struct YAMLLoader {
    let file: FileID
    let limits: YAMLLimits

    package init(file: FileID, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
    }

    /// Parses `bytes` and calls `document` with each document's root as soon as it is complete,
    /// so a large file never holds more than one document's tree. With `element`, a document
    /// whose root is a sequence (a JSON array of resources) streams instead: `element` gets each
    /// entry as soon as it is complete, each within the node limit on its own, and `document`
    /// gets the root without them.
    package func load(
        _ source: SourceFile, diagnostics: inout [Diagnostic], element: ((YAMLNode) -> Void)? = nil,
        document: (YAMLNode) -> Void
    ) {
        source.withBytes { buffer in
            let parser = LibYAMLParser(input: buffer, window: limits.maxBytesBetweenEvents)
            var builder = TreeBuilder(file: file, limits: limits, streamsRootSequence: element != nil)
            let event = LibYAMLEvent()
            while true {
                guard event.parse(with: parser) else {
                    diagnostics.append(
                        parser.readTooFar
                            ? builder.limit(
                                "more than \(limits.maxBytesBetweenEvents) bytes without a complete YAML token "
                                    + "(a scalar longer than \(limits.maxScalarBytes) bytes, or a huge comment)",
                                at: parser.lastEventEnd)
                            : parser.syntaxDiagnostic(file: file, input: buffer))
                    return
                }
                parser.lastEventEnd = event.end
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

/// Owns a `yaml_parser_t`; deinit frees it. Kept behind a pointer so each parse call does not
/// pay for a dynamic exclusivity check on a class property.
///
/// libyaml reads through `read`, which refuses to run more than `window` bytes ahead of the last
/// event: libyaml buffers a whole scalar before it reports it, so without this a 50 MB scalar
/// would cost seconds and a gigabyte before its length could be checked.
private final class LibYAMLParser {
    let raw: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeBufferPointer<UInt8>
    private let window: Int
    private var offset = 0
    /// Where the last event ended; `index` counts characters, so never more than bytes.
    var lastEventEnd = yaml_mark_t()
    private(set) var readTooFar = false

    init(input: UnsafeBufferPointer<UInt8>, window: Int) {
        self.input = input
        self.window = window
        raw = .allocate(capacity: 1)
        raw.initialize(to: yaml_parser_t())
        yaml_parser_initialize(raw)
        yaml_parser_set_input(
            raw,
            { data, buffer, size, sizeRead in
                let parser = Unmanaged<LibYAMLParser>.fromOpaque(data!).takeUnretainedValue()
                return parser.read(into: buffer!, size: size, sizeRead: sizeRead!)
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        yaml_parser_delete(raw)
        raw.deallocate()
    }

    /// libyaml's read handler: 1 with bytes copied (0 of them at the end), 0 to stop it.
    private func read(into buffer: UnsafeMutablePointer<UInt8>, size: Int, sizeRead: UnsafeMutablePointer<Int>) -> Int32 {
        if offset - lastEventEnd.index > window {
            readTooFar = true
            return 0
        }
        let count = min(size, input.count - offset)
        if count > 0, let base = input.baseAddress {
            buffer.update(from: base + offset, count: count)
        }
        offset += count
        sizeRead.pointee = count
        return 1
    }

    /// TR001 for the parser's error: libyaml's problem at its mark, and its context as a note.
    func syntaxDiagnostic(file: FileID, input: UnsafeBufferPointer<UInt8>) -> Diagnostic {
        let raw = self.raw.pointee
        let problem = raw.problem.map { String(cString: $0) } ?? "unknown error"
        if raw.error == YAML_READER_ERROR {
            // Reader errors (bad encoding) carry a byte offset, not a mark.
            let offset = min(raw.problem_offset, input.count)
            let (line, column) = Self.position(ofByte: offset, in: input)
            let byte = raw.problem_value >= 0 ? String(format2: raw.problem_value) : ""
            return YAMLSyntaxRule.diagnostic(
                "input is not valid text: \(problem)\(byte)",
                at: SourceRange(file: file, line: line, column: column, endLine: line, endColumn: column + 1),
                help: "save the file as UTF-8")
        }
        let mark = raw.problem_mark
        var notes: [DiagnosticNote] = []
        if let context = raw.context {
            let contextMark = raw.context_mark
            notes.append(
                DiagnosticNote(
                    "\(String(cString: context)) that starts here",
                    at: SourceRange(mark: contextMark, file: file)))
        }
        return YAMLSyntaxRule.diagnostic(
            "YAML is not well formed: \(problem)",
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

extension String {
    fileprivate init(format2 value: Int32) {
        let hex = String(value, radix: 16, uppercase: true)
        self = " (byte 0x\(hex.count < 2 ? "0" + hex : hex))"
    }
}

/// Owns one `yaml_event_t` at a time; each parse and deinit free the previous event.
private final class LibYAMLEvent {
    let raw: UnsafeMutablePointer<yaml_event_t>

    init() {
        raw = .allocate(capacity: 1)
        raw.initialize(to: yaml_event_t())
    }

    func parse(with parser: LibYAMLParser) -> Bool {
        yaml_event_delete(raw)
        return yaml_parser_parse(parser.raw, raw) == 1
    }

    deinit {
        yaml_event_delete(raw)
        raw.deallocate()
    }

    var start: yaml_mark_t { raw.pointee.start_mark }
    var end: yaml_mark_t { raw.pointee.end_mark }
}

extension SourceRange {
    /// libyaml's marks are 0-based; tresor's are 1-based. This is the one place that converts.
    fileprivate init(mark: yaml_mark_t, file: FileID) {
        self.init(
            file: file, line: mark.line + 1, column: mark.column + 1,
            endLine: mark.line + 1, endColumn: mark.column + 2)
    }

    fileprivate init(start: yaml_mark_t, end: yaml_mark_t, file: FileID) {
        self.init(
            file: file, line: start.line + 1, column: start.column + 1,
            endLine: end.line + 1, endColumn: end.column + 1)
    }
}

private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
}

/// Turns the event stream into one `YAMLDocument` per document, enforcing the limits.
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
        /// Where this collection's finished children start in `pending`.
        var firstPending: Int
    }

    let file: FileID
    let limits: YAMLLimits
    let streamsRootSequence: Bool
    /// The document being built; moved into a `YAMLDocument` when it ends.
    var nodes: [YAMLDocument.Node] = []
    var children: [Int32] = []
    var bytes: [UInt8] = []
    var stack: [Frame] = []
    /// Finished children of every open collection, innermost last.
    var pending: [Int32] = []
    var anchors: [String: (node: Int32, weight: Int)] = [:]
    /// The document handed out last, whose storage the next one may reuse.
    var previousDocument: YAMLDocument?
    /// Key fingerprints of the mapping being closed, kept to reuse its storage.
    var fingerprints: [UInt32] = []
    var documentNodes = 0
    var documents = 0
    var root: Int32?

    init(file: FileID, limits: YAMLLimits, streamsRootSequence: Bool) {
        self.file = file
        self.limits = limits
        self.streamsRootSequence = streamsRootSequence
    }

    mutating func consume(_ event: LibYAMLEvent, diagnostics: inout [Diagnostic]) -> Step {
        let raw = event.raw
        switch raw.pointee.type {
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
            let document = takeDocument()
            if let root {
                let node = YAMLNode(document: document, index: root)
                if !node.isNull { return .document(node) }
            }
            return .continue
        case YAML_SCALAR_EVENT:
            let scalar = raw.pointee.data.scalar
            if scalar.length > limits.maxScalarBytes {
                return .stop(
                    limit(
                        "a scalar of \(scalar.length) bytes is longer than the limit of \(limits.maxScalarBytes)",
                        at: event.start))
            }
            let offset = bytes.count
            if let value = scalar.value, scalar.length > 0 {
                bytes.append(contentsOf: UnsafeBufferPointer(start: value, count: scalar.length))
            }
            let index = append(
                YAMLDocument.Node(
                    kind: .scalar, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
                    range: SourceRange(start: event.start, end: event.end, file: file),
                    start: Int32(offset), count: Int32(scalar.length)))
            return add(index, anchor: string(scalar.anchor), weight: 1, at: event.start)
        case YAML_ALIAS_EVENT:
            let name = string(raw.pointee.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                return .stop(
                    YAMLSyntaxRule.diagnostic(
                        "YAML is not well formed: alias *\(name) names no anchor defined before it",
                        at: SourceRange(start: event.start, end: event.end, file: file)))
            }
            return add(anchored.node, anchor: nil, weight: anchored.weight, at: event.start)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if stack.count >= limits.maxDepth {
                return .stop(limit("nesting deeper than \(limits.maxDepth) levels", at: event.start))
            }
            let isMapping = raw.pointee.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? string(raw.pointee.data.mapping_start.anchor) : string(raw.pointee.data.sequence_start.anchor)
            stack.append(
                Frame(
                    isMapping: isMapping, start: event.start, anchor: anchor, nodesBefore: documentNodes,
                    firstPending: pending.count))
            return .continue
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let start = children.count
            if frame.isMapping {
                appendPairs(from: frame.firstPending, diagnostics: &diagnostics)
            } else {
                children.append(contentsOf: pending[frame.firstPending...])
            }
            pending.removeSubrange(frame.firstPending...)
            let index = append(
                YAMLDocument.Node(
                    kind: frame.isMapping ? .mapping : .sequence, plain: false,
                    range: SourceRange(start: frame.start, end: event.end, file: file),
                    start: Int32(start), count: Int32(children.count - start)))
            let weight = documentNodes - frame.nodesBefore + 1
            return add(index, anchor: frame.anchor, weight: weight, at: frame.start, counted: weight - 1)
        default:
            return .continue
        }
    }

    /// Moves what was built into a document, and builds the next one in the storage of the
    /// document before, when nothing holds that any more (its nodes were decoded and dropped);
    /// otherwise in fresh arrays of this one's size: documents in one file are alike.
    private mutating func takeDocument() -> YAMLDocument {
        let document = YAMLDocument(nodes: nodes, children: children, bytes: bytes)
        if previousDocument != nil, isKnownUniquelyReferenced(&previousDocument!) {
            (nodes, children, bytes) = previousDocument!.takeStorage()
        } else {
            nodes = []
            nodes.reserveCapacity(document.nodes.count)
            children = []
            children.reserveCapacity(document.children.count)
            bytes = []
            bytes.reserveCapacity(document.bytes.count)
        }
        previousDocument = document
        return document
    }

    private mutating func append(_ node: YAMLDocument.Node) -> Int32 {
        nodes.append(node)
        return Int32(nodes.count - 1)
    }

    /// A scalar node's bytes in the document being built; nil for a collection.
    private func withScalarBytes<Result>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        let node = nodes[Int(index)]
        guard node.kind == .scalar else { return nil }
        return bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[Int(node.start)..<Int(node.start + node.count)]))
        }
    }

    private func scalarText(_ index: Int32) -> String? {
        withScalarBytes(index) { String(decoding: $0, as: UTF8.self) }
    }

    /// Moves the keys and values from `first` on in `pending` into the document's children,
    /// reporting a repeated key (TR002) and keeping the first.
    private mutating func appendPairs(from first: Int, diagnostics: inout [Diagnostic]) {
        let start = children.count
        // Manifest mappings are small: compare key fingerprints linearly, bytes only on a
        // fingerprint match. Large mappings (tags, hostile input) use a dictionary instead.
        fingerprints.removeAll(keepingCapacity: true)
        var keyIndex: [String: Int32]? = pending.count - first > 64 ? [:] : nil
        var position = first
        while position + 1 < pending.count {
            let key = pending[position]
            let value = pending[position + 1]
            position += 2
            var earlier: Int32?
            if keyIndex != nil {
                if let text = scalarText(key) {
                    earlier = keyIndex![text]
                    if earlier == nil { keyIndex![text] = key }
                }
            } else {
                let fingerprint = withScalarBytes(key) { $0.keyFingerprint } ?? 0
                if fingerprint != 0 {
                    for (offset, candidate) in fingerprints.enumerated() where candidate == fingerprint {
                        let other = children[start + 2 * offset]
                        let same = withScalarBytes(key) { mine in withScalarBytes(other) { mine.sameBytes(as: $0) } } ?? nil
                        if same == true {
                            earlier = other
                            break
                        }
                    }
                }
                if earlier == nil { fingerprints.append(fingerprint) }
            }
            if let earlier {
                diagnostics.append(
                    DuplicateKeyRule.diagnostic(
                        "mapping repeats the key \"\(scalarText(key) ?? "")\"",
                        at: nodes[Int(key)].range,
                        notes: [DiagnosticNote("first declared here", at: nodes[Int(earlier)].range)],
                        help: "remove one of the two; YAML keeps neither reliably"))
                continue
            }
            children.append(key)
            children.append(value)
        }
    }

    /// Attaches a finished node to its parent (or makes it the root). `weight` is how many nodes
    /// it stands for once aliases are expanded; `counted` how many of those are already counted.
    private mutating func add(
        _ node: Int32, anchor: String?, weight: Int, at mark: yaml_mark_t, counted: Int = 0
    ) -> Step {
        documentNodes += weight - counted
        if documentNodes > limits.maxDocumentNodes {
            return .stop(
                limit(
                    "the document expands to more than \(limits.maxDocumentNodes) nodes (aliases included)",
                    at: mark))
        }
        if let anchor { anchors[anchor] = (node, weight) }
        if stack.isEmpty {
            root = node
        } else if streamsRootSequence, stack.count == 1, !stack[0].isMapping {
            // Each entry is counted on its own (the limit is per resource, not per file) and
            // leaves in a document of its own; anchors do not reach across entries.
            documentNodes = stack[0].nodesBefore
            anchors.removeAll(keepingCapacity: true)
            return .element(YAMLNode(document: takeDocument(), index: node))
        } else {
            pending.append(node)
        }
        return .continue
    }

    func limit(_ what: String, at mark: yaml_mark_t) -> Diagnostic {
        SafetyLimitRule.diagnostic(
            "input over a safety limit: \(what)",
            at: SourceRange(mark: mark, file: file),
            help: "split the input or remove the construct; real manifests stay far below this limit")
    }
}
