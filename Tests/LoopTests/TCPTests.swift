import Loop
import LoopTestSupport
import XCTest

/// A listener on 127.0.0.1:0 that keeps what every accepted connection reads, and optionally echoes it.
private final class TestServer {
    let listener: TCPListener
    private(set) var accepted: [TCPConnection] = []
    private(set) var received: [UInt8] = []
    /// One entry per accepted connection that ended (`nil` for EOF).
    private(set) var ended: [UVError?] = []

    init(loop: EventLoop, echo: Bool) throws {
        listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        try listener.listen { [unowned self] connection in
            self.accepted.append(connection)
            do {
                try connection.startReading(
                    onRead: { [unowned self, unowned connection] bytes in
                        self.received += bytes
                        if echo { connection.write(bytes) }
                    },
                    onEnd: { [unowned self, unowned connection] error in
                        self.ended.append(error)
                        connection.close()
                    })
            } catch {
                XCTFail("startReading on an accepted connection: \(error)")
                connection.close()
            }
        }
    }

    var port: Int { listener.port }

    func close() {
        listener.close()
        for connection in accepted { connection.close() }
    }
}

final class TCPTests: LoopTestCase {
    /// Connects to 127.0.0.1:`port`, running the loop until the connect completes.
    private func connect(port: Int, file: StaticString = #filePath, line: UInt = #line) throws -> TCPConnection {
        var result: Result<TCPConnection, UVError>?
        TCPConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result = $0 }
        runLoop(loop, until: { result != nil }, timeout: 5_000, file: file, line: line)
        return try XCTUnwrap(result, file: file, line: line).get()
    }

    func testListenerOnPortZeroGetsAPort() throws {
        let server = try TestServer(loop: loop, echo: false)
        XCTAssertGreaterThan(server.port, 0)
        XCTAssertLessThanOrEqual(server.port, 65_535)
        server.close()
        try closeLoop()
    }

    func testEchoRoundTripOnSeveralConnections() throws {
        let server = try TestServer(loop: loop, echo: true)
        var clients: [TCPConnection] = []
        var received: [[UInt8]] = [[], [], []]
        var clientEnds: [UVError?] = []
        var writeResults: [UVError?] = []
        for index in 0..<3 {
            let client = try connect(port: server.port)
            client.setNoDelay(true)
            clients.append(client)
            try client.startReading(onRead: { received[index] += $0 }, onEnd: { clientEnds.append($0) })
            client.write(Array("hello from \(index)".utf8)) { writeResults.append($0) }
        }
        runLoop(loop, until: { received.map(\.text) == ["hello from 0", "hello from 1", "hello from 2"] }, timeout: 5_000)
        XCTAssertEqual(received.map(\.text), ["hello from 0", "hello from 1", "hello from 2"])
        XCTAssertEqual(writeResults, [nil, nil, nil])
        XCTAssertEqual(server.accepted.count, 3)

        // Half-close each client: the server reads EOF, closes its side, and each client reads EOF in turn.
        for client in clients { client.shutdown() }
        runLoop(loop, until: { clientEnds.count == 3 }, timeout: 5_000)
        XCTAssertEqual(clientEnds, [nil, nil, nil])
        XCTAssertEqual(server.ended, [nil, nil, nil])
        for client in clients { client.close() }
        server.close()
        try closeLoop()
    }

    func testLargeWritesArriveIntactAndInOrder() throws {
        let server = try TestServer(loop: loop, echo: false)
        let client = try connect(port: server.port)
        // 3 MiB with a period (251) that does not divide any buffer size, so a reordered or repeated chunk shows.
        let big = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let tail = Array("and the tail".utf8)
        var completions: [String] = []
        var errors: [UVError] = []
        client.write(big) { error in
            if let error { errors.append(error) }
            completions.append("big")
        }
        client.write(tail) { error in
            if let error { errors.append(error) }
            completions.append("tail")
        }
        client.shutdown { error in
            if let error { errors.append(error) }
            completions.append("shutdown")
        }
        runLoop(loop, until: { server.ended.count == 1 && completions.count == 3 }, timeout: 30_000)
        XCTAssertEqual(errors, [])
        XCTAssertEqual(completions, ["big", "tail", "shutdown"], "writes complete in the order they were made")
        let expected = big + tail
        XCTAssertEqual(server.received.count, expected.count)
        if server.received != expected {
            let firstDifference =
                zip(server.received, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(server.received.count, expected.count)
            XCTFail("received bytes differ from what was written, first at offset \(firstDifference)")
        }
        XCTAssertEqual(server.ended, [nil])
        XCTAssertEqual(client.pendingWriteBytes, 0)
        client.close()
        server.close()
        try closeLoop()
    }

    func testPeerCloseDeliversEOF() throws {
        let server = try TestServer(loop: loop, echo: false)
        let client = try connect(port: server.port)
        var reads = 0
        var ends: [UVError?] = []
        try client.startReading(onRead: { _ in reads += 1 }, onEnd: { ends.append($0) })
        runLoop(loop, until: { server.accepted.count == 1 }, timeout: 5_000)
        server.accepted[0].close()
        runLoop(loop, until: { !ends.isEmpty }, timeout: 5_000)
        XCTAssertEqual(ends, [nil], "a peer that closes cleanly gives onEnd(nil), once")
        XCTAssertEqual(reads, 0)
        client.close()
        runLoop(loop, for: 10)
        XCTAssertEqual(ends.count, 1, "closing after EOF does not call onEnd again")
        server.close()
        try closeLoop()
    }

    func testWriteAfterCloseReportsAnError() throws {
        let server = try TestServer(loop: loop, echo: false)
        let client = try connect(port: server.port)
        var ends: [UVError?] = []
        try client.startReading(onRead: { _ in }, onEnd: { ends.append($0) })
        client.close()
        XCTAssertEqual(ends.map { $0?.name }, ["ECANCELED"], "closing a reading stream ends it with ECANCELED")
        XCTAssertEqual(ends.first??.isDisconnect, true)

        var results: [UVError?] = []
        client.write(Array("too late".utf8)) { results.append($0) }
        XCTAssertEqual(results.count, 1, "the completion runs at once")
        XCTAssertEqual(results.first??.name, "ECANCELED")
        XCTAssertEqual(client.pendingWriteBytes, 0)
        server.close()
        try closeLoop()
    }

    func testWriteAfterShutdownReportsEPIPE() throws {
        let server = try TestServer(loop: loop, echo: false)
        let client = try connect(port: server.port)
        var shutdownResult: [UVError?] = []
        client.shutdown { shutdownResult.append($0) }
        var results: [UVError?] = []
        client.write(Array("after FIN".utf8)) { results.append($0) }
        runLoop(loop, until: { !results.isEmpty && !shutdownResult.isEmpty && server.ended.count == 1 }, timeout: 5_000)
        XCTAssertEqual(results.map { $0?.name }, ["EPIPE"])
        XCTAssertEqual(shutdownResult, [nil])
        XCTAssertEqual(server.received, [], "nothing written after the half-close reached the peer")
        client.close()
        server.close()
        try closeLoop()
    }

    func testConnectToAHostNameThatIsNotAnAddressFails() throws {
        var result: Result<TCPConnection, UVError>?
        TCPConnection.connect(loop: loop, host: "localhost", port: 80) { result = $0 }
        runLoop(loop, until: { result != nil }, timeout: 5_000)
        if case .failure(let error)? = result {
            XCTAssertEqual(error.name, "EINVAL")
            XCTAssertTrue("\(error)".contains("localhost:80"), "\(error)")
        } else {
            XCTFail("connect takes IPv4 literals only: \(String(describing: result))")
        }
        try closeLoop()
    }

    func testWritesToAPeerThatClosedEventuallyFailWithADisconnect() throws {
        let server = try TestServer(loop: loop, echo: false)
        let client = try connect(port: server.port)
        var ends: [UVError?] = []
        try client.startReading(onRead: { _ in }, onEnd: { ends.append($0) })
        runLoop(loop, until: { server.accepted.count == 1 }, timeout: 5_000)
        server.accepted[0].close()
        runLoop(loop, until: { !ends.isEmpty }, timeout: 5_000)

        // The first write after the peer is gone may still be accepted by the kernel; the RST it provokes makes a
        // later one fail. Write again on a later turn (never from inside the completion) until one fails.
        var failure: UVError?
        var attempts = 0
        func attempt() {
            attempts += 1
            client.write(Array(repeating: UInt8(ascii: "x"), count: 1024)) { error in
                if let error { failure = error } else { self.loop.execute(attempt) }
            }
        }
        attempt()
        runLoop(loop, until: { failure != nil }, timeout: 5_000)
        XCTAssertEqual(failure?.isDisconnect, true, "expected EPIPE or ECONNRESET, got \(String(describing: failure))")
        XCTAssertLessThan(attempts, 100)
        client.close()
        server.close()
        try closeLoop()
    }

    func testListenOnATakenPortThrowsADescriptiveError() throws {
        let first = try TestServer(loop: loop, echo: false)
        let port = first.port
        func check(_ error: Error) {
            guard let error = error as? UVError else { return XCTFail("not a UVError: \(error)") }
            XCTAssertEqual(error.name, "EADDRINUSE")
            XCTAssertTrue(error.description.contains("127.0.0.1:\(port)"), "the message names the address: \(error)")
            XCTAssertTrue(error.description.contains("EADDRINUSE"), "\(error)")
            XCTAssertTrue(error.description.lowercased().contains("address already in use"), "\(error)")
        }
        // Linux reports EADDRINUSE from listen() (libuv defers the bind error); other systems from bind().
        do {
            let second = try TCPListener(loop: loop, host: "127.0.0.1", port: port)
            XCTAssertThrowsError(try second.listen { _ in XCTFail("accepted on a port someone else holds") }) { check($0) }
            second.close()
        } catch {
            check(error)
        }
        first.close()
        try closeLoop()
    }

    func testBindToAnInvalidAddressThrows() throws {
        XCTAssertThrowsError(try TCPListener(loop: loop, host: "not an address", port: 0)) { error in
            XCTAssertEqual((error as? UVError)?.name, "EINVAL")
            XCTAssertTrue("\(error)".contains("not an address"), "\(error)")
        }
        try closeLoop()
    }

    func testConnectToAClosedPortFails() throws {
        // Borrow a free port, then give it back.
        let borrowed = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        let port = borrowed.port
        borrowed.close()
        var result: Result<TCPConnection, UVError>?
        TCPConnection.connect(loop: loop, host: "127.0.0.1", port: port) { result = $0 }
        runLoop(loop, until: { result != nil }, timeout: 5_000)
        switch result {
        case .failure(let error)?: XCTAssertEqual(error.name, "ECONNREFUSED")
        case .success(let connection)?:
            XCTFail("connected to a port nobody listens on")
            connection.close()
        case nil: break
        }
        try closeLoop()
    }
}
