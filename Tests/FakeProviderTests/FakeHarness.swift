import FakeProvider
import HTTPClient
import JSON
import Loop
import LoopTestSupport
import XCTest

/// One test's world: a loop, a `FakeProviderServer` on 127.0.0.1:0 and an `HTTPClient`, all on the test thread.
/// `finish()` closes both and then the loop, which throws if a handle leaked, so every test is a leak test.
final class FakeHarness {
    let loop: EventLoop
    private(set) var server: FakeProviderServer!
    private(set) var client: HTTPClient!
    private var finished = false

    init() throws {
        loop = try EventLoop()
        server = try FakeProviderServer(loop: loop)
        client = try HTTPClient(loop: loop)
    }

    deinit {
        // A test that failed half-way must still not drop an open loop (EventLoop's deinit traps).
        guard !finished else { return }
        do { try finish() } catch { XCTFail("closing the loop after a failed test: \(error)") }
    }

    /// Starts a request to `path` on the fake; `json` becomes the body with `Content-Type: application/json`.
    @discardableResult
    func start(
        _ path: String, method: String = "POST", json: JSON? = nil, headers: [(String, String)] = [],
        configure: (inout HTTPClientRequest) -> Void = { _ in }
    ) -> Exchange {
        var request = HTTPClientRequest(
            method: method, url: server.rootURL + path, headers: headers,
            body: json?.serialized())
        if json != nil { request.headers.append(("Content-Type", "application/json")) }
        configure(&request)
        let exchange = Exchange()
        exchange.started = EventLoop.hrtime()
        client.execute(
            request, onHead: { exchange.head = $0 },
            onBody: { exchange.chunks.append((EventLoop.hrtime(), $0)) },
            onComplete: { exchange.result = $0 })
        return exchange
    }

    /// Sends a request and runs the loop until it completes.
    @discardableResult
    func send(
        _ path: String, method: String = "POST", json: JSON? = nil, headers: [(String, String)] = [],
        file: StaticString = #filePath, line: UInt = #line,
        configure: (inout HTTPClientRequest) -> Void = { _ in }
    ) -> Exchange {
        let exchange = start(path, method: method, json: json, headers: headers, configure: configure)
        run(file: file, line: line) { exchange.isDone }
        return exchange
    }

    /// Runs the loop until `condition` holds; fails the test after `milliseconds`. Never sleeps.
    @discardableResult
    func run(
        timeout milliseconds: UInt64 = 5_000, file: StaticString = #filePath, line: UInt = #line,
        until condition: () -> Bool
    ) -> Bool {
        runLoop(loop, until: condition, timeout: milliseconds, file: file, line: line)
    }

    /// Closes the client and the server, waits for every close callback, then closes the loop.
    func finish(file: StaticString = #filePath, line: UInt = #line) throws {
        guard !finished else { return }
        finished = true
        var clientClosed = false
        var serverClosed = false
        client.close { clientClosed = true }
        server.close { serverClosed = true }
        run(file: file, line: line) { clientClosed && serverClosed }
        client = nil
        server = nil
        try loop.close()
    }
}

/// What one request got back, with arrival times of the body pieces.
final class Exchange {
    var started: UInt64 = 0
    var head: HTTPClientResponseHead?
    var chunks: [(time: UInt64, bytes: [UInt8])] = []
    var result: Result<Void, HTTPClientError>?

    var isDone: Bool { result != nil }
    var status: Int? { head?.status }
    var body: [UInt8] { chunks.flatMap(\.bytes) }
    var text: String { String(decoding: body, as: UTF8.self) }
    var error: HTTPClientError? {
        if case .failure(let error)? = result { error } else { nil }
    }

    /// The body parsed as JSON; fails the test when it is not JSON.
    func json(file: StaticString = #filePath, line: UInt = #line) -> JSON {
        do {
            return try JSON.parse(body)
        } catch {
            XCTFail("body is not JSON (\(error)): \(text)", file: file, line: line)
            return .null
        }
    }

    /// The body as server-sent events.
    var events: [SSE] { SSE.parse(text) }

    /// Milliseconds from the start of the request to its completion (or now).
    var elapsedMilliseconds: UInt64 {
        ((chunks.last?.time ?? EventLoop.hrtime()) - started) / 1_000_000
    }
}

/// One server-sent event as a client reads it.
struct SSE: Equatable {
    var event: String?
    var data: String

    /// The data parsed as JSON, or nil when it is not JSON.
    var json: JSON? {
        do { return try JSON.parse(data) } catch { return nil }
    }

    /// Splits an event stream at blank lines (LF or CRLF line ends, per the SSE spec).
    static func parse(_ text: String) -> [SSE] {
        var events: [SSE] = []
        var current = SSE(event: nil, data: "")
        var hasData = false
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            if line.isEmpty {
                if hasData { events.append(current) }
                current = SSE(event: nil, data: "")
                hasData = false
            } else if line.hasPrefix("event: ") {
                current.event = String(line.dropFirst(7))
            } else if line.hasPrefix("data: ") {
                current.data += (hasData ? "\n" : "") + line.dropFirst(6)
                hasData = true
            }
        }
        return events
    }
}

/// Request bodies the tests share.
enum Bodies {
    static let anthropicHeaders = [("x-api-key", "test-key"), ("anthropic-version", "2023-06-01")]

    static func openAI(
        _ model: String, _ text: String = "hello  world", stream: Bool = false,
        extra: JSON = [:]
    ) -> JSON {
        var body: JSON = [
            "model": .string(model),
            "messages": [
                ["role": "system", "content": "Be brief."],
                ["role": "user", "content": .string(text)],
            ],
        ]
        if stream { body["stream"] = true }
        for (key, value) in extra.objectValue ?? [:] { body[key] = value }
        return body
    }

    static func anthropic(
        _ model: String, _ text: String = "hello  world", stream: Bool = false,
        extra: JSON = [:]
    ) -> JSON {
        var body: JSON = [
            "model": .string(model), "max_tokens": 100, "system": "Be brief.",
            "messages": [["role": "user", "content": [["type": "text", "text": .string(text)]]]],
        ]
        if stream { body["stream"] = true }
        for (key, value) in extra.objectValue ?? [:] { body[key] = value }
        return body
    }

    static func gemini(_ text: String = "hello  world", extra: JSON = [:]) -> JSON {
        var body: JSON = [
            "systemInstruction": ["parts": [["text": "Be brief."]]],
            "contents": [["role": "user", "parts": [["text": .string(text)]]]],
        ]
        for (key, value) in extra.objectValue ?? [:] { body[key] = value }
        return body
    }

    /// A weather tool schema: two required properties of different types, one optional.
    static let weatherParameters: JSON = [
        "type": "object",
        "properties": ["city": ["type": "string"], "days": ["type": "integer"], "units": ["type": "string"]],
        "required": ["city", "days"],
    ]
}
