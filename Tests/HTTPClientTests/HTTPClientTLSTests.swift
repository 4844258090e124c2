import Foundation
import HTTPClient
import Loop
import XCTest

/// TLS failures map to `.tls`, and certificate verification is on by default.
final class HTTPClientTLSTests: XCTestCase {
    func testPlaintextServerOnAnHTTPSURLIsATLSError() throws {
        let loop = try EventLoop()
        let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        var connections: [TCPConnection] = []
        try listener.listen { connection in
            connections.append(connection)
            // Plain HTTP where a TLS ServerHello belongs.
            connection.write(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8))
        }
        let client = try HTTPClient(loop: loop)
        let recorder = Recorder()
        recorder.start(client, HTTPClientRequest(url: "https://127.0.0.1:\(listener.port)/"))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        guard case .tls? = recorder.error else { return XCTFail("\(recorder.events)") }
        connections.forEach { $0.close() }
        listener.close()
        try shutDown(loop, client, nil)
    }

    func testSelfSignedCertificateIsRejected() throws {
        let loop = try EventLoop()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("httpclient-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let made = try runToExit(
            loop,
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", "\(directory)/key.pem", "-out", "\(directory)/cert.pem",
                "-subj", "/CN=127.0.0.1", "-days", "1",
            ])
        guard made?.code == 0 else { throw XCTSkip("openssl could not make a certificate: \(String(describing: made))") }

        let probe = try TCPListener(loop: loop, host: "127.0.0.1", port: 0)
        let port = probe.port
        probe.close()
        var ready = false
        var exited = false
        let server = try ChildProcess(
            loop: loop,
            options: ProcessOptions(
                executable: "openssl",
                arguments: [
                    "s_server", "-accept", "127.0.0.1:\(port)", "-cert", "\(directory)/cert.pem",
                    "-key", "\(directory)/key.pem", "-www",
                ],
                environment: ProcessInfo.processInfo.environment)
        ) { _ in exited = true }
        var output = ""
        try server.stdout.startReading(
            onRead: { bytes in
                output += String(decoding: bytes, as: UTF8.self)
                if output.contains("ACCEPT") { ready = true }
            }, onEnd: { _ in })
        try server.stderr.startReading(onRead: { _ in }, onEnd: { _ in })
        run(loop, until: { ready || exited })
        guard ready else {
            server.closeAll()
            try shutDownLoop(loop)
            throw XCTSkip("openssl s_server did not start")
        }

        let client = try HTTPClient(loop: loop)
        let recorder = Recorder()
        recorder.start(client, HTTPClientRequest(url: "https://127.0.0.1:\(port)/"))
        run(loop, until: { recorder.isDone })
        recorder.assertWellFormed()
        guard case .tls(let message)? = recorder.error else { return XCTFail("\(recorder.events)") }
        XCTAssertTrue(message.lowercased().contains("certificate"), message)

        server.kill(SIGTERM)
        run(loop, until: { exited })
        server.closeAll()
        try shutDown(loop, client, nil)
    }

    /// Runs `openssl` with `arguments` and waits for it to exit.
    private func runToExit(_ loop: EventLoop, _ arguments: [String]) throws -> ExitStatus? {
        var status: ExitStatus?
        let process = try ChildProcess(
            loop: loop,
            options: ProcessOptions(
                executable: "openssl", arguments: arguments, environment: ProcessInfo.processInfo.environment)
        ) { status = $0 }
        try process.stdout.startReading(onRead: { _ in }, onEnd: { _ in })
        try process.stderr.startReading(onRead: { _ in }, onEnd: { _ in })
        run(loop, until: { status != nil })
        process.closeAll()
        return status
    }

    private func shutDownLoop(_ loop: EventLoop) throws {
        var drained = false
        loop.execute { drained = true }
        run(loop, until: { drained })
        try loop.close()
    }
}
