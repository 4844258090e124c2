import HTTPServer
import Loop

/// Delivers one answer with the timing and the damage its model's directives ask for: `latency-N` before the
/// head, `chunk-delay-N` between events, `cut-after-N`, `invalid-json`, `retry-after-N`, `hang`.
///
/// Without delays everything is written within the handler call, a streamed answer in one socket write, so the
/// plain cases stay cheap for benchmarks. With delays one timer is reused for every wait; if the client goes
/// away first, `onCancel` closes it and counts the abandoned request.
///
/// Cutting: the response is aborted (`HTTPResponseWriter.abort`) after what was sent — a chunked body without its
/// final chunk, so the client sees the connection cut mid-transfer: a stream after N events (never its own
/// terminator `[DONE]`, `message_stop` or the finish-reason event), a plain answer after half its JSON body.
final class ResponseDriver {
    private let loop: EventLoop
    private let writer: HTTPResponseWriter
    private let behaviour: FakeBehaviour
    private let cancelled: () -> Void
    private let report: (String) -> Void
    private var timer: Timer?
    /// Encoded events still to write, for a stream with delays between events.
    private var queue: [[UInt8]] = []
    private var queueIndex = 0

    /// `cancelled` runs when the client abandons the answer; `report` receives diagnostics.
    init(
        loop: EventLoop, writer: HTTPResponseWriter, behaviour: FakeBehaviour, cancelled: @escaping () -> Void,
        report: @escaping (String) -> Void
    ) {
        self.loop = loop
        self.writer = writer
        self.behaviour = behaviour
        self.cancelled = cancelled
        self.report = report
    }

    /// An error answer, with `Retry-After` when asked for.
    func fail(_ reply: FakeReply) {
        var reply = reply
        if let seconds = behaviour.retryAfterSeconds { reply.headers.add("Retry-After", String(seconds)) }
        afterLatency { [self] in writer.respond(status: reply.status, headers: reply.headers, body: reply.body) }
    }

    /// A successful plain answer.
    func succeed(_ reply: FakeReply) {
        var reply = reply
        if behaviour.invalidJSON { reply.body = Array("fake-provider: invalid-json, this body is not JSON {".utf8) }
        if behaviour.cutAfter != nil {
            let half = Array(reply.body.prefix(reply.body.count / 2))
            return afterLatency { [self] in
                writer.startStream(status: reply.status, headers: reply.headers)
                writer.write(half)
                writer.abort()
            }
        }
        afterLatency { [self] in writer.respond(status: reply.status, headers: reply.headers, body: reply.body) }
    }

    /// A successful streamed answer.
    func stream(_ plan: StreamPlan) {
        var content = plan.content
        if behaviour.invalidJSON, !content.isEmpty {
            content[0].data = Array("{\"fake-provider\": invalid-json".utf8)
        }
        var events = plan.prefix
        let headers: HTTPHeaders = ["Content-Type": "text/event-stream", "Cache-Control": "no-cache"]
        if let cut = behaviour.cutAfter {
            events += content.prefix(cut)
        } else {
            events += content
            events += plan.suffix
        }
        if behaviour.chunkDelayMilliseconds == 0 {
            // One buffer, one write: the cheap path.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(events.reduce(0) { $0 + $1.data.count + 40 })
            for event in events { event.write(into: &bytes, crlf: plan.crlf) }
            afterLatency { [self] in
                writer.startStream(status: 200, headers: headers)
                writer.write(bytes)
                if behaviour.cutAfter != nil { writer.abort() } else { writer.end() }
            }
            return
        }
        queue = events.map { event in
            var bytes: [UInt8] = []
            event.write(into: &bytes, crlf: plan.crlf)
            return bytes
        }
        afterLatency { [self] in
            writer.startStream(status: 200, headers: headers)
            writeNext()
        }
    }

    /// Holds the request open until the client (or the server's close) ends it.
    func hang() {
        writer.onCancel = { [self] in cancelled() }
    }

    // MARK: Timing

    /// Runs `body` now when no directive delays anything; otherwise sets up the timer (and the cancel hook that
    /// closes it) and runs `body` after the latency.
    private func afterLatency(_ body: @escaping () -> Void) {
        guard behaviour.latencyMilliseconds > 0 || behaviour.chunkDelayMilliseconds > 0 else { return body() }
        let timer: Timer
        do {
            timer = try Timer(loop: loop)
        } catch {
            // Only a loop out of resources fails here: answer without the delay rather than hang the request.
            report("fake-provider: no timer for a delayed answer, answering at once: \(error)")
            return body()
        }
        self.timer = timer
        writer.onCancel = { [self] in
            closeTimer()
            cancelled()
        }
        guard behaviour.latencyMilliseconds > 0 else { return body() }
        timer.start(after: behaviour.latencyMilliseconds) { [self] in
            body()
            if writer.isFinished { closeTimer() }
        }
    }

    private func writeNext() {
        guard queueIndex < queue.count, !writer.isFinished else {
            closeTimer()
            if behaviour.cutAfter != nil { writer.abort() } else { writer.end() }
            return
        }
        writer.write(queue[queueIndex])
        queueIndex += 1
        timer?.start(after: behaviour.chunkDelayMilliseconds) { [self] in writeNext() }
    }

    private func closeTimer() {
        timer?.close()
        timer = nil
    }
}
