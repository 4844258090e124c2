import HTTPServer
import Loop
import Routing

/// Writes one streamed response for the chat faces (OpenAI SSE, Anthropic SSE, Gemini SSE or JSON array). The head
/// goes out with the first bytes, in one socket write, the moment they are ready (time to first token is what a
/// streaming client feels); what is appended after them within one loop turn is coalesced into one write, because
/// a provider's network read usually carries several events, and a write (and a client wake-up) per event cost
/// more than the events themselves.
final class StreamBatch {
    private let response: HTTPResponseWriter
    private let loop: EventLoop
    /// The response head, until the first bytes send it.
    private var head: HTTPHeaders?
    private var pending: [UInt8] = []
    private var scheduled = false
    private static let ssePrefix = Array("data: ".utf8)
    private static let sseSeparator: [UInt8] = [0x0A, 0x0A]

    init(response: HTTPResponseWriter, loop: EventLoop) {
        self.response = response
        self.loop = loop
    }

    /// The stream is committed: its head (status 200) goes out with the first bytes.
    func start(headers: HTTPHeaders) {
        head = headers
    }

    /// Appends bytes of the body.
    func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        pending += bytes
        scheduleFlush()
    }

    /// Appends `chunk` as one server-sent event (`data: {…}` and a blank line).
    func append(sseEvent chunk: ChatPayload) {
        pending += Self.ssePrefix
        chunk.write(into: &pending)
        pending += Self.sseSeparator
        scheduleFlush()
    }

    /// Writes what is pending plus `last`, then ends the response.
    func finish(_ last: [UInt8]) {
        pending += last
        flush()
        response.end()
    }

    private func scheduleFlush() {
        if head != nil { return flush() }
        guard !scheduled else { return }
        scheduled = true
        loop.execute { [self] in
            scheduled = false
            flush()
        }
    }

    private func flush() {
        if let head {
            self.head = nil
            response.startStream(status: 200, headers: head, firstChunk: pending)
        } else {
            guard !pending.isEmpty else { return }
            response.write(pending)
        }
        pending.removeAll(keepingCapacity: true)
    }
}
