import HTTPServer
import JSON
import Routing

/// Response helpers for the OpenAI-compatible API: JSON bodies, OpenAI-shaped errors, SSE lines.
enum APIReply {
    static func json(
        _ response: HTTPResponseWriter, _ status: Int, _ body: JSONObject, headers extra: [(String, String)] = []
    ) {
        json(response, status, encoded: JSON.object(body).serialized(), headers: extra)
    }

    /// A router answer as it is (already JSON text when it was passed through).
    static func json(
        _ response: HTTPResponseWriter, _ status: Int, _ answer: ChatPayload, headers extra: [(String, String)] = []
    ) {
        json(response, status, encoded: answer.serialized, headers: extra)
    }

    private static func json(
        _ response: HTTPResponseWriter, _ status: Int, encoded body: [UInt8], headers extra: [(String, String)]
    ) {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        for (name, value) in extra { headers.add(name, value) }
        response.respond(status: status, headers: headers, body: body)
    }

    /// An error in OpenAI's shape, with `Retry-After` and the generation id when the error has them.
    static func error(_ response: HTTPResponseWriter, _ error: RoutingError, headers: [(String, String)] = []) {
        json(response, error.status, error.openAIBody, headers: headers + APIGate.errorHeaders(error))
    }

    static func error(
        _ response: HTTPResponseWriter, status: Int, type: String, code: String, message: String, parameter: String? = nil
    ) {
        error(response, RoutingError(status: status, type: type, code: code, message: message, parameter: parameter))
    }

    /// `data: {json}\n\n`.
    static func sseData(_ object: JSONObject) -> [UInt8] {
        var bytes = Array("data: ".utf8)
        bytes.reserveCapacity(512)
        JSON.object(object).write(into: &bytes)
        bytes.append(contentsOf: [0x0A, 0x0A])
        return bytes
    }

    static let sseDone = Array("data: [DONE]\n\n".utf8)
    static let sseHeaders: HTTPHeaders = [
        "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
    ]
}
