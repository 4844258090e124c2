import JSON

extension RoutedCall {
    /// Chunks from the decoder. Until the first token the stream is not committed: chunks are held back so that a
    /// failure can still move on to the next candidate unseen by the client. The first chunk with content, a tool
    /// call, reasoning or a finish reason commits the stream.
    func handle(_ chunks: [JSONObject]) {
        for chunk in chunks where !finished {
            streamedTextBytes += Self.textBytes(chunk)
            deliver(.object(rewrite(chunk)), carriesToken: Self.carriesToken(chunk))
        }
    }

    /// Chunks from a pass-through decoder: stamped bytes go on as they are, objects take the object path.
    func handle(passed chunks: [PassedChunk]) {
        for chunk in chunks where !finished {
            switch chunk {
            case .object(let object):
                streamedTextBytes += Self.textBytes(object)
                deliver(.object(rewrite(object)), carriesToken: Self.carriesToken(object))
            case .encoded(let bytes, let carriesToken, let textBytes):
                streamedTextBytes += textBytes
                deliver(.encoded(bytes), carriesToken: carriesToken)
            }
        }
    }

    private func deliver(_ chunk: ChatPayload, carriesToken: Bool) {
        if committed { return onEvent(.chunk(chunk)) }
        held.append(chunk)
        if carriesToken { commit() }
    }

    /// Fixes the model: tells the face to start its response and flushes what was held.
    func commit() {
        guard !committed else { return }
        committed = true
        firstTokenAt = engine.clock.now()
        onEvent(.streamStarted(model: candidate.model, id: id))
        let pending = held
        held = []
        for chunk in pending where !finished { onEvent(.chunk(chunk)) }
    }

    /// The body ended without a transport error: the decoder decides whether the stream was complete.
    func streamCompleted(_ decoder: ChatStreamDecoder) {
        do {
            handle(try decoder.finish())
        } catch {
            return attemptFailed(error)
        }
        // A complete stream that never carried a token (an empty answer) is still an answer.
        commit()
        // A provider that never reported usage (some OpenAI-compatible servers ignore include_usage) is charged an
        // estimate, as a stream cut short is: a complete answer must not cost less than a broken one.
        let usage = decoder.usage ?? estimatedUsage(textBytes: streamedTextBytes)
        let outcome = succeededOutcome(usage: usage)
        if request.includeUsage {
            // The provider's own usage when it speaks OpenAI's shape, as on the non-streamed path.
            var usageObject = decoder.reportedUsage ?? usage.openAIObject
            usageObject["cost"] = .double(outcome.cost)
            onEvent(
                .chunk(
                    .object([
                        "id": .string(id), "object": "chat.completion.chunk", "created": .int(Int64(createdAt)),
                        "model": .string(candidate.model.description), "provider": .string(candidate.model.provider),
                        "choices": [], "usage": .object(usageObject),
                    ])))
        }
        if !finished {
            finished = true
            onEvent(.streamFinished(outcome))
        }
        recordSuccess(outcome)
    }

    /// A stream that broke after tokens reached the client: it ends with an error event, never a silent truncation.
    func finishBrokenStream(_ failure: UpstreamFailure) {
        let error = RoutingError(
            status: failure.kind.httpStatus, type: "upstream_error", code: "stream_interrupted",
            message: "The stream from \(candidate.model) broke after it started: \(failure.message)",
            attempts: attempts)
        finished = true
        onEvent(.failed(record(error, billable: true), streamStarted: true))
    }

    /// Sets our generation id and the answering model on a chunk.
    func rewrite(_ chunk: JSONObject) -> JSONObject {
        var chunk = chunk
        chunk["id"] = .string(id)
        chunk["model"] = .string(candidate.model.description)
        chunk["provider"] = .string(candidate.model.provider)
        chunk["usage"] = nil
        return chunk
    }

    /// The bytes of generated text in a chunk's `delta`s, or an answer's `message`s (`part: "message"`): content,
    /// reasoning, tool names and arguments. What an answer without a usage report is charged by.
    static func textBytes(_ chunk: JSONObject, part: String = "delta") -> Int {
        guard let choices = chunk["choices"]?.arrayValue else { return 0 }
        var total = 0
        for choice in choices {
            guard let delta = choice[part]?.objectValue else { continue }
            total += delta["content"]?.stringValue?.utf8.count ?? 0
            total += delta["reasoning_content"]?.stringValue?.utf8.count ?? 0
            for call in delta["tool_calls"]?.arrayValue ?? [] { total += functionBytes(call["function"]) }
            total += functionBytes(delta["function_call"])
        }
        return total
    }

    private static func functionBytes(_ function: JSON?) -> Int {
        (function?["name"]?.stringValue?.utf8.count ?? 0) + (function?["arguments"]?.stringValue?.utf8.count ?? 0)
    }

    /// Whether a chunk carries something the client must see (so the stream is committed to this model).
    static func carriesToken(_ chunk: JSONObject) -> Bool {
        guard let choices = chunk["choices"]?.arrayValue else { return false }
        for choice in choices {
            if let reason = choice["finish_reason"], !reason.isNull { return true }
            guard let delta = choice["delta"]?.objectValue else { continue }
            if let content = delta["content"]?.stringValue, !content.isEmpty { return true }
            if let reasoning = delta["reasoning_content"]?.stringValue, !reasoning.isEmpty { return true }
            if let calls = delta["tool_calls"]?.arrayValue, !calls.isEmpty { return true }
            if delta["function_call"] != nil { return true }
        }
        return false
    }
}
