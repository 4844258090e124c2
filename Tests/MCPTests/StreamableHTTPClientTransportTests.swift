import HTTPClient
import HTTPServer
import JSON
import JSONRPC
import Logging
import Loop
import LoopTestSupport
import XCTest

@testable import MCP

/// One test's world: a loop, an `HTTPServer` on 127.0.0.1:0 whose handler the test sets, and an `HTTPClient` for
/// the transports. `finish()` closes everything, then the loop, which throws if a handle leaked.
final class HTTPWorld {
    let loop: EventLoop
    let scheduler: LoopScheduler
    let httpClient: HTTPClient
    private(set) var server: HTTPServer!
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    var handler: (HTTPRequest, HTTPResponseWriter) -> Void = { _, response in response.respond(status: 404) }
    /// Every request the server received, in order.
    private(set) var requests: [HTTPRequest] = []
    /// Objects that must live as long as the world (e.g. a backend an `MCPServer` holds unowned).
    var keep: [AnyObject] = []
    private var timers: [Loop.Timer] = []
    private var finished = false

    init() throws {
        loop = try EventLoop()
        scheduler = LoopScheduler(loop: loop)
        httpClient = try HTTPClient(loop: loop)
        server = try HTTPServer(loop: loop, host: "127.0.0.1", port: 0) { [unowned self] request, response in
            self.requests.append(request)
            self.handler(request, response)
        }
    }

    deinit {
        // A test that failed half-way must still not drop an open loop or client (both trap).
        if !finished { try? finish() }
    }

    var url: String { "http://127.0.0.1:\(server.port)/mcp" }

    func makeClient(url: String? = nil, headers: [String: String] = [:]) -> (MCPClient, StreamableHTTPClientTransport) {
        let transport = StreamableHTTPClientTransport(
            client: httpClient, url: url ?? self.url, headers: headers, logger: logger)
        let client = MCPClient(
            transport: transport, scheduler: scheduler, clientInfo: ["name": "tests", "version": "1"],
            label: "test server", logger: logger)
        return (client, transport)
    }

    /// Runs the loop until `condition` holds; fails the test after `milliseconds`. Never sleeps.
    @discardableResult
    func run(
        for milliseconds: UInt64 = 5_000, file: StaticString = #filePath, line: UInt = #line,
        until condition: () -> Bool
    ) -> Bool {
        runLoop(loop, until: condition, timeout: milliseconds, file: file, line: line)
    }

    /// Runs `body` after `milliseconds` (a one-shot timer that `finish` closes if it has not fired).
    func after(_ milliseconds: UInt64, _ body: @escaping () -> Void) {
        timers.append(try! Loop.Timer.once(on: loop, after: milliseconds, body))
    }

    /// Connects `client` and returns the result.
    func connect(_ client: MCPClient, file: StaticString = #filePath, line: UInt = #line) -> Result<Void, JSONRPCError>? {
        var result: Result<Void, JSONRPCError>?
        client.connect(timeoutMilliseconds: 10_000) { result = $0 }
        run(file: file, line: line) { result != nil }
        return result
    }

    /// Stops `client` (and its transport) and waits for the completion.
    func stop(_ client: MCPClient, file: StaticString = #filePath, line: UInt = #line) {
        var stopped = false
        client.stop(reason: "test done") { stopped = true }
        run(file: file, line: line) { stopped }
    }

    func finish(file: StaticString = #filePath, line: UInt = #line) throws {
        finished = true
        timers.forEach { $0.close() }
        var clientClosed = false, serverClosed = false
        httpClient.close { clientClosed = true }
        server.close { serverClosed = true }
        run(file: file, line: line) { clientClosed && serverClosed }
        server = nil
        try loop.close()
    }
}

/// A backend with one tool, `echo`, which reports progress once (so its answer travels as an SSE stream).
final class EchoBackend: MCPServerBackend {
    func tools(for session: MCPServerSession) -> [JSON] {
        [
            [
                "name": "echo", "description": "Echoes text",
                "inputSchema": ["type": "object", "properties": ["text": ["type": "string"]]],
            ]
        ]
    }
    func callTool(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession) {
        guard name == "echo" else { return request.fail(.invalidParams("unknown tool \(name)")) }
        request.sendProgress(0.5, total: 1, message: "echoing")
        request.respond(["content": [["type": "text", "text": arguments?["text"] ?? ""]]])
    }
    func resources(for session: MCPServerSession) -> [JSON] { [] }
    func resourceTemplates(for session: MCPServerSession) -> [JSON] { [] }
    func readResource(uri: String, request: IncomingRequest, session: MCPServerSession) { request.fail(.invalidParams(uri)) }
    func prompts(for session: MCPServerSession) -> [JSON] { [] }
    func getPrompt(name: String, arguments: JSON?, request: IncomingRequest, session: MCPServerSession) {
        request.fail(.invalidParams(name))
    }
    func complete(params: JSON, request: IncomingRequest, session: MCPServerSession) {
        request.respond(["completion": ["values": []]])
    }
}

final class StreamableHTTPClientTransportTests: XCTestCase {
    func testEndToEndAgainstOurOwnServer() throws {
        let world = try HTTPWorld()
        let backend = EchoBackend()
        world.keep.append(backend)
        let server = MCPServer(
            info: MCPServerInfo(name: "echo-server", version: "1.0"), backend: backend,
            scheduler: world.scheduler, logger: world.logger)
        let endpoint = StreamableHTTPServerTransport(
            server: server, loop: world.loop, allowedOrigins: [],
            maxBodyBytes: 1 << 20, logger: world.logger)
        var streamsOpened = 0
        world.handler = { request, response in
            endpoint.handle(request, response)
            if request.method == "GET", !response.isFinished { streamsOpened += 1 }
        }
        let (client, transport) = world.makeClient(headers: ["X-Api-Key": "k1", "Accept": "text/html"])
        var diagnostics: [String] = []
        transport.onDiagnostic = { diagnostics.append($0) }
        var notifications: [String] = []
        client.onNotification = { method, _ in notifications.append(method) }

        XCTAssertNoThrow(try world.connect(client)?.get())
        XCTAssertEqual(client.serverInfo?["name"], "echo-server")
        XCTAssertNotNil(transport.sessionID)

        var tools: Result<[JSON], JSONRPCError>?
        client.listAll("tools/list", key: "tools", timeoutMilliseconds: 5_000) { tools = $0 }
        world.run { tools != nil }
        XCTAssertEqual(try tools?.get().map { $0["name"] }, ["echo"])

        var progress: [JSON] = []
        var call: Result<JSON, JSONRPCError>?
        client.request(
            "tools/call", params: ["name": "echo", "arguments": ["text": "héllo"]], timeoutMilliseconds: 5_000,
            onProgress: { progress.append($0) }
        ) { call = $0 }
        world.run { call != nil }
        XCTAssertEqual(try call?.get()["content"]?[0]?["text"], "héllo")
        XCTAssertEqual(progress.first?["message"], "echoing", "progress travels on the POST's SSE stream")

        // The GET stream carries what the server sends on its own.
        world.run { streamsOpened == 1 }
        server.toolsChanged()
        world.run { notifications.contains("notifications/tools/list_changed") }

        let sessionID = transport.sessionID
        world.stop(client)
        XCTAssertEqual(endpoint.sessionCount, 0, "stop deleted the session")
        XCTAssertEqual(diagnostics, [])

        let posts = world.requests.filter { $0.method == "POST" }
        XCTAssertEqual(posts.count, 4)  // initialize, notifications/initialized, tools/list, tools/call
        for (index, post) in posts.enumerated() {
            XCTAssertEqual(post.headers.values("Accept"), ["application/json, text/event-stream"])
            XCTAssertEqual(post.headers["Content-Type"], "application/json")
            XCTAssertEqual(post.headers["X-Api-Key"], "k1")
            XCTAssertEqual(post.headers["Mcp-Session-Id"], index == 0 ? nil : sessionID)
            XCTAssertEqual(post.headers["MCP-Protocol-Version"], index == 0 ? nil : MCPVersion.latestSessionBased)
        }
        let get = try XCTUnwrap(world.requests.first { $0.method == "GET" })
        XCTAssertEqual(get.headers["Accept"], "text/event-stream")
        XCTAssertEqual(get.headers["Mcp-Session-Id"], sessionID)
        let delete = try XCTUnwrap(world.requests.first { $0.method == "DELETE" })
        XCTAssertEqual(delete.headers["Mcp-Session-Id"], sessionID)

        endpoint.close()
        try world.finish()
    }

    func testHTTP503FailsInitializePromptlyWithTheStatusAndBody() throws {
        let world = try HTTPWorld()
        world.handler = { _, response in
            response.respond(status: 503, headers: ["Content-Type": "text/plain"], body: Array("upstream overloaded\n".utf8))
        }
        let (client, _) = world.makeClient()
        var result: Result<Void, JSONRPCError>?
        client.connect(timeoutMilliseconds: 60_000) { result = $0 }
        world.run(for: 3_000) { result != nil }
        guard case .failure(let error)? = result else {
            return XCTFail("expected a failure, got \(String(describing: result))")
        }
        XCTAssertEqual(error.code, -32000)
        XCTAssertEqual(error.message, "HTTP 503 from \(world.url): upstream overloaded")
        world.stop(client)
        XCTAssertEqual(world.requests.map(\.method), ["POST"], "no session, so no DELETE")
        try world.finish()
    }

    func testUnreachableServerFailsPromptly() throws {
        let world = try HTTPWorld()
        // A port that was just free: bind, read it, close.
        let probe = try HTTPServer(loop: world.loop, host: "127.0.0.1", port: 0) { _, response in
            response.respond(status: 500)
        }
        let port = probe.port
        var probeClosed = false
        probe.close { probeClosed = true }
        world.run { probeClosed }

        let (client, _) = world.makeClient(url: "http://127.0.0.1:\(port)/mcp?token=secret")
        var result: Result<Void, JSONRPCError>?
        client.connect(timeoutMilliseconds: 60_000) { result = $0 }
        world.run(for: 3_000) { result != nil }
        guard case .failure(let error)? = result else { return XCTFail("expected a failure") }
        XCTAssertEqual(error.code, -32000)
        XCTAssertTrue(error.message.hasPrefix("HTTP request failed: connect failed"), error.message)
        XCTAssertTrue(error.message.hasSuffix("(POST http://127.0.0.1:\(port)/mcp)"), error.message)
        XCTAssertFalse(error.message.contains("secret"), "the query string may hold a key")
        world.stop(client)
        try world.finish()
    }

    func testStartRejectsANonHTTPURL() throws {
        let world = try HTTPWorld()
        let (client, _) = world.makeClient(url: "ftp://example.com/mcp")
        guard case .failure(let error)? = world.connect(client) else { return XCTFail("expected a failure") }
        XCTAssertTrue(error.message.contains("not an http:// or https:// URL"), error.message)
        world.stop(client)
        try world.finish()
    }

    func testRedactedURL() {
        XCTAssertEqual(
            StreamableHTTPClientTransport.redacted("https://user:pw@host:8443/mcp?key=1#x"), "https://host:8443/mcp")
        XCTAssertEqual(StreamableHTTPClientTransport.redacted("http://host/a@b"), "http://host/a@b")
    }
}
