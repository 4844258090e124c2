import JSON
import JSONRPC
import MCP

/// One of the gateway's own MCP tools: its definition and its handler. Handlers answer through the request, with a
/// tool result (`isError: true` for failures the agent should read) or a JSON-RPC error for malformed calls.
struct GatewayTool {
    let name: String
    let title: String
    let description: String
    let inputSchema: JSON
    let run: (_ arguments: JSONObject, _ request: IncomingRequest, _ session: MCPServerSession) -> Void

    var definition: JSON {
        ["name": .string(name), "title": .string(title), "description": .string(description), "inputSchema": inputSchema]
    }
}

/// Shapes tool results.
enum ToolResult {
    /// A successful result with a text summary and the same data as `structuredContent`.
    static func success(_ text: String, structured: JSON? = nil) -> JSON {
        var object: JSONObject = ["content": [["type": "text", "text": .string(text)]], "isError": false]
        if let structured { object["structuredContent"] = structured }
        return .object(object)
    }

    /// A failure the agent should read and act on.
    static func failure(_ text: String) -> JSON {
        ["content": [["type": "text", "text": .string(text)]], "isError": true]
    }
}

/// Reads tool arguments, failing with -32602 that names the argument.
struct ToolArguments {
    let object: JSONObject
    let tool: String

    func string(_ key: String) throws(JSONRPCError) -> String {
        guard let value = object[key]?.stringValue, !value.isEmpty else {
            throw .invalidParams("\(tool): argument \"\(key)\" is required and must be a non-empty string")
        }
        return value
    }

    func optionalBool(_ key: String) throws(JSONRPCError) -> Bool? {
        guard let value = object[key] else { return nil }
        guard let flag = value.boolValue else { throw .invalidParams("\(tool): argument \"\(key)\" must be true or false") }
        return flag
    }

    func object(_ key: String) throws(JSONRPCError) -> JSON {
        guard let value = object[key], value.objectValue != nil else {
            throw .invalidParams("\(tool): argument \"\(key)\" is required and must be an object")
        }
        return value
    }
}
