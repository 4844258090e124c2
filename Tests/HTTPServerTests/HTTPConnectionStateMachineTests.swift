import XCTest

@testable import HTTPServer

/// The connection's rules as plain values: no sockets, no loop.
final class HTTPConnectionStateMachineTests: XCTestCase {
    typealias Machine = HTTPConnectionStateMachine
    let limits = HTTPServerLimits(
        maxHeaderBytes: 100, maxBodyBytes: 50, headerTimeoutMilliseconds: 10,
        bodyTimeoutMilliseconds: 20, idleTimeoutMilliseconds: 30)

    private func readHead(_ machine: inout Machine, _ head: RequestHead = RequestHead()) -> Machine.Action {
        XCTAssertEqual(machine.event(.messageBegin), .none)
        XCTAssertEqual(machine.event(.headerBytes(40)), .none)
        return machine.event(.headersComplete(head))
    }

    func testSimpleRequestIsDispatchedAndKeptAlive() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(machine.start(), .armTimer(milliseconds: 10))
        XCTAssertEqual(readHead(&machine), .none)
        XCTAssertTrue(machine.isParsing)
        XCTAssertEqual(machine.event(.messageComplete), .dispatch)
        XCTAssertEqual(machine.state, .responding(keepAlive: true))
        XCTAssertFalse(machine.isParsing)
        XCTAssertEqual(machine.event(.timeout), .none, "a stale timer does not disturb the handler")
        XCTAssertEqual(machine.event(.responseEnded(keepAlive: true)), .resume(armTimerMilliseconds: 30))
        XCTAssertEqual(machine.state, .idle(firstRequest: false))
        XCTAssertEqual(
            machine.event(.messageBegin), .armTimer(milliseconds: 10),
            "a later request's head clock starts at its first byte")
    }

    func testBodyArmsBodyTimerAndCountsBytes() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(readHead(&machine, RequestHead(contentLength: 30)), .armTimer(milliseconds: 20))
        XCTAssertEqual(machine.event(.body(30)), .none)
        XCTAssertEqual(machine.state, .readingBody(bytes: 30, keepAlive: true))
        XCTAssertEqual(machine.event(.messageComplete), .dispatch)
    }

    func testExpectContinueSendsInterimResponseOnlyWhenABodyFollows() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(
            readHead(&machine, RequestHead(chunked: true, expectsContinue: true)), .sendContinue(armTimerMilliseconds: 20))
        var bodiless = Machine(limits: limits)
        XCTAssertEqual(readHead(&bodiless, RequestHead(contentLength: 0, expectsContinue: true)), .none)
    }

    func testHeadOverLimitIsRejectedWith431() {
        var machine = Machine(limits: limits)
        _ = machine.event(.messageBegin)
        XCTAssertEqual(machine.event(.headerBytes(60)), .none)
        XCTAssertEqual(machine.event(.headerBytes(41)), .reject(.headTooLarge(limit: 100), armTimerMilliseconds: 30))
        XCTAssertEqual(machine.state, .draining(flushed: false))
        XCTAssertFalse(machine.isParsing)
        XCTAssertEqual(machine.event(.headerBytes(1)), .none)
    }

    func testDeclaredBodyOverLimitIsRejectedBeforeReading() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(
            readHead(&machine, RequestHead(contentLength: 51, expectsContinue: true)),
            .reject(.bodyTooLarge(limit: 50), armTimerMilliseconds: 30))
    }

    func testChunkedBodyAndTrailersCountAgainstTheBodyLimit() {
        var machine = Machine(limits: limits)
        _ = readHead(&machine, RequestHead(chunked: true))
        XCTAssertEqual(machine.event(.body(40)), .none)
        XCTAssertEqual(machine.event(.headerBytes(11)), .reject(.bodyTooLarge(limit: 50), armTimerMilliseconds: 30))
    }

    func testUnsupportedTransferEncodingGets501() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(
            readHead(&machine, RequestHead(chunked: true, unsupportedTransferEncoding: true)),
            .reject(.unsupportedTransferEncoding, armTimerMilliseconds: 30))
        XCTAssertEqual(HTTPRequestError.unsupportedTransferEncoding.status, 501)
    }

    func testTimeoutsDependOnState() {
        var silent = Machine(limits: limits)
        XCTAssertEqual(silent.event(.timeout), .close(cancelResponse: false), "nothing read: close without a word")
        var slowHead = Machine(limits: limits)
        _ = slowHead.event(.messageBegin)
        XCTAssertEqual(slowHead.event(.timeout), .reject(.headTimeout(milliseconds: 10), armTimerMilliseconds: 30))
        var slowBody = Machine(limits: limits)
        _ = readHead(&slowBody, RequestHead(contentLength: 5))
        XCTAssertEqual(slowBody.event(.timeout), .reject(.bodyTimeout(milliseconds: 20), armTimerMilliseconds: 30))
        XCTAssertEqual(slowBody.event(.flushed), .armTimer(milliseconds: Machine.lingerMilliseconds))
        XCTAssertEqual(slowBody.event(.timeout), .close(cancelResponse: false))
        XCTAssertEqual(slowBody.state, .closed)
    }

    func testParseFailuresMapToStatuses() {
        let cases: [(ParseFailure, Int)] = [
            (.malformed("x"), 400), (.headTooLarge, 431), (.unsupportedTransferEncoding, 501),
        ]
        for (failure, status) in cases {
            var machine = Machine(limits: limits)
            _ = machine.event(.messageBegin)
            guard case .reject(let error, _) = machine.event(.parseFailed(failure)) else { return XCTFail("\(failure)") }
            XCTAssertEqual(error.status, status)
        }
    }

    func testConnectionCloseDrainsAfterResponse() {
        var machine = Machine(limits: limits)
        _ = readHead(&machine, RequestHead(keepAlive: false))
        _ = machine.event(.messageComplete)
        XCTAssertEqual(machine.state, .responding(keepAlive: false))
        XCTAssertEqual(machine.event(.responseEnded(keepAlive: true)), .drain(armTimerMilliseconds: 30))
        XCTAssertEqual(machine.event(.flushed), .armTimer(milliseconds: Machine.lingerMilliseconds))
        XCTAssertEqual(machine.event(.peerClosed), .close(cancelResponse: false))
    }

    func testEOFBeforeTheLastResponseFlushedWaitsForTheFlush() {
        var machine = Machine(limits: limits)
        _ = readHead(&machine, RequestHead(keepAlive: false))
        _ = machine.event(.messageComplete)
        _ = machine.event(.responseEnded(keepAlive: false))
        XCTAssertEqual(machine.event(.peerClosed), .none, "a half-closed client still gets the whole response")
        XCTAssertEqual(machine.state, .flushing)
        XCTAssertEqual(machine.event(.flushed), .close(cancelResponse: false))
    }

    func testFailureWhileDrainingClosesAtOnce() {
        var machine = Machine(limits: limits)
        _ = machine.event(.messageBegin)
        _ = machine.event(.parseFailed(.malformed("x")))
        XCTAssertEqual(machine.event(.connectionFailed), .close(cancelResponse: false))
    }

    func testResponseAskingToCloseDrains() {
        var machine = Machine(limits: limits)
        _ = readHead(&machine)
        _ = machine.event(.messageComplete)
        XCTAssertEqual(machine.event(.responseEnded(keepAlive: false)), .drain(armTimerMilliseconds: 30))
    }

    func testDisconnectWhileRespondingCancelsOnce() {
        var machine = Machine(limits: limits)
        _ = readHead(&machine)
        _ = machine.event(.messageComplete)
        XCTAssertEqual(machine.event(.peerClosed), .close(cancelResponse: true))
        XCTAssertEqual(machine.event(.peerClosed), .none)
        XCTAssertEqual(machine.event(.serverClosing), .none)
        XCTAssertEqual(machine.event(.responseEnded(keepAlive: true)), .none)
    }

    func testServerDrainingLetsAResponseInProgressFinishThenCloses() {
        var machine = Machine(limits: limits)
        _ = readHead(&machine)
        _ = machine.event(.messageComplete)
        XCTAssertEqual(machine.event(.serverDraining), .none)
        XCTAssertEqual(
            machine.event(.responseEnded(keepAlive: true)), .drain(armTimerMilliseconds: 30),
            "no further requests on a connection of a closing server")
    }

    func testServerDrainingClosesIdleConnections() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(machine.event(.serverDraining), .close(cancelResponse: false))
    }

    func testServerClosingClosesIdleConnectionWithoutCancel() {
        var machine = Machine(limits: limits)
        XCTAssertEqual(machine.event(.serverClosing), .close(cancelResponse: false))
        XCTAssertEqual(machine.state, .closed)
    }

    func testErrorResponsesNameTheLimitInTheSDKsErrorShape() throws {
        let response = HTTPRequestError.bodyTooLarge(limit: 8_388_608, hint: "raise it with --max-body-mb").responseBytes
        let text = String(decoding: response, as: UTF8.self)
        let body =
            #"{"type":"error","error":{"type":"invalid_request_error","code":"request_too_large","message":"request body exceeds 8388608 bytes (raise it with --max-body-mb)"}}"#
            + "\n"
        XCTAssertEqual(
            text,
            "HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body)
        let quoted = HTTPRequestError.malformed("bad \"header\"\u{1}\\").responseBytes
        let json = try XCTUnwrap(String(decoding: quoted, as: UTF8.self).components(separatedBy: "\r\n\r\n").last)
        XCTAssertTrue(json.contains(#""message":"malformed request: bad \"header\"\u0001\\""#), json)
        XCTAssertTrue(json.contains(#""code":"malformed_request""#), json)
    }
}
