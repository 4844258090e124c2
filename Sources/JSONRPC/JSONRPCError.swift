import JSON

/// A JSON-RPC error object; it renders itself with its code, so every failure that reaches a client carries the
/// right code and a message a user can act on.
public struct JSONRPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSON?

    public init(code: Int, message: String, data: JSON? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public var description: String { "\(message) (JSON-RPC \(code))" }

    /// The error object as sent on the wire.
    public var json: JSON {
        var object: JSONObject = ["code": .int(Int64(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    /// Reads an error object received from a peer; a malformed one still yields something readable.
    public init(json: JSON) {
        code = json["code"]?.intValue.map(Int.init) ?? JSONRPCError.internalErrorCode
        message = json["message"]?.stringValue ?? "error without a message"
        data = json["data"]
    }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    /// Used for requests that timed out or whose peer went away; in the implementation-defined server range.
    public static let requestFailedCode = -32000

    public static func parseError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: parseErrorCode, message: "Parse error: \(detail)")
    }
    public static func invalidRequest(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: invalidRequestCode, message: "Invalid request: \(detail)")
    }
    public static func methodNotFound(_ method: String) -> JSONRPCError {
        JSONRPCError(code: methodNotFoundCode, message: "Method not found: \(method)")
    }
    public static func invalidParams(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: invalidParamsCode, message: "Invalid params: \(detail)")
    }
    public static func internalError(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: internalErrorCode, message: "Internal error: \(detail)")
    }
    /// The request got no answer in time.
    public static func timedOut(method: String, milliseconds: UInt64) -> JSONRPCError {
        JSONRPCError(
            code: requestFailedCode, message: "Request timed out: \(method) got no response within \(milliseconds) ms")
    }
    /// The connection closed (or the peer died) before the answer came.
    public static func connectionClosed(_ detail: String) -> JSONRPCError {
        JSONRPCError(code: requestFailedCode, message: detail)
    }
}
