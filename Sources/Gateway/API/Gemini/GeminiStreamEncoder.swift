import JSON
import Routing

/// The router's `chat.completion.chunk`s → the `GenerateContentResponse` objects of `streamGenerateContent`: text
/// and thoughts go out as they arrive; function calls, which OpenAI streams in argument fragments but Gemini sends
/// whole, are collected and sent with the finish reasons and `usageMetadata` in the last object. A value driven by
/// the face (`start`, `chunk`…, `finish` or `fail`), tested without I/O.
struct GeminiStreamEncoder {
    private struct Call {
        var id: String
        var name: String
        var arguments = ""
        var signature: String?
    }

    /// One candidate's calls in the order they started, and its finish reason once it ended.
    private struct Candidate {
        var calls: [Call] = []
        var callPositions: [Int: Int] = [:]
        var finishReason: String?
    }

    private var model = ""
    private var id = ""
    private var candidates: [Int: Candidate] = [:]

    init() {}

    /// Remembers the answering model and generation id (sent as `modelVersion` and `responseId` in every object).
    mutating func start(model: String, id: String) {
        self.model = model
        self.id = id
    }

    /// The object for one chunk, or nil when it carried nothing to send yet (a call fragment, a finish reason).
    mutating func chunk(_ chunk: JSONObject) -> JSONObject? {
        var sent: [JSON] = []
        for (position, choice) in (chunk["choices"]?.arrayValue ?? []).enumerated() {
            let index = Int(choice["index"]?.intValue ?? Int64(position))
            let delta = choice["delta"]
            var candidate = candidates[index] ?? Candidate()
            for fragment in delta?["tool_calls"]?.arrayValue ?? [] {
                let callIndex = Int(fragment["index"]?.intValue ?? 0)
                let slot: Int
                if let existing = candidate.callPositions[callIndex] {
                    slot = existing
                } else {
                    slot = candidate.calls.count
                    candidate.callPositions[callIndex] = slot
                    candidate.calls.append(Call(id: "", name: ""))
                }
                if let id = fragment["id"]?.stringValue { candidate.calls[slot].id = id }
                if let name = fragment["function"]?["name"]?.stringValue { candidate.calls[slot].name += name }
                candidate.calls[slot].arguments += fragment["function"]?["arguments"]?.stringValue ?? ""
                if let signature = fragment["extra_content"]?["google"]?["thought_signature"]?.stringValue {
                    candidate.calls[slot].signature = signature
                }
            }
            if let reason = choice["finish_reason"]?.stringValue {
                candidate.finishReason = GeminiOutbound.finishReason(reason)
            }
            candidates[index] = candidate
            let parts = GeminiOutbound.parts(
                text: delta?["content"]?.stringValue ?? delta?["refusal"]?.stringValue,
                thought: delta?["reasoning_content"]?.stringValue, toolCalls: [])
            if !parts.isEmpty {
                sent.append(.object(GeminiOutbound.candidate(index: index, parts: parts, finishReason: nil)))
            }
        }
        return sent.isEmpty ? nil : response(sent)
    }

    /// The last object: each candidate's function calls and finish reason, and the usage of the whole answer.
    func finish(_ outcome: RouteOutcome) -> JSONObject {
        var final: [JSON] = []
        let seen = candidates.isEmpty ? [0: Candidate()] : candidates
        for (index, candidate) in seen.sorted(by: { $0.key < $1.key }) {
            let calls = candidate.calls.map { call -> JSON in
                var openAICall: JSONObject = [
                    "id": .string(call.id), "type": "function",
                    "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                ]
                if let signature = call.signature {
                    openAICall["extra_content"] = ["google": ["thought_signature": .string(signature)]]
                }
                return GeminiOutbound.functionCall(.object(openAICall))
            }
            final.append(
                .object(
                    GeminiOutbound.candidate(
                        index: index, parts: calls,
                        finishReason: candidate.finishReason ?? "STOP")))
        }
        var object = response(final)
        object["usageMetadata"] = .object(GeminiOutbound.usageMetadata(outcome.usage))
        return object
    }

    /// A stream broken after it started ends with an error object (Gemini's streams carry errors the same way).
    func fail(_ error: RoutingError) -> JSONObject {
        GeminiOutbound.errorBody(error)
    }

    private func response(_ candidates: [JSON]) -> JSONObject {
        ["candidates": .array(candidates), "modelVersion": .string(model), "responseId": .string(id)]
    }
}
