// Starting the two servers: fake-provider (the upstream) and `switchyard serve` routing `fake/…` to it.

import BenchSupport
import Foundation
import JSON

#if canImport(Glibc)
    import Glibc
#endif

/// A server we started and the loopback port it listens on.
struct Server {
    var child: ChildProcess
    var port: UInt16
}

/// Starts `fake-provider --port 0` and reads the port from the one line it prints:
/// `listening on http://127.0.0.1:PORT`.
func startUpstream(_ options: Options, logs: String) throws -> Server {
    let child = try ChildProcess(
        name: "fake-provider", path: options.fakeProvider, arguments: ["--port", "0"],
        piped: true, logFile: logs + "/fake-provider.log")
    do {
        var reader = LineReader(fd: child.outputFD)
        let line = String(decoding: try reader.nextLine(), as: UTF8.self)
        guard line.hasPrefix("listening on http://"), let colon = line.lastIndex(of: ":"),
            let port = UInt16(line[line.index(after: colon)...])
        else {
            throw BenchError("fake-provider printed \"\(line)\", not \"listening on http://HOST:PORT\"")
        }
        return Server(child: child, port: port)
    } catch {
        child.terminate()
        throw error
    }
}

/// Writes the settings (one OpenAI-kind provider `fake` at the upstream, usage in a scratch database) and an
/// empty servers directory, starts `switchyard serve` on a free port and waits until it answers `/healthz`.
func startGateway(_ options: Options, upstreamPort: UInt16, root: String) throws -> Server {
    let serversDir = root + "/servers.d"
    try FileManager.default.createDirectory(atPath: serversDir, withIntermediateDirectories: true)
    let settings: JSON = [
        "providers": ["fake": ["kind": "openai", "base_url": .string("http://127.0.0.1:\(upstreamPort)/v1")]],
        "database": .string(root + "/usage.db"),
    ]
    let settingsPath = root + "/switchyard.json"
    try Data(settings.serialized()).write(to: URL(fileURLWithPath: settingsPath))
    let port = try freePort()
    let child = try ChildProcess(
        name: "switchyard serve", path: options.binary,
        arguments: [
            "serve", "--listen", "127.0.0.1:\(port)", "--servers-dir", serversDir, "--config", settingsPath,
            "--log-level", "warning",
        ],
        piped: false, logFile: root + "/switchyard.log")
    do {
        try waitForHealth(port: port, child: child)
        return Server(child: child, port: port)
    } catch {
        child.terminate()
        throw error
    }
}

/// Polls `GET /healthz` until it answers 200, the child exits or 20 s pass.
private func waitForHealth(port: UInt16, child: ChildProcess) throws(BenchError) {
    let deadline = now() + 20_000_000_000
    let request = Array("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n".utf8)
    while true {
        if let connection = try? HTTPConnection(port: port, timeoutSeconds: 5),
            (try? connection.send(request)) != nil,
            let response = try? connection.readResponse(), response.status == 200
        {
            return
        }
        guard child.process.isRunning else {
            throw BenchError("switchyard serve exited with status \(child.process.terminationStatus) before listening")
        }
        guard now() < deadline else {
            throw BenchError("switchyard serve did not answer /healthz on port \(port) within 20 s")
        }
        usleep(20_000)
    }
}
