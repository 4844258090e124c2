import Loop
import XCTest

@testable import HTTPServer

final class HTTPServerStreamingTests: XCTestCase {
    func testServerSentEventsArriveIncrementally() throws {
        let h = try Harness()
        var stream: HTTPResponseWriter?
        h.handler = { request, writer in
            if request.path == "/after" { return writer.respond(status: 200, body: "next".bytes) }
            writer.startStream(status: 200, headers: ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"])
            writer.write("data: one\n\n".bytes)
            stream = writer
        }
        let client = h.connect()
        client.send("GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        h.run { client.text.contains("data: one\n\n\r\n") }
        XCTAssertTrue(
            client.text.hasPrefix(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"
            ))
        XCTAssertEqual(client.responses.count, 0, "the stream has not ended")
        stream?.write("data: two\n\n".bytes)
        stream?.write([])  // no-op: an empty chunk would end the body
        h.run { client.text.contains("data: two") }
        XCTAssertEqual(client.responses.count, 0)
        stream?.end()
        XCTAssertEqual(stream?.isFinished, true)
        h.run { client.responses.count == 1 }
        XCTAssertEqual(client.responses.first?.text, "data: one\n\ndata: two\n\n")
        // The connection stays usable after the stream.
        client.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.responses.count == 2 }
        XCTAssertEqual(client.responses.last?.text, "next")
        try h.finish()
    }

    func testFirstChunkTravelsWithTheHead() throws {
        let h = try Harness()
        h.handler = { request, writer in
            writer.startStream(
                status: 200, headers: ["Content-Type": "text/event-stream"], firstChunk: "data: one\n\n".bytes)
            writer.write("data: two\n\n".bytes)
            writer.end()
        }
        let client = h.connect()
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.responses.count == 1 }
        XCTAssertTrue(
            client.text.hasPrefix(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nb\r\ndata: one\n\n\r\n"
            ))
        XCTAssertEqual(client.responses.first?.text, "data: one\n\ndata: two\n\n")
        try h.finish()
    }

    func testClientDisconnectMidStreamCancelsOnce() throws {
        let h = try Harness()
        var stream: HTTPResponseWriter?
        var cancels = 0
        h.handler = { _, writer in
            writer.onCancel = { cancels += 1 }
            writer.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
            writer.write("data: first\n\n".bytes)
            stream = writer
        }
        let client = h.connect()
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.text.contains("data: first") }
        client.close()
        h.run { cancels == 1 }
        XCTAssertEqual(stream?.isFinished, true)
        stream?.write("data: late\n\n".bytes)  // a no-op, not a crash
        stream?.end()
        h.run { h.server.connectionCount == 0 }
        XCTAssertEqual(cancels, 1)
        try h.finish()
    }

    func testClientDisconnectBeforeResponseCancels() throws {
        let h = try Harness()
        var pending: HTTPResponseWriter?
        var cancelled = false
        h.handler = { _, writer in
            pending = writer
            writer.onCancel = { cancelled = true }
        }
        let client = h.connect()
        client.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        h.run { pending != nil }
        client.close()
        h.run { cancelled }
        pending?.respond(status: 200, body: "too late".bytes)  // a no-op
        XCTAssertEqual(pending?.isFinished, true)
        try h.finish()
    }

    func testAbortCutsTheChunkedBodyAndClosesTheConnection() throws {
        let h = try Harness()
        h.handler = { _, writer in
            writer.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
            writer.write("data: one\n\n".bytes)
            writer.abort()
            writer.write("data: never\n\n".bytes)  // a no-op after abort
        }
        let client = h.connect()
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.ended }
        XCTAssertTrue(client.text.contains("data: one"))
        XCTAssertFalse(client.text.contains("never"))
        XCTAssertFalse(client.text.hasSuffix("0\r\n\r\n"), "no final chunk: the client sees a cut transfer")
        try h.finish()
    }

    func testGracefulCloseLetsAStreamFinish() throws {
        let h = try Harness()
        var pending: HTTPResponseWriter?
        var cancelled = false
        h.handler = { _, writer in
            writer.onCancel = { cancelled = true }
            writer.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
            pending = writer
        }
        let client = h.connect()
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.text.contains("\r\n\r\n") }
        var closed = false
        h.server.close(graceful: true) { closed = true }
        XCTAssertFalse(cancelled)
        pending?.write("data: last\n\n".bytes)
        pending?.end()
        h.run { closed && client.ended }
        XCTAssertTrue(client.text.contains("data: last"))
        XCTAssertTrue(client.text.hasSuffix("0\r\n\r\n"))
        try h.finish()
    }

    func testServerCloseCancelsOpenStreams() throws {
        let h = try Harness()
        var cancelled = false
        h.handler = { _, writer in
            writer.onCancel = { cancelled = true }
            writer.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
        }
        let client = h.connect()
        client.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { client.text.contains("\r\n\r\n") }
        var closed = false
        h.server.close { closed = true }
        XCTAssertTrue(cancelled, "server close cancels synchronously")
        h.run { closed && client.ended }
        try h.finish()
    }

    func testHTTP10StreamIsDelimitedByClose() throws {
        let h = try Harness()
        h.handler = { _, writer in
            writer.startStream(status: 200, headers: ["Content-Type": "text/plain"])
            writer.write("a".bytes)
            writer.write("b".bytes)
            writer.end()
        }
        let client = h.connect()
        client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        h.run { client.ended }
        XCTAssertEqual(client.text, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nab")
        try h.finish()
    }

    func testSlowReaderBuildsPendingBytesAndOnWritableFiresWhenDrained() throws {
        let h = try Harness()
        var stream: HTTPResponseWriter?
        h.handler = { _, writer in
            writer.startStream(status: 200, headers: ["Content-Type": "application/octet-stream"])
            stream = writer
        }
        let client = h.connect()
        client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        h.run { stream != nil }
        client.connection.pauseReading()
        let chunk = [UInt8](repeating: 7, count: 64 * 1024)
        var written = 0
        // Fill the kernel buffers until bytes queue in user space (bounded: 64 MiB).
        while let stream, stream.pendingWriteBytes == 0, written < 64 << 20 {
            stream.write(chunk)
            written += chunk.count
        }
        XCTAssertGreaterThan(stream?.pendingWriteBytes ?? 0, 0)
        var writable = false
        stream?.onWritable = { writable = true }
        client.connection.resumeReading()
        h.run(timeout: 10_000) { writable }
        stream?.end()
        h.run(timeout: 10_000) { client.responses.count == 1 }
        XCTAssertEqual(client.responses.first?.body.count, written)
        try h.finish()
    }
}
