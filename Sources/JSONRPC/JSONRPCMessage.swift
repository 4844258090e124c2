import JSON

/// A request id, echoed exactly as received (string or number, never null).
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    /// `.string`, `.int` or `.double`.
    public let json: JSON

    public init(_ value: Int64) { json = .int(value) }
    public init(_ value: String) { json = .string(value) }

    /// Accepts only the id shapes JSON-RPC allows (and MCP: no null).
    public init?(json: JSON) {
        switch json {
        case .string, .int, .double: self.json = json
        default: return nil
        }
    }

    public var description: String { json.jsonString }
}

/// One JSON-RPC 2.0 message.
public enum JSONRPCMessage: Equatable, Sendable {
    case request(id: RequestID, method: String, params: JSON?)
    case notification(method: String, params: JSON?)
    case response(id: RequestID, result: JSON)
    /// `id` is nil only when the request's id could not be read (parse errors).
    case error(id: RequestID?, error: JSONRPCError)

    /// The wire form.
    public var json: JSON {
        var object: JSONObject = ["jsonrpc": "2.0"]
        switch self {
        case let .request(id, method, params):
            object["id"] = id.json
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case let .notification(method, params):
            object["method"] = .string(method)
            if let params { object["params"] = params }
        case let .response(id, result):
            object["id"] = id.json
            object["result"] = result
        case let .error(id, error):
            object["id"] = id?.json ?? .null
            object["error"] = error.json
        }
        return .object(object)
    }

    /// Serialized compact bytes.
    public func serialized() -> [UInt8] { json.serialized() }

    /// Classifies a parsed value. Throws the error response to send back (with the id when one could be read).
    public init(json: JSON) throws(JSONRPCMessageError) {
        guard case let .object(object) = json else {
            if case .array = json {
                throw JSONRPCMessageError(
                    id: nil, error: .invalidRequest("batch requests are not supported; send one message at a time"))
            }
            throw JSONRPCMessageError(id: nil, error: .invalidRequest("a message must be a JSON object"))
        }
        let rawID = object["id"]
        let id = rawID.flatMap(RequestID.init(json:))
        guard object["jsonrpc"] == .string("2.0") else {
            throw JSONRPCMessageError(id: id, error: .invalidRequest("\"jsonrpc\" must be \"2.0\""))
        }
        if let method = object["method"] {
            guard case let .string(name) = method else {
                throw JSONRPCMessageError(id: id, error: .invalidRequest("\"method\" must be a string"))
            }
            let params = object["params"]
            if let params, !(params.objectValue != nil || params.arrayValue != nil) {
                throw JSONRPCMessageError(id: id, error: .invalidRequest("\"params\" must be an object or an array"))
            }
            guard rawID != nil else {
                self = .notification(method: name, params: params)
                return
            }
            guard let id else {
                throw JSONRPCMessageError(id: nil, error: .invalidRequest("\"id\" must be a string or a number"))
            }
            self = .request(id: id, method: name, params: params)
            return
        }
        if let result = object["result"] {
            guard let id else { throw JSONRPCMessageError(id: nil, error: .invalidRequest("a response needs an \"id\"")) }
            self = .response(id: id, result: result)
            return
        }
        if let error = object["error"] {
            guard error.objectValue != nil else {
                throw JSONRPCMessageError(id: id, error: .invalidRequest("\"error\" must be an object"))
            }
            self = .error(id: id, error: JSONRPCError(json: error))
            return
        }
        throw JSONRPCMessageError(id: id, error: .invalidRequest("neither \"method\", \"result\" nor \"error\" present"))
    }

    /// Parses bytes into a message; parse failures become -32700, shape failures -32600.
    public static func decode(_ bytes: ArraySlice<UInt8>, limits: JSONLimits = .init()) throws(JSONRPCMessageError)
        -> JSONRPCMessage
    {
        let value: JSON
        do {
            value = try JSON.parse(bytes, limits: limits)
        } catch {
            throw JSONRPCMessageError(id: nil, error: .parseError(error.description))
        }
        return try JSONRPCMessage(json: value)
    }
}

/// A message that could not be accepted, with the error response that says why.
public struct JSONRPCMessageError: Error, Sendable {
    public let id: RequestID?
    public let error: JSONRPCError

    /// The response to send back.
    public var response: JSONRPCMessage { .error(id: id, error: error) }
}
