import XCTest
@testable import TresorCore

final class SHA256Tests: XCTestCase {
    /// FIPS 180-2 appendix B vectors, and a message that spans two blocks when padded.
    func testKnownDigests() {
        XCTAssertEqual(SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testIncrementalUpdatesMatchOneShot() {
        let message = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        for split in [0, 1, 63, 64, 65, 500, 1000] {
            var hasher = SHA256()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            XCTAssertEqual(SHA256.hexString(hasher.finalize()), SHA256.hex(message), "split at \(split)")
        }
    }
}

final class JSONReaderTests: XCTestCase {
    func testRoundTripKeepsKeyOrderAndEscapes() throws {
        let value = JSON.object([
            ("z", .int(-12)), ("a", .array([.bool(true), .null, .string("tab\there \"quoted\" \\ é 😀 \u{1}")])),
            ("empty", .object([])), ("list", .array([])),
        ])
        for pretty in [true, false] {
            XCTAssertEqual(try JSONReader.parse(value.rendered(pretty: pretty)), value)
        }
    }

    func testUnicodeEscapesAndSurrogatePairs() throws {
        XCTAssertEqual(try JSONReader.parse(#""\u00e9\ud83d\ude00\n\/""#), .string("é😀\n/"))
    }

    func testSpanOfATopLevelMember() throws {
        let bytes = Array(#"{"a": 1, "resources": [1, {"x": 2}] , "b": {"resources": 3}}"#.utf8)
        let (_, span) = try JSONReader.parse(bytes, span: "resources")
        XCTAssertEqual(String(decoding: bytes[try XCTUnwrap(span)], as: UTF8.self), #"[1, {"x": 2}]"#)
    }

    /// Bad input is an error with an offset, never a crash.
    func testMalformedInputIsRefused() {
        let bad = ["", "{", "[1,]", #"{"a" 1}"#, #""unterminated"#, "01x", "1.5", "99999999999999999999", "tru",
                   #""\q""#, #""\ud800""#, "[1] [2]", String(repeating: "[", count: 1000), "\"\u{1}\""]
        for text in bad {
            XCTAssertThrowsError(try JSONReader.parse(text), text)
        }
        XCTAssertThrowsError(try JSONReader.parse([0x22, 0xFF, 0x22]))  // not UTF-8
    }
}

final class FNV1aTests: XCTestCase {
    /// Reference values of 64-bit FNV-1a (Fowler, Noll, Vo).
    func testKnownHashes() {
        XCTAssertEqual(FNV1a.hex(Array("".utf8)), "cbf29ce484222325")
        XCTAssertEqual(FNV1a.hex(Array("a".utf8)), "af63dc4c8601ec8c")
        XCTAssertEqual(FNV1a.hex(Array("foobar".utf8)), "85944171f73967e8")
    }
}
