// MCP over Streamable HTTP for the benchmark: session setup, and the sequential and concurrent call loops.

import BenchSupport
import Foundation
import JSON

/// What each measured HTTP call does.
enum HTTPTarget: Sendable {
    /// `GET /healthz`: the gateway's HTTP stack with no MCP work, the baseline.
    case healthz
    /// `POST /mcp` with `tools/call` of this tool.
    case call(tool: String)
}

/// Builds request bytes for one gateway; immutable, shared by every worker thread.
struct HTTPRequests: Sendable {
    let port: UInt16
    let sessionID: String?
    /// The request line and headers of `POST /mcp`, up to the `Content-Length` value.
    private let postHead: [UInt8]
    /// `GET /healthz`.
    let healthz: [UInt8]

    init(port: UInt16, sessionID: String? = nil) {
        self.port = port
        self.sessionID = sessionID
        var head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        head += "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
        if let sessionID { head += "Mcp-Session-Id: \(sessionID)\r\nMCP-Protocol-Version: 2025-11-25\r\n" }
        head += "Content-Length: "
        postHead = Array(head.utf8)
        healthz = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
    }

    /// `POST /mcp` carrying `body`.
    func post(_ body: [UInt8]) -> [UInt8] {
        var request = postHead
        request.reserveCapacity(postHead.count + body.count + 8)
        appendDecimal(body.count, to: &request)
        request.append(contentsOf: [0x0D, 0x0A, 0x0D, 0x0A])
        request.append(contentsOf: body)
        return request
    }
}

/// The JSON-RPC messages in a `/mcp` answer: one JSON body, or the `data:` lines of an SSE stream.
func messages(in response: HTTPResponse) throws(BenchError) -> [ArraySlice<UInt8>] {
    guard response.header("content-type")?.hasPrefix("text/event-stream") == true else { return [response.body[...]] }
    var found: [ArraySlice<UInt8>] = []
    for line in response.body.split(separator: 0x0A) {
        let prefix = Array("data:".utf8)
        guard line.starts(with: prefix) else { continue }
        var payload = line.dropFirst(prefix.count)
        if payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
        if payload.last == 0x0D { payload = payload.dropLast() }
        found.append(payload)
    }
    return found
}

/// Sends one control request on `connection` and returns its result.
func httpRequest(
    _ connection: HTTPConnection, _ requests: HTTPRequests, id: String, _ method: String,
    _ params: JSON = [:]
) throws(BenchError) -> (result: JSON, response: HTTPResponse) {
    let body: JSON = ["jsonrpc": "2.0", "id": .string(id), "method": .string(method), "params": params]
    try connection.send(requests.post(body.serialized()))
    let response = try connection.readResponse()
    guard response.status == 200 else {
        throw BenchError(
            "POST /mcp \(method): HTTP \(response.status): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
    }
    for bytes in try messages(in: response) {
        guard let message = try? JSON.parse(bytes), message["id"]?.stringValue == id else { continue }
        if let error = message["error"] { throw BenchError("POST /mcp \(method) failed: \(error)") }
        return (message["result"] ?? .null, response)
    }
    throw BenchError("POST /mcp \(method): no answer in the response")
}

/// `initialize` + `notifications/initialized` over HTTP; returns the requests carrying the new session id.
func httpHandshake(_ connection: HTTPConnection, port: UInt16) throws(BenchError) -> HTTPRequests {
    let (_, response) = try httpRequest(connection, HTTPRequests(port: port), id: "init", "initialize", initializeParams)
    guard let session = response.header("mcp-session-id") else { throw BenchError("initialize returned no Mcp-Session-Id") }
    let requests = HTTPRequests(port: port, sessionID: session)
    let note: JSON = ["jsonrpc": "2.0", "method": "notifications/initialized"]
    try connection.send(requests.post(note.serialized()))
    let accepted = try connection.readResponse()
    guard accepted.status == 202 || accepted.status == 200 else {
        throw BenchError("notifications/initialized: HTTP \(accepted.status)")
    }
    return requests
}

/// Measures calls with ids in `ids` on one connection, one after another; returns each call's latency.
func httpLoop(
    _ connection: HTTPConnection, _ requests: HTTPRequests, _ target: HTTPTarget,
    ids: Range<Int>
) throws(BenchError) -> [UInt64] {
    var latencies: [UInt64] = []
    latencies.reserveCapacity(ids.count)
    switch target {
    case .healthz:
        let request = requests.healthz
        for _ in ids {
            let sent = now()
            try connection.send(request)
            let response = try connection.readResponse()
            guard response.status == 200, !response.body.isEmpty else {
                throw BenchError("/healthz: HTTP \(response.status)")
            }
            latencies.append(now() - sent)
        }
    case .call(let tool):
        let template = CallTemplate(tool: tool, newline: false)
        var body: [UInt8] = []
        for id in ids {
            template.write(id: id, into: &body)
            let request = requests.post(body)
            let sent = now()
            try connection.send(request)
            let response = try connection.readResponse()
            guard response.status == 200 else { throw BenchError("tools/call over HTTP: HTTP \(response.status)") }
            var answered = false
            for message in try messages(in: response) where try checkCallResponse(message) == id { answered = true }
            guard answered else { throw BenchError("tools/call over HTTP: no answer for id \(id)") }
            latencies.append(now() - sent)
        }
    }
    return latencies
}

/// Collects what the worker threads measured. Every access holds `lock`, which is what makes it Sendable.
private final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var latencies: [UInt64] = []
    private var errors: [String] = []

    func add(_ measured: [UInt64]) { lock.withLock { latencies += measured } }
    func fail(_ error: BenchError) { lock.withLock { errors.append(error.description) } }
    var result: (latencies: [UInt64], errors: [String]) { lock.withLock { (latencies, errors) } }
}

/// Measures `calls` calls spread over `connections`, one thread per connection, all running at once.
func httpConcurrent(
    _ connections: [HTTPConnection], _ requests: HTTPRequests, _ target: HTTPTarget, calls: Int,
    watch: ChildProcess?
) throws(BenchError) -> Run {
    let collector = Collector()
    let group = DispatchGroup()
    let perConnection = calls / connections.count
    let cpuBefore = watch?.cpuNanos()
    let start = now()
    for (index, connection) in connections.enumerated() {
        let ids = (index * perConnection + 1)..<((index + 1) * perConnection + 1)
        group.enter()
        let thread = Thread {
            do throws(BenchError) {
                collector.add(try httpLoop(connection, requests, target, ids: ids))
            } catch {
                collector.fail(error)
            }
            group.leave()
        }
        thread.start()
    }
    group.wait()
    let elapsed = now() - start
    let (latencies, errors) = collector.result
    if let first = errors.first {
        throw BenchError("\(errors.count) of \(connections.count) connections failed; first: \(first)")
    }
    return Run(
        calls: latencies.count, elapsedNanos: elapsed, latencies: latencies,
        gatewayCPUNanos: cpuDelta(watch, cpuBefore))
}

/// Connects to the gateway at `port` until it answers `/healthz` or `seconds` pass.
func waitForHTTP(port: UInt16, seconds: Double = 20) throws(BenchError) {
    let deadline = now() + UInt64(seconds * 1e9)
    while true {
        if let connection = try? HTTPConnection(port: port),
            (try? connection.send(HTTPRequests(port: port).healthz)) != nil,
            let response = try? connection.readResponse(), response.status == 200
        {
            return
        }
        if now() > deadline { throw BenchError("the gateway did not answer /healthz on port \(port) within \(seconds) s") }
        usleep(20_000)
    }
}
