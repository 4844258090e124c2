import Foundation
import Loop

/// A tiny HTTP/1.1 server on `Loop`'s TCP listener, scripted per path, for client tests: deterministic, in-process
/// and able to misbehave on purpose (never answer, stream forever). Requests need `Content-Length` bodies;
/// keep-alive is the default, so it also shows connection reuse (`accepts`) and client disconnects (`disconnects`).
final class TestServer {
    struct Request {
        let method: String
        let path: String
        let query: String
        let headers: [(String, String)]
        let body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    /// One connection's response side, handed to route handlers.
    final class Exchange {
        fileprivate let connection: TCPConnection
        fileprivate unowned let server: TestServer
        fileprivate var buffer: [UInt8] = []
        fileprivate var busy = false
        fileprivate var timers: [Loop.Timer] = []
        fileprivate var method = ""

        fileprivate init(connection: TCPConnection, server: TestServer) {
            self.connection = connection
            self.server = server
        }

        func write(_ text: String) { connection.write(Array(text.utf8)) }

        /// A complete response with `Content-Length`; the connection stays open for the next request.
        func respond(status: Int = 200, headers: [(String, String)] = [], body: [UInt8]) {
            var head = "HTTP/1.1 \(status) OK\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            connection.write(Array((head + "\r\n").utf8) + (method == "HEAD" ? [] : body))
            finishResponse()
        }

        /// Starts a chunked response (the head is written now).
        func startChunked() { write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n") }
        func chunk(_ text: String) { write(String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n") }
        func endChunked() { write("0\r\n\r\n"); finishResponse() }

        /// Calls `tick` every `milliseconds` until it returns false or the connection ends.
        func every(_ milliseconds: UInt64, _ tick: @escaping () -> Bool) {
            guard let timer = try? Loop.Timer(loop: server.loop) else { return }
            server.openHandles += 1
            timers.append(timer)
            timer.start(after: milliseconds, repeat: milliseconds) { [unowned self, unowned timer] in
                if !tick() { self.closeTimer(timer) }
            }
        }

        fileprivate func closeTimer(_ timer: Loop.Timer) {
            timers.removeAll { $0 === timer }
            timer.close { self.server.openHandles -= 1 }
        }

        /// Marks the response written by hand complete, so the next request on the connection is served.
        func finishResponse() {
            busy = false
            server.process(self)
        }

        fileprivate func shutdown() {
            timers.forEach { closeTimer($0) }
            if !connection.closed { connection.close { self.server.openHandles -= 1 } }
        }
    }

    let loop: EventLoop
    private let listener: TCPListener
    let port: Int
    private(set) var accepts = 0
    private(set) var disconnects = 0
    private var exchanges: [ObjectIdentifier: Exchange] = [:]
    private var routes: [String: (Request, Exchange) -> Void] = [:]
    fileprivate var openHandles = 1
    private var closing = false

    init(loop: EventLoop) throws {
        self.loop = loop
        listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        port = listener.port
        try listener.listen { [unowned self] connection in self.accepted(connection) }
    }

    func url(_ pathAndQuery: String) -> String { "http://127.0.0.1:\(port)\(pathAndQuery)" }

    /// Registers the handler for requests whose path (without query) is `path`.
    func route(_ path: String, _ handler: @escaping (Request, Exchange) -> Void) { routes[path] = handler }

    /// True once every handle the server opened has been closed by libuv.
    var isClosed: Bool { closing && openHandles == 0 }

    func close() {
        closing = true
        listener.close { self.openHandles -= 1 }
        dropConnections()
    }

    /// Closes every connection from the server side, as a server's idle timeout does (not counted in `disconnects`).
    func dropConnections() {
        let open = exchanges.values
        exchanges = [:]
        open.forEach { $0.shutdown() }
    }

    private func accepted(_ connection: TCPConnection) {
        accepts += 1
        openHandles += 1
        let exchange = Exchange(connection: connection, server: self)
        let key = ObjectIdentifier(connection)
        exchanges[key] = exchange
        do {
            try connection.startReading(
                onRead: { [unowned self, unowned exchange] bytes in
                    exchange.buffer += bytes
                    self.process(exchange)
                },
                onEnd: { [unowned self] _ in
                    guard let exchange = self.exchanges.removeValue(forKey: key) else { return }
                    self.disconnects += 1
                    exchange.shutdown()
                })
        } catch {
            exchanges[key] = nil
            exchange.shutdown()
        }
    }

    /// Parses and dispatches the next buffered request once the previous response is done.
    fileprivate func process(_ exchange: Exchange) {
        guard !exchange.busy, let request = parse(&exchange.buffer) else { return }
        exchange.busy = true
        exchange.method = request.method
        if let handler = routes[request.path] {
            handler(request, exchange)
        } else {
            exchange.respond(status: 404, body: Array("no route \(request.path)".utf8))
        }
    }

    private func parse(_ buffer: inout [UInt8]) -> Request? {
        // Heads are small: look for the blank line in the first 16 KB only, so big bodies are not rescanned.
        let limit = min(buffer.count, 16 * 1024) - 3
        guard limit > 0,
            let end = (0..<limit).first(where: {
                buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10
            })
        else { return nil }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        let headers = lines.dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0") ?? 0
        guard buffer.count >= end + 4 + length else { return nil }
        let body = Array(buffer[(end + 4)..<(end + 4 + length)])
        buffer.removeFirst(end + 4 + length)
        let target = String(requestLine[1])
        let parts = target.split(separator: "?", maxSplits: 1)
        return Request(
            method: String(requestLine[0]), path: String(parts[0]), query: parts.count > 1 ? String(parts[1]) : "",
            headers: headers, body: body)
    }
}
