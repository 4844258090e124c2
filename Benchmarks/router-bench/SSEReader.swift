// Reads an OpenAI-style SSE body as it arrives: the streamed text, the time its first content arrived, [DONE].

import BenchSupport
import JSON

/// Follows one `text/event-stream` body piece by piece. Problems are recorded, not thrown, so the rest of the
/// response is still read (the connection stays usable for the error message) and the caller decides.
struct SSEReader {
    /// The `delta.content` of every event, concatenated.
    private(set) var text = ""
    /// Whether `data: [DONE]` arrived.
    private(set) var done = false
    /// The first problem seen: an unparsable event, an error event, data after [DONE].
    private(set) var error: String?
    /// When (monotonic ns) the first event with non-empty content was complete.
    private(set) var firstContentAt: UInt64?
    /// The body so far: kept whole for error messages (a stream here is a few KB) and scanned line by line.
    private(set) var raw: [UInt8] = []
    private var lineStart = 0

    init() { raw.reserveCapacity(16 << 10) }

    /// Adds the next piece of the body and reads every line it completes.
    mutating func consume(_ piece: ArraySlice<UInt8>) {
        raw.append(contentsOf: piece)
        while let newline = raw[lineStart...].firstIndex(of: 0x0A) {
            var line = raw[lineStart..<newline]
            lineStart = newline + 1
            if line.last == 0x0D { line = line.dropLast() }
            guard line.starts(with: Self.dataPrefix) else { continue }  // blank separators, comments, `event:`
            var payload = line.dropFirst(Self.dataPrefix.count)
            if payload.first == UInt8(ascii: " ") { payload = payload.dropFirst() }
            event(payload)
        }
    }

    private static let dataPrefix = Array("data:".utf8)
    private static let doneMarker = Array("[DONE]".utf8)

    private mutating func event(_ payload: ArraySlice<UInt8>) {
        if done { return note("an event after data: [DONE]") }
        if payload.elementsEqual(Self.doneMarker) {
            done = true
            return
        }
        let chunk: JSON
        do {
            chunk = try JSON.parse(payload)
        } catch {
            return note("unparsable event (\(error)): " + String(decoding: payload.prefix(200), as: UTF8.self))
        }
        if let problem = chunk["error"] { return note("error event: \(problem)") }
        guard let content = chunk["choices"]?[0]?["delta"]?["content"]?.stringValue, !content.isEmpty else { return }
        text += content
        if firstContentAt == nil { firstContentAt = now() }
    }

    private mutating func note(_ problem: String) {
        if error == nil { error = problem }
    }
}
