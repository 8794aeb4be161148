import FuzzSupport

@testable import TresorState

/// An apply journal. An input starting with `{` is a journal without checksums: each line is
/// given the checksum tresor would write before it is read, so the fuzzer reaches the records;
/// any other input is read as it is. A journal that decodes is written again and reads back the
/// same, and its actions replayed over the fuzz estate's state give (unless they leave a policy
/// or item without its vault, which loading refuses) a state that loads again and can be
/// planned from.
func fuzzJournal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = Fuzz.input(data, size)
    var bytes: [UInt8] = []
    if input.first == UInt8(ascii: "{") {
        for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            bytes += Journal.lineChecksum(ArraySlice(line)).utf8
            bytes.append(UInt8(ascii: " "))
            bytes += line
            bytes.append(UInt8(ascii: "\n"))
        }
    } else {
        bytes = Array(input)
    }
    let contents: Journal.Contents?
    do {
        contents = try Journal.decode(bytes)
    } catch {
        return 0
    }
    guard let contents else { return 0 }
    var written = Journal.line(Journal.header(lineage: contents.lineage, serial: contents.serial))
    for entry in contents.entries { written += Journal.line(entry.json) }
    do {
        Fuzz.expect(try Journal.decode(written) == contents, "a journal written again reads back the same")
    } catch {
        fatalError("property broken: a journal written again cannot be read: \(error.message)")
    }
    var state = Fuzz.appliedState
    for entry in contents.entries { entry.apply(to: &state) }
    // Refused when loaded, as StateStore.load refuses it.
    guard state.firstWithoutItsVault() == nil else { return 0 }
    state.serial += 1
    Fuzz.expectLoadsAgain(state, "the applied state with the journal replayed")
    Fuzz.planAndRecord(against: state, "the applied state with the journal replayed")
    return 0
}

// Last: top-level code runs in order, and this does not return.
Fuzz.run(fuzzJournal)
