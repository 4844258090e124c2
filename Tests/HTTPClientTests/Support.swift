import HTTPClient
import Loop
import LoopTestSupport
import XCTest

/// Everything one request's callbacks did, in order, so tests can check what was delivered and when.
final class Recorder {
    enum Event {
        case head(HTTPClientResponseHead)
        case body([UInt8])
        case complete(Result<Void, HTTPClientError>)
    }

    private(set) var events: [Event] = []
    /// Runs after each event is recorded (tests use it to cancel or chain requests from inside callbacks).
    var onEvent: ((Recorder) -> Void)?

    var head: HTTPClientResponseHead? {
        for case .head(let head) in events { return head }
        return nil
    }
    var headCount: Int { events.filter { if case .head = $0 { true } else { false } }.count }
    var chunks: [[UInt8]] { events.compactMap { if case .body(let bytes) = $0 { bytes } else { nil } } }
    var bodyText: String { String(decoding: chunks.joined(), as: UTF8.self) }
    var results: [Result<Void, HTTPClientError>] {
        events.compactMap { if case .complete(let result) = $0 { result } else { nil } }
    }
    var isDone: Bool { !results.isEmpty }
    var error: HTTPClientError? {
        if case .failure(let error)? = results.first { error } else { nil }
    }

    @discardableResult
    func start(_ client: HTTPClient, _ request: HTTPClientRequest) -> HTTPClientTask {
        client.execute(
            request, onHead: { self.record(.head($0)) }, onBody: { self.record(.body($0)) },
            onComplete: { self.record(.complete($0)) })
    }

    private func record(_ event: Event) {
        events.append(event)
        onEvent?(self)
    }

    /// Checks the callback contract: at most one head, before any body; exactly one completion, last.
    func assertWellFormed(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertLessThanOrEqual(headCount, 1, "onHead more than once", file: file, line: line)
        XCTAssertEqual(results.count, 1, "onComplete count", file: file, line: line)
        if case .complete? = events.last {} else { XCTFail("onComplete was not last: \(events)", file: file, line: line) }
        if let firstBody = events.firstIndex(where: { if case .body = $0 { true } else { false } }) {
            XCTAssertTrue(
                events[..<firstBody].contains { if case .head = $0 { true } else { false } }, "body before head",
                file: file, line: line)
        }
    }
}

extension XCTestCase {
    /// Counts loop turns until `milliseconds` pass: a handle that spins (an active poll on a dead socket) shows
    /// up as thousands of turns instead of a few.
    func loopTurns(_ loop: EventLoop, during milliseconds: UInt64) -> Int {
        var expired = false
        let deadline = try! Loop.Timer(loop: loop)
        deadline.start(after: milliseconds) { expired = true }
        var turns = 0
        while !expired { loop.runOnce(); turns += 1 }
        deadline.close()
        return turns
    }

    /// Open file descriptors of this process (sockets included), for "more are open now" checks.
    func openFileDescriptorCount() -> Int {
        openFileDescriptors().count
    }

    /// The sockets this process holds, as `/proc/self/fd` names them (`socket:[inode]`), for leak checks. Sockets
    /// only: the test runner and the runtime may open other files (pipes, /dev/urandom) at any moment.
    func openSockets() -> Set<String> {
        Set(openFileDescriptors().filter { $0.hasPrefix("socket:") })
    }

    private func openFileDescriptors() -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        } catch {
            XCTFail("cannot list /proc/self/fd: \(error)")
            return []
        }
        return names.compactMap { name in
            // A descriptor closed between the listing and the readlink is simply no longer open.
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")
        }
    }

    /// Runs `loop` until `condition` holds or `milliseconds` pass (then fails): waiting on events, never sleeping.
    func run(
        _ loop: EventLoop, for milliseconds: UInt64 = 5_000, until condition: () -> Bool,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        runLoop(loop, until: condition, timeout: milliseconds, file: file, line: line)
    }

    /// Closes the client and the server, waits for libuv to release every handle, then closes the loop, which
    /// throws if anything leaked.
    func shutDown(
        _ loop: EventLoop, _ client: HTTPClient, _ server: TestServer?,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var clientClosed = false
        client.close { clientClosed = true }
        server?.close()
        run(loop, until: { clientClosed && (server?.isClosed ?? true) }, file: file, line: line)
        try loop.close()
    }
}

/// Test routes shared by the tests.
extension TestServer {
    func installRoutes() {
        route("/hello") { request, exchange in
            exchange.respond(headers: [("X-Test", "yes")], body: Array("hello \(request.query)".utf8))
        }
        route("/echo") { request, exchange in
            exchange.respond(
                headers: [
                    ("X-Method", request.method), ("X-Content-Type", request.header("Content-Type") ?? "none"),
                    ("X-Expect", request.header("Expect") ?? "none"),
                ],
                body: request.body)
        }
        route("/stream") { _, exchange in
            exchange.startChunked()
            exchange.chunk("part0")
            var sent = 1
            exchange.every(30) {
                if sent == 4 { exchange.endChunked(); return false }
                exchange.chunk("part\(sent)")
                sent += 1
                return true
            }
        }
        route("/forever") { _, exchange in
            exchange.startChunked()
            exchange.chunk("tick")
            exchange.every(20) {
                exchange.chunk("tick"); return true
            }
        }
        route("/silent") { _, _ in }
        route("/head-then-wait") { _, exchange in
            exchange.startChunked()
            exchange.every(50) {
                exchange.chunk("late"); exchange.endChunked(); return false
            }
        }
        route("/interim") { _, exchange in
            exchange.write("HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\n")
            exchange.write("HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-Final: 1\r\n\r\nok")
            exchange.finishResponse()
        }
        route("/redirect") { _, exchange in
            exchange.respond(status: 302, headers: [("Location", "/hello")], body: [])
        }
    }
}
