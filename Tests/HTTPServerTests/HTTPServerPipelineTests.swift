import Loop
import XCTest

@testable import HTTPServer

/// Heavier connection behaviour: many pipelined requests, half-closing clients, large bodies.
final class HTTPServerPipelineTests: XCTestCase {
    func testThousandsOfPipelinedRequestsStayInOrder() throws {
        let h = try Harness()
        var handled = 0
        h.handler = { request, writer in
            handled += 1
            if request.path == "/0" {
                // While the first answer waits, ~200 KB of pipelined input arrives: reading pauses, then resumes.
                h.after(50) { writer.respond(status: 200, body: Array(request.path.utf8)) }
            } else {
                writer.respond(status: 200, body: Array(request.path.utf8))
            }
        }
        let client = h.connect()
        let count = 5_000
        client.send((0..<count).map { "GET /\($0) HTTP/1.1\r\nHost: pipelined\r\n\r\n" }.joined())
        h.run(timeout: 20_000) { client.responses.count == count }
        XCTAssertEqual(handled, count)
        XCTAssertEqual(client.responses.map(\.text), (0..<count).map { "/\($0)" })
        try h.finish()
    }

    func testHalfClosingClientGetsTheWholeResponse() throws {
        let h = try Harness()
        let big = [UInt8](repeating: 42, count: 4 << 20)
        h.handler = { _, writer in writer.respond(status: 200, body: big) }
        let client = h.connect()
        client.send("GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        client.connection.shutdown()  // FIN right after the request, as `printf ... | nc -N` does
        h.run(timeout: 10_000) { client.ended }
        XCTAssertEqual(client.responses.first?.body.count, big.count)
        h.run { h.server.connectionCount == 0 }
        try h.finish()
    }

    func testLargeBodyArrivesWhole() throws {
        let h = try Harness()
        var received = 0
        h.handler = { request, writer in
            received = request.body.count
            writer.respond(status: 204)
        }
        let client = h.connect()
        let body = [UInt8](repeating: 1, count: 3 << 20)
        client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n")
        client.send(body)
        h.run(timeout: 10_000) { client.responses.count == 1 }
        XCTAssertEqual(client.responses.first?.status, 204)
        XCTAssertEqual(received, body.count)
        try h.finish()
    }
}
