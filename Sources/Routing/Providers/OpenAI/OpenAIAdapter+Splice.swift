import JSON

/// The forwarding path of DESIGN §5: the client already speaks this format, so its bytes go upstream with only what
/// must change rewritten — `model` set, Switchyard's own fields dropped, `stream` and usage reporting set — instead
/// of being copied into a new object and serialized again. Whatever needs more (a `stream_options` to merge,
/// `max_tokens` to rename, an escaped key) takes the object path, which decides exactly as before.
extension OpenAIAdapter {
    /// Members the splice never copies: it writes `model`, `stream` and `stream_options` itself.
    private static let replacedFields = ChatRequest.gatewayFields.union(["model", "stream", "stream_options"])

    /// The upstream body, or nil when the object path must build it.
    static func splicedBody(_ encoded: [UInt8], model: String, stream: Bool, renamesMaxTokens: Bool) -> [UInt8]? {
        let members: [JSONSkim.Member]
        do {
            members = try JSONSkim.members(of: encoded)
        } catch {
            return nil  // cannot happen for a body that was parsed from these bytes; the object path decides
        }
        var body: [UInt8] = []
        body.reserveCapacity(encoded.count + model.utf8.count + 64)
        body += Array(#"{"model":"#.utf8)
        JSON.string(model).write(into: &body)
        for member in members {
            guard !member.keyIsEscaped else { return nil }
            let key = String(decoding: encoded[member.key], as: UTF8.self)
            if key == "stream_options" || (renamesMaxTokens && key == "max_tokens") { return nil }
            if replacedFields.contains(key) { continue }
            body.append(UInt8(ascii: ","))
            body += encoded[member.entry]
        }
        if stream {
            // The router needs usage to price the call; the decoder keeps it out of the client's chunks.
            body += Array(#","stream":true,"stream_options":{"include_usage":true}"#.utf8)
        }
        body.append(UInt8(ascii: "}"))
        return body
    }
}
