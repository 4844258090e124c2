import JSON
import ServerSentEvents

/// Decodes `streamGenerateContent?alt=sse`: every event is a whole `GenerateContentResponse` holding the next
/// piece of each candidate, usage so far, and at the end a `finishReason`. Gemini sends no terminator event, so a
/// stream is complete once a candidate has finished.
final class GeminiStreamDecoder: SSEChatStreamDecoder {
    private let model: String
    private let created = OpenAIShape.now()
    var framer = SSEParser()
    private var id: String?
    /// Per candidate index: tool calls seen so far (for `call_<n>` ids and `tool_calls` finish reasons).
    private var toolCounts: [Int: Int] = [:]
    private var startedCandidates: Set<Int> = []
    private var finished = false

    private(set) var usage: TokenUsage?

    init(model: String) {
        self.model = model
    }

    var isComplete: Bool { finished }
    var incompleteMessage: String { "the Gemini stream ended before any candidate finished" }

    func handle(_ frames: [SSEEvent]) throws(UpstreamFailure) -> [JSONObject] {
        var chunks: [JSONObject] = []
        for frame in frames {
            let body = try JSONPayload.object(frame.data, what: "Gemini stream event")
            if id == nil { id = body["responseId"]?.stringValue ?? OpenAIShape.newID() }
            if let metadata = body["usageMetadata"], metadata.objectValue != nil { usage = GeminiResponse.usage(metadata) }
            for (position, candidate) in try GeminiResponse.candidates(of: body, allowEmpty: true).enumerated() {
                let index = Int(candidate["index"]?.intValue ?? Int64(position))
                chunks.append(contentsOf: self.chunks(for: candidate, index: index))
            }
        }
        return chunks
    }

    /// A content chunk when the candidate brought anything (the first one also says the role), then a finish
    /// chunk when it ended.
    private func chunks(for candidate: JSON, index: Int) -> [JSONObject] {
        var chunks: [JSONObject] = []
        let firstToolIndex = toolCounts[index] ?? 0
        let parts = GeminiResponse.parts(of: candidate, firstToolIndex: firstToolIndex)
        toolCounts[index] = firstToolIndex + parts.toolCalls.count
        var delta: JSONObject = [:]
        if let text = parts.text { delta["content"] = .string(text) }
        if let reasoning = parts.reasoning { delta["reasoning_content"] = .string(reasoning) }
        if !parts.toolCalls.isEmpty {
            var calls: [JSON] = []
            for (offset, call) in parts.toolCalls.enumerated() {
                var call = call
                call["index"] = .int(Int64(firstToolIndex + offset))
                calls.append(call)
            }
            delta["tool_calls"] = .array(calls)
        }
        if !startedCandidates.contains(index) {
            startedCandidates.insert(index)
            delta["role"] = "assistant"
        }
        if delta.count > 0 { chunks.append(chunk(delta, index: index)) }
        if let reason = GeminiResponse.finishReason(
            candidate["finishReason"]?.stringValue,
            hasToolCalls: (toolCounts[index] ?? 0) > 0)
        {
            chunks.append(chunk([:], index: index, finishReason: reason))
            finished = true
        }
        return chunks
    }

    private func chunk(_ delta: JSONObject, index: Int, finishReason: String? = nil) -> JSONObject {
        OpenAIShape.chunk(
            id: id ?? OpenAIShape.newID(), model: model, created: created, index: index, delta: delta,
            finishReason: finishReason)
    }
}
