/// The state file format (SPEC §3): a JSON document with the format version, lineage, serial, a
/// checksum, and the resources, one per line so that a diff of two versions stays readable.
///
/// The checksum is SHA-256 over `tresor-state`, the format version, the lineage and the serial
/// (one per line), followed by the bytes of the `resources` array exactly as written. tresor
/// writes those bytes canonically, so any change to them (a damaged disk block, a hand edit)
/// fails the check and the state is refused (TR604) rather than trusted.
public enum StateFile {
    public struct Failure: Error, Equatable, Sendable {
        public var message: String
    }

    public static func encode(_ state: State) -> [UInt8] {
        let lineage = state.lineage ?? ""
        var resources: [UInt8] = []
        resources.reserveCapacity(state.count * 400)
        resources += "[".utf8
        for (index, resource) in state.resources.enumerated() {
            resources += (index == 0 ? "\n    " : ",\n    ").utf8
            resource.json.write(into: &resources)
        }
        resources += (state.isEmpty ? "]" : "\n  ]").utf8

        var output: [UInt8] = []
        output.reserveCapacity(resources.count + 300)
        output += "{\n  \"formatVersion\": \(State.formatVersion),\n  \"lineage\": ".utf8
        JSON.string(lineage).write(into: &output)
        output += ",\n  \"serial\": \(state.serial),\n  \"checksum\": ".utf8
        JSON.string(checksum(lineage: lineage, serial: state.serial, resources: resources[...])).write(into: &output)
        output += ",\n  \"resources\": ".utf8
        output += resources
        output += "\n}\n".utf8
        return output
    }

    public static func decode(_ bytes: [UInt8]) throws(Failure) -> State {
        let document: JSON
        let span: Range<Int>?
        do {
            (document, span) = try JSONReader.parse(bytes, span: "resources")
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
        guard let lineage = document["lineage"]?.stringValue, let serial = document["serial"]?.intValue, serial >= 0,
              let stored = document["checksum"]?.stringValue,
              let items = document["resources"]?.arrayValue, let span
        else { throw Failure(message: "it lacks lineage, serial, checksum or resources") }
        guard checksum(lineage: lineage, serial: serial, resources: bytes[span]) == stored else {
            throw Failure(message: "its checksum does not match its contents: it was damaged or edited by hand")
        }
        var state = State(lineage: lineage, serial: serial)
        for item in items {
            guard let resource = StateResource(json: item) else { throw Failure(message: "a resource has the wrong shape") }
            guard state.insert(resource) else { throw Failure(message: "resource \(resource.id) is recorded twice") }
        }
        return state
    }

    static func checksum(lineage: String, serial: Int, resources: ArraySlice<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update("tresor-state\n\(State.formatVersion)\n\(lineage)\n\(serial)\n")
        hasher.update(resources)
        return "sha256:" + SHA256.hexString(hasher.finalize())
    }
}
