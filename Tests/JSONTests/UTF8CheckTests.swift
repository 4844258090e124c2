import JSON
import XCTest

final class UTF8CheckTests: XCTestCase {
    func testWellFormedTextPassesAndLineFeedsOnlyWhenAllowed() {
        let text = Array(#"{"content":"héllo wörld 你好 😀, a long run of plain ASCII to take the eight-byte path"}"#.utf8)
        XCTAssertTrue(UTF8Check.isValid(text))
        XCTAssertTrue(UTF8Check.isValid(text, allowingLineFeeds: false))
        XCTAssertTrue(UTF8Check.isValid([]))
        for position in [0, 3, 8, 15, 40] {
            var spread = Array(String(repeating: "a", count: 48).utf8)
            spread[position] = 0x0A
            XCTAssertTrue(UTF8Check.isValid(spread))
            XCTAssertFalse(UTF8Check.isValid(spread, allowingLineFeeds: false), "line feed at \(position)")
        }
    }

    func testIllFormedSequencesAreRefusedWhereverTheyStand() {
        let bad: [[UInt8]] = [
            [0xFF], [0xFE], [0x80], [0xBF],  // never a lead byte
            [0xC0, 0xAF], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xF0, 0x80, 0x80, 0xAF],  // overlong
            [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],  // surrogates
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],  // above U+10FFFF
            [0xC3], [0xE4, 0xBD], [0xF0, 0x9F, 0x98],  // cut short
            [0xE4, 0x41, 0xA0], [0xF0, 0x9F, 0x41, 0x80],  // a continuation missing
        ]
        for sequence in bad {
            for prefix in [0, 1, 7, 8, 13] {
                let bytes = Array(repeating: UInt8(ascii: "x"), count: prefix) + sequence + Array("tail".utf8)
                XCTAssertFalse(UTF8Check.isValid(bytes), "\(sequence) after \(prefix) bytes")
            }
        }
    }

    func testAgreesWithTheStandardLibraryOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...24, using: &generator)
            // Mostly text-like bytes, with enough high bytes to hit every branch.
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator)
                    ? UInt8.random(in: 0x20...0x7E, using: &generator) : UInt8.random(in: 0x80...0xFF, using: &generator)
            }
            XCTAssertEqual(UTF8Check.isValid(bytes), String(validating: bytes, as: UTF8.self) != nil, "\(bytes)")
        }
    }
}
