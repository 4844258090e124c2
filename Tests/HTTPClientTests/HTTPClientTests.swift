import HTTPClient
import Loop
import XCTest

final class HTTPClientTests: XCTestCase {
    private func setUp() throws -> (EventLoop, TestServer, HTTPClient) {
        let loop = try EventLoop()
        let server = try TestServer(loop: loop)
        server.installRoutes()
        return (loop, server, try HTTPClient(loop: loop))
    }

    func testGetWithBody() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        recorder.start(client, HTTPClientRequest(url: server.url("/hello?name=x")))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        XCTAssertNil(recorder.error)
        XCTAssertEqual(recorder.head?.status, 200)
        XCTAssertEqual(recorder.head?.httpVersion, "HTTP/1.1")
        XCTAssertEqual(recorder.head?.header("x-TEST"), "yes")
        XCTAssertEqual(recorder.head?.header("Content-Length"), "12")
        XCTAssertEqual(recorder.bodyText, "hello name=x")
        try shutDown(loop, client, server)
    }

    func testPostEchoAndOtherMethods() throws {
        let (loop, server, client) = try setUp()
        let body: [UInt8] = Array("{\"a\":1}".utf8) + [0, 255, 10]
        let methods = ["POST", "PUT", "PATCH", "DELETE"]
        let recorders = methods.map { method in
            let recorder = Recorder()
            recorder.start(
                client,
                HTTPClientRequest(
                    method: method, url: server.url("/echo"),
                    headers: [("Content-Type", "application/json")], body: body))
            return recorder
        }
        let bare = Recorder()  // POST without body or Content-Type: Content-Length 0, no form type added by curl
        bare.start(client, HTTPClientRequest(method: "POST", url: server.url("/echo")))
        run(loop, until: { recorders.allSatisfy(\.isDone) && bare.isDone })
        for (method, recorder) in zip(methods, recorders) {
            recorder.assertWellFormed()
            XCTAssertNil(recorder.error, method)
            XCTAssertEqual(recorder.head?.header("X-Method"), method)
            XCTAssertEqual(recorder.head?.header("X-Content-Type"), "application/json")
            XCTAssertEqual(recorder.head?.header("X-Expect"), "none")
            XCTAssertEqual(recorder.chunks.joined().map { $0 }, body, method)
        }
        XCTAssertEqual(bare.head?.header("X-Method"), "POST")
        XCTAssertEqual(bare.head?.header("X-Content-Type"), "none")
        XCTAssertEqual(bare.chunks.count, 0)
        try shutDown(loop, client, server)
    }

    func testLargePostBodyIsSentWithoutExpectDelay() throws {
        let (loop, server, client) = try setUp()
        // Above curl's 1 MB threshold for adding "Expect: 100-continue" on its own.
        var body = [UInt8](repeating: 0x61, count: 1_500_000)
        for index in stride(from: 0, to: body.count, by: 4_093) { body[index] = UInt8(truncatingIfNeeded: index) }
        let recorder = Recorder()
        let started = EventLoop.hrtime()
        recorder.start(client, HTTPClientRequest(method: "POST", url: server.url("/echo"), body: body))
        run(loop, until: { recorder.isDone })
        // curl waits up to 1 s for "100 Continue" when it sends Expect; we suppress it.
        XCTAssertLessThan(EventLoop.hrtime() - started, 900_000_000)
        XCTAssertNil(recorder.error)
        XCTAssertEqual(recorder.head?.header("X-Expect"), "none")
        XCTAssertEqual(recorder.chunks.reduce(into: []) { $0 += $1 }, body)
        try shutDown(loop, client, server)
    }

    func testChunkedResponseStreamsChunksAsTheyArrive() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        recorder.start(client, HTTPClientRequest(url: server.url("/stream")))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        XCTAssertNil(recorder.error)
        XCTAssertEqual(recorder.bodyText, "part0part1part2part3")
        // The server waits 30 ms between chunks, so each arrives in its own read and its own onBody.
        XCTAssertGreaterThanOrEqual(recorder.chunks.count, 4, "chunks: \(recorder.chunks.count)")
        try shutDown(loop, client, server)
    }

    func testSequentialRequestsReuseTheConnection() throws {
        let (loop, server, client) = try setUp()
        let first = Recorder()
        let second = Recorder()
        first.onEvent = { recorder in
            // Chain from inside onComplete: user code may start transfers from its callbacks.
            if recorder.isDone { second.start(client, HTTPClientRequest(url: server.url("/hello?n=2"))) }
        }
        first.start(client, HTTPClientRequest(url: server.url("/hello?n=1")))
        run(loop, until: { second.isDone })
        XCTAssertEqual(first.bodyText, "hello n=1")
        XCTAssertEqual(second.bodyText, "hello n=2")
        XCTAssertEqual(server.accepts, 1, "the second request should reuse the first connection")
        try shutDown(loop, client, server)
    }

    func testConnectFailureToAClosedPort() throws {
        let loop = try EventLoop()
        let probe = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        let port = probe.port
        var probeClosed = false
        probe.close { probeClosed = true }
        run(loop, until: { probeClosed })
        let client = try HTTPClient(loop: loop)
        let recorder = Recorder()
        recorder.start(client, HTTPClientRequest(url: "http://127.0.0.1:\(port)/x?key=secret"))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        guard case .connectFailed(let message)? = recorder.error else { return XCTFail("\(recorder.events)") }
        XCTAssertTrue(message.contains("127.0.0.1:\(port)/x"), message)
        XCTAssertFalse(message.contains("secret"), "query strings stay out of error messages: \(message)")
        XCTAssertNil(recorder.head)
        try shutDown(loop, client, nil)
    }

    func testFirstByteTimeoutAgainstASilentServer() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        var request = HTTPClientRequest(url: server.url("/silent"))
        request.firstByteTimeoutMilliseconds = 200
        loop.runOnce(wait: false)  // refresh the loop's cached clock, which timers count from, after the setup work
        let started = EventLoop.hrtime()
        recorder.start(client, request)
        run(loop, until: { recorder.isDone })
        let elapsed = (EventLoop.hrtime() - started) / 1_000_000
        recorder.assertWellFormed()
        guard case .timedOut? = recorder.error else { return XCTFail("\(recorder.events)") }
        XCTAssertGreaterThanOrEqual(elapsed, 190)
        XCTAssertLessThan(elapsed, 2_000)
        run(loop, until: { server.disconnects == 1 })  // the abandoned connection is closed, not left in the cache
        try shutDown(loop, client, server)
    }

    func testTotalTimeoutWhileTheBodyIsStillFlowing() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        var request = HTTPClientRequest(url: server.url("/forever"))
        request.firstByteTimeoutMilliseconds = 1_000  // met at once; must not fire later
        request.totalTimeoutMilliseconds = 300
        recorder.start(client, request)
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        guard case .timedOut(let message)? = recorder.error else { return XCTFail("\(recorder.events)") }
        XCTAssertTrue(message.contains("/forever"), message)
        XCTAssertEqual(recorder.head?.status, 200)
        XCTAssertGreaterThan(recorder.chunks.count, 1)
        run(loop, until: { server.disconnects == 1 })
        try shutDown(loop, client, server)
    }

    func testCancelMidStream() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        var task: HTTPClientTask?
        var chunksAtCancel = 0
        recorder.onEvent = { recorder in
            if recorder.chunks.count == 2 && chunksAtCancel == 0 {
                chunksAtCancel = 2
                task?.cancel()  // from inside onBody
                task?.cancel()  // a second cancel is a no-op
            }
        }
        task = recorder.start(client, HTTPClientRequest(url: server.url("/forever")))
        run(loop, until: { server.disconnects == 1 })
        recorder.assertWellFormed()
        guard case .cancelled? = recorder.error else { return XCTFail("\(recorder.events)") }
        XCTAssertEqual(recorder.chunks.count, chunksAtCancel)
        task?.cancel()
        XCTAssertEqual(recorder.results.count, 1)
        try shutDown(loop, client, server)
    }

    func testCancelBeforeAnyResponse() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        let task = recorder.start(client, HTTPClientRequest(url: server.url("/hello")))
        task.cancel()
        XCTAssertEqual(recorder.results.count, 1, "cancel completes synchronously")
        guard case .cancelled? = recorder.error else { return XCTFail("\(recorder.events)") }
        let after = Recorder()  // the client is still usable
        after.start(client, HTTPClientRequest(url: server.url("/hello")))
        run(loop, until: { after.isDone })
        XCTAssertNil(after.error)
        XCTAssertEqual(recorder.events.count, 1)
        try shutDown(loop, client, server)
    }

    func testTenConcurrentRequests() throws {
        let (loop, server, client) = try setUp()
        let recorders = (0..<10).map { index in
            let recorder = Recorder()
            recorder.start(client, HTTPClientRequest(url: server.url("/hello?i=\(index)")))
            return recorder
        }
        run(loop, until: { recorders.allSatisfy(\.isDone) })
        for (index, recorder) in recorders.enumerated() {
            recorder.assertWellFormed()
            XCTAssertNil(recorder.error)
            XCTAssertEqual(recorder.bodyText, "hello i=\(index)")
        }
        XCTAssertLessThanOrEqual(server.accepts, 10)
        try shutDown(loop, client, server)
    }

    func testCloseCancelsTransfersInFlightAndRejectsNewOnes() throws {
        let (loop, server, client) = try setUp()
        let silent = Recorder()
        let streaming = Recorder()
        silent.start(client, HTTPClientRequest(url: server.url("/silent")))
        streaming.start(client, HTTPClientRequest(url: server.url("/forever")))
        run(loop, until: { !streaming.chunks.isEmpty && server.accepts == 2 })
        var closed = false
        client.close { closed = true }
        for recorder in [silent, streaming] {
            recorder.assertWellFormed()
            guard case .cancelled? = recorder.error else { return XCTFail("\(recorder.events)") }
        }
        let late = Recorder()
        late.start(client, HTTPClientRequest(url: server.url("/hello")))
        XCTAssertFalse(late.isDone, "a rejected request completes on a later turn, not inside execute")
        run(loop, until: { closed && late.isDone && server.disconnects == 2 })
        guard case .cancelled? = late.error else { return XCTFail("\(late.events)") }
        try shutDown(loop, client, server)
    }
}
