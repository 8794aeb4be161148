import TresorSupport

/// The state file format (SPEC §3): a JSON document with the format version, a checksum, the
/// lineage, the serial and the resources, one per line so that a diff of two versions stays
/// readable:
///
///     {
///       "formatVersion": 1,
///       "checksum": "xxh64:…",
///       "lineage": "…",
///       "serial": 3,
///       "resources": [
///         {"kind":"Vault","id":"…","name":"…","attributes":{…}},
///         …
///       ]
///     }
///
/// The checksum is the XXH64 of every byte after the checksum line, exactly as written: the
/// lineage, the serial and the resources. Any change to them (a damaged disk block, a bad merge,
/// a hand edit) fails the check and the state is refused (TR604) rather than trusted. Placing
/// the checksum first lets it cover the other fields as bytes.
public enum StateFile {
    public struct Failure: Error, Equatable, Sendable {
        public var message: String
    }

    private static let checksumPrefix = Array("  \"checksum\": \"xxh64:".utf8)
    private static let serialPrefix = Array("\n  \"serial\": ".utf8)

    public static func encode(_ state: State) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(state.count * 600 + 200)
        body += "  \"lineage\": ".utf8
        JSON.string(state.lineage ?? "").write(into: &body)
        body += ",\n  \"serial\": \(state.serial),\n  \"resources\": [".utf8
        // Each resource as ",\n    {…}"; the first comma is dropped.
        let resources = Parallel.map(count: state.slotCount) { slots in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(slots.count * 600)
            for slot in slots {
                guard let resource = state[slot: slot] else { continue }
                bytes += ",\n    ".utf8
                resource.json.write(into: &bytes)
            }
            return bytes
        }
        body += resources.dropFirst()
        body += (resources.isEmpty ? "]\n}\n" : "\n  ]\n}\n").utf8

        var output = Array("{\n  \"formatVersion\": \(State.formatVersion),\n".utf8)
        output.reserveCapacity(body.count + 120)
        output += checksumPrefix
        output += XXH64.hex(body).utf8
        output += "\",\n".utf8
        output += body
        return output
    }

    /// Reads a state file's bytes (the state store passes its mapping, not a copy).
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> State {
        // An unknown version or a document that is not a state says more than a checksum.
        let (state, recorded, malformed) = try parse(bytes)
        guard let line = checksumLine(in: bytes), recorded == "xxh64:" + line.digest,
            XXH64.hex(bytes[line.end...]) == line.digest
        else { throw Failure(message: "its checksum does not match its contents: it was damaged or edited by hand") }
        // Checksummed but not what tresor writes: a hand edit whose checksum was made again.
        if let malformed { throw Failure(message: malformed) }
        return state
    }

    /// The serial in a state file's first lines, read without decoding the rest, for a write's
    /// compare and swap; nil when they are not a state file's.
    static func serial(ofPrefix head: UnsafeBufferPointer<UInt8>.SubSequence) -> Int? {
        guard let start = head.firstRange(of: serialPrefix)?.upperBound,
            let end = head[start...].firstIndex(of: UInt8(ascii: ","))
        else { return nil }
        return Int(String(decoding: head[start..<end], as: UTF8.self))
    }

    /// The checksum line tresor writes second, and where the bytes it covers start.
    private static func checksumLine(in bytes: UnsafeBufferPointer<UInt8>) -> (digest: String, end: Int)? {
        let head = bytes.prefix(256)
        guard let start = head.firstRange(of: checksumPrefix)?.upperBound, start + 16 + 3 <= bytes.count,
            bytes[(start + 16)..<(start + 19)].elementsEqual("\",\n".utf8)
        else { return nil }
        return (String(decoding: bytes[start..<(start + 16)], as: UTF8.self), start + 19)
    }

    /// The state, its recorded checksum, and what makes it unusable although it parsed: the first
    /// resource's `shapeProblem`, or a policy or protected item without its vault.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> (State, String, String?) {
        let document: JSON
        do {
            document = try JSONReader.parse(bytes)
        } catch {
            throw Failure(message: "it is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object = document else { throw Failure(message: "it is not a JSON object") }
        guard let version = document["formatVersion"]?.intValue else {
            throw Failure(message: "it has no formatVersion: it is not a tresor state file")
        }
        guard version == State.formatVersion else {
            throw Failure(message: "its format version \(version) is unknown to this tresor, which reads version \(State.formatVersion)")
        }
        guard let checksum = document["checksum"]?.stringValue, let lineage = document["lineage"]?.stringValue,
            let serial = document["serial"]?.intValue, (0..<Int(Int32.max)).contains(serial), let items = document["resources"]?.arrayValue
        else { throw Failure(message: "it lacks its checksum, lineage, serial (a whole number from 0) or resources") }
        var state = State(lineage: lineage.isEmpty ? nil : lineage, serial: serial)
        state.reserveCapacity(items.count)
        var malformed: String?
        for item in items {
            guard let resource = StateResource(json: item) else { throw Failure(message: "a resource has the wrong shape") }
            if malformed == nil { malformed = resource.shapeProblem }
            guard state.insert(resource) else { throw Failure(message: "resource \(resource.id) is recorded twice") }
        }
        if malformed == nil, let orphan = state.firstWithoutItsVault() { malformed = "it holds \(orphan.withoutItsVault)" }
        return (state, checksum, malformed)
    }
}
