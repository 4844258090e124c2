// A tiny, fast MCP server over stdio for benchmarks: one tool, `echo`, which returns its `text` argument.
//
// It reads stdin with blocking `read(2)` and answers each request line with one `write(2)`, so the time it adds to a
// round trip is a few microseconds of JSON work. That keeps the benchmark measuring the gateway, not the downstream
// (the Python fixture in Tests/fixtures costs far more per call than the gateway is allowed to).

import JSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Protocol versions we accept from `initialize`; anything else gets the newest.
let supportedVersions: Set<String> = ["2025-11-25", "2025-06-18", "2025-03-26"]

let echoTool: JSON = [
    "name": "echo",
    "description": "Echo the text back",
    "inputSchema": [
        "type": "object",
        "properties": ["text": ["type": "string"]],
        "required": ["text"],
    ],
]

/// The result for `method`, or an error object; `nil` for notifications and anything that needs no answer.
func answer(method: String, params: JSON?) -> (result: JSON?, error: JSON?) {
    switch method {
    case "initialize":
        let requested = params?["protocolVersion"]?.stringValue ?? ""
        let version = supportedVersions.contains(requested) ? requested : "2025-11-25"
        let result: JSON = [
            "protocolVersion": .string(version),
            "capabilities": ["tools": [:]],
            "serverInfo": ["name": "bench-echo-server", "version": "1.0.0"],
        ]
        return (result, nil)
    case "ping":
        return ([:], nil)
    case "tools/list":
        return (["tools": [echoTool]], nil)
    case "tools/call":
        guard params?["name"]?.stringValue == "echo" else {
            return (nil, ["code": -32602, "message": "unknown tool"])
        }
        let text = params?["arguments"]?["text"]?.stringValue ?? ""
        return (["content": [["type": "text", "text": .string(text)]], "isError": false], nil)
    default:
        return (nil, ["code": -32601, "message": .string("method not found: \(method)")])
    }
}

/// Writes all of `bytes` to stdout, retrying on short writes and EINTR.
func writeAll(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(1, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                exit(0)  // the reader went away
            }
            offset += n
        }
    }
}

/// Handles one line: a request gets exactly one response line; notifications and garbage get nothing.
func handle(line: ArraySlice<UInt8>) {
    guard let message = try? JSON.parse(line), let method = message["method"]?.stringValue else { return }
    guard let id = message["id"] else { return }  // a notification (notifications/initialized, cancelled, …)
    let (result, error) = answer(method: method, params: message["params"])
    var response: JSON = ["jsonrpc": "2.0", "id": id]
    if let result { response["result"] = result }
    if let error { response["error"] = error }
    var out = response.serialized()
    out.append(UInt8(ascii: "\n"))
    writeAll(out)
}

/// Reads stdin until end of file, handling every complete line.
func run() {
    var pending: [UInt8] = []
    pending.reserveCapacity(1 << 16)
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        pending.append(contentsOf: chunk[0..<n])
        var start = pending.startIndex
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            handle(line: pending[start..<newline])
            start = newline + 1
        }
        pending.removeSubrange(pending.startIndex..<start)
    }
}

signal(SIGPIPE, SIG_IGN)
run()
