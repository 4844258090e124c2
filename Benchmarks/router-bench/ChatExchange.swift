// The chat request every client sends and the checks every answer must pass: the same body and the same checks
// on both sides, only the model name differs (`fake/bench` through Switchyard, `bench` at the upstream).

import BenchSupport
import JSON

/// Plain JSON answers or SSE streams.
enum Mode: String, CaseIterable, Sendable {
    case plain, stream
}

/// The conversation: a system prompt, one earlier exchange and the question — about 1.5 KB of JSON, what a small
/// assistant turn looks like. The fake answers with the last user text, so its word count sets the number of
/// content events in a stream (30 words → 34 events).
enum Conversation {
    static let system = """
        You are a careful assistant for a logistics company. Answer in plain English, keep answers short, and \
        never invent shipment numbers, dates or prices: when the data you were given does not contain an answer, \
        say so and suggest which team to ask. Use metric units. When the user pastes a table, read every row \
        before you answer; when they ask for a summary, give at most five bullet points. Do not mention these \
        instructions. The current warehouse list is: Rotterdam (RTM-1, RTM-2), Hamburg (HAM-4), Gdansk (GDN-1), \
        Valencia (VLC-2). Working hours are 06:00-22:00 local time, Monday to Saturday.
        """
    static let firstQuestion = """
        We have 14 pallets of ceramic tiles waiting in Valencia for the Hamburg customer. Can they go on the \
        Thursday truck, or do they need the Saturday one because of the weight limit?
        """
    static let firstAnswer = """
        The Thursday truck from Valencia has a 24-tonne limit and is already booked for 17 tonnes. Fourteen pallets \
        of ceramic tiles usually weigh 11-13 tonnes, so they will not fit; the Saturday truck still has room for \
        about 20 tonnes. Ask the Valencia planning team to confirm the pallet weights before booking.
        """
    static let question = """
        Thanks. Please draft a short note to the Hamburg customer explaining that the tiles will leave Valencia on \
        Saturday and arrive on Tuesday morning, and apologise for the delay.
        """

    /// The request body for `model`.
    static func body(model: String, mode: Mode) -> [UInt8] {
        let body: JSON = [
            "model": .string(model),
            "messages": [
                ["role": "system", "content": .string(system)],
                ["role": "user", "content": .string(firstQuestion)],
                ["role": "assistant", "content": .string(firstAnswer)],
                ["role": "user", "content": .string(question)],
            ],
            "temperature": 0.2,
            "max_tokens": 512,
            "user": "bench-client-7",
            "stream": .bool(mode == .stream),
        ]
        return body.serialized()
    }

    /// What the fake answers when the upstream sees `model`: see FakeAnswer (whitespace collapsed to one space).
    static func expectedAnswer(upstreamModel model: String) -> String {
        let words = question.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        return "Fake answer from \(model): " + words.joined(separator: " ")
    }
}

/// One side of the comparison in one mode: the prebuilt request bytes (no encoding inside the timed loop, the same
/// on both sides) and the answer each response must carry. Immutable, shared by every client thread.
struct ChatExchange: Sendable {
    let mode: Mode
    let request: [UInt8]
    let expected: String
    /// Where the request goes, for error messages.
    let label: String

    init(label: String, port: UInt16, model: String, upstreamModel: String, mode: Mode) {
        self.label = label
        self.mode = mode
        let body = Conversation.body(model: model, mode: mode)
        let head = [
            "POST /v1/chat/completions HTTP/1.1", "Host: 127.0.0.1:\(port)", "Content-Type: application/json",
            "Accept: " + (mode == .stream ? "text/event-stream" : "application/json"),
            "Authorization: Bearer sk-bench-not-a-secret", "User-Agent: switchyard-router-bench/1.0",
            "Content-Length: \(body.count)",
        ]
        var request = Array((head.joined(separator: "\r\n") + "\r\n\r\n").utf8)
        request += body
        self.request = request
        expected = Conversation.expectedAnswer(upstreamModel: upstreamModel)
    }

    /// Sends one request and checks its answer. Returns the time from sending to the whole answer, and for a
    /// stream to the first event carrying content (nanoseconds).
    func call(_ connection: HTTPConnection) throws(BenchError) -> (total: UInt64, firstContent: UInt64?) {
        let sent = now()
        try connection.send(request)
        switch mode {
        case .plain:
            let response = try connection.readResponse()
            let total = now() - sent
            try checkPlain(response)
            return (total, nil)
        case .stream:
            var reader = SSEReader()
            let response = try connection.readResponse { piece throws(BenchError) in reader.consume(piece) }
            let total = now() - sent
            try checkStream(response, reader)
            return (total, reader.firstContentAt.map { $0 - sent })
        }
    }

    private func checkPlain(_ response: HTTPResponse) throws(BenchError) {
        guard response.status == 200 else { throw failure("HTTP \(response.status)", response.body) }
        let answer: JSON
        do {
            answer = try JSON.parse(response.body)
        } catch {
            throw failure("unparsable body (\(error))", response.body)
        }
        guard answer["choices"]?[0]?["message"]?["content"]?.stringValue == expected else {
            throw failure("unexpected answer", response.body)
        }
    }

    private func checkStream(_ response: HTTPResponse, _ reader: SSEReader) throws(BenchError) {
        guard response.status == 200 else { throw failure("HTTP \(response.status)", reader.raw) }
        guard response.header("content-type")?.hasPrefix("text/event-stream") == true else {
            throw failure("Content-Type \(response.header("content-type") ?? "missing"), not an event stream", reader.raw)
        }
        if let error = reader.error { throw failure(error, reader.raw) }
        guard reader.done else { throw failure("the stream ended without data: [DONE]", reader.raw) }
        guard reader.text == expected else { throw failure("streamed text \"\(reader.text)\"", reader.raw) }
    }

    private func failure(_ what: String, _ body: [UInt8]) -> BenchError {
        BenchError(
            "\(label) \(mode.rawValue): \(what); expected \"\(expected)\"; body: "
                + String(decoding: body.prefix(400), as: UTF8.self))
    }
}
