import Loop
import XCTest

@testable import HTTPServer

final class HTTPServerLimitTests: XCTestCase {
    private func expectRejection(
        _ status: Int, mentioning text: String, limits: HTTPServerLimits = HTTPServerLimits(),
        send parts: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let h = try Harness(limits: limits)
        var called = false
        h.handler = { _, writer in
            called = true
            writer.respond(status: 200)
        }
        let client = h.connect()
        for part in parts { client.send(part) }
        h.run(file: file, line: line) { client.ended }  // our FIN after the response
        client.close()  // otherwise the server lingers 2 s for our EOF
        let response = client.responses.first
        XCTAssertEqual(response?.status, status, client.text, file: file, line: line)
        XCTAssertEqual(response?.headers["Connection"], "close", file: file, line: line)
        XCTAssertTrue(response?.text.contains(text) == true, "\(response?.text ?? "nil")", file: file, line: line)
        XCTAssertFalse(called, "the handler must not see a refused request", file: file, line: line)
        h.run(file: file, line: line) { h.server.connectionCount == 0 }
        try h.finish(file: file, line: line)
    }

    func testHeadTooLargeGets431() throws {
        let big = String(repeating: "a", count: 20_000)
        try expectRejection(
            431, mentioning: "request head exceeds 16384 bytes",
            send: ["GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(big)\r\n\r\n"])
    }

    func testManySmallHeadersCountTowardTheLimit() throws {
        let many = String(repeating: "a: b\r\n", count: 400)  // 400 × 6 counted bytes > 2000
        try expectRejection(
            431, mentioning: "2000 bytes", limits: HTTPServerLimits(maxHeaderBytes: 2_000),
            send: ["GET / HTTP/1.1\r\n\(many)\r\n"])
    }

    func testContentLengthOverLimitGets413BeforeTheBody() throws {
        try expectRejection(
            413, mentioning: "request body exceeds 1000 bytes", limits: HTTPServerLimits(maxBodyBytes: 1_000),
            send: ["POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1001\r\n\r\n"])
    }

    func testChunkedBodyOverLimitGets413() throws {
        let chunk = String(repeating: "z", count: 600)
        try expectRejection(
            413, mentioning: "request body exceeds 1000 bytes", limits: HTTPServerLimits(maxBodyBytes: 1_000),
            send: [
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                "258\r\n\(chunk)\r\n", "258\r\n\(chunk)\r\n", "0\r\n\r\n",
            ])
    }

    func testSlowHeadGets408() throws {
        let h = try Harness(limits: HTTPServerLimits(headerTimeoutMilliseconds: 200))
        let client = h.connect()
        let start = EventLoop.hrtime()
        client.send("GET / HTTP/1.1\r\nHost: x\r\n")  // never finished
        h.run { client.ended }
        let elapsed = (EventLoop.hrtime() - start) / 1_000_000
        XCTAssertGreaterThanOrEqual(elapsed, 150)
        XCTAssertEqual(client.responses.first?.status, 408)
        XCTAssertEqual(
            client.responses.first?.text,
            #"{"type":"error","error":{"type":"timeout_error","code":"request_timeout","message":"request head not received within 200 ms"}}"#
                + "\n")
        try h.finish()
    }

    func testSlowBodyGets408() throws {
        try expectRejection(
            408, mentioning: "request body not received within 150 ms",
            limits: HTTPServerLimits(bodyTimeoutMilliseconds: 150),
            send: ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"])
    }

    func testSilentConnectionIsClosedWithoutAResponse() throws {
        let h = try Harness(limits: HTTPServerLimits(headerTimeoutMilliseconds: 100))
        let client = h.connect()
        h.run { client.ended }
        XCTAssertEqual(client.received, [])
        try h.finish()
    }

    func testIdleKeepAliveConnectionIsClosedSilently() throws {
        let h = try Harness(limits: HTTPServerLimits(idleTimeoutMilliseconds: 150))
        let client = h.connect()
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.responses.count == 1 }
        let before = client.received.count
        h.run { client.ended }
        XCTAssertEqual(client.received.count, before)
        try h.finish()
    }

    func testGarbageGets400() throws {
        try expectRejection(400, mentioning: "malformed request", send: ["\u{1}\u{2} nonsense\r\n\r\n"])
    }

    func testHeaderWithoutColonGets400() throws {
        try expectRejection(
            400, mentioning: "malformed request: invalid character in header",
            send: ["GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"])
    }

    func testContentLengthWithChunkedGets400() throws {
        try expectRejection(
            400, mentioning: "malformed request",
            send: ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"])
    }

    func testUnsupportedTransferEncodingGets501() throws {
        try expectRejection(
            501, mentioning: "transfer-encoding",
            send: ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"])
    }

    func testTransferEncodingWithoutChunkedIsRefused() throws {
        try expectRejection(
            501, mentioning: "transfer-encoding", send: ["POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"])
    }

    func testConnectionLimitClosesExtraConnections() throws {
        let h = try Harness(limits: HTTPServerLimits(maxConnections: 1))
        let first = h.connect()
        h.run { h.server.connectionCount == 1 }
        let second = h.connect()
        h.run { second.ended }
        XCTAssertEqual(h.errors.count, 1)
        first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { first.responses.count == 1 }
        try h.finish()
    }
}
