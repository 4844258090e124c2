import JSON
import Routing

/// One server-sent event of an Anthropic Messages stream: `event: <name>` and its JSON `data`.
struct AnthropicEvent: Equatable {
    var name: String
    var data: JSONObject

    /// The events as `event: …\ndata: …\n\n` lines.
    static func sse(_ events: [AnthropicEvent]) -> [UInt8] {
        var bytes: [UInt8] = []
        for event in events {
            bytes.append(contentsOf: "event: \(event.name)\ndata: ".utf8)
            JSON.object(event.data).write(into: &bytes)
            bytes.append(contentsOf: [0x0A, 0x0A])
        }
        return bytes
    }
}

/// The router's `chat.completion.chunk`s → the events of an Anthropic Messages stream: `message_start`, then per
/// content block `content_block_start`, deltas (`text_delta`, `thinking_delta`, `input_json_delta`) and
/// `content_block_stop`, then `message_delta` (stop reason, usage) and `message_stop`. A value driven by the face
/// (`start`, `chunk`…, `finish` or `fail`), tested without I/O.
///
/// Blocks are opened in the order their deltas arrive and closed when another kind starts. OpenAI streams send
/// a tool call's fragments one call after another (Gemini sends each call whole), which is what lets each call
/// be one block; a fragment for a call whose block already closed is appended to the open call instead of lost.
struct AnthropicStreamEncoder {
    private enum Block: Equatable {
        case text, thinking
        /// A tool call, by its OpenAI `tool_calls[].index`.
        case tool(Int)
    }

    private let stopSequences: [String]
    private var open: Block?
    /// The next content block index (Anthropic numbers blocks from 0 in order).
    private var nextIndex = 0
    private var finishReason: String?
    private var matchedStop: JSON?
    /// The model refused (OpenAI streams the reason in `delta.refusal`): its text is the answer, and the stop
    /// reason is `refusal`, as in the non-streamed answer.
    private var refused = false

    init(stopSequences: [String] = []) {
        self.stopSequences = stopSequences
    }

    /// `message_start` for the answering model. Input tokens are not known before the stream ends: they arrive in
    /// `message_delta`, whose usage counts are cumulative totals that clients write over the start's.
    func start(model: String, id: String) -> [AnthropicEvent] {
        let message: JSONObject = [
            "id": .string(id), "type": "message", "role": "assistant", "content": [], "model": .string(model),
            "stop_reason": .null, "stop_sequence": .null, "usage": ["input_tokens": 0, "output_tokens": 0],
        ]
        return [AnthropicEvent(name: "message_start", data: ["type": "message_start", "message": .object(message)])]
    }

    /// The events for one chunk (only the first choice: the Anthropic face never asks for more).
    mutating func chunk(_ chunk: JSONObject) -> [AnthropicEvent] {
        guard let choice = chunk["choices"]?[0] else { return [] }
        var events: [AnthropicEvent] = []
        let delta = choice["delta"]
        if let thinking = delta?["reasoning_content"]?.stringValue, !thinking.isEmpty {
            events += enter(.thinking, ["type": "thinking", "thinking": "", "signature": ""])
            events.append(blockDelta(["type": "thinking_delta", "thinking": .string(thinking)]))
        }
        if let refusal = delta?["refusal"]?.stringValue, !refusal.isEmpty { refused = true }
        for text in [delta?["content"]?.stringValue, delta?["refusal"]?.stringValue].compactMap({ $0 })
        where !text.isEmpty {
            events += enter(.text, ["type": "text", "text": ""])
            events.append(blockDelta(["type": "text_delta", "text": .string(text)]))
        }
        for call in delta?["tool_calls"]?.arrayValue ?? [] {
            let index = Int(call["index"]?.intValue ?? 0)
            let name = call["function"]?["name"]?.stringValue
            if open != .tool(index), name != nil || call["id"] != nil || !isTool(open) {
                events += enter(
                    .tool(index),
                    [
                        "type": "tool_use", "id": .string(call["id"]?.stringValue ?? ""),
                        "name": .string(name ?? ""), "input": [:],
                    ])
            }
            if let fragment = call["function"]?["arguments"]?.stringValue, !fragment.isEmpty {
                events.append(blockDelta(["type": "input_json_delta", "partial_json": .string(fragment)]))
            }
        }
        if let reason = choice["finish_reason"]?.stringValue {
            finishReason = reason
            matchedStop = choice["stop_reason"]
            events += close()
        }
        return events
    }

    /// The end of a complete stream: the open block closes, then `message_delta` with the stop reason and the
    /// final usage (and cost), then `message_stop`.
    mutating func finish(_ outcome: RouteOutcome) -> [AnthropicEvent] {
        var events = close()
        var (reason, sequence) = AnthropicOutbound.stopReason(
            finishReason, matched: matchedStop,
            stopSequences: stopSequences)
        if refused, finishReason == "stop" { reason = "refusal" }
        events.append(
            AnthropicEvent(
                name: "message_delta",
                data: [
                    "type": "message_delta",
                    "delta": ["stop_reason": .string(reason), "stop_sequence": sequence.map(JSON.string) ?? .null],
                    "usage": .object(AnthropicOutbound.usage(outcome.usage, cost: outcome.cost)),
                ]))
        events.append(AnthropicEvent(name: "message_stop", data: ["type": "message_stop"]))
        return events
    }

    /// A stream broken after it started ends with an `error` event (clients raise it), never a silent end.
    func fail(_ error: RoutingError) -> [AnthropicEvent] {
        [AnthropicEvent(name: "error", data: AnthropicOutbound.streamErrorBody(error))]
    }

    /// Closes the open block unless it is `block`, and opens `block` with `start` as its `content_block`.
    private mutating func enter(_ block: Block, _ start: JSONObject) -> [AnthropicEvent] {
        guard open != block else { return [] }
        var events = close()
        open = block
        events.append(
            AnthropicEvent(
                name: "content_block_start",
                data: [
                    "type": "content_block_start", "index": .int(Int64(nextIndex)), "content_block": .object(start),
                ]))
        return events
    }

    private mutating func close() -> [AnthropicEvent] {
        guard open != nil else { return [] }
        open = nil
        defer { nextIndex += 1 }
        return [
            AnthropicEvent(
                name: "content_block_stop", data: ["type": "content_block_stop", "index": .int(Int64(nextIndex))])
        ]
    }

    private func blockDelta(_ delta: JSONObject) -> AnthropicEvent {
        AnthropicEvent(
            name: "content_block_delta",
            data: [
                "type": "content_block_delta", "index": .int(Int64(nextIndex)), "delta": .object(delta),
            ])
    }

    private func isTool(_ block: Block?) -> Bool {
        if case .tool? = block { return true }
        return false
    }
}
