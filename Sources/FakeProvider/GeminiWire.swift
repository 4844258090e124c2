import JSON

/// The Gemini `generateContent` wire format: `GenerateContentResponse` objects (one per SSE event when streaming,
/// lines ended with CRLF as the real service does), and `{"error": {"code", "message", "status"}}` errors.
enum GeminiWire: WireFormat {
    static let contentFilterIsError = false

    static func error(_ failure: FakeFailure) -> FakeReply {
        let message: String
        switch failure {
        case .status(let status):
            message = FakeFailure.message(forStatus: status)
        case .contextTooLong:
            message = "The input token count (250000) exceeds the maximum number of tokens allowed (32768)."
        case .contentFilter:
            message = "The request was blocked by the safety filter (fake-provider content-filter)."
        case .badRequest(let text), .authentication(let text), .notFound(let text):
            message = text
        }
        let status = failure.status
        return .json(
            [
                "error": [
                    "code": .int(Int64(status)), "message": .string(message),
                    "status": .string(statusName(status)),
                ]
            ], status: status)
    }

    /// The google.rpc status name Google APIs pair with an HTTP status.
    private static func statusName(_ status: Int) -> String {
        switch status {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 409: "ABORTED"
        case 429: "RESOURCE_EXHAUSTED"
        case 499: "CANCELLED"
        case 501: "UNIMPLEMENTED"
        case 503, 529: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        case 500...: "INTERNAL"
        default: "FAILED_PRECONDITION"
        }
    }

    // MARK: Answers

    static func completion(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> [UInt8] {
        let parts: [JSON]
        switch answer.content {
        case .text: parts = [["text": .string(answer.text)]]
        case .toolCall(let name, let arguments): parts = [["functionCall": ["name": .string(name), "args": arguments]]]
        case .refusal: return blocked(answer, model: model, id: id).serialized()
        }
        return response(model: model, id: id, parts: parts, finishReason: finishReason(answer), usage: usage(answer))
            .serialized()
    }

    static func stream(_ answer: FakeAnswer, prompt: FakePrompt, model: String, id: Int) -> StreamPlan {
        var plan = StreamPlan()
        plan.crlf = true
        switch answer.content {
        case .text(let pieces):
            // One word per event, written around the word (the bytes `response(parts: [["text": piece]])` gives).
            let head = Array(#"{"candidates":[{"content":{"parts":[{"text":"#.utf8)
            var tail = Array(#"}],"role":"model"},"index":0}],"modelVersion":"#.utf8)
            JSON.string(model).write(into: &tail)
            tail += #","responseId":"fake-\#(id)"}"#.utf8
            plan.content = pieces.map { piece in
                var data = head
                JSON.string(piece).write(into: &data)
                return SSEEvent(name: nil, raw: data + tail)
            }
        case .toolCall(let name, let arguments):
            let call: JSON = ["functionCall": ["name": .string(name), "args": arguments]]
            plan.content = [SSEEvent(response(model: model, id: id, parts: [call]))]
        case .refusal:
            plan.suffix = [SSEEvent(blocked(answer, model: model, id: id))]
            return plan
        }
        // The last event carries the finish reason and the usage; an empty text part keeps `content` well formed.
        plan.suffix = [
            SSEEvent(
                response(
                    model: model, id: id, parts: [["text": ""]],
                    finishReason: finishReason(answer), usage: usage(answer)))
        ]
        return plan
    }

    /// The events of a stream as one JSON array: what `streamGenerateContent` answers without `alt=sse`.
    static func array(of plan: StreamPlan) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (index, event) in (plan.prefix + plan.content + plan.suffix).enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: event.data)
        }
        bytes.append(UInt8(ascii: "]"))
        return bytes
    }

    private static func response(
        model: String, id: Int, parts: [JSON], finishReason: String? = nil,
        usage: JSON? = nil
    ) -> JSON {
        var candidate: JSON = ["content": ["parts": .array(parts), "role": "model"]]
        if let finishReason { candidate["finishReason"] = .string(finishReason) }
        candidate["index"] = 0
        var response: JSON = ["candidates": [candidate]]
        if let usage { response["usageMetadata"] = usage }
        response["modelVersion"] = .string(model)
        response["responseId"] = .string("fake-\(id)")
        return response
    }

    /// A prompt blocked by the safety filter: no candidates, `promptFeedback.blockReason` SAFETY.
    private static func blocked(_ answer: FakeAnswer, model: String, id: Int) -> JSON {
        let rating: JSON = ["category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH", "blocked": true]
        let tokens = JSON.int(Int64(answer.promptTokens))
        return [
            "promptFeedback": ["blockReason": "SAFETY", "safetyRatings": [rating]],
            "usageMetadata": ["promptTokenCount": tokens, "totalTokenCount": tokens],
            "modelVersion": .string(model), "responseId": .string("fake-\(id)"),
        ]
    }

    private static func finishReason(_ answer: FakeAnswer) -> String {
        answer.truncated ? "MAX_TOKENS" : "STOP"
    }

    private static func usage(_ answer: FakeAnswer) -> JSON {
        [
            "promptTokenCount": .int(Int64(answer.promptTokens)),
            "candidatesTokenCount": .int(Int64(answer.completionTokens)),
            "totalTokenCount": .int(Int64(answer.promptTokens + answer.completionTokens)),
        ]
    }

    // MARK: Other endpoints

    /// `GET /v1beta/models`.
    static func models() -> FakeReply {
        let models = FakeCatalog.gemini.map { name -> JSON in
            let methods: JSON =
                name.contains("embedding")
                ? ["embedContent", "batchEmbedContents"]
                : ["generateContent", "streamGenerateContent", "countTokens"]
            return [
                "name": .string("models/\(name)"), "version": "001", "displayName": .string(name),
                "inputTokenLimit": 32768, "outputTokenLimit": 8192, "supportedGenerationMethods": methods,
            ]
        }
        return .json(["models": .array(models)])
    }
}
