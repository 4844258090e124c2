import JSON
import XCTest

final class JSONWriterTests: XCTestCase {
    func testCompactForm() {
        let value: JSON = ["jsonrpc": "2.0", "id": 1, "params": ["a": [1, 2.5, true, false, nil], "b": [:], "c": []]]
        XCTAssertEqual(value.jsonString, #"{"jsonrpc":"2.0","id":1,"params":{"a":[1,2.5,true,false,null],"b":{},"c":[]}}"#)
        XCTAssertEqual(value.serialized(), Array(value.jsonString.utf8))
        XCTAssertEqual(value.description, value.jsonString)
    }

    func testWriteAppends() {
        var buffer = Array("data: ".utf8)
        JSON.array([1, "x"]).write(into: &buffer)
        XCTAssertEqual(String(decoding: buffer, as: UTF8.self), #"data: [1,"x"]"#)
    }

    func testIntegers() {
        XCTAssertEqual(JSON.int(0).jsonString, "0")
        XCTAssertEqual(JSON.int(7).jsonString, "7")
        XCTAssertEqual(JSON.int(-7).jsonString, "-7")
        XCTAssertEqual(JSON.int(1_234_567_890).jsonString, "1234567890")
        XCTAssertEqual(JSON.int(Int64.max).jsonString, "9223372036854775807")
        XCTAssertEqual(JSON.int(Int64.min).jsonString, "-9223372036854775808")
    }

    func testDoubles() {
        XCTAssertEqual(JSON.double(1).jsonString, "1.0")
        XCTAssertEqual(JSON.double(-0.0).jsonString, "-0.0")
        XCTAssertEqual(JSON.double(1.5).jsonString, "1.5")
        XCTAssertEqual(JSON.double(0.1).jsonString, "0.1")
        XCTAssertEqual(JSON.double(1e16).jsonString, "1e+16")
        XCTAssertEqual(JSON.double(1.5e-7).jsonString, "1.5e-07")
        XCTAssertEqual(JSON.double(.infinity).jsonString, "null")
        XCTAssertEqual(JSON.double(-.infinity).jsonString, "null")
        XCTAssertEqual(JSON.double(.nan).jsonString, "null")
    }

    func testStringEscapes() {
        XCTAssertEqual(JSON.string("a\"b\\c/d").jsonString, #""a\"b\\c/d""#)
        XCTAssertEqual(JSON.string("\n\r\t\u{8}\u{C}").jsonString, #""\n\r\t\b\f""#)
        XCTAssertEqual(JSON.string("\u{0}\u{1}\u{1F}\u{7F}").jsonString, "\"\\u0000\\u0001\\u001f\u{7F}\"")
        XCTAssertEqual(JSON.string("héllo 🌍 \u{2028}").jsonString, "\"héllo 🌍 \u{2028}\"")
        XCTAssertEqual(JSON.string("").jsonString, #""""#)
        let keyed: JSON = ["a\nb": "c"]
        XCTAssertEqual(keyed.jsonString, #"{"a\nb":"c"}"#)
    }

    func testIdsRoundTripExactly() throws {
        for text in ["1", "-5", "1.5", #""abc""#, "0", "1.0", "null", "9223372036854775807", "1e+16", "-0.0"] {
            XCTAssertEqual(try JSON.parse(text).jsonString, text)
        }
        XCTAssertEqual(try JSON.parse("1"), .int(1))
        XCTAssertEqual(try JSON.parse("1.0"), .double(1))
        XCTAssertEqual(try JSON.parse(JSON.double(3).jsonString), .double(3))
        XCTAssertEqual(try JSON.parse(JSON.double(1e300).jsonString), .double(1e300))
    }

    func testRoundTripOfAMessage() throws {
        let text =
            #"{"jsonrpc":"2.0","id":"abc","method":"tools/call","params":{"name":"git__log","arguments":{"max":10,"ratio":0.25,"paths":["a b","c\"d"],"nested":{"deep":[[],{}]}}}}"#
        let value = try JSON.parse(text)
        XCTAssertEqual(value.jsonString, text)
        XCTAssertEqual(try JSON.parse(value.serialized()), value)
    }

    func testPrettyString() {
        let value: JSON = ["name": "x", "tags": ["a", 1], "empty": [], "none": [:], "nested": ["k": nil]]
        let expected = """
            {
              "name": "x",
              "tags": [
                "a",
                1
              ],
              "empty": [],
              "none": {},
              "nested": {
                "k": null
              }
            }
            """
        XCTAssertEqual(value.prettyString(), expected)
        XCTAssertEqual(JSON.int(3).prettyString(), "3")
        XCTAssertEqual(try JSON.parse(expected), value)
    }
}
