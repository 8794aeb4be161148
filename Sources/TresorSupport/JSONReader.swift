#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads JSON text into `JSON` values. Written for the state file (tens of megabytes for a large
/// estate, read on every plan), so it works on raw bytes; Foundation's JSONSerialization is
/// several times slower and loses key order. Numbers are integers only: tresor writes no others.
public struct JSONReader {
    public struct Failure: Error, Equatable, Sendable {
        public var message: String
        /// Byte offset of the problem.
        public var offset: Int
    }

    /// Nesting deeper than this is refused rather than recursed into.
    static let maxDepth = 64

    /// Parses a whole document.
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSON {
        try bytes.withUnsafeBufferPointer { buffer throws(Failure) in try parse(buffer) }
    }

    package static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSON {
        var reader = Cursor(bytes: buffer)
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.offset == buffer.count else { throw reader.failure("unexpected text after the JSON value") }
        return value
    }

    public static func parse(_ text: String) throws(Failure) -> JSON {
        try parse(Array(text.utf8))
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var offset = 0

        func failure(_ message: String) -> Failure { Failure(message: message, offset: offset) }

        mutating func skipSpace() {
            while offset < bytes.count {
                switch bytes[offset] {
                case 0x20, 0x0A, 0x0D, 0x09: offset += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSON {
            skipSpace()
            guard offset < bytes.count else { throw failure("unexpected end of input") }
            guard depth < JSONReader.maxDepth else { throw failure("nested deeper than \(JSONReader.maxDepth) levels") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try integer())
            default: throw failure("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard offset + count <= bytes.count,
                memcmp(bytes.baseAddress! + offset, word.utf8Start, count) == 0
            else { throw failure("unexpected character") }
            offset += count
        }

        mutating func integer() throws(Failure) -> Int {
            let negative = bytes[offset] == UInt8(ascii: "-")
            if negative { offset += 1 }
            let start = offset
            var magnitude = 0
            while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(bytes[offset] &- UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else { throw failure("integer out of range") }
                magnitude = sum
                offset += 1
            }
            guard offset > start else { throw failure("expected a digit") }
            if offset < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[offset]) {
                throw failure("only integers are expected")
            }
            return negative ? -magnitude : magnitude
        }

        mutating func array(depth: Int) throws(Failure) -> JSON {
            offset += 1
            var items: [JSON] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(items)
            }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard offset < bytes.count else { throw failure("unexpected end of input in an array") }
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "]") { return .array(items) }
                guard byte == UInt8(ascii: ",") else {
                    offset -= 1
                    throw failure("expected ',' or ']'")
                }
            }
        }

        mutating func object(depth: Int) throws(Failure) -> JSON {
            offset += 1
            var members: [(String, JSON)] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
                let key = try string()
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                offset += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard offset < bytes.count else { throw failure("unexpected end of input in an object") }
                let byte = bytes[offset]
                offset += 1
                if byte == UInt8(ascii: "}") { return .object(members) }
                guard byte == UInt8(ascii: ",") else {
                    offset -= 1
                    throw failure("expected ',' or '}'")
                }
            }
        }

        mutating func string() throws(Failure) -> String {
            offset += 1
            let start = offset
            var ascii = true
            // Fast path: no escapes, so the bytes are the string.
            while offset < bytes.count {
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    let text = try validated(UnsafeBufferPointer(rebasing: bytes[start..<offset]), ascii: ascii)
                    offset += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw failure("control character in a string") }
                if byte >= 0x80 { ascii = false }
                offset += 1
            }
            var decoded = Array(bytes[start..<offset])
            while offset < bytes.count {
                let byte = bytes[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return try decoded.withUnsafeBufferPointer { buffer throws(Failure) in try validated(buffer, ascii: false) }
                case UInt8(ascii: "\\"):
                    guard offset < bytes.count else { break }
                    let escape = bytes[offset]
                    offset += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escape)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"): decoded += try unicodeEscape()
                    default: throw failure("unknown escape in a string")
                    }
                case 0..<0x20:
                    throw failure("control character in a string")
                default:
                    decoded.append(byte)
                }
            }
            throw failure("unterminated string")
        }

        func validated(_ buffer: UnsafeBufferPointer<UInt8>, ascii: Bool) throws(Failure) -> String {
            // ASCII needs no validation; String(decoding:) would repair bad UTF-8 rather than refuse it.
            if ascii { return String(decoding: buffer, as: UTF8.self) }
            guard let text = String(validating: buffer, as: UTF8.self) else { throw failure("string is not valid UTF-8") }
            return text
        }

        /// `\uXXXX`, with surrogate pairs, as UTF-8.
        mutating func unicodeEscape() throws(Failure) -> [UInt8] {
            var scalar = try hexQuad()
            if (0xD800..<0xDC00).contains(scalar) {
                guard offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
                else { throw failure("unpaired surrogate in a string") }
                offset += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate in a string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
            return Array(String(Character(unicode)).utf8)
        }

        mutating func hexQuad() throws(Failure) -> UInt32 {
            guard offset + 4 <= bytes.count else { throw failure("invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                offset += 1
            }
            return value
        }
    }
}

extension JSON {
    /// The member `key` of an object; nil for other values or a missing member.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSON]? {
        if case .array(let value) = self { return value }
        return nil
    }
}
