import JSON
import ServerSentEvents

/// The pass-through path: an OpenAI-compatible provider's chunks already are what the client gets, apart from our
/// identity members, so the common chunk — a content, tool-call or finish delta — is forwarded as the provider's
/// bytes with `id`, `model` and `provider` written over and a null `usage` dropped. Anything else (the usage chunk,
/// an error event, reasoning to rename, `[DONE]`, invalid JSON) takes the object path of `handle(_:)`, which
/// decides it exactly as before.
extension OpenAIStreamDecoder: PassThroughStreamDecoder {
    func feed(_ bytes: [UInt8], stamp: ChunkStamp, emit: ([PassedChunk]) -> Bool) throws(UpstreamFailure) {
        var rest = bytes[...]
        while let frame = try nextEvent(from: &rest) {
            if isComplete { return }
            if let passed = Self.passThrough(frame.data, stamp: stamp) {
                if !emit([passed]) { return }
                continue
            }
            let chunks = try handle([frame])
            if !chunks.isEmpty, !emit(chunks.map { .object($0) }) { return }
        }
    }

    /// The stamped chunk, or nil when the event needs the object path.
    static func passThrough(_ data: [UInt8], stamp: ChunkStamp) -> PassedChunk? {
        // Any JSON problem is left to the object path, which reports it as the provider's invalid response.
        let members: [JSONSkim.Member]
        do {
            members = try JSONSkim.members(of: data)
        } catch {
            return nil
        }
        // The chunk is written as the members are checked; an event that needs the object path drops it.
        var chunk = stamp.openObject(size: data.count)
        var text: (carriesToken: Bool, bytes: Int)?
        for member in members {
            if member.keyIsEscaped { return nil }
            if ChunkStamp.replaces(member, in: data) { continue }
            if JSONSkim.key(member, in: data, is: "usage") {
                guard isNull(data, member.value) else { return nil }  // usage to record: object path
                continue
            }
            if JSONSkim.key(member, in: data, is: "error") { return nil }
            if JSONSkim.key(member, in: data, is: "choices") {
                guard let found = choicesText(data, member.value) else { return nil }
                text = found
            }
            chunk.append(UInt8(ascii: ","))
            chunk += data[member.entry]
        }
        guard let text else { return nil }  // no choices: the object path decides what it is
        chunk.append(UInt8(ascii: "}"))
        return .encoded(chunk, carriesToken: text.carriesToken, textBytes: text.bytes)
    }

    /// Whether the `choices` array carries a token (as `RoutedCall.carriesToken` decides for objects) and about how
    /// many bytes of text it holds (as written: escapes included, tool calls whole); nil when it is empty, not an
    /// array of objects, or holds `reasoning` that must be renamed.
    private static func choicesText(_ data: [UInt8], _ range: Range<Int>) -> (carriesToken: Bool, bytes: Int)? {
        guard data[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        let choices: [Range<Int>]
        do {
            choices = try JSONSkim.elements(of: data, in: range)
        } catch {
            return nil
        }
        guard !choices.isEmpty else { return nil }
        var token = false
        var bytes = 0
        for choice in choices {
            guard data[choice.lowerBound] == UInt8(ascii: "{"), let fields = members(data, choice) else { return nil }
            for field in fields {
                if field.keyIsEscaped { return nil }
                if JSONSkim.key(field, in: data, is: "finish_reason") {
                    if !isNull(data, field.value) { token = true }
                } else if JSONSkim.key(field, in: data, is: "delta") {
                    guard data[field.value.lowerBound] == UInt8(ascii: "{"), let delta = members(data, field.value),
                        let text = deltaText(data, delta)
                    else { return nil }
                    if text.carriesToken { token = true }
                    bytes += text.bytes
                }
            }
        }
        return (token, bytes)
    }

    private static func deltaText(_ data: [UInt8], _ delta: [JSONSkim.Member]) -> (carriesToken: Bool, bytes: Int)? {
        var token = false
        var bytes = 0
        for field in delta {
            if field.keyIsEscaped || JSONSkim.key(field, in: data, is: "reasoning") { return nil }
            if JSONSkim.key(field, in: data, is: "content") || JSONSkim.key(field, in: data, is: "reasoning_content") {
                // A non-empty string: more than its two quotes.
                if data[field.value.lowerBound] == UInt8(ascii: "\""), field.value.count > 2 {
                    token = true
                    bytes += field.value.count - 2
                }
            } else if JSONSkim.key(field, in: data, is: "tool_calls") {
                if data[field.value.lowerBound] == UInt8(ascii: "["), !isEmptyArray(data, field.value) {
                    token = true
                    bytes += field.value.count
                }
            } else if JSONSkim.key(field, in: data, is: "function_call") {
                token = true
                bytes += field.value.count
            }
        }
        return (token, bytes)
    }

    private static func members(_ data: [UInt8], _ range: Range<Int>) -> [JSONSkim.Member]? {
        do {
            return try JSONSkim.members(of: data, in: range)
        } catch {
            return nil
        }
    }

    private static func isNull(_ data: [UInt8], _ range: Range<Int>) -> Bool {
        range.count == 4 && data[range.lowerBound] == UInt8(ascii: "n")
    }

    private static func isEmptyArray(_ data: [UInt8], _ range: Range<Int>) -> Bool {
        data[range].dropFirst().drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }).first
            == UInt8(ascii: "]")
    }
}
