import JSON
import ServerSentEvents

/// A provider stream decoder over server-sent events: the shared `feed`/`finish` around an `SSEParser`, so each
/// provider writes only how it handles its events and what marks its stream complete.
protocol SSEChatStreamDecoder: ChatStreamDecoder {
    var framer: SSEParser { get set }
    /// Whether the stream's terminator arrived (`[DONE]`, `message_stop`, a finish reason).
    var isComplete: Bool { get }
    /// What `finish` says when the body ended before the terminator.
    var incompleteMessage: String { get }
    /// Turns complete events into OpenAI chunks.
    func handle(_ frames: [SSEEvent]) throws(UpstreamFailure) -> [JSONObject]
}

extension SSEChatStreamDecoder {
    func feed(_ bytes: [UInt8]) throws(UpstreamFailure) -> [JSONObject] {
        try handle(events(in: bytes))
    }

    func feed(_ bytes: [UInt8], emit: ([JSONObject]) -> Bool) throws(UpstreamFailure) {
        var rest = bytes[...]
        while let frame = try nextEvent(from: &rest) {
            let chunks = try handle([frame])
            if !chunks.isEmpty, !emit(chunks) { return }
        }
    }

    func finish() throws(UpstreamFailure) -> [JSONObject] {
        let last = framer.finish()
        try checkEventSizes()
        let chunks = try handle(last)
        guard isComplete else { throw UpstreamFailure(.invalidResponse, message: incompleteMessage) }
        return chunks
    }

    /// The events `bytes` complete. An event over the parser's limit fails the stream: a provider never sends one,
    /// so the upstream is broken or hostile, and skipping it would hide lost content.
    func events(in bytes: [UInt8]) throws(UpstreamFailure) -> [SSEEvent] {
        let events = framer.feed(bytes)
        try checkEventSizes()
        return events
    }

    /// The next event `rest` completes, framed only as far as that event (see `SSEParser.next(from:)`).
    func nextEvent(from rest: inout ArraySlice<UInt8>) throws(UpstreamFailure) -> SSEEvent? {
        let event = framer.next(from: &rest)
        try checkEventSizes()
        return event
    }

    private func checkEventSizes() throws(UpstreamFailure) {
        guard framer.droppedEvents > 0 else { return }
        throw UpstreamFailure(
            .invalidResponse, message: "a stream event from the provider exceeds \(framer.maxEventBytes) bytes")
    }
}
