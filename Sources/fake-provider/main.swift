// The fake LLM provider as a program, for interop tests and benchmarks that need it in another process.
//
// stdout carries exactly one line, `listening on http://HOST:PORT`, once the socket is bound (so a parent can
// read the port it picked); diagnostics go to stderr. SIGTERM or SIGINT closes the server and exits 0.

import ArgumentParser
import FakeProvider
import Loop

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@main
struct FakeProviderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fake-provider",
        abstract: "A fake LLM provider speaking the OpenAI, Anthropic and Gemini wire formats.",
        discussion: """
            Base URLs: http://HOST:PORT/v1 (OpenAI, Anthropic) and http://HOST:PORT/v1beta (Gemini). Script \
            behaviour through the model name, e.g. gpt-fake+latency-50+status-429+retry-after-1. Directives: \
            latency-N, chunk-delay-N, chunks-N, status-N, retry-after-N, context-too-long, content-filter, hang, \
            cut-after-N, invalid-json, fail-first-N, tools. GET /fake/stats shows what was asked; POST /fake/reset \
            clears it.
            """
    )

    @Option(name: .long, help: "Address to listen on (an IPv4 or IPv6 literal).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on; 0 picks a free one (printed on stdout).")
    var port = 0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
    }

    func run() throws {
        let loop = try EventLoop()
        let server: FakeProviderServer
        do {
            server = try FakeProviderServer(loop: loop, host: host, port: port)
        } catch {
            printError("fake-provider: cannot listen on \(host):\(port): \(error)")
            try loop.close()
            throw ExitCode(1)
        }
        server.onError = { printError($0) }
        var signals: [SignalWatcher] = []
        for signal in [SIGINT, SIGTERM] {
            signals.append(
                try SignalWatcher(loop: loop, signal: signal) { _ in
                    server.close { signals.forEach { $0.close() } }
                })
        }
        writeLine(1, "listening on \(server.rootURL)")
        loop.run()
        try loop.close()
    }
}

/// Writes one line straight to a file descriptor with `write(2)`: no buffered stdio to flush, and no C `stdout`
/// global, which Swift 6 does not consider concurrency-safe (DESIGN.md §3).
func writeLine(_ descriptor: Int32, _ text: String) {
    let bytes = Array((text + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return  // the reader went away; nothing useful is left to do with the line
        }
        offset += written
    }
}

func printError(_ text: String) { writeLine(2, text) }
