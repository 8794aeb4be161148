import TresorModel
import TresorSupport

/// The field names a kind of mapping allows, each with its slot in `Fields`. A class: every
/// `Fields` refers to its set, and copying one reference is cheaper than copying three arrays.
final class FieldSet: Sendable {
    /// A position for each name, kept inline in `Fields` without an allocation per mapping: room
    /// for twice the largest set (a VirtualMachine's or a NetworkRule's 14 names), so that kinds
    /// can grow; FieldSetTests checks that every set fits.
    typealias Slots = InlineArray<32, Int32>
    static let capacity = Slots.count

    let names: [String]
    private let utf8: [[UInt8]]
    /// Each name's fingerprint: a field set is small, so a scan of these with one byte
    /// comparison on a match beats hashing every key.
    private let fingerprints: [UInt32]
    private let lengths: [Int]

    init(_ names: [String]) {
        precondition(names.count <= Self.capacity, "a field set holds at most \(Self.capacity) names")
        self.names = names
        utf8 = names.map { Array($0.utf8) }
        fingerprints = names.map(\.keyFingerprint)
        lengths = names.map(\.utf8.count)
    }

    func slot(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        let fingerprint = key.keyFingerprint
        for index in fingerprints.indices
        where fingerprints[index] == fingerprint
            && utf8[index].withUnsafeBufferPointer({ $0.sameBytes(as: key) })
        {
            return index
        }
        return nil
    }

    /// The slot of a name the decoder asks for. Lengths first: String equality is one word
    /// comparison for equal short strings, but a slow path for unequal ones.
    func slot(_ key: String) -> Int? {
        let length = key.utf8.count
        for index in 0..<lengths.count where lengths[index] == length && names[index] == key {
            return index
        }
        return nil
    }
}

/// The fields of one YAML mapping, checked against the names its kind allows (TR005, TR007).
struct Fields {
    /// What the mapping is, for messages: "Vault", "schedule", "retention.monthly".
    let what: String
    /// Where "missing field" diagnostics point: the key that holds the mapping, or the document's kind.
    let owner: SourceRange
    let node: YAMLNode
    private let set: FieldSet
    /// For each allowed field, the position of its pair in `node`, or -1.
    private var positions = FieldSet.Slots(repeating: -1)

    fileprivate init(what: String, owner: SourceRange, node: YAMLNode, set: FieldSet) {
        self.what = what
        self.owner = owner
        self.node = node
        self.set = set
    }

    /// The pair for `key`, which must be one of the set's names.
    func pair(_ key: String) -> YAMLNode.Pair? {
        guard let slot = set.slot(key) else {
            assertionFailure("\(key) is not a field of \(what)")
            return nil
        }
        let position = positions[slot]
        return position < 0 ? nil : node.pair(Int(position))
    }

    fileprivate mutating func set(position: Int, slot: Int) { positions[slot] = Int32(position) }
}

/// Reads typed values out of YAML nodes, collecting a diagnostic for each value that does not fit.
package struct FieldReader {
    package var diagnostics: [Diagnostic] = []
    /// The subscription read last: a file's resources nearly all name the same one, and sharing
    /// its string saves an allocation for each.
    private var lastSubscription: String?

    private mutating func report(
        _ rule: (some FrontEndRule).Type, _ message: String, at range: SourceRange,
        notes: [DiagnosticNote] = [], help: String? = nil
    ) {
        diagnostics.append(rule.diagnostic(message, at: range, notes: notes, help: help))
    }

    /// Opens `node` as a mapping whose keys must be among `allowed`.
    mutating func fields(of node: YAMLNode, what: String, owner: SourceRange, allowed: FieldSet) -> Fields? {
        guard node.isMapping else {
            report(ValueTypeRule.self, "\(what) must be a mapping, not \(node.kindDescription)", at: node.range)
            return nil
        }
        var fields = Fields(what: what, owner: owner, node: node, set: allowed)
        for position in 0..<node.count {
            let pair = node.pair(position)
            guard let found = pair.key.withScalarBytes({ allowed.slot($0) }) else {
                report(ValueTypeRule.self, "keys in \(what) must be scalars, not \(pair.key.kindDescription)", at: pair.key.range)
                continue
            }
            guard let slot = found else {
                let key = pair.key.scalar ?? ""
                let suggestion = Suggestion.nearest(to: key, in: allowed.names)
                report(
                    UnknownFieldRule.self, "unknown field \"\(key)\" in \(what)", at: pair.key.range,
                    help: suggestion.map { "did you mean \"\($0)\"?" }
                        ?? "\(what) takes: \(allowed.names.joined(separator: ", "))")
                continue
            }
            fields.set(position: position, slot: slot)
        }
        return fields
    }

    /// The value of `key`, or nil when it is absent or null (reporting TR006 when `required`).
    mutating func value(_ fields: Fields, _ key: String, required: Bool) -> YAMLNode? {
        if let pair = fields.pair(key), !pair.value.isNull { return pair.value }
        if required {
            let place = fields.pair(key)?.key.range ?? fields.owner
            report(
                RequiredFieldRule.self, "\(fields.what) is missing required field \"\(key)\"", at: place,
                help: "add `\(key):` to \(fields.what)")
        }
        return nil
    }

    /// `what` names the value in messages; it is built only when there is something to report.
    mutating func scalar(_ node: YAMLNode, what: @autoclosure () -> String) -> Located<String>? {
        guard let text = node.scalar else {
            report(ValueTypeRule.self, "\(what()) must be a scalar, not \(node.kindDescription)", at: node.range)
            return nil
        }
        return Located(text, at: node.range)
    }

    mutating func string(_ fields: Fields, _ key: String, required: Bool = false) -> Located<String>? {
        guard let node = value(fields, key, required: required) else { return nil }
        return scalar(node, what: key)
    }

    /// A whole number, possibly negative: whether it is in range is its rule's business (a retention
    /// of -1 days is TR204, not TR008). Numbers beyond 64 bits saturate; every range a rule checks
    /// lies far inside, so the saturated value breaks the same rule the written one does.
    mutating func integer(_ node: YAMLNode, what: @autoclosure () -> String) -> Located<Int>? {
        if let read = node.withScalarBytes(Self.wholeNumber), let number = read { return Located(number, at: node.range) }
        guard let text = scalar(node, what: what()) else { return nil }
        report(AllowedValueRule.self, "\(what()) must be a whole number, not \"\(text.value)\"", at: node.range)
        return nil
    }

    /// The number that `bytes` spell: an optional "-", then digits, saturating beyond 64 bits.
    static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let negative = bytes.first == UInt8(ascii: "-")
        guard let (magnitude, overflowed) = bytes.dropFirst(negative ? 1 : 0).decimalValue else { return nil }
        if overflowed { return negative ? .min : .max }
        return negative ? -magnitude : magnitude
    }

    mutating func integer(_ fields: Fields, _ key: String, required: Bool = false) -> Located<Int>? {
        value(fields, key, required: required).flatMap { integer($0, what: key) }
    }

    /// A count of things (data disks, endpoints): a whole number, 0 or more.
    mutating func count(_ fields: Fields, _ key: String) -> Located<Int>? {
        guard let number = integer(fields, key) else { return nil }
        guard number.value >= 0 else {
            report(AllowedValueRule.self, "\(key) is a count and must be 0 or more, not \(number.value)", at: number.range)
            return nil
        }
        return number
    }

    mutating func boolean(_ fields: Fields, _ key: String, required: Bool = false) -> Located<Bool>? {
        guard let node = value(fields, key, required: required) else { return nil }
        if let read = node.withScalarBytes(Self.booleanValue), let flag = read { return Located(flag, at: node.range) }
        guard let text = scalar(node, what: key) else { return nil }
        report(AllowedValueRule.self, "\(key) must be true or false, not \"\(text.value)\"", at: node.range)
        return nil
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    /// true or false, exactly as written; nil for anything else.
    private static func booleanValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        if trueBytes.withUnsafeBufferPointer({ $0.sameBytes(as: bytes) }) { return true }
        if falseBytes.withUnsafeBufferPointer({ $0.sameBytes(as: bytes) }) { return false }
        return nil
    }

    mutating func enumeration<E: ManifestEnum>(_ node: YAMLNode, what: @autoclosure () -> String, as _: E.Type) -> Located<E>? {
        guard let text = scalar(node, what: what()) else { return nil }
        guard let value = E(manifestText: text.value) else {
            let suggestion = Suggestion.nearest(to: text.value, in: E.allCases.map(\.rawValue))
            report(
                AllowedValueRule.self, "\(what()) must be one of \(E.allowedValues), not \"\(text.value)\"", at: node.range,
                help: suggestion.map { "did you mean \"\($0)\"?" })
            return nil
        }
        return Located(value, at: node.range)
    }

    mutating func enumeration<E: ManifestEnum>(_ fields: Fields, _ key: String, as type: E.Type, required: Bool = false) -> Located<E>? {
        value(fields, key, required: required).flatMap { enumeration($0, what: key, as: type) }
    }

    /// A sequence whose elements each become a `T` (elements that fail are reported and dropped).
    mutating func list<T>(_ node: YAMLNode, what: String, element: (inout FieldReader, YAMLNode) -> T?) -> Located<[T]>? {
        guard node.isSequence else {
            report(ValueTypeRule.self, "\(what) must be a sequence, not \(node.kindDescription)", at: node.range)
            return nil
        }
        var values: [T] = []
        values.reserveCapacity(node.count)
        for position in 0..<node.count {
            if let value = element(&self, node.element(position)) { values.append(value) }
        }
        return Located(values, at: node.range)
    }

    mutating func list<T>(
        _ fields: Fields, _ key: String, required: Bool = false,
        element: (inout FieldReader, YAMLNode) -> T?
    ) -> Located<[T]>? {
        value(fields, key, required: required).flatMap { list($0, what: key, element: element) }
    }

    mutating func stringList(_ fields: Fields, _ key: String, required: Bool = false) -> Located<[Located<String>]>? {
        list(fields, key, required: required) { reader, item in reader.scalar(item, what: "each entry of \(key)") }
    }

    mutating func enumList<E: ManifestEnum>(_ fields: Fields, _ key: String, as type: E.Type, required: Bool = false) -> Located<
        [Located<E>]
    >? {
        list(fields, key, required: required) { reader, item in reader.enumeration(item, what: "each entry of \(key)", as: type) }
    }

    /// A scalar or a sequence of scalars (ports and address prefixes take either).
    mutating func scalarOrList(_ fields: Fields, _ key: String, required: Bool = false) -> [Located<String>]? {
        guard let node = value(fields, key, required: required) else { return nil }
        if node.isSequence {
            return list(node, what: key) { reader, item in reader.scalar(item, what: "each entry of \(key)") }?.value
        }
        return scalar(node, what: key).map { [$0] }
    }

    /// A nested mapping under `key`, opened with its allowed fields.
    mutating func object(_ parent: Fields, _ key: String, allowed: FieldSet, required: Bool = false) -> Fields? {
        guard let node = value(parent, key, required: required), let keyRange = parent.pair(key)?.key.range else { return nil }
        // A document's fields are named alone ("schedule"), deeper ones by path ("retention.weekly").
        let what = parent.what.utf8.first.map { (65...90).contains($0) } == true ? key : "\(parent.what).\(key)"
        return fields(of: node, what: what, owner: keyRange, allowed: allowed)
    }

    /// A subscription ID: a GUID, compared and written lowercase.
    mutating func subscription(_ fields: Fields, required: Bool) -> Located<String>? {
        if var last = lastSubscription, let node = fields.pair("subscription")?.value,
            node.withScalarBytes({ written in last.withUTF8 { $0.sameBytes(as: written) } }) == true
        {
            return Located(last, at: node.range)
        }
        guard let text = string(fields, "subscription", required: required) else { return nil }
        guard Self.isGUID(text.value) else {
            report(
                AllowedValueRule.self, "subscription must be a GUID such as 1f0c5c6e-0000-4000-8000-00000000a001, not \"\(text.value)\"",
                at: text.range)
            return nil
        }
        lastSubscription = text.value.asciiLowercased()
        return Located(lastSubscription!, at: text.range)
    }

    /// A resource group name: 1–90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'.
    mutating func resourceGroup(_ fields: Fields) -> Located<String>? {
        guard let text = string(fields, "resourceGroup", required: true) else { return nil }
        let valid = Self.isResourceGroupName(text.value)
        if !valid {
            report(
                AllowedValueRule.self, "resourceGroup \"\(text.value)\" is not a valid resource group name", at: text.range,
                help: "use 1–90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'")
            return nil
        }
        return text
    }

    static func isGUID(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count == 36 else { return false }
            for index in 0..<36 {
                let byte = bytes[index]
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    if byte != UInt8(ascii: "-") { return false }
                } else if !((48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)) {
                    return false
                }
            }
            return true
        }
    }

    /// 1–90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.' (Azure's rule; letters
    /// and digits may be Unicode). ASCII names, nearly all of them, skip Character processing.
    static func isResourceGroupName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.last != UInt8(ascii: ".") else { return false }
        var text = name
        let ascii: Bool? = text.withUTF8 { bytes in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            return bytes.count <= 90
                && bytes.allSatisfy { byte in
                    (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
                        || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                        || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")")
                }
        }
        if let ascii { return ascii }
        return name.count <= 90 && name.allSatisfy { $0.isLetter || $0.isNumber || "_-.()".contains($0) }
    }
}
