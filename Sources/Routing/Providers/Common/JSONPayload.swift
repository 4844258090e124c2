import JSON

/// Parsing of provider answers, where bad JSON is the provider's fault (`.invalidResponse`), never ours.
enum JSONPayload {
    /// The body parsed as a JSON object. `what` names it in the message ("Anthropic message", …).
    static func object(_ bytes: [UInt8], what: String) throws(UpstreamFailure) -> JSONObject {
        let value: JSON
        do {
            value = try JSON.parse(bytes)
        } catch {
            throw UpstreamFailure(
                .invalidResponse,
                message: "the \(what) is not valid JSON (\(error)): "
                    + ErrorBody.excerpt(String(decoding: bytes.prefix(200), as: UTF8.self)))
        }
        guard case .object(let object) = value else {
            throw UpstreamFailure(
                .invalidResponse,
                message: "the \(what) is not a JSON object: " + ErrorBody.excerpt(value.jsonString))
        }
        return object
    }

    /// A function call's `arguments` string (or an already-parsed object) as the object Anthropic and Gemini want.
    /// An empty string means no arguments. Throws `.badRequest`: the arguments came from the client's history.
    static func arguments(_ value: JSON?, tool: String) throws(UpstreamFailure) -> JSONObject {
        switch value {
        case nil, .null?:
            return [:]
        case .object(let object)?:
            return object
        case .string(let text)?:
            if text.allSatisfy(\.isWhitespace) { return [:] }
            let parsed: JSON
            do {
                parsed = try JSON.parse(text)
            } catch {
                throw UpstreamFailure(
                    .badRequest,
                    message: "the arguments of the call to tool '\(tool)' are not valid JSON (\(error))")
            }
            guard case .object(let object) = parsed else {
                throw UpstreamFailure(
                    .badRequest, message: "the arguments of the call to tool '\(tool)' must be a JSON object")
            }
            return object
        default:
            throw UpstreamFailure(.badRequest, message: "the arguments of the call to tool '\(tool)' must be a JSON string")
        }
    }
}
