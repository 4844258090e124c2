import XCTest

@testable import HTTPServer

/// The http-parser wrapper without sockets: events, pausing after each request, split input, failures.
final class HTTPRequestParserTests: XCTestCase {
    private func feed(_ parser: HTTPRequestParser, _ text: String) -> HTTPRequestParser.Outcome {
        Array(text.utf8).withUnsafeBytes { parser.feed($0) }
    }

    func testEventsAndRequest() {
        let parser = HTTPRequestParser()
        var events: [HTTPRequestParser.Event] = []
        parser.onEvent = {
            events.append($0); return true
        }
        let text = "POST /mcp?session=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc"
        XCTAssertEqual(feed(parser, text), .requestComplete(consumed: text.utf8.count))
        XCTAssertEqual(
            events,
            [
                .messageBegin, .headerBytes(14), .headerBytes(8), .headerBytes(1), .headerBytes(18), .headerBytes(1),
                .headerBytes(10), .headerBytes(12),
                .headersComplete(RequestHead(keepAlive: true, contentLength: 3, expectsContinue: true)),
                .body(3), .messageComplete,
            ])
        let request = parser.takeRequest()
        XCTAssertEqual(request.method, "POST")
        XCTAssertEqual(request.path, "/mcp")
        XCTAssertEqual(request.query, "session=1")
        XCTAssertEqual(request.headers["content-length"], "3")
        XCTAssertEqual(request.body, Array("abc".utf8))
        XCTAssertFalse(parser.isHTTP10)
    }

    func testPausesAfterEachPipelinedRequest() {
        let parser = HTTPRequestParser()
        let first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        let both = first + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n"
        XCTAssertEqual(feed(parser, both), .requestComplete(consumed: first.utf8.count))
        XCTAssertEqual(parser.takeRequest().path, "/1")
        XCTAssertEqual(
            feed(parser, String(both.dropFirst(first.count))), .requestComplete(consumed: both.utf8.count - first.utf8.count)
        )
        XCTAssertEqual(parser.takeRequest().path, "/2")
    }

    func testInputSplitAnywhereGivesTheSameRequest() {
        let text =
            "PUT /a/b?c HTTP/1.1\r\nX-Long-Name: long value\r\nEmpty:\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwiki\r\n0\r\n\r\n"
        let bytes = Array(text.utf8)
        for split in 1..<bytes.count {
            let parser = HTTPRequestParser()
            XCTAssertEqual(bytes[..<split].withUnsafeBytes { parser.feed($0) }, .needMore, "split at \(split)")
            XCTAssertEqual(
                bytes[split...].withUnsafeBytes { parser.feed($0) }, .requestComplete(consumed: bytes.count - split))
            let request = parser.takeRequest()
            XCTAssertEqual(request.target, "/a/b?c")
            XCTAssertEqual(Array(request.headers.map(\.name)), ["X-Long-Name", "Empty", "Transfer-Encoding"])
            XCTAssertEqual(request.headers["x-long-name"], "long value")
            XCTAssertEqual(request.headers["empty"], "")
            XCTAssertEqual(request.body, Array("wiki".utf8))
        }
    }

    func testTrailersAreNotHeaders() {
        let parser = HTTPRequestParser()
        let text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nTrailer: t\r\n\r\n"
        XCTAssertEqual(feed(parser, text), .requestComplete(consumed: text.utf8.count))
        XCTAssertNil(parser.takeRequest().headers["trailer"])
    }

    func testHTTP10AndConnectionHeaders() {
        let parser = HTTPRequestParser()
        var head: RequestHead?
        parser.onEvent = {
            if case .headersComplete(let h) = $0 { head = h }; return true
        }
        _ = feed(parser, "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n")
        XCTAssertTrue(parser.isHTTP10)
        XCTAssertEqual(head, RequestHead(keepAlive: false), "1.0 closes by default and has no 100-continue")
        _ = parser.takeRequest()
        let keepAlive = HTTPRequestParser()
        keepAlive.onEvent = {
            if case .headersComplete(let h) = $0 { head = h }; return true
        }
        _ = feed(keepAlive, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(head?.keepAlive, false)
    }

    func testUpgradeRequestIsNotKeptAlive() {
        let parser = HTTPRequestParser()
        var head: RequestHead?
        parser.onEvent = {
            if case .headersComplete(let h) = $0 { head = h }; return true
        }
        let text = "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
        XCTAssertEqual(feed(parser, text + "garbage"), .requestComplete(consumed: text.utf8.count))
        XCTAssertEqual(head?.keepAlive, false)
    }

    func testStoppingFromAnEvent() {
        let parser = HTTPRequestParser()
        parser.onEvent = {
            if case .headersComplete = $0 { return false }; return true
        }
        XCTAssertEqual(feed(parser, "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"), .stopped)
    }

    func testFailures() {
        XCTAssertEqual(
            feed(HTTPRequestParser(), "GET / HTTP/1.1\r\nbad header\r\n\r\n"),
            .failed(.malformed("invalid character in header")))
        XCTAssertEqual(
            feed(HTTPRequestParser(), "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
            .failed(.unsupportedTransferEncoding))
        let huge = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 100_000) + "\r\n\r\n"
        XCTAssertEqual(feed(HTTPRequestParser(), huge), .failed(.headTooLarge))
    }
}
