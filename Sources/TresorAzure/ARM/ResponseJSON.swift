import Foundation
import TresorFrontEnd
import TresorSupport

/// Reads ARM response bodies into `JSON`. TresorCore's reader takes integers only (state holds no
/// others), while ARM bodies carry fractions in fields tresor never sends back (an operation's
/// `percentComplete`); Foundation's decoder reads any JSON and skips a UTF-8 byte order mark,
/// which some Azure services put before their bodies. A non-integral number becomes its decimal
/// text; key order is not kept (nothing reads ARM objects by position).
enum ResponseJSON {
    /// The body as JSON; nil when it is empty or not JSON.
    static func parse(_ body: [UInt8]) -> JSON? {
        guard body.contains(where: { !$0.isWhitespace }) else { return nil }
        return (try? JSONDecoder().decode(Value.self, from: Data(body)))?.json
    }

    private struct Value: Decodable {
        var json: JSON

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                json = .null
            } else if let value = try? container.decode(Bool.self) {
                json = .bool(value)
            } else if let value = try? container.decode(Int.self) {
                json = .int(value)
            } else if let value = try? container.decode(Double.self) {
                json = .string(String(value))
            } else if let value = try? container.decode(String.self) {
                json = .string(value)
            } else if let items = try? container.decode([Value].self) {
                json = .array(items.map(\.json))
            } else {
                json = .object(try container.decode([String: Value].self).map { ($0.key, $0.value.json) })
            }
        }
    }
}

extension UInt8 {
    fileprivate var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x0D || self == 0x09 }
}

extension JSON {
    /// Serialised compactly as UTF-8, for a request body.
    var bytes: [UInt8] {
        var output: [UInt8] = []
        write(into: &output)
        return output
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var objectMembers: [(String, JSON)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// This object with `key` set to `value` (replaced in place, or appended), or removed when
    /// `value` is nil.
    func setting(_ key: String, _ value: JSON?) -> JSON {
        var members = objectMembers ?? []
        if let index = members.firstIndex(where: { $0.0 == key }) {
            if let value { members[index].1 = value } else { members.remove(at: index) }
        } else if let value {
            members.append((key, value))
        }
        return .object(members)
    }
}
