import JSON
import JSONRPC
import XCTest

final class JSONRPCMessageTests: XCTestCase {
    private func decode(_ text: String) throws(JSONRPCMessageError) -> JSONRPCMessage {
        try JSONRPCMessage.decode(Array(text.utf8)[...])
    }

    func testIdsAreEchoedExactly() throws {
        for id in ["1", "-5", "1.5", "\"abc\"", "\"\"", "9007199254740993"] {
            let message = try decode(#"{"jsonrpc":"2.0","id":\#(id),"method":"ping"}"#)
            guard case let .request(requestID, _, _) = message else { return XCTFail("not a request: \(message)") }
            let response = JSONRPCMessage.response(id: requestID, result: [:])
            XCTAssertEqual(
                String(decoding: response.serialized(), as: UTF8.self), #"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#)
        }
    }

    func testNotificationHasNoID() throws {
        XCTAssertEqual(
            try decode(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            .notification(method: "notifications/initialized", params: nil))
    }

    func testParseErrorIsMinus32700WithNullID() {
        XCTAssertThrowsError(try decode("{bad")) { error in
            let failure = error as! JSONRPCMessageError
            XCTAssertEqual(failure.error.code, -32700)
            XCTAssertNil(failure.id)
            XCTAssertEqual(failure.response.json["id"], .null)
        }
    }

    func testInvalidRequestsAreMinus32600AndKeepTheID() {
        let cases = [
            #"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
            #"{"jsonrpc":"2.0","id":7,"method":5}"#,
            #"{"jsonrpc":"2.0","id":7,"method":"x","params":"text"}"#,
            #"{"jsonrpc":"2.0","id":7}"#,
        ]
        for text in cases {
            XCTAssertThrowsError(try decode(text), text) { error in
                let failure = error as! JSONRPCMessageError
                XCTAssertEqual(failure.error.code, -32600, text)
                XCTAssertEqual(failure.id, RequestID(7), text)
            }
        }
        for text in [
            #"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#, #""string""#, #"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
        ] {
            XCTAssertThrowsError(try decode(text), text) { error in
                XCTAssertEqual((error as! JSONRPCMessageError).error.code, -32600, text)
            }
        }
    }

    func testResponsesAndErrorsRoundTrip() throws {
        let error = JSONRPCError(code: -32602, message: "Invalid params: x", data: ["field": "x"])
        for message in [
            JSONRPCMessage.response(id: RequestID("a"), result: ["ok": true]), .error(id: RequestID(3), error: error),
        ] {
            XCTAssertEqual(try JSONRPCMessage(json: message.json), message)
        }
    }

    func testDepthLimitIsAParseError() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertThrowsError(try JSONRPCMessage.decode(Array(deep.utf8)[...], limits: JSONLimits(maxDepth: 64))) { error in
            XCTAssertEqual((error as! JSONRPCMessageError).error.code, -32700)
        }
    }
}
