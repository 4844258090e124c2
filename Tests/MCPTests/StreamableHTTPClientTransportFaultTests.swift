import HTTPServer
import JSON
import JSONRPC
import Loop
import XCTest

@testable import MCP

/// A scripted Streamable HTTP server: `initialize` succeeds with session "s-1", notifications get 202, DELETE 200;
/// GET and every other request go to the test's closures.
final class ScriptedServer {
    var onGet: (HTTPRequest, HTTPResponseWriter) -> Void = { _, response in response.respond(status: 405) }
    var onRequest: (_ method: String, _ id: RequestID, HTTPResponseWriter) -> Void = { _, _, response in
        response.respond(status: 500)
    }
    private(set) var notifications: [String] = []

    init(_ world: HTTPWorld) {
        world.handler = { [unowned self] request, response in self.handle(request, response) }
    }

    private func handle(_ request: HTTPRequest, _ response: HTTPResponseWriter) {
        switch request.method {
        case "GET": return onGet(request, response)
        case "DELETE": return response.respond(status: 200)
        default: break
        }
        switch try? JSONRPCMessage.decode(request.body[...]) {
        case let .request(id, "initialize", _)?:
            let result: JSON = [
                "protocolVersion": "2025-11-25", "capabilities": ["tools": ["listChanged": true]],
                "serverInfo": ["name": "scripted", "version": "1"],
            ]
            response.respond(
                status: 200, headers: ["Content-Type": "application/json", "Mcp-Session-Id": "s-1"],
                body: JSONRPCMessage.response(id: id, result: result).serialized())
        case let .request(id, method, _)?:
            onRequest(method, id, response)
        case let .notification(method, _)?:
            notifications.append(method)
            response.respond(status: 202)
        default:
            response.respond(status: 202)
        }
    }

    static let sseHeaders: HTTPHeaders = ["Content-Type": "text/event-stream"]

    /// One SSE event the way Python's sse-starlette writes it (CRLF line endings).
    static func event(_ message: JSONRPCMessage, id: String? = nil) -> [UInt8] {
        Array("event: message\r\n\(id.map { "id: \($0)\r\n" } ?? "")data: \(message.json.jsonString)\r\n\r\n".utf8)
    }
}

final class StreamableHTTPClientTransportFaultTests: XCTestCase {
    private func connected(_ world: HTTPWorld) -> (ScriptedServer, MCPClient, StreamableHTTPClientTransport) {
        let scripted = ScriptedServer(world)
        let (client, transport) = world.makeClient()
        XCTAssertNoThrow(try world.connect(client)?.get())
        XCTAssertEqual(transport.sessionID, "s-1")
        return (scripted, client, transport)
    }

    private func request(
        _ world: HTTPWorld, _ client: MCPClient, _ method: String, timeout: UInt64? = 5_000,
        file: StaticString = #filePath, line: UInt = #line
    ) -> Result<JSON, JSONRPCError>? {
        var result: Result<JSON, JSONRPCError>?
        client.request(method, params: nil, timeoutMilliseconds: timeout) { result = $0 }
        world.run(file: file, line: line) { result != nil }
        return result
    }

    func testHTTPErrorOnALaterRequestCarriesTheStartOfTheBody() throws {
        let world = try HTTPWorld()
        let (scripted, client, transport) = connected(world)
        var diagnostics: [String] = []
        transport.onDiagnostic = { diagnostics.append($0) }
        scripted.onRequest = { _, _, response in
            response.respond(
                status: 500, headers: ["Content-Type": "text/plain"], body: Array(String(repeating: "x", count: 300).utf8))
        }
        guard case .failure(let error)? = request(world, client, "tools/list") else { return XCTFail("expected a failure") }
        // The message names the server: a gateway's client sees many.
        XCTAssertEqual(error.message, "test server: HTTP 500 from \(world.url): \(String(repeating: "x", count: 200))")
        world.run { transport.streamDisabled }
        XCTAssertEqual(diagnostics, [], "a 405 on GET is not worth a diagnostic")
        XCTAssertEqual(scripted.notifications, ["notifications/initialized"])
        world.stop(client)
        try world.finish()
    }

    func testJSONBatchAnswerIsDeliveredMessageByMessage() throws {
        let world = try HTTPWorld()
        let (scripted, client, _) = connected(world)
        var logs = 0
        client.onNotification = { method, _ in if method == "notifications/message" { logs += 1 } }
        scripted.onRequest = { _, id, response in
            let batch: JSON = [
                JSONRPCMessage.notification(method: "notifications/message", params: ["level": "info", "data": "hi"]).json,
                JSONRPCMessage.response(id: id, result: ["tools": []]).json,
            ]
            response.respond(status: 200, headers: ["Content-Type": "application/json"], body: batch.serialized())
        }
        XCTAssertEqual(try request(world, client, "tools/list")?.get(), ["tools": []])
        XCTAssertEqual(logs, 1)
        world.stop(client)
        try world.finish()
    }

    func testSessionExpiryEndsTheConnection() throws {
        let world = try HTTPWorld()
        let (scripted, client, _) = connected(world)
        var closeReason: String?
        client.onClose = { closeReason = $0 }
        scripted.onRequest = { _, _, response in response.respond(status: 404, body: Array("no such session".utf8)) }
        guard case .failure(let error)? = request(world, client, "tools/list") else { return XCTFail("expected a failure") }
        XCTAssertTrue(error.message.contains("session expired (HTTP 404)"), error.message)
        XCTAssertEqual(closeReason, "session expired (HTTP 404)")
        world.stop(client)
        XCTAssertFalse(world.requests.contains { $0.method == "DELETE" }, "an expired session is not deleted")
        try world.finish()
    }

    func testAnswerAsChunkedEventsAndTheGETStreamReopensAfterADrop() throws {
        let world = try HTTPWorld()
        let scripted = ScriptedServer(world)
        let (client, transport) = world.makeClient()
        transport.streamRetryMilliseconds = 10
        var notifications: [String] = []
        client.onNotification = { method, _ in notifications.append(method) }
        var streams: [HTTPResponseWriter] = []
        scripted.onGet = { _, response in
            streams.append(response)
            response.startStream(status: 200, headers: ScriptedServer.sseHeaders)
            response.write(Array(": stream open\r\n\r\n".utf8))
            response.write(
                ScriptedServer.event(
                    .notification(method: "notifications/tools/list_changed", params: nil), id: "g\(streams.count)"))
            if streams.count == 1 { response.end() }  // the first stream drops: the client must reopen it
        }
        scripted.onRequest = { _, id, response in
            response.startStream(status: 200, headers: ScriptedServer.sseHeaders)
            let log = JSONRPCMessage.notification(
                method: "notifications/message", params: ["level": "info", "data": "working"])
            let bytes =
                Array(": keep-alive\r\n\r\n".utf8) + ScriptedServer.event(log) + Array("id: 5\r\ndata:\r\n\r\n".utf8)
                + ScriptedServer.event(.response(id: id, result: ["tools": [["name": "t"]]]))
            // Seven bytes at a time, a millisecond apart: events and line breaks span chunks.
            let chunks = stride(from: 0, to: bytes.count, by: 7).map { Array(bytes[$0..<min($0 + 7, bytes.count)]) }
            for (index, chunk) in chunks.enumerated() {
                world.after(UInt64(index + 1)) {
                    response.write(chunk)
                    if index == chunks.count - 1 { response.end() }
                }
            }
        }
        XCTAssertNoThrow(try world.connect(client)?.get())
        XCTAssertEqual(try request(world, client, "tools/list")?.get()["tools"]?[0]?["name"], "t")
        XCTAssertTrue(notifications.contains("notifications/message"), "\(notifications)")

        world.run { notifications.filter { $0 == "notifications/tools/list_changed" }.count == 2 }
        let gets = world.requests.filter { $0.method == "GET" }
        XCTAssertEqual(gets.count, 2)
        XCTAssertNil(gets.first?.headers["Last-Event-ID"])
        XCTAssertEqual(gets.last?.headers["Last-Event-ID"], "g1")
        world.stop(client)
        world.run { streams.allSatisfy(\.isFinished) }
        try world.finish()
    }

    func testPeerTimeoutCancelsThePOST() throws {
        let world = try HTTPWorld()
        let (scripted, client, _) = connected(world)
        var hanging: HTTPResponseWriter?
        var disconnected = false
        scripted.onRequest = { _, _, response in
            hanging = response
            response.onCancel = { disconnected = true }
        }
        guard case .failure(let error)? = request(world, client, "tools/call", timeout: 100) else {
            return XCTFail("expected a failure")
        }
        XCTAssertTrue(error.message.hasPrefix("test server: Request timed out"), error.message)
        world.run { disconnected && scripted.notifications.contains("notifications/cancelled") }
        XCTAssertNotNil(hanging)
        world.stop(client)
        try world.finish()
    }

    func testStopCancelsRequestsInFlightAndDeletesTheSession() throws {
        let world = try HTTPWorld()
        let (scripted, client, transport) = connected(world)
        var hanging: HTTPResponseWriter?
        var disconnected = false
        scripted.onRequest = { _, _, response in
            hanging = response
            response.onCancel = { disconnected = true }
        }
        var result: Result<JSON, JSONRPCError>?
        client.request("tools/call", params: nil, timeoutMilliseconds: nil) { result = $0 }
        world.run { hanging != nil }
        world.stop(client)
        guard case .failure? = result else { return XCTFail("the request in flight must fail at stop") }
        world.run { disconnected }
        XCTAssertEqual(world.requests.last?.method, "DELETE")
        XCTAssertEqual(world.requests.last?.headers["Mcp-Session-Id"], "s-1")
        XCTAssertEqual(transport.state, .stopped)
        try world.finish()
    }
}

extension StreamableHTTPClientTransportFaultTests {
    /// A server that answers a POST with a priming event and closes the stream (SSE polling), then replays the
    /// rest to a GET with `Last-Event-ID`: the request gets its response.
    func testAResponseStreamClosedEarlyIsResumedWithLastEventID() throws {
        let world = try HTTPWorld()
        let (scripted, client, _) = connected(world)
        var pending: RequestID?
        var resumptions: [String?] = []
        scripted.onRequest = { _, id, response in
            pending = id
            response.startStream(status: 200, headers: ScriptedServer.sseHeaders)
            response.write(Array("id: p1\r\nretry: 20\r\ndata:\r\n\r\n".utf8))  // priming event, then closed
            response.end()
        }
        scripted.onGet = { request, response in
            guard let last = request.headers["Last-Event-ID"] else { return response.respond(status: 405) }
            resumptions.append(last)
            response.startStream(status: 200, headers: ScriptedServer.sseHeaders)
            if resumptions.count == 1 {  // nothing new yet: closed again, with a newer id
                response.write(Array("id: p2\r\ndata:\r\n\r\n".utf8))
            } else if let id = pending {
                response.write(ScriptedServer.event(.response(id: id, result: ["content": []]), id: "p3"))
            }
            response.end()
        }
        XCTAssertEqual(try request(world, client, "tools/call")?.get(), ["content": []])
        XCTAssertEqual(resumptions, ["p1", "p2"])
        world.stop(client)
        try world.finish()
    }

    /// A server that refuses the resumption (no GET stream): the request fails at once, naming the status.
    func testARefusedResumptionFailsTheRequestWithTheStatus() throws {
        let world = try HTTPWorld()
        let (scripted, client, _) = connected(world)
        scripted.onRequest = { _, _, response in
            response.startStream(status: 200, headers: ScriptedServer.sseHeaders)
            response.write(Array("id: 1\r\ndata:\r\n\r\n".utf8))
            response.end()
        }
        guard case .failure(let error)? = request(world, client, "tools/call") else {
            return XCTFail("expected a failure")
        }
        XCTAssertTrue(error.message.contains("HTTP 405"), error.message)
        world.stop(client)
        try world.finish()
    }
}
