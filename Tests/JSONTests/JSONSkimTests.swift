import JSON
import XCTest

final class JSONSkimTests: XCTestCase {
    private func text(_ bytes: [UInt8], _ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    func testMembersAndElementsAreTheBytesAsWritten() throws {
        let bytes = Array(#" {"id" : "c-1", "choices":[{"delta":{"content":"Hi \"there\""}}, 2 ], "u\u0073age":null} "#.utf8)
        let members = try JSONSkim.members(of: bytes)
        XCTAssertEqual(members.map { text(bytes, $0.key) }, ["id", "choices", #"u\u0073age"#])
        XCTAssertEqual(members.map(\.keyIsEscaped), [false, false, true])
        XCTAssertEqual(text(bytes, members[0].value), #""c-1""#)
        XCTAssertEqual(text(bytes, members[0].entry), #""id" : "c-1""#)
        XCTAssertTrue(JSONSkim.key(members[1], in: bytes, is: "choices"))
        XCTAssertFalse(JSONSkim.key(members[2], in: bytes, is: "usage"), "escaped keys are not compared by bytes")

        let elements = try JSONSkim.elements(of: bytes, in: members[1].value)
        XCTAssertEqual(elements.map { text(bytes, $0) }, [#"{"delta":{"content":"Hi \"there\""}}"#, "2"])
        let choice = try JSONSkim.members(of: bytes, in: elements[0])
        let delta = try JSONSkim.members(of: bytes, in: choice[0].value)
        XCTAssertEqual(text(bytes, delta[0].value), #""Hi \"there\"""#)
        XCTAssertEqual(try JSONSkim.members(of: Array("{}".utf8)), [])
        XCTAssertEqual(try JSONSkim.elements(of: Array("[ ]".utf8), in: 0..<3), [])
    }

    func testRejectsWhatTheParserRejectsAtTheSameOffset() {
        let documents = [
            #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":[1,]}"#, #"{"a":"\x"}"#, #"{"a":"\u12G4"}"#, "{\"a\":\"\u{01}\"}",
            #"{"a":tru}"#, #"{"a":NaN}"#, #"{"a":01}"#, #"{"a":1} x"#, #"{"a":"open"#, #"{"a":1"#, "{", "",
            #"{"a":{"b":[{"c":-}]}}"#,
        ]
        for document in documents {
            let bytes = Array(document.utf8)
            var parseError: JSONParseError?
            do { _ = try JSON.parse(bytes) } catch { parseError = error }
            var skimError: JSONParseError?
            do { _ = try JSONSkim.members(of: bytes) } catch { skimError = error }
            XCTAssertNotNil(skimError, document)
            XCTAssertEqual(skimError?.offset, parseError?.offset, document)
        }
    }

    func testNotAnObjectAndDepthLimit() {
        XCTAssertThrowsError(try JSONSkim.members(of: Array("[1]".utf8)))
        let deep = Array(("{\"a\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}").utf8)
        XCTAssertThrowsError(try JSONSkim.members(of: deep)) { error in
            XCTAssertTrue("\(error)".contains("nesting deeper"), "\(error)")
        }
    }

    func testRangesInsideALargerBufferAreOffsetsIntoIt() throws {
        let bytes = Array(#"data: {"k":[true,false]}"#.utf8)
        let members = try JSONSkim.members(of: bytes, in: 6..<bytes.count)
        XCTAssertEqual(text(bytes, members[0].entry), #""k":[true,false]"#)
        XCTAssertEqual(try JSONSkim.elements(of: bytes, in: members[0].value).map { text(bytes, $0) }, ["true", "false"])
        XCTAssertThrowsError(try JSONSkim.members(of: bytes, in: 6..<(bytes.count - 1))) { error in
            XCTAssertEqual((error as? JSONParseError)?.offset, bytes.count - 1, "offsets count from the buffer's start")
        }
    }

    func testVisitorsSeeWhatTheCollectingFormsReturnAndRejectTheSameDocuments() throws {
        let bytes = Array(#"{"id":"c","choices":[{"index":0,"delta":{"content":"a"}},{"index":1}],"n":[1,[2,{}]]}"#.utf8)
        var visited: [JSONSkim.Member] = []
        try JSONSkim.forEachMember(of: bytes, in: 0..<bytes.count) { visited.append($0) }
        XCTAssertEqual(visited, try JSONSkim.members(of: bytes))
        var elements: [Range<Int>] = []
        try JSONSkim.forEachElement(of: bytes, in: visited[1].value) { elements.append($0) }
        XCTAssertEqual(elements, try JSONSkim.elements(of: bytes, in: visited[1].value))
        XCTAssertEqual(elements.count, 2)

        // Nested values are stepped over without being collected, but still validated, at the parser's offsets.
        for document in [#"{"a":1,"b":[{"c":-}]}"#, #"{"a":{"b":[1,]}}"#, #"{"a":{"b" 1}}"#] {
            let invalid = Array(document.utf8)
            var seen = 0
            var parseError: JSONParseError?
            do { _ = try JSON.parse(invalid) } catch { parseError = error }
            XCTAssertThrowsError(try JSONSkim.forEachMember(of: invalid, in: 0..<invalid.count) { _ in seen += 1 }) {
                XCTAssertEqual(($0 as? JSONParseError)?.offset, parseError?.offset, document)
            }
        }
    }
}
