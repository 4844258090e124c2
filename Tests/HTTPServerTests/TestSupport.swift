import Foundation
import Loop
import LoopTestSupport
import XCTest

@testable import HTTPServer

/// One test's world: a loop, a server on 127.0.0.1:0 and raw TCP clients, all on the test thread. `finish()`
/// closes everything and then the loop, which throws if any handle leaked, so every test is a leak test.
final class Harness {
    let loop: EventLoop
    private(set) var server: HTTPServer!
    /// The request handler; replace it before connecting.
    var handler: (HTTPRequest, HTTPResponseWriter) -> Void = { _, writer in writer.respond(status: 200) }
    var errors: [String] = []
    private var clients: [RawClient] = []
    private var timers: [Loop.Timer] = []
    private var finished = false

    init(limits: HTTPServerLimits = HTTPServerLimits()) throws {
        loop = try EventLoop()
        server = try HTTPServer(loop: loop, host: "127.0.0.1", port: 0, limits: limits) { [unowned self] request, writer in
            self.handler(request, writer)
        }
        server.onError = { [unowned self] in self.errors.append($0) }
    }

    deinit {
        // A test that failed half-way still must not drop an open loop (EventLoop's deinit traps).
        if !finished { try? finish() }
    }

    /// Runs the loop until `condition` holds; fails the test after `milliseconds`.
    @discardableResult
    func run(
        timeout milliseconds: UInt64 = 5_000, file: StaticString = #filePath, line: UInt = #line,
        until condition: () -> Bool
    ) -> Bool {
        runLoop(loop, until: condition, timeout: milliseconds, file: file, line: line)
    }

    /// Starts a one-shot timer; `finish()` closes it if it has not fired.
    func after(_ milliseconds: UInt64, _ body: @escaping () -> Void) {
        timers.append(try! Loop.Timer.once(on: loop, after: milliseconds, body))
    }

    /// Connects a raw client to the server.
    func connect(file: StaticString = #filePath, line: UInt = #line) -> RawClient {
        var result: Result<TCPConnection, UVError>?
        TCPConnection.connect(loop: loop, host: "127.0.0.1", port: server.port) { result = $0 }
        run(file: file, line: line) { result != nil }
        let client = RawClient(connection: try! result!.get())
        clients.append(client)
        return client
    }

    /// Closes clients and server, waits for every close callback, then closes the loop.
    func finish(file: StaticString = #filePath, line: UInt = #line) throws {
        finished = true
        for client in clients { client.close() }
        for timer in timers { timer.close() }
        var closed = false
        server.close { closed = true }
        run(file: file, line: line) { closed }
        XCTAssertEqual(server.connectionCount, 0, file: file, line: line)
        server = nil
        handler = { _, _ in }  // tests' handlers often capture the harness: break that cycle
        try loop.close()
    }
}

/// A client that writes raw bytes and collects everything it reads.
final class RawClient {
    let connection: TCPConnection
    private(set) var received: [UInt8] = []
    private(set) var ended = false

    init(connection: TCPConnection) {
        self.connection = connection
        try! connection.startReading(
            onRead: { [unowned self] in self.received.append(contentsOf: $0) },
            onEnd: { [unowned self] _ in self.ended = true })
    }

    func send(_ text: String) { connection.write(Array(text.utf8)) }
    func send(_ bytes: [UInt8]) { connection.write(bytes) }
    func close() { connection.close() }

    var text: String { String(decoding: received, as: UTF8.self) }
    /// Complete responses received so far, interim (1xx) ones included.
    var responses: [TestResponse] { parseResponses(received, closed: ended) }
}

struct TestResponse {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Parses the complete responses at the start of `bytes`, stopping at the first incomplete one. A response with
/// neither length nor chunking runs to the end of the stream and is complete only when `closed`.
func parseResponses(_ bytes: [UInt8], closed: Bool) -> [TestResponse] {
    var responses: [TestResponse] = []
    var index = 0
    while let headEnd = find([13, 10, 13, 10], in: bytes, from: index) {
        var lines = String(decoding: bytes[index..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return responses }
        var headers = HTTPHeaders()
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        var cursor = headEnd + 4
        var body: [UInt8] = []
        if status < 200 || status == 204 || status == 304 {
            // no body
        } else if headers["transfer-encoding"] == "chunked" {
            while true {
                guard let sizeEnd = find([13, 10], in: bytes, from: cursor),
                    let size = Int(String(decoding: bytes[cursor..<sizeEnd], as: UTF8.self), radix: 16),
                    sizeEnd + 2 + size + 2 <= bytes.count
                else { return responses }
                cursor = sizeEnd + 2 + size + 2
                if size == 0 { break }
                body.append(contentsOf: bytes[(sizeEnd + 2)..<(sizeEnd + 2 + size)])
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard cursor + length <= bytes.count else { return responses }
            body = Array(bytes[cursor..<(cursor + length)])
            cursor += length
        } else {
            guard closed else { return responses }
            body = Array(bytes[cursor...])
            cursor = bytes.count
        }
        responses.append(TestResponse(status: status, headers: headers, body: body))
        index = cursor
    }
    return responses
}

private func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
    guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
    for index in start...(bytes.count - needle.count) where bytes[index..<(index + needle.count)].elementsEqual(needle) {
        return index
    }
    return nil
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
