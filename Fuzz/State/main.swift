import FuzzSupport

@testable import TresorCore
@testable import TresorState
@testable import TresorSupport

/// A state file. An input starting with `{` is a whole file; any other is the part the checksum
/// covers (from `  "lineage"` on), given the header and checksum tresor would write, so the
/// fuzzer reaches past the checksum as a hand edit with its checksum made again does. A state
/// that decodes must encode and decode to itself, and a plan of the fuzz estate against it,
/// once recorded, must load again.
func fuzzState(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.input(data, size)
    let file =
        input.first == UInt8(ascii: "{")
        ? Array(input)
        : Array("{\n  \"formatVersion\": 1,\n  \"checksum\": \"xxh64:\(XXH64.hex(input))\",\n".utf8) + input
    let decoded = file.withUnsafeBufferPointer { bytes in Result { () throws(StateFile.Failure) in try StateFile.decode(bytes) } }
    guard case .success(let state) = decoded else { return 0 }
    Fuzz.expectLoadsAgain(state, "a state read")
    _ = ShowCommand.text(state, in: "state \"tresor.state.json\"")
    Fuzz.planAndRecord(against: state, "a state read")
    return 0
}

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzState)
