import JSON

/// The non-streamed answer of an OpenAI-compatible provider is already what the client gets, apart from our identity
/// members and `usage` (with cost): it goes on as the provider's bytes. Anything else — no `choices` array, an
/// error body, reasoning to rename, an escaped key, invalid JSON — takes the object path (`OpenAIResponse`), which
/// decides it exactly as before.
extension OpenAIAdapter: PassThroughResponseAdapter {
    public func passThroughCompletion(_ body: [UInt8], stamp: ChunkStamp)
        -> (head: [UInt8], usage: TokenUsage, reportedUsage: JSONObject?)?
    {
        // Invalid UTF-8 is repaired to U+FFFD on the object path; copied as it came, it breaks the client's decoder.
        guard UTF8Check.isValid(body) else { return nil }
        let members: [JSONSkim.Member]
        do {
            members = try JSONSkim.members(of: body)
        } catch {
            return nil
        }
        var head = stamp.openObject(size: body.count)
        var usage = TokenUsage()
        var reportedUsage: JSONObject?
        var sawChoices = false
        var sawObject = false
        for member in members {
            if member.keyIsEscaped || JSONSkim.key(member, in: body, is: "error") { return nil }
            if ChunkStamp.replaces(member, in: body) { continue }
            if JSONSkim.key(member, in: body, is: "usage") {
                do {
                    let reported = try JSON.parse(body[member.value])
                    usage = TokenUsage(openAI: reported) ?? TokenUsage()
                    reportedUsage = reported.objectValue
                } catch {
                    return nil  // validated already; the object path would say the same
                }
                continue
            }
            if JSONSkim.key(member, in: body, is: "choices") {
                guard Self.choicesNeedNoRewrite(body, member.value) else { return nil }
                sawChoices = true
            }
            if JSONSkim.key(member, in: body, is: "object") { sawObject = true }
            head.append(UInt8(ascii: ","))
            head += body[member.entry]
        }
        // No usage reported: the object path, where the router estimates it.
        guard sawChoices, reportedUsage != nil else { return nil }
        if !sawObject { head += Array(#","object":"chat.completion""#.utf8) }
        return (head, usage, reportedUsage)
    }

    /// Whether `choices` is an array of objects whose `message` carries no `reasoning` to rename.
    private static func choicesNeedNoRewrite(_ body: [UInt8], _ range: Range<Int>) -> Bool {
        guard body[range.lowerBound] == UInt8(ascii: "[") else { return false }
        do {
            for choice in try JSONSkim.elements(of: body, in: range) {
                guard body[choice.lowerBound] == UInt8(ascii: "{") else { return false }
                for field in try JSONSkim.members(of: body, in: choice)
                where field.keyIsEscaped || JSONSkim.key(field, in: body, is: "message") {
                    if field.keyIsEscaped { return false }
                    guard body[field.value.lowerBound] == UInt8(ascii: "{") else { continue }
                    for part in try JSONSkim.members(of: body, in: field.value) {
                        if part.keyIsEscaped || JSONSkim.key(part, in: body, is: "reasoning") { return false }
                    }
                }
            }
        } catch {
            return false
        }
        return true
    }
}
