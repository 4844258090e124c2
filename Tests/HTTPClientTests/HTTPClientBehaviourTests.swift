import Foundation
import HTTPClient
import Loop
import XCTest

/// Response shapes and lifecycle edges beyond the basic exchanges in `HTTPClientTests`.
final class HTTPClientBehaviourTests: XCTestCase {
    private func setUp() throws -> (EventLoop, TestServer, HTTPClient) {
        let loop = try EventLoop()
        let server = try TestServer(loop: loop)
        server.installRoutes()
        return (loop, server, try HTTPClient(loop: loop))
    }

    func testHeadIsDeliveredBeforeTheBodyArrives() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        var headAt: UInt64 = 0
        var bodyAt: UInt64 = 0
        recorder.onEvent = { recorder in
            if case .head? = recorder.events.last { headAt = EventLoop.hrtime() }
            if case .body? = recorder.events.last, bodyAt == 0 { bodyAt = EventLoop.hrtime() }
        }
        recorder.start(client, HTTPClientRequest(url: server.url("/head-then-wait")))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        XCTAssertEqual(recorder.bodyText, "late")
        // The server sends the head, then the body 50 ms later: an SSE proxy must see the head at once.
        XCTAssertGreaterThan(bodyAt, headAt + 30_000_000)
        try shutDown(loop, client, server)
    }

    func testInterimResponsesAreSkipped() throws {
        let (loop, server, client) = try setUp()
        let recorder = Recorder()
        recorder.start(client, HTTPClientRequest(url: server.url("/interim")))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        XCTAssertEqual(recorder.headCount, 1)
        XCTAssertEqual(recorder.head?.status, 201)
        XCTAssertEqual(recorder.head?.header("X-Final"), "1")
        XCTAssertNil(recorder.head?.header("Link"), "headers of the 103 must not leak into the final head")
        XCTAssertEqual(recorder.bodyText, "ok")
        try shutDown(loop, client, server)
    }

    func testRedirectsAreNotFollowedAndHeadRequestsHaveNoBody() throws {
        let (loop, server, client) = try setUp()
        let redirect = Recorder()
        redirect.start(client, HTTPClientRequest(url: server.url("/redirect")))
        let head = Recorder()
        head.start(client, HTTPClientRequest(method: "HEAD", url: server.url("/hello")))
        run(loop, until: { redirect.isDone && head.isDone })
        XCTAssertEqual(redirect.head?.status, 302)
        XCTAssertEqual(redirect.head?.header("location"), "/hello")
        head.assertWellFormed()
        XCTAssertNil(head.error)
        XCTAssertEqual(head.head?.header("Content-Length"), "6")
        XCTAssertTrue(head.chunks.isEmpty)
        try shutDown(loop, client, server)
    }

    func testServerClosingAnIdleConnection() throws {
        let (loop, server, client) = try setUp()
        let first = Recorder()
        first.start(client, HTTPClientRequest(url: server.url("/hello")))
        run(loop, until: { first.isDone })
        server.dropConnections()
        // The cached connection's poll is stopped while idle, so its EOF must not wake the loop over and over.
        XCTAssertLessThan(loopTurns(loop, during: 50), 20)
        let second = Recorder()
        second.start(client, HTTPClientRequest(url: server.url("/hello?again")))
        run(loop, until: { second.isDone })
        XCTAssertNil(second.error)
        XCTAssertEqual(second.bodyText, "hello again")
        XCTAssertEqual(server.accepts, 2)
        try shutDown(loop, client, server)
    }

    func testCloseFromInsideACallback() throws {
        let (loop, server, client) = try setUp()
        let streaming = Recorder()
        let silent = Recorder()
        var closed = false
        streaming.onEvent = { recorder in
            if case .body? = recorder.events.last, !closed { client.close { closed = true } }
        }
        silent.start(client, HTTPClientRequest(url: server.url("/silent")))
        streaming.start(client, HTTPClientRequest(url: server.url("/stream")))
        run(loop, until: { closed && streaming.isDone && silent.isDone })
        for recorder in [streaming, silent] {
            recorder.assertWellFormed()
            guard case .cancelled? = recorder.error else { return XCTFail("\(recorder.events)") }
        }
        XCTAssertEqual(streaming.chunks.count, 1)
        try shutDown(loop, client, server)
    }

    func testClosingTheClientClosesEverySocket() throws {
        // Round one pays for process-wide one-time opens (OpenSSL, libuv); round two must leave nothing behind.
        for round in 0..<2 {
            let before = openFileDescriptorCount()
            let socketsBefore = openSockets()
            let (loop, server, client) = try setUp()
            let recorders = (0..<4).map { index in
                let recorder = Recorder()
                recorder.start(client, HTTPClientRequest(url: server.url("/hello?\(index)")))
                return recorder
            }
            run(loop, until: { recorders.allSatisfy(\.isDone) })
            XCTAssertGreaterThan(openFileDescriptorCount(), before + 4, "idle connections stay cached until close")
            try shutDown(loop, client, server)
            if round == 1 { XCTAssertEqual(openSockets().subtracting(socketsBefore), [], "sockets left open") }
        }
    }

    /// A host name other than "localhost" (which curl answers itself) goes through curl's threaded resolver,
    /// whose wake-up socket is polled and then closed by curl on its own.
    func testHostNameGoesThroughTheResolver() throws {
        let hosts = (try? String(contentsOfFile: "/etc/hosts", encoding: .utf8)) ?? ""
        let names = hosts.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "127.0.0.1" else { return nil }
            return fields.dropFirst().first { $0 != "localhost" && !$0.hasPrefix("#") }.map(String.init)
        }
        guard let name = names.first else { throw XCTSkip("no /etc/hosts name for 127.0.0.1 besides localhost") }
        for round in 0..<2 {  // round one pays for one-time opens, as above
            let socketsBefore = openSockets()
            let (loop, server, client) = try setUp()
            let recorders = (0..<3).map { _ in Recorder() }
            for (index, recorder) in recorders.enumerated() {
                recorder.start(client, HTTPClientRequest(url: "http://\(name):\(server.port)/hello?\(index)"))
            }
            run(loop, until: { recorders.allSatisfy(\.isDone) })
            for (index, recorder) in recorders.enumerated() {
                XCTAssertEqual(recorder.bodyText, "hello \(index)", "\(recorder.events)")
            }
            try shutDown(loop, client, server)
            if round == 1 { XCTAssertEqual(openSockets().subtracting(socketsBefore), [], "sockets left open") }
        }
    }
}

extension HTTPClientBehaviourTests {
    /// Many transfers in flight, cancelled at assorted moments (before the head, from onHead, from onBody, from
    /// another transfer's callbacks): each completes exactly once, and nothing leaks.
    func testManyTransfersWithCancellationsAtAssortedMoments() throws {
        let (loop, server, client) = try setUp()
        let paths = ["/hello", "/stream", "/forever", "/head-then-wait", "/silent"]
        var tasks: [HTTPClientTask] = []
        var recorders: [Recorder] = []
        for index in 0..<60 {
            let recorder = Recorder()
            let path = paths[index % paths.count]
            let cancelAt = index % 4  // 0: never (except the endless ones), 1: at once, 2: on head, 3: on body
            recorder.onEvent = { recorder in
                switch recorder.events.last {
                case .head? where cancelAt == 2: tasks[index].cancel()
                case .body? where cancelAt == 3 || path == "/forever":
                    tasks[index].cancel()
                    tasks[(index + 7) % tasks.count].cancel()  // someone else's transfer, possibly done already
                default: break
                }
            }
            var request = HTTPClientRequest(url: server.url("\(path)?\(index)"))
            if path == "/silent" { request.firstByteTimeoutMilliseconds = 100 }
            tasks.append(recorder.start(client, request))
            recorders.append(recorder)
            if cancelAt == 1 && index % 3 == 0 { tasks[index].cancel() }
        }
        run(loop, until: { recorders.allSatisfy(\.isDone) })
        for recorder in recorders { recorder.assertWellFormed() }
        XCTAssertTrue(recorders.contains { if case .success? = $0.results.first { true } else { false } })
        try shutDown(loop, client, server)
    }
}
