import Patterns
import XCTest

final class TextHelpersTests: XCTestCase {
    func testTrimmingWhitespaceAndCustomCharacters() {
        XCTAssertEqual("  \t hello world\r\n".trimmingWhitespace(), "hello world")
        XCTAssertEqual(" \n ".trimmingWhitespace(), "")
        XCTAssertEqual("x".trimmingWhitespace(), "x")
        XCTAssertEqual("abc"[...].trimmingWhitespace(), "abc")
        XCTAssertEqual(" \"Coding.\" ".trimming { $0.isWhitespace || $0.isPunctuation }, "Coding")
    }

    func testPercentDecodingIsStrict() {
        XCTAssertEqual("a%20b%2Fc".percentDecoded, "a b/c")
        XCTAssertEqual("caf%C3%A9".percentDecoded, "café")
        XCTAssertEqual("plain".percentDecoded, "plain")
        XCTAssertNil("100%".percentDecoded, "a % without two hex digits")
        XCTAssertNil("%zz".percentDecoded)
        XCTAssertNil("%C3".percentDecoded, "a cut UTF-8 sequence")
    }

    func testDecimalTextRoundsAndDropsTrailingZeros() {
        XCTAssertEqual(DecimalText.format(2.5 / 1_000_000, decimals: 12), "0.0000025")
        XCTAssertEqual(DecimalText.format(0.000001 / 1_000_000, decimals: 12), "0.000000000001")
        XCTAssertEqual(DecimalText.format(720, decimals: 3), "720")
        XCTAssertEqual(DecimalText.format(1.5, decimals: 3), "1.5")
        XCTAssertEqual(DecimalText.format(-2.25, decimals: 6), "-2.25")
        XCTAssertEqual(DecimalText.format(0.0001234, decimals: 6), "0.000123")
        XCTAssertEqual(DecimalText.format(1.0051, decimals: 2), "1.01")
        XCTAssertEqual(DecimalText.format(-0.0000001, decimals: 3), "0", "no negative zero")
        XCTAssertEqual(DecimalText.format(0.1 + 0.2, decimals: 12), "0.3")
        XCTAssertEqual(DecimalText.format(1e20, decimals: 2), "1e+20")
    }
}
