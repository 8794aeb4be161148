import XCTest

@testable import TresorFrontEnd
@testable import TresorSupport

final class XXH64Tests: XCTestCase {
    /// Reference values from the xxhash package (seed 0), covering every tail length path.
    func testKnownHashes() {
        XCTAssertEqual(XXH64.hex(Array("".utf8)), "ef46db3751d8e999")
        XCTAssertEqual(XXH64.hex(Array("a".utf8)), "d24ec4f1a98c6e5b")
        XCTAssertEqual(XXH64.hex(Array("abc".utf8)), "44bc2cf5ad770999")
        XCTAssertEqual(XXH64.hex(Array("Nobody inspects the spammish repetition".utf8)), "fbcea83c8a378bf1")
        XCTAssertEqual(XXH64.hex(Array(repeating: Array(0...255), count: 4).flatMap { $0 }), "6f3914f18fe4df57")
        XCTAssertEqual(XXH64.hex([UInt8](repeating: UInt8(ascii: "x"), count: 31)), "60dd0d01083b99f0")
        XCTAssertEqual(XXH64.hex([UInt8](repeating: UInt8(ascii: "y"), count: 32)), "64da1f1d3495ce66")
        XCTAssertEqual(XXH64.hex([UInt8](repeating: UInt8(ascii: "z"), count: 33)), "c5241253c64e0268")
    }

    func testSlicesHashLikeArrays() {
        let bytes = Array("--Nobody inspects the spammish repetition".utf8)
        XCTAssertEqual(XXH64.hex(bytes[2...]), "fbcea83c8a378bf1")
    }
}

final class JSONReaderTests: XCTestCase {
    func testRoundTripKeepsKeyOrderAndEscapes() throws {
        let value = JSON.object([
            ("z", .int(-12)), ("a", .array([.bool(true), .null, .string("tab\there \"quoted\" \\ é 😀 \u{1}")])),
            ("empty", .object([])), ("list", .array([]))
        ])
        for pretty in [true, false] {
            XCTAssertEqual(try JSONReader.parse(value.rendered(pretty: pretty)), value)
        }
    }

    func testUnicodeEscapesAndSurrogatePairs() throws {
        XCTAssertEqual(try JSONReader.parse(#""\u00e9\ud83d\ude00\n\/""#), .string("é😀\n/"))
    }

    /// Bad input is an error with an offset, never a crash.
    func testMalformedInputIsRefused() {
        let bad = [
            "", "{", "[1,]", #"{"a" 1}"#, #""unterminated"#, "01x", "1.5", "99999999999999999999", "tru",
            #""\q""#, #""\ud800""#, "[1] [2]", String(repeating: "[", count: 1000), "\"\u{1}\""
        ]
        for text in bad {
            XCTAssertThrowsError(try JSONReader.parse(text), text)
        }
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xFF, 0x22]))  // not UTF-8
    }
}

/// The parallel helpers hand out disjoint slots to threads and join results in index order; under
/// ThreadSanitizer (scripts/sanitize.sh tsan) these also check that no two threads touch one slot.
final class ParallelTests: XCTestCase {
    /// Counts on both sides of every chunking threshold, for one and for several chunks.
    private let counts = [0, 1, 999, 1000, 1999, 2000, 2001, 4 * Parallel.cores * 1000 + 7]

    func testEachReturnsResultsInIndexOrder() {
        for count in [0, 1, 2, 17, 1000] {
            XCTAssertEqual(Parallel.each(count) { "item \($0)" }, (0..<count).map { "item \($0)" })
        }
    }

    func testMapOfChunksJoinsThemInOrder() {
        for count in counts {
            let joined = Parallel.map(count: count) { range in range.map { [$0, $0 * 2] } }
            XCTAssertEqual(joined, (0..<count).map { [$0, $0 * 2] }, "\(count) items")
        }
    }

    func testMapInPlaceInitializesEverySlotOnce() {
        for count in counts {
            let mapped = Parallel.map(count) { String(repeating: "x", count: $0 % 7) + "\($0)" }
            XCTAssertEqual(mapped, (0..<count).map { String(repeating: "x", count: $0 % 7) + "\($0)" }, "\(count) items")
        }
    }
}
