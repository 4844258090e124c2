import Loop
import XCTest

@testable import HTTPServer

final class HTTPServerBasicTests: XCTestCase {
    func testGetWithQueryAndHeaders() throws {
        let h = try Harness()
        var seen: HTTPRequest?
        h.handler = { request, writer in
            seen = request
            writer.respond(status: 200, headers: ["Content-Type": "text/plain"], body: "hi".bytes)
        }
        let client = h.connect()
        client.send("GET /hello/world?x=1&y=2 HTTP/1.1\r\nHost: localhost\r\nX-Test: a\r\nx-test: b\r\n\r\n")
        h.run { client.responses.count == 1 }
        XCTAssertEqual(seen?.method, "GET")
        XCTAssertEqual(seen?.target, "/hello/world?x=1&y=2")
        XCTAssertEqual(seen?.path, "/hello/world")
        XCTAssertEqual(seen?.query, "x=1&y=2")
        XCTAssertEqual(seen?.headers["host"], "localhost")
        XCTAssertEqual(seen?.headers.values("X-TEST"), ["a", "b"])
        XCTAssertEqual(seen?.body, [])
        let remote = seen?.remoteAddress ?? ""
        XCTAssertTrue(
            remote.hasPrefix("127.0.0.1:") && Int(remote.dropFirst(10)) ?? 0 > 0, "the client's address: \(remote)")
        let response = client.responses.first
        XCTAssertEqual(response?.status, 200)
        XCTAssertEqual(response?.headers["Content-Length"], "2")
        XCTAssertEqual(response?.headers["Content-Type"], "text/plain")
        XCTAssertNil(response?.headers["Connection"])
        XCTAssertEqual(response?.text, "hi")
        XCTAssertTrue(client.text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        try h.finish()
    }

    func testPostWithContentLengthIsEchoed() throws {
        let h = try Harness()
        h.handler = { request, writer in
            XCTAssertEqual(request.method, "POST")
            writer.respond(status: 201, body: request.body)
        }
        let client = h.connect()
        let body = String(repeating: "0123456789", count: 1_000)
        client.send("POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        h.run { h.server.connectionCount == 1 }
        client.send(body)  // the body in a later write than the head
        h.run { client.responses.count == 1 }
        XCTAssertEqual(client.responses.first?.status, 201)
        XCTAssertEqual(client.responses.first?.text, body)
        try h.finish()
    }

    func testKeepAliveServesTwoRequestsOnOneConnection() throws {
        let h = try Harness()
        var count = 0
        h.handler = { _, writer in
            count += 1
            writer.respond(status: 200, body: "n\(count)".bytes)
        }
        let client = h.connect()
        client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.responses.count == 1 }
        client.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.responses.count == 2 }
        XCTAssertEqual(client.responses.map(\.text), ["n1", "n2"])
        XCTAssertFalse(client.ended)
        XCTAssertEqual(h.server.connectionCount, 1)
        try h.finish()
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let h = try Harness()
        var log: [String] = []
        h.handler = { request, writer in
            log.append("request \(request.path)")
            if request.path == "/1" {
                // The first answer comes late: /2 and /3 must wait for it.
                h.after(100) {
                    log.append("respond /1")
                    writer.respond(status: 200, body: "1".bytes)
                    log.append("returned from respond /1")  // the next handler never runs inside respond
                }
            } else {
                log.append("respond \(request.path)")
                writer.respond(status: 200, body: String(request.path.dropFirst()).bytes)
            }
        }
        let client = h.connect()
        client.send(
            "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\nPOST /3 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        )
        h.run { client.responses.count == 3 }
        XCTAssertEqual(client.responses.map(\.text), ["1", "2", "3"])
        XCTAssertEqual(
            log,
            [
                "request /1", "respond /1", "returned from respond /1", "request /2", "respond /2",
                "request /3", "respond /3",
            ])
        try h.finish()
    }

    func testChunkedRequestBodyIsDecoded() throws {
        let h = try Harness()
        h.handler = { request, writer in writer.respond(status: 200, body: request.body) }
        let client = h.connect()
        client.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        h.run { h.server.connectionCount == 1 }
        client.send("1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\n")
        h.run { client.responses.count == 1 }
        XCTAssertEqual(client.responses.first?.text, "hello world!")
        try h.finish()
    }

    func testExpectContinueGetsInterimResponseBeforeBody() throws {
        let h = try Harness()
        h.handler = { request, writer in writer.respond(status: 200, body: request.body) }
        let client = h.connect()
        client.send("PUT /u HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
        h.run { client.text.contains("\r\n\r\n") }
        XCTAssertEqual(client.text, "HTTP/1.1 100 Continue\r\n\r\n")
        client.send("abcde")
        h.run { client.responses.count == 2 }
        XCTAssertEqual(client.responses.map(\.status), [100, 200])
        XCTAssertEqual(client.responses.last?.text, "abcde")
        try h.finish()
    }

    func testConnectionCloseClosesAfterResponse() throws {
        let h = try Harness()
        h.handler = { _, writer in writer.respond(status: 200, body: "bye".bytes) }
        let client = h.connect()
        client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        h.run { client.ended }
        XCTAssertEqual(client.responses.first?.headers["Connection"], "close")
        XCTAssertEqual(client.responses.first?.text, "bye")
        client.close()  // the server lingers for our EOF after its FIN
        h.run { h.server.connectionCount == 0 }
        try h.finish()
    }

    func testHandlerAskingToCloseClosesTheConnection() throws {
        let h = try Harness()
        h.handler = { _, writer in writer.respond(status: 200, headers: ["Connection": "close"]) }
        let client = h.connect()
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /never HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.ended }
        XCTAssertEqual(client.responses.count, 1)
        XCTAssertEqual(client.responses.first?.headers.values("connection"), ["close"])
        try h.finish()
    }

    func testHTTP10ClosesUnlessKeepAlive() throws {
        let h = try Harness()
        h.handler = { _, writer in writer.respond(status: 200, body: "old".bytes) }
        let keepAlive = h.connect()
        keepAlive.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        h.run { keepAlive.responses.count == 1 }
        XCTAssertEqual(keepAlive.responses.first?.headers["Connection"], "keep-alive")
        keepAlive.send("GET / HTTP/1.0\r\n\r\n")
        h.run { keepAlive.ended }
        XCTAssertEqual(keepAlive.responses.count, 2)
        XCTAssertEqual(keepAlive.responses.last?.headers["Connection"], "close")
        try h.finish()
    }

    func testHeadAnd204HaveNoBody() throws {
        let h = try Harness()
        h.handler = { request, writer in
            writer.respond(status: request.method == "HEAD" ? 200 : 204, body: "ignored".bytes)
        }
        let client = h.connect()
        client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.text.hasSuffix("\r\n\r\n") }
        XCTAssertEqual(client.text, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n")
        client.send("DELETE / HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.text.hasSuffix("No Content\r\n\r\n") }
        XCTAssertEqual(client.text, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
        try h.finish()
    }

    func testPortZeroPicksAPortAndCloseCompletes() throws {
        let h = try Harness()
        XCTAssertGreaterThan(h.server.port, 0)
        try h.finish()
    }
}
