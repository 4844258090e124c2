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
            if frame.data.isEmpty { continue }  // a keep-alive, as `handle` treats it
            if let passed = Self.passThrough(frame.data, stamp: stamp) {
                if !emit([passed]) { return }
                continue
            }
            let chunks = try handle([frame])
            if !chunks.isEmpty, !emit(chunks.map { .object($0) }) { return }
        }
    }

    /// The stamped chunk, or nil when the event needs the object path. The members are visited in place (no
    /// arrays of ranges): this runs for every event of every stream.
    static func passThrough(_ data: [UInt8], stamp: ChunkStamp) -> PassedChunk? {
        // What cannot be copied as it came takes the object path, which writes the chunk anew: JSON spread over
        // several `data:` lines (joined with line feeds, which would end the client's line) and invalid UTF-8
        // (repaired to U+FFFD there, as everywhere else; copied, it breaks the client's decoder).
        guard UTF8Check.isValid(data, allowingLineFeeds: false) else { return nil }
        // The chunk is written as the members are checked; an event that needs the object path drops it.
        var chunk = stamp.openObject(size: data.count)
        var text: (carriesToken: Bool, bytes: Int)?
        var needsObjectPath = false
        do {
            try JSONSkim.forEachMember(of: data, in: 0..<data.count) { member in
                if needsObjectPath || ChunkStamp.replaces(member, in: data) { return }
                if member.keyIsEscaped {
                    needsObjectPath = true
                    return
                }
                // A null `usage` or `error` says there is none: dropped. Usage to record or an error: object path.
                if JSONSkim.key(member, in: data, is: "usage") || JSONSkim.key(member, in: data, is: "error") {
                    if !isNull(data, member.value) { needsObjectPath = true }
                    return
                }
                if JSONSkim.key(member, in: data, is: "choices") {
                    guard let found = choicesText(data, member.value) else {
                        needsObjectPath = true
                        return
                    }
                    text = found
                }
                chunk.append(UInt8(ascii: ","))
                chunk += data[member.entry]
            }
        } catch {
            return nil  // any JSON problem is left to the object path, which reports the provider's invalid response
        }
        // No choices: the object path decides what the event is.
        guard !needsObjectPath, let text else { return nil }
        chunk.append(UInt8(ascii: "}"))
        return .encoded(chunk, carriesToken: text.carriesToken, textBytes: text.bytes)
    }

    /// Whether the `choices` array carries a token (as `RoutedCall.carriesToken` decides for objects) and about how
    /// many bytes of text it holds (as written: escapes included, tool calls whole); nil when it is empty, not an
    /// array of objects, or holds `reasoning` that must be renamed.
    private static func choicesText(_ data: [UInt8], _ range: Range<Int>) -> (carriesToken: Bool, bytes: Int)? {
        guard data[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        var count = 0
        var token = false
        var bytes = 0
        var refused = false
        do {
            try JSONSkim.forEachElement(of: data, in: range) { choice in
                count += 1
                guard !refused, data[choice.lowerBound] == UInt8(ascii: "{"),
                    let found = choiceText(data, choice)
                else {
                    refused = true
                    return
                }
                if found.carriesToken { token = true }
                bytes += found.bytes
            }
        } catch {
            return nil
        }
        return refused || count == 0 ? nil : (token, bytes)
    }

    /// One choice: a token when it finishes or its delta carries one.
    private static func choiceText(_ data: [UInt8], _ choice: Range<Int>) -> (carriesToken: Bool, bytes: Int)? {
        var token = false
        var bytes = 0
        var refused = false
        let valid = visit(data, choice) { field in
            if refused { return }
            if field.keyIsEscaped {
                refused = true
            } else if JSONSkim.key(field, in: data, is: "finish_reason") {
                if !isNull(data, field.value) { token = true }
            } else if JSONSkim.key(field, in: data, is: "delta") {
                guard data[field.value.lowerBound] == UInt8(ascii: "{"), let text = deltaText(data, field.value) else {
                    refused = true
                    return
                }
                if text.carriesToken { token = true }
                bytes += text.bytes
            }
        }
        return valid && !refused ? (token, bytes) : nil
    }

    private static func deltaText(_ data: [UInt8], _ delta: Range<Int>) -> (carriesToken: Bool, bytes: Int)? {
        var token = false
        var bytes = 0
        var refused = false
        let valid = visit(data, delta) { field in
            if refused { return }
            if field.keyIsEscaped || JSONSkim.key(field, in: data, is: "reasoning") {
                refused = true
            } else if JSONSkim.key(field, in: data, is: "content") || JSONSkim.key(field, in: data, is: "reasoning_content")
            {
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
        return valid && !refused ? (token, bytes) : nil
    }

    /// Visits the members of the object at `range`; false when it is not valid JSON.
    private static func visit(_ data: [UInt8], _ range: Range<Int>, _ body: (JSONSkim.Member) -> Void) -> Bool {
        do {
            try JSONSkim.forEachMember(of: data, in: range, body)
            return true
        } catch {
            return false
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
