import JSON
import XCTest

final class JSONErrorTests: XCTestCase {
    private func assertFails(
        _ text: String, at offset: Int, _ reason: String, limits: JSONLimits = .init(),
        file: StaticString = #filePath, line: UInt = #line
    ) {
        assertFails(Array(text.utf8), at: offset, reason, limits: limits, file: file, line: line)
    }

    private func assertFails(
        _ bytes: [UInt8], at offset: Int, _ reason: String, limits: JSONLimits = .init(),
        file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            let value = try JSON.parse(bytes, limits: limits)
            XCTFail("parsed \(value), expected an error", file: file, line: line)
        } catch {
            XCTAssertEqual(error.offset, offset, "offset for \(error)", file: file, line: line)
            XCTAssertTrue(error.reason.contains(reason), "\(error) should mention \(reason)", file: file, line: line)
        }
    }

    func testDescription() {
        let error = JSONParseError(offset: 17, reason: "expected ':' after object key")
        XCTAssertEqual(error.description, "invalid JSON at byte 17: expected ':' after object key")
        XCTAssertThrowsError(try JSON.parse(#"{"a" 1}"#)) { error in
            XCTAssertEqual("\(error)", "invalid JSON at byte 5: expected ':' after object key")
        }
    }

    func testEmptyAndTruncatedInput() {
        assertFails("", at: 0, "unexpected end of input, expected a value")
        assertFails("  \n", at: 3, "unexpected end of input, expected a value")
        assertFails("[", at: 1, "unexpected end of input, expected a value")
        assertFails("[1", at: 2, "unexpected end of input, expected ',' or ']'")
        assertFails("[1,", at: 3, "unexpected end of input, expected a value")
        assertFails("{", at: 1, "unexpected end of input, expected an object key")
        assertFails(#"{"a""#, at: 4, "expected ':' after object key")
        assertFails(#"{"a":"#, at: 5, "unexpected end of input, expected a value")
        assertFails(#"{"a":1"#, at: 6, "unexpected end of input, expected ',' or '}'")
        assertFails(#"{"a":1,"#, at: 7, "unexpected end of input, expected an object key")
    }

    func testTrailingCommas() {
        assertFails("[1,]", at: 3, "trailing comma in array")
        assertFails("[1, ]", at: 4, "trailing comma in array")
        assertFails(#"{"a":1,}"#, at: 7, "trailing comma in object")
        assertFails("[,1]", at: 1, "unexpected character ','")
        assertFails("{,}", at: 1, "expected '\"' to start an object key")
    }

    func testStructuralErrors() {
        assertFails("[1 2]", at: 3, "expected ',' or ']' after array element")
        assertFails(#"{"a":1 "b":2}"#, at: 7, "expected ',' or '}' after object member")
        assertFails(#"{"a" 1}"#, at: 5, "expected ':' after object key")
        assertFails("{a:1}", at: 1, "expected '\"' to start an object key")
        assertFails("{1:1}", at: 1, "expected '\"' to start an object key")
        assertFails("]", at: 0, "unexpected character ']', expected a value")
        assertFails([0x00], at: 0, "unexpected byte 0x00, expected a value")
        assertFails([0xEF, 0xBB, 0xBF, 0x31], at: 0, "unexpected byte 0xEF")
        assertFails("'a'", at: 0, "unexpected character '''")
    }

    func testTrailingContent() {
        assertFails("1 2", at: 2, "unexpected character '2' after the JSON value")
        assertFails("{}x", at: 2, "after the JSON value")
        assertFails("[]]", at: 2, "after the JSON value")
        assertFails([0x31, 0x00], at: 1, "unexpected byte 0x00 after the JSON value")
    }

    func testLiterals() {
        assertFails("nul", at: 0, "invalid literal, expected 'null'")
        assertFails("tru", at: 0, "invalid literal, expected 'true'")
        assertFails("trUe", at: 0, "invalid literal, expected 'true'")
        assertFails("fals", at: 0, "invalid literal, expected 'false'")
        assertFails("True", at: 0, "unexpected character 'T'")
        assertFails("nullx", at: 4, "after the JSON value")
        assertFails("NaN", at: 0, "NaN and Infinity are not valid JSON")
        assertFails("Infinity", at: 0, "NaN and Infinity are not valid JSON")
        assertFails("[-Infinity]", at: 2, "expected a digit after '-'")
    }

    func testNumbers() {
        assertFails("01", at: 0, "leading zeros are not allowed")
        assertFails("-01", at: 0, "leading zeros are not allowed")
        assertFails("[00]", at: 1, "leading zeros are not allowed")
        assertFails("-", at: 1, "expected a digit after '-'")
        assertFails("-a", at: 1, "expected a digit after '-'")
        assertFails("+1", at: 0, "unexpected character '+'")
        assertFails(".5", at: 0, "unexpected character '.'")
        assertFails("1.", at: 2, "expected a digit after the decimal point")
        assertFails("1.e5", at: 2, "expected a digit after the decimal point")
        assertFails("1e", at: 2, "expected a digit in the exponent")
        assertFails("1e+", at: 3, "expected a digit in the exponent")
        assertFails("1E-x", at: 3, "expected a digit in the exponent")
        assertFails("0x10", at: 1, "unexpected character 'x' after the JSON value")
        assertFails("1e400", at: 0, "number is out of the range of a Double")
        assertFails("-1e99999999999999999999", at: 0, "number is out of the range of a Double")
    }

    func testStrings() {
        assertFails("\"abc", at: 0, "unterminated string")
        assertFails("[\"abc\\\"]", at: 1, "unterminated string")
        assertFails("\"\\", at: 0, "unterminated string")
        assertFails("\"a\nb\"", at: 2, "unescaped control character 0x0A in string")
        assertFails("\"a\\nb\tc\"", at: 5, "unescaped control character 0x09 in string")
        assertFails([0x22, 0x1F, 0x22], at: 1, "unescaped control character 0x1F in string")
        assertFails(#""\x""#, at: 1, "invalid escape sequence '\\' followed by character 'x'")
        assertFails(#""\'""#, at: 1, "invalid escape sequence")
        assertFails(#""\u12G4""#, at: 1, "invalid \\u escape, expected 4 hex digits")
        assertFails(#""\u12""#, at: 1, "invalid \\u escape, expected 4 hex digits")
        assertFails(#""\u12"#, at: 1, "invalid \\u escape, expected 4 hex digits")
        assertFails(#""\uD800\u12""#, at: 7, "invalid \\u escape, expected 4 hex digits")
    }

    func testDepthLimit() {
        let deep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        assertFails(deep, at: 128, "nesting deeper than 128 levels")
        let limits = JSONLimits(maxDepth: 2)
        assertFails("[[[1]]]", at: 2, "nesting deeper than 2 levels", limits: limits)
        assertFails(#"{"a":{"b":{}}}"#, at: 10, "nesting deeper than 2 levels", limits: limits)
        assertFails("[]", at: 0, "nesting deeper than 0 levels", limits: JSONLimits(maxDepth: 0))
        // Far deeper than the limit, and unterminated: must fail cleanly, not overflow the stack.
        assertFails(String(repeating: "[", count: 200_000), at: 128, "nesting deeper than 128 levels")
    }

    func testSizeLimit() {
        assertFails("[1,2]", at: 4, "input is 5 bytes, over the limit of 4 bytes", limits: JSONLimits(maxBytes: 4))
        assertFails("", at: 0, "unexpected end of input", limits: JSONLimits(maxBytes: 0))
        XCTAssertThrowsError(try JSON.parse("1", limits: JSONLimits(maxBytes: 0)))
    }
}
