// The request bytes every client sends and the check every client applies to the answer.

import BenchSupport
import JSON

/// The text each `tools/call` sends and expects back.
let echoText = "hello switchyard"

/// Prebuilt `tools/call` bytes around the id, so the client spends no time encoding (the same in every arm).
struct CallTemplate {
    private let prefix: [UInt8]
    private let suffix: [UInt8]

    init(tool: String, newline: Bool) {
        prefix = Array(#"{"jsonrpc":"2.0","id":"#.utf8)
        let params: JSON = ["name": .string(tool), "arguments": ["text": .string(echoText)]]
        var tail = Array(#","method":"tools/call","params":"#.utf8)
        params.write(into: &tail)
        tail.append(UInt8(ascii: "}"))
        if newline { tail.append(0x0A) }
        suffix = tail
    }

    /// The request with `id`, appended to `buffer` (which is cleared first).
    func write(id: Int, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: prefix)
        appendDecimal(id, to: &buffer)
        buffer.append(contentsOf: suffix)
    }
}

/// Checks one `tools/call` answer and returns its id; `nil` when the line is a notification (no id) to skip.
func checkCallResponse(_ bytes: ArraySlice<UInt8>) throws(BenchError) -> Int? {
    let message: JSON
    do {
        message = try JSON.parse(bytes)
    } catch {
        throw BenchError("unparsable answer: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
    }
    guard let id = message["id"] else { return nil }
    guard message["result"]?["content"]?[0]?["text"]?.stringValue == echoText, let number = id.intValue else {
        throw BenchError("unexpected answer: \(String(decoding: bytes.prefix(300), as: UTF8.self))")
    }
    return Int(number)
}

/// The `initialize` params a benchmark client sends.
let initializeParams: JSON = [
    "protocolVersion": "2025-11-25",
    "capabilities": [:],
    "clientInfo": ["name": "switchyard-bench", "version": "1.0.0"],
]

/// The tool names listed in a `tools/list` result.
func toolNames(_ result: JSON?) -> Set<String> {
    Set((result?["tools"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
}
