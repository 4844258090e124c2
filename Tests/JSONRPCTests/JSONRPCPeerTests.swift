import JSON
import JSONRPC
import XCTest

/// Timers driven by hand, so timeouts are tested without waiting.
final class ManualScheduler: RPCScheduler {
    final class Task: RPCScheduledTask {
        var body: (() -> Void)?
        let due: UInt64
        init(due: UInt64, body: @escaping () -> Void) { self.due = due; self.body = body }
        func cancel() { body = nil }
    }
    var now: UInt64 = 0
    var tasks: [Task] = []

    func schedule(after milliseconds: UInt64, _ body: @escaping () -> Void) -> RPCScheduledTask {
        let task = Task(due: now + milliseconds, body: body)
        tasks.append(task)
        return task
    }

    func advance(_ milliseconds: UInt64) {
        now += milliseconds
        for task in tasks where task.due <= now { let body = task.body; task.body = nil; body?() }
    }
}

final class JSONRPCPeerTests: XCTestCase {
    var sent: [JSONRPCMessage] = []
    var scheduler = ManualScheduler()

    private func makePeer() -> JSONRPCPeer {
        JSONRPCPeer(scheduler: scheduler) { [unowned self] message in self.sent.append(message) }
    }

    func testRequestCompletesWithTheMatchingResponse() {
        let peer = makePeer()
        var results: [Result<JSON, JSONRPCError>] = []
        peer.request("tools/list") { results.append($0) }
        peer.request("ping") { results.append($0) }
        guard case let .request(firstID, "tools/list", _) = sent[0], case let .request(secondID, "ping", _) = sent[1] else {
            return XCTFail("unexpected \(sent)")
        }
        peer.receive(.response(id: secondID, result: ["pong": true]))
        peer.receive(.error(id: firstID, error: .methodNotFound("tools/list")))
        XCTAssertEqual(results.count, 2)
        XCTAssertEqual(try results[0].get(), ["pong": true])
        XCTAssertThrowsError(try results[1].get())
        XCTAssertEqual(peer.pendingOutgoingCount, 0)
    }

    func testTimeoutFailsTheRequestAndTellsThePeer() {
        let peer = makePeer()
        var result: Result<JSON, JSONRPCError>?
        peer.request("tools/call", timeoutMilliseconds: 500) { result = $0 }
        scheduler.advance(499)
        XCTAssertNil(result)
        scheduler.advance(1)
        guard case .failure(let error)? = result else { return XCTFail("no timeout") }
        XCTAssertTrue(error.message.contains("500 ms"), error.message)
        XCTAssertEqual(
            sent.last.map { if case let .notification(method, _) = $0 { return method } else { return "" } },
            "notifications/cancelled")
    }

    func testIncomingCancellationSuppressesTheResponse() {
        let peer = makePeer()
        var incoming: IncomingRequest?
        var cancelledWith: String?
        peer.onRequest = { request in
            incoming = request
            request.onCancel = { cancelledWith = $0 }
        }
        peer.receive(.request(id: RequestID(9), method: "tools/call", params: nil))
        peer.receive(.notification(method: "notifications/cancelled", params: ["requestId": 9, "reason": "user stopped"]))
        XCTAssertEqual(cancelledWith, "user stopped")
        incoming?.respond(["late": true])
        XCTAssertTrue(sent.isEmpty, "a cancelled request is not answered")
    }

    func testProgressIsRoutedByToken() {
        let peer = makePeer()
        var progress: [JSON] = []
        peer.request("tools/call", params: ["name": "slow"], onProgress: { progress.append($0) }) { _ in }
        guard case let .request(_, _, params?) = sent[0], let token = params["_meta"]?["progressToken"] else {
            return XCTFail("no progress token attached")
        }
        peer.receive(.notification(method: "notifications/progress", params: ["progressToken": token, "progress": 1]))
        XCTAssertEqual(progress.count, 1)
    }

    func testCloseFailsEverythingAtOnce() {
        let peer = makePeer()
        var failures: [String] = []
        peer.request("a") { if case .failure(let e) = $0 { failures.append(e.message) } }
        peer.request("b") { if case .failure(let e) = $0 { failures.append(e.message) } }
        peer.close(reason: "child exited with status 3")
        XCTAssertEqual(failures, ["child exited with status 3", "child exited with status 3"])
        peer.request("c") { if case .failure(let e) = $0 { failures.append(e.message) } }
        XCTAssertEqual(failures.count, 3, "requests after close fail at once")
    }

    func testDuplicateInFlightIDIsRejected() {
        let peer = makePeer()
        peer.onRequest = { _ in }
        peer.receive(.request(id: RequestID(1), method: "x", params: nil))
        peer.receive(.request(id: RequestID(1), method: "x", params: nil))
        guard case let .error(_, error) = sent.last else { return XCTFail("no error") }
        XCTAssertEqual(error.code, -32600)
    }

    func testUnhandledRequestIsMethodNotFound() {
        let peer = makePeer()
        peer.receive(.request(id: RequestID("q"), method: "nope", params: nil))
        guard case let .error(id, error) = sent.last else { return XCTFail("no error") }
        XCTAssertEqual(id, RequestID("q"))
        XCTAssertEqual(error.code, -32601)
    }
}
