import Foundation
import Loop
import XCTest

@testable import HTTPServer

/// Interop with a real client: curl as a child process on the same loop.
final class HTTPServerCurlTests: XCTestCase {
    /// Runs curl with `arguments` to completion and returns its stdout.
    private func curl(_ h: Harness, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws
        -> String
    {
        var output: [UInt8] = []
        var status: ExitStatus?
        var outputEnded = false
        var environment = ProcessInfo.processInfo.environment
        for proxy in ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"] { environment[proxy] = nil }
        let child = try ChildProcess(
            loop: h.loop,
            options: ProcessOptions(
                executable: "curl", arguments: ["-sS", "--noproxy", "*"] + arguments, environment: environment)
        ) { status = $0 }
        child.stdin.close()
        try child.stdout.startReading(onRead: { output.append(contentsOf: $0) }, onEnd: { _ in outputEnded = true })
        try child.stderr.startReading(onRead: { FileHandle.standardError.write(Data($0)) }, onEnd: { _ in })
        h.run(timeout: 10_000, file: file, line: line) { status != nil && outputEnded }
        child.closeAll()
        XCTAssertEqual(status?.code, 0, "curl failed", file: file, line: line)
        return String(decoding: output, as: UTF8.self)
    }

    private func requireCurl() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "curl is not installed")
    }

    func testPostWithExpectContinue() throws {
        try requireCurl()
        let h = try Harness()
        var body: [UInt8] = []
        h.handler = { request, writer in
            body = request.body
            writer.respond(
                status: 200, headers: ["Content-Type": "text/plain"], body: Array("got \(request.body.count)".utf8))
        }
        let payload = String(repeating: "x", count: 4_000)
        // Without our `100 Continue` curl would wait 60 s before sending the body, past this test's deadline.
        let output = try curl(
            h,
            [
                "-H", "Expect: 100-continue", "--expect100-timeout", "60", "--data-binary", payload,
                "-w", " %{http_code}", "http://127.0.0.1:\(h.server.port)/mcp",
            ])
        XCTAssertEqual(output, "got 4000 200")
        XCTAssertEqual(body.count, 4_000)
        try h.finish()
    }

    func testTwoRequestsReuseOneConnection() throws {
        try requireCurl()
        let h = try Harness()
        var connectionCounts: [Int] = []
        h.handler = { request, writer in
            connectionCounts.append(h.server.connectionCount)
            writer.respond(status: 200, body: Array("\(request.path);".utf8))
        }
        let base = "http://127.0.0.1:\(h.server.port)"
        let output = try curl(h, ["\(base)/a", "\(base)/b"])
        XCTAssertEqual(output, "/a;/b;")
        XCTAssertEqual(connectionCounts, [1, 1])
        try h.finish()
    }

    func testStreamedEvents() throws {
        try requireCurl()
        let h = try Harness()
        h.handler = { _, writer in
            writer.startStream(status: 200, headers: ["Content-Type": "text/event-stream"])
            var sent = 0
            func next() {
                sent += 1
                writer.write(Array("data: \(sent)\n\n".utf8))
                if sent == 3 { writer.end() } else { h.after(20, next) }
            }
            next()
        }
        let output = try curl(h, ["-N", "http://127.0.0.1:\(h.server.port)/events"])
        XCTAssertEqual(output, "data: 1\n\ndata: 2\n\ndata: 3\n\n")
        try h.finish()
    }

    func testChunkedUpload() throws {
        try requireCurl()
        let h = try Harness()
        h.handler = { request, writer in
            XCTAssertEqual(request.headers["transfer-encoding"], "chunked")
            writer.respond(status: 200, body: request.body.reversed())
        }
        let output = try curl(
            h, ["-H", "Transfer-Encoding: chunked", "--data-binary", "abcdef", "http://127.0.0.1:\(h.server.port)/"])
        XCTAssertEqual(output, "fedcba")
        try h.finish()
    }
}
