import JSON
import ServerSentEvents

/// Decodes a Chat Completions SSE stream: `data: {chunk}` events ending with `data: [DONE]`. Chunks pass through
/// with `usage` taken out (the router sends its own usage chunk: the provider's `usage` with our cost) and
/// reasoning renamed; usage-only chunks (empty `choices`) are not forwarded at all.
final class OpenAIStreamDecoder: SSEChatStreamDecoder {
    private let model: String
    var framer = SSEParser()
    private var done = false

    private(set) var usage: TokenUsage?
    private(set) var reportedUsage: JSONObject?

    init(model: String) {
        self.model = model
    }

    var isComplete: Bool { done }
    var incompleteMessage: String { "the stream ended before 'data: [DONE]'" }

    func handle(_ frames: [SSEEvent]) throws(UpstreamFailure) -> [JSONObject] {
        var chunks: [JSONObject] = []
        // An event with empty data carries nothing (some proxies send them as keep-alives): skipped, not invalid JSON.
        for frame in frames where !done && !frame.data.isEmpty {
            if frame.data.elementsEqual("[DONE]".utf8) {
                done = true
                break
            }
            var chunk = try JSONPayload.object(frame.data, what: "stream chunk")
            if let error = chunk["error"], error != .null {
                throw OpenAIErrors.failure(status: nil, headers: [], error: ErrorBody(json: .object(chunk)))
            }
            if let reported = TokenUsage(openAI: chunk["usage"]) {
                usage = reported
                reportedUsage = chunk["usage"]?.objectValue
            }
            chunk["usage"] = nil
            chunk["error"] = nil  // null: there is none
            guard case .array(var choices)? = chunk["choices"], !choices.isEmpty else { continue }
            for position in choices.indices {
                if var delta = choices[position]["delta"]?.objectValue {
                    OpenAIResponse.normalizeReasoning(&delta)
                    choices[position]["delta"] = .object(delta)
                }
            }
            chunk["choices"] = .array(choices)
            if chunk["model"] == nil { chunk["model"] = .string(model) }
            chunks.append(chunk)
        }
        return chunks
    }
}
