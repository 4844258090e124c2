import JSON
import XCTest

final class JSONParseTests: XCTestCase {
    func testScalars() throws {
        XCTAssertEqual(try JSON.parse("null"), .null)
        XCTAssertEqual(try JSON.parse("true"), .bool(true))
        XCTAssertEqual(try JSON.parse("false"), .bool(false))
        XCTAssertEqual(try JSON.parse("\"hi\""), .string("hi"))
        XCTAssertEqual(try JSON.parse(" \t\r\n 42 \n"), .int(42))
    }

    func testIntegersStayIntegers() throws {
        XCTAssertEqual(try JSON.parse("0"), .int(0))
        XCTAssertEqual(try JSON.parse("-0"), .int(0))
        XCTAssertEqual(try JSON.parse("1"), .int(1))
        XCTAssertEqual(try JSON.parse("-5"), .int(-5))
        XCTAssertEqual(try JSON.parse("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(try JSON.parse("-9223372036854775808"), .int(Int64.min))
    }

    func testIntegersBeyondInt64BecomeDoubles() throws {
        XCTAssertEqual(try JSON.parse("9223372036854775808"), .double(9_223_372_036_854_775_808))
        XCTAssertEqual(try JSON.parse("-9223372036854775809"), .double(-9_223_372_036_854_775_808))
        XCTAssertEqual(try JSON.parse("123456789012345678901234567890"), .double(1.2345678901234568e29))
    }

    func testFractionsAndExponentsAreDoubles() throws {
        XCTAssertEqual(try JSON.parse("1.0"), .double(1))
        XCTAssertEqual(try JSON.parse("1.5"), .double(1.5))
        XCTAssertEqual(try JSON.parse("-0.0"), .double(-0.0))
        XCTAssertEqual(try JSON.parse("1e2"), .double(100))
        XCTAssertEqual(try JSON.parse("1E+2"), .double(100))
        XCTAssertEqual(try JSON.parse("25e-1"), .double(2.5))
        XCTAssertEqual(try JSON.parse("0.1"), .double(0.1))
        XCTAssertEqual(try JSON.parse("0.000001234"), .double(0.000001234))
        XCTAssertEqual(try JSON.parse("1.7976931348623157e308"), .double(1.7976931348623157e308))
        XCTAssertEqual(try JSON.parse("5e-324"), .double(Double.leastNonzeroMagnitude))
        XCTAssertEqual(try JSON.parse("1e-400"), .double(0))
        XCTAssertEqual(try JSON.parse("3.141592653589793238462643383279"), .double(3.141592653589793))
        XCTAssertEqual(try JSON.parse("9007199254740993.0"), .double(9_007_199_254_740_992))
    }

    func testDoublesMatchTheStandardLibraryParser() throws {
        var random = SplitMix64(seed: 7)
        for _ in 0..<5_000 {
            let mantissa = random.next() % 100_000_000_000_000_000
            let decimals = Int(random.next() % 20)
            let exponent = Int(random.next() % 80) - 40
            var text = String(mantissa)
            if decimals > 0 {
                // Pad so exactly one digit precedes the point: "0.000123", never ".123" or "00.1".
                if text.count <= decimals { text = String(repeating: "0", count: decimals - text.count + 1) + text }
                text.insert(".", at: text.index(text.endIndex, offsetBy: -decimals))
            }
            text += "e\(exponent)"
            XCTAssertEqual(try JSON.parse(text), .double(Double(text)!), text)
        }
    }

    func testStrings() throws {
        XCTAssertEqual(try JSON.parse(#""""#), .string(""))
        XCTAssertEqual(try JSON.parse(#""a\"b\\c\/d\b\f\n\r\t""#), .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        XCTAssertEqual(try JSON.parse(#""\u0041\u00e9\u4e2D""#), .string("Aé中"))
        XCTAssertEqual(try JSON.parse(#""\u0000""#), .string("\u{0}"))
        XCTAssertEqual(try JSON.parse("\"héllo 🌍 中文\""), .string("héllo 🌍 中文"))
        // Long enough to take the eight-bytes-at-a-time path, with specials at every offset.
        for offset in 0..<20 {
            let prefix = String(repeating: "x", count: offset)
            XCTAssertEqual(try JSON.parse("\"\(prefix)\\n\(prefix)\""), .string("\(prefix)\n\(prefix)"))
            XCTAssertEqual(try JSON.parse("[\"\(prefix)\",\"\(prefix)\"]"), .array([.string(prefix), .string(prefix)]))
        }
    }

    func testSurrogatePairs() throws {
        XCTAssertEqual(try JSON.parse(#""\uD83D\uDE00""#), .string("😀"))
        XCTAssertEqual(try JSON.parse(#""\ud834\udd1e!""#), .string("𝄞!"))
    }

    func testLoneSurrogatesBecomeReplacementCharacters() throws {
        XCTAssertEqual(try JSON.parse(#""\uD800""#), .string("\u{FFFD}"))
        XCTAssertEqual(try JSON.parse(#""\uDC00x""#), .string("\u{FFFD}x"))
        XCTAssertEqual(try JSON.parse(#""\uD800\u0041""#), .string("\u{FFFD}A"))
        XCTAssertEqual(try JSON.parse(#""\uD800\uD800\uDC00""#), .string("\u{FFFD}𐀀"))
        XCTAssertEqual(try JSON.parse(#""\uDBFF\n""#), .string("\u{FFFD}\n"))
        XCTAssertEqual(try JSON.parse(#""\uDBFF\"""#), .string("\u{FFFD}\""))
    }

    func testInvalidUTF8BecomesReplacementCharacters() throws {
        XCTAssertEqual(try JSON.parse([0x22, 0x61, 0xFF, 0x62, 0x22]), .string("a\u{FFFD}b"))
        XCTAssertEqual(try JSON.parse([0x22, 0xC3, 0x22]), .string("\u{FFFD}"))
        XCTAssertEqual(try JSON.parse([0x22, 0xED, 0xA0, 0x80, 0x5C, 0x6E, 0x22]).stringValue?.hasSuffix("\n"), true)
    }

    func testContainers() throws {
        XCTAssertEqual(try JSON.parse("[]"), .array([]))
        XCTAssertEqual(try JSON.parse("{}"), .object(JSONObject()))
        XCTAssertEqual(try JSON.parse(" [ 1 , [ ] , { } , \"x\" ] "), [1, [], [:], "x"])
        XCTAssertEqual(try JSON.parse(#"{"a":{"b":[true,null]}}"#), ["a": ["b": [true, nil]]])
    }

    func testKeyOrderIsPreserved() throws {
        let value = try JSON.parse(#"{"z":1,"a":2,"m":3,"b":4}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m", "b"])
        XCTAssertEqual(value.jsonString, #"{"z":1,"a":2,"m":3,"b":4}"#)
        let many = (0..<40).map { "\"k\(39 - $0)\":\($0)" }.joined(separator: ",")
        XCTAssertEqual(try JSON.parse("{\(many)}").jsonString, "{\(many)}")
    }

    func testDuplicateKeysLastValueWinsAtFirstPosition() throws {
        let value = try JSON.parse(#"{"a":1,"b":2,"a":3}"#)
        XCTAssertEqual(value.objectValue?.keys, ["a", "b"])
        XCTAssertEqual(value["a"], .int(3))
        XCTAssertEqual(value.jsonString, #"{"a":3,"b":2}"#)
        // Large objects go through the hashed index; the rule must be the same.
        let many = (0..<30).map { "\"k\($0 % 20)\":\($0)" }.joined(separator: ",")
        let large = try JSON.parse("{\(many)}")
        XCTAssertEqual(large.objectValue?.count, 20)
        XCTAssertEqual(large.objectValue?.keys.first, "k0")
        XCTAssertEqual(large["k0"], .int(20))
        XCTAssertEqual(large["k19"], .int(19))
    }

    func testAllInputForms() throws {
        let text = #"{"jsonrpc":"2.0","id":1}"#
        let expected: JSON = ["jsonrpc": "2.0", "id": 1]
        let bytes = Array(text.utf8)
        XCTAssertEqual(try JSON.parse(text), expected)
        XCTAssertEqual(try JSON.parse(bytes), expected)
        XCTAssertEqual(try JSON.parse(Array("xx\(text)yy".utf8).dropFirst(2).dropLast(2)), expected)
        try bytes.withUnsafeBytes { XCTAssertEqual(try JSON.parse($0), expected) }
        // A substring-backed String must work too.
        let padded = "  \(text)  "
        XCTAssertEqual(try JSON.parse(String(padded.dropFirst())), expected)
    }

    func testDepthUpToTheLimitIsAccepted() throws {
        let limits = JSONLimits(maxDepth: 5)
        XCTAssertNoThrow(try JSON.parse("[[[[[1]]]]]", limits: limits))
        XCTAssertNoThrow(try JSON.parse(#"{"a":{"b":[[{"c":1}]]}}"#, limits: limits))
        XCTAssertNoThrow(try JSON.parse("7", limits: JSONLimits(maxDepth: 0)))
        let deep = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        XCTAssertNoThrow(try JSON.parse(deep))
    }

    func testSizeUpToTheLimitIsAccepted() throws {
        XCTAssertEqual(try JSON.parse("[1,2]", limits: JSONLimits(maxBytes: 5)), [1, 2])
    }
}
