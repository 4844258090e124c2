import JSON

/// A provider stream decoder over server-sent events: the shared `feed`/`finish` around an `SSEFramer`, so each
/// provider writes only how it handles its events and what marks its stream complete.
protocol SSEChatStreamDecoder: ChatStreamDecoder {
    var framer: SSEFramer { get set }
    /// Whether the stream's terminator arrived (`[DONE]`, `message_stop`, a finish reason).
    var isComplete: Bool { get }
    /// What `finish` says when the body ended before the terminator.
    var incompleteMessage: String { get }
    /// Turns complete events into OpenAI chunks.
    func handle(_ frames: [SSEFrame]) throws(UpstreamFailure) -> [JSONObject]
}

extension SSEChatStreamDecoder {
    func feed(_ bytes: [UInt8]) throws(UpstreamFailure) -> [JSONObject] {
        try handle(framer.feed(bytes))
    }

    func feed(_ bytes: [UInt8], emit: ([JSONObject]) -> Bool) throws(UpstreamFailure) {
        for frame in try framer.feed(bytes) {
            let chunks = try handle([frame])
            if !chunks.isEmpty, !emit(chunks) { return }
        }
    }

    func finish() throws(UpstreamFailure) -> [JSONObject] {
        let chunks = try handle(framer.finish())
        guard isComplete else { throw UpstreamFailure(.invalidResponse, message: incompleteMessage) }
        return chunks
    }
}
