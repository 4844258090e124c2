// An MCP client over a child's stdin/stdout, and the two stdio measurements: sequential and pipelined.

import BenchSupport
import JSON

#if canImport(Glibc)
    import Glibc
#endif

/// Drives one MCP server process over newline-delimited JSON on its stdin/stdout.
final class StdioMCPClient {
    let child: ChildProcess
    private var reader: LineReader
    private var controlID = 0

    init(child: ChildProcess) {
        self.child = child
        reader = LineReader(fd: child.outputFD)
    }

    private func send(_ message: JSON) throws(BenchError) {
        var bytes = message.serialized()
        bytes.append(0x0A)
        try writeAll(fd: child.inputFD, bytes)
    }

    /// Sends a request with a string id (never clashing with the numeric benchmark ids) and waits for its answer.
    func request(_ method: String, _ params: JSON = [:]) throws(BenchError) -> JSON {
        controlID += 1
        let id = "control-\(controlID)"
        try send(["jsonrpc": "2.0", "id": .string(id), "method": .string(method), "params": params])
        while true {
            let line = try reader.nextLine()
            guard let message = try? JSON.parse(line) else { continue }
            guard message["id"]?.stringValue == id else { continue }  // notifications and strays
            if let error = message["error"] { throw BenchError("\(child.name): \(method) failed: \(error)") }
            return message["result"] ?? .null
        }
    }

    /// `initialize` followed by `notifications/initialized`.
    func handshake() throws(BenchError) {
        _ = try request("initialize", initializeParams)
        try send(["jsonrpc": "2.0", "method": "notifications/initialized"])
    }

    /// Polls `tools/list` until every name in `names` is listed.
    func waitForTools(_ names: Set<String>, seconds: Double = 20) throws(BenchError) {
        let deadline = now() + UInt64(seconds * 1e9)
        while true {
            let listed = toolNames(try request("tools/list"))
            if names.isSubset(of: listed) { return }
            if now() > deadline {
                throw BenchError(
                    "\(child.name): tools/list still lacks \(names.subtracting(listed).sorted()) after \(seconds) s")
            }
            usleep(20_000)
        }
    }

    /// `calls` `tools/call` round trips one after another.
    func sequential(tool: String, calls: Int, watch: ChildProcess?) throws(BenchError) -> Run {
        let template = CallTemplate(tool: tool, newline: true)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        var latencies = [UInt64](repeating: 0, count: calls)
        let cpuBefore = watch?.cpuNanos()
        let start = now()
        for index in 0..<calls {
            template.write(id: index + 1, into: &buffer)
            let sent = now()
            try writeAll(fd: child.inputFD, buffer)
            while try checkCallResponse(try reader.nextLine()) == nil {}
            latencies[index] = now() - sent
        }
        let elapsed = now() - start
        return Run(
            calls: calls, elapsedNanos: elapsed, latencies: latencies,
            gatewayCPUNanos: cpuDelta(watch, cpuBefore))
    }

    /// `calls` `tools/call` requests with `window` always outstanding: a new one goes out as each answer comes in.
    func pipelined(tool: String, calls: Int, window: Int, watch: ChildProcess?) throws(BenchError) -> Run {
        let template = CallTemplate(tool: tool, newline: true)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256 * window)
        var sentAt = [UInt64](repeating: 0, count: calls + 1)
        var latencies: [UInt64] = []
        latencies.reserveCapacity(calls)
        var nextID = 1
        let cpuBefore = watch?.cpuNanos()
        let start = now()
        func sendNext() throws(BenchError) {
            template.write(id: nextID, into: &buffer)
            sentAt[nextID] = now()
            nextID += 1
            try writeAll(fd: child.inputFD, buffer)
        }
        while nextID <= min(window, calls) { try sendNext() }
        while latencies.count < calls {
            guard let id = try checkCallResponse(try reader.nextLine()) else { continue }
            guard id >= 1, id <= calls, sentAt[id] != 0 else {
                throw BenchError("\(child.name): answer for unknown id \(id)")
            }
            latencies.append(now() - sentAt[id])
            sentAt[id] = 0
            if nextID <= calls { try sendNext() }
        }
        let elapsed = now() - start
        return Run(
            calls: calls, elapsedNanos: elapsed, latencies: latencies,
            gatewayCPUNanos: cpuDelta(watch, cpuBefore))
    }
}
