import JSON
import ServerSentEvents

/// Decodes an Anthropic Messages stream (`message_start`, `content_block_start` / `_delta` / `_stop`,
/// `message_delta`, `message_stop`, `ping`, `error`) into `chat.completion.chunk`s. Unknown event types are
/// skipped, as Anthropic's versioning policy asks of clients.
final class AnthropicStreamDecoder: SSEChatStreamDecoder {
    /// What each content block index carries, so deltas land in the right field.
    private enum Block {
        case text, thinking, jsonOutput, other
        case tool(index: Int)
    }

    private let model: String
    private let created = OpenAIShape.now()
    var framer = SSEParser()
    private var id = OpenAIShape.newID()
    private var blocks: [Int: Block] = [:]
    private var toolCount = 0
    /// Tool blocks (by content index) whose input streamed some JSON.
    private var toolBlocksWithArguments: Set<Int> = []
    private var answeredWithJSONOutput = false
    /// Usage fields as reported so far: `message_start` has the input side, `message_delta` the output count.
    private var usageFields: JSONObject = [:]
    private var done = false

    private(set) var usage: TokenUsage?

    init(model: String) {
        self.model = model
    }

    var isComplete: Bool { done }
    var incompleteMessage: String { "the stream ended before 'message_stop'" }

    func handle(_ frames: [SSEEvent]) throws(UpstreamFailure) -> [JSONObject] {
        var chunks: [JSONObject] = []
        for frame in frames where !done {
            let event = try JSONPayload.object(frame.data, what: "Anthropic stream event")
            switch event["type"]?.stringValue ?? frame.type {
            case "message_start"?:
                let message = event["message"]
                if let messageID = message?["id"]?.stringValue { id = messageID }
                recordUsage(message?["usage"])
                chunks.append(chunk(["role": "assistant", "content": ""]))
            case "content_block_start"?:
                if let delta = start(event) { chunks.append(chunk(delta)) }
            case "content_block_delta"?:
                if let delta = delta(event) { chunks.append(chunk(delta)) }
            case "message_delta"?:
                recordUsage(event["usage"])
                if let reason = AnthropicResponse.finishReason(
                    event["delta"]?["stop_reason"]?.stringValue,
                    answeredWithJSONOutput: answeredWithJSONOutput)
                {
                    var finish = chunk([:], finishReason: reason)
                    if let sequence = AnthropicResponse.matchedStopSequence(
                        event["delta"]?["stop_reason"], event["delta"]?["stop_sequence"]),
                        case .array(var choices)? = finish["choices"], case .object(var first)? = choices.first
                    {
                        first["stop_reason"] = .string(sequence)
                        choices[0] = .object(first)
                        finish["choices"] = .array(choices)
                    }
                    chunks.append(finish)
                }
            case "content_block_stop"?:
                if let delta = stop(event) { chunks.append(chunk(delta)) }
            case "message_stop"?:
                done = true
            case "error"?:
                throw AnthropicErrors.failure(status: nil, headers: [], error: ErrorBody(json: .object(event)))
            default:
                break  // ping, and event types added after this was written
            }
        }
        return chunks
    }

    /// A block starts: tool calls announce their id and name here; text may come with a first piece.
    private func start(_ event: JSONObject) -> JSONObject? {
        let index = Int(event["index"]?.intValue ?? -1)
        let block = event["content_block"]
        switch block?["type"]?.stringValue {
        case "text"?:
            blocks[index] = .text
            guard let text = block?["text"]?.stringValue, !text.isEmpty else { return nil }
            return ["content": .string(text)]
        case "thinking"?:
            blocks[index] = .thinking
            guard let thinking = block?["thinking"]?.stringValue, !thinking.isEmpty else { return nil }
            return ["reasoning_content": .string(thinking)]
        case "tool_use"?:
            let name = block?["name"]?.stringValue ?? ""
            if name == AnthropicAdapter.jsonOutputToolName {
                blocks[index] = .jsonOutput
                answeredWithJSONOutput = true
                return nil
            }
            let toolIndex = toolCount
            toolCount += 1
            blocks[index] = .tool(index: toolIndex)
            return [
                "tool_calls": [
                    [
                        "index": .int(Int64(toolIndex)), "id": .string(block?["id"]?.stringValue ?? ""), "type": "function",
                        "function": ["name": .string(name), "arguments": ""],
                    ]
                ]
            ]
        default:
            blocks[index] = .other
            return nil
        }
    }

    /// A block ends. A tool call whose input streamed no JSON (a tool without parameters) gets `{}`, as OpenAI
    /// streams it and as the non-streamed answer has it: clients parse the concatenated arguments as JSON.
    private func stop(_ event: JSONObject) -> JSONObject? {
        let index = Int(event["index"]?.intValue ?? -1)
        guard case .tool(let toolIndex)? = blocks[index], !toolBlocksWithArguments.contains(index) else { return nil }
        return ["tool_calls": [["index": .int(Int64(toolIndex)), "function": ["arguments": "{}"]]]]
    }

    private func delta(_ event: JSONObject) -> JSONObject? {
        let index = Int(event["index"]?.intValue ?? -1)
        let delta = event["delta"]
        switch (blocks[index], delta?["type"]?.stringValue) {
        case (.text?, "text_delta"?):
            return ["content": .string(delta?["text"]?.stringValue ?? "")]
        case (.thinking?, "thinking_delta"?):
            return ["reasoning_content": .string(delta?["thinking"]?.stringValue ?? "")]
        case (.tool(let toolIndex)?, "input_json_delta"?):
            let fragment = delta?["partial_json"]?.stringValue ?? ""
            if !fragment.isEmpty { toolBlocksWithArguments.insert(index) }
            return ["tool_calls": [["index": .int(Int64(toolIndex)), "function": ["arguments": .string(fragment)]]]]
        case (.jsonOutput?, "input_json_delta"?):
            // The emulated JSON-schema answer streams as the message text.
            guard let fragment = delta?["partial_json"]?.stringValue, !fragment.isEmpty else { return nil }
            return ["content": .string(fragment)]
        default:
            return nil  // signature deltas, and deltas of blocks the OpenAI shape cannot carry
        }
    }

    private func recordUsage(_ reported: JSON?) {
        guard let reported = reported?.objectValue else { return }
        for (key, value) in reported where !value.isNull { usageFields[key] = value }
        usage = AnthropicResponse.usage(.object(usageFields))
    }

    private func chunk(_ delta: JSONObject, finishReason: String? = nil) -> JSONObject {
        OpenAIShape.chunk(id: id, model: model, created: created, delta: delta, finishReason: finishReason)
    }
}
