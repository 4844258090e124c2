import HTTPServer
import JSON

/// Routing: which endpoint a request is for, and the front every model request goes through (parse the body,
/// find the model, count it, read its directives, apply the error directives) before its endpoint answers.
extension FakeProviderServer {
    func handle(_ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        switch (request.method, request.path) {
        case ("POST", "/v1/chat/completions"):
            chat(OpenAIWire.self, request, writer, pathModel: nil, validate: nil) { body in FakePrompt(openAI: body) }
        case ("POST", "/v1/messages"):
            chat(AnthropicWire.self, request, writer, pathModel: nil, validate: AnthropicWire.validate) { body in
                FakePrompt(anthropic: body)
            }
        case ("POST", "/v1/embeddings"):
            guard let admitted = admit(OpenAIWire.self, request, writer, pathModel: nil, validate: nil) else { return }
            do throws(FakeFailure) {
                admitted.driver.succeed(.json(try FakeEmbeddings.openAI(admitted.body, model: admitted.model)))
            } catch {
                admitted.driver.fail(OpenAIWire.error(error))
            }
        case ("GET", "/v1/models"):
            log.record(request)
            // One path, two providers: Anthropic clients send their version header.
            let reply = request.headers["anthropic-version"] != nil ? AnthropicWire.models() : OpenAIWire.models()
            writer.respond(status: reply.status, headers: reply.headers, body: reply.body)
        case ("GET", "/v1beta/models"):
            log.record(request)
            let reply = GeminiWire.models()
            writer.respond(status: reply.status, headers: reply.headers, body: reply.body)
        case ("GET", "/fake/stats"):
            let reply = FakeReply.json(log.json)
            writer.respond(status: reply.status, headers: reply.headers, body: reply.body)
        case ("POST", "/fake/reset"):
            log.reset()
            writer.respond(status: 204)
        default:
            if let call = GeminiCall(path: request.path, query: request.query), request.method == "POST" {
                return gemini(call, request, writer)
            }
            log.record(request)
            let failure = FakeFailure.notFound("fake-provider: no endpoint \(request.method) \(request.path)")
            let reply = request.path.hasPrefix("/v1beta/") ? GeminiWire.error(failure) : OpenAIWire.error(failure)
            writer.respond(status: reply.status, headers: reply.headers, body: reply.body)
        }
    }

    // MARK: Chat

    /// A chat request in any format: error directives, then the answer, plain or streamed.
    private func chat<Wire: WireFormat>(
        _ wire: Wire.Type, _ request: HTTPRequest, _ writer: HTTPResponseWriter,
        pathModel: String?, validate: ((HTTPHeaders, JSON) -> FakeFailure?)?,
        prompt read: (JSON) -> FakePrompt
    ) {
        guard let admitted = admit(wire, request, writer, pathModel: pathModel, validate: validate) else { return }
        let prompt = read(admitted.body)
        answer(wire, admitted, prompt: prompt)
    }

    private func answer<Wire: WireFormat>(
        _ wire: Wire.Type, _ admitted: Admitted, prompt: FakePrompt,
        asArray: Bool = false
    ) {
        if admitted.behaviour.contentFilter && Wire.contentFilterIsError {
            return admitted.driver.fail(Wire.error(.contentFilter))
        }
        let answer = FakeAnswer(prompt: prompt, behaviour: admitted.behaviour, model: admitted.model)
        if asArray {
            // Gemini's streamGenerateContent without alt=sse: the stream's responses as one JSON array.
            let plan = Wire.stream(answer, prompt: prompt, model: admitted.model, id: admitted.id)
            admitted.driver.succeed(.json(bytes: GeminiWire.array(of: plan)))
        } else if prompt.stream {
            admitted.driver.stream(Wire.stream(answer, prompt: prompt, model: admitted.model, id: admitted.id))
        } else {
            admitted.driver.succeed(
                .json(
                    bytes: Wire.completion(
                        answer, prompt: prompt, model: admitted.model,
                        id: admitted.id)))
        }
    }

    // MARK: Gemini

    private func gemini(_ call: GeminiCall, _ request: HTTPRequest, _ writer: HTTPResponseWriter) {
        guard let admitted = admit(GeminiWire.self, request, writer, pathModel: call.model, validate: nil) else { return }
        do throws(FakeFailure) {
            switch call.method {
            case "generateContent":
                answer(GeminiWire.self, admitted, prompt: FakePrompt(gemini: admitted.body, stream: false))
            case "streamGenerateContent":
                answer(
                    GeminiWire.self, admitted, prompt: FakePrompt(gemini: admitted.body, stream: true),
                    asArray: !call.sse)
            case "embedContent":
                admitted.driver.succeed(.json(FakeEmbeddings.geminiSingle(admitted.body)))
            case "batchEmbedContents":
                admitted.driver.succeed(.json(try FakeEmbeddings.geminiBatch(admitted.body)))
            case "countTokens":
                let prompt = FakePrompt(gemini: admitted.body, stream: false)
                admitted.driver.succeed(.json(["totalTokens": .int(Int64(prompt.promptTokens))]))
            default:
                throw .notFound("fake-provider: unknown Gemini method '\(call.method)'")
            }
        } catch {
            admitted.driver.fail(GeminiWire.error(error))
        }
    }

    // MARK: The common front

    /// A model request that passed the front: its parsed body, model name, directives and the driver to answer with.
    struct Admitted {
        var body: JSON
        var model: String
        var behaviour: FakeBehaviour
        var driver: ResponseDriver
        var id: Int
    }

    /// Records the request, parses its body and directives, and answers at once when it is malformed or a
    /// directive says to fail (`fail-first-N`, `status-N`, `context-too-long`) or `hang`. Returns nil when it
    /// answered (or is hanging).
    private func admit<Wire: WireFormat>(
        _ wire: Wire.Type, _ request: HTTPRequest, _ writer: HTTPResponseWriter,
        pathModel: String?, validate: ((HTTPHeaders, JSON) -> FakeFailure?)?
    )
        -> Admitted?
    {
        log.record(request)
        sequence += 1
        let body: JSON
        do {
            body = try JSON.parse(request.body)
        } catch {
            refuse(wire, writer, .badRequest("fake-provider: the request body is not valid JSON: \(error)"))
            return nil
        }
        guard let model = pathModel ?? body["model"]?.stringValue, !model.isEmpty else {
            refuse(wire, writer, .badRequest("fake-provider: the request names no model"))
            return nil
        }
        let count = log.count(model: model)
        let behaviour: FakeBehaviour
        do throws(FakeBehaviour.UnknownDirective) {
            behaviour = try FakeBehaviour(model: model)
        } catch {
            refuse(wire, writer, .badRequest(error.message))
            return nil
        }
        if let failure = validate?(request.headers, body) {
            refuse(wire, writer, failure)
            return nil
        }
        let driver = ResponseDriver(
            loop: loop, writer: writer, behaviour: behaviour,
            cancelled: { [unowned self] in self.log.cancelled += 1 },
            report: { [unowned self] in self.report($0) })
        if let failFirst = behaviour.failFirst, count <= failFirst {
            driver.fail(Wire.error(.status(500)))
        } else if let status = behaviour.status {
            driver.fail(Wire.error(.status(status)))
        } else if behaviour.contextTooLong {
            driver.fail(Wire.error(.contextTooLong))
        } else if behaviour.hang {
            driver.hang()
        } else {
            return Admitted(body: body, model: model, behaviour: behaviour, driver: driver, id: sequence)
        }
        return nil
    }

    private func refuse<Wire: WireFormat>(_ wire: Wire.Type, _ writer: HTTPResponseWriter, _ failure: FakeFailure) {
        let reply = Wire.error(failure)
        writer.respond(status: reply.status, headers: reply.headers, body: reply.body)
    }
}

/// `POST /v1beta/models/{model}:{method}` (also under `/v1/`), the model percent-decoded, `alt=sse` noted.
struct GeminiCall {
    var model: String
    var method: String
    var sse: Bool

    init?(path: String, query: String?) {
        let rest: Substring
        if path.hasPrefix("/v1beta/models/") {
            rest = path.dropFirst("/v1beta/models/".count)
        } else if path.hasPrefix("/v1/models/") {
            rest = path.dropFirst("/v1/models/".count)
        } else {
            return nil
        }
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        model = Self.percentDecoded(rest[..<colon])
        method = String(rest[rest.index(after: colon)...])
        sse = query?.split(separator: "&").contains("alt=sse") ?? false
    }

    /// `%XX` escapes decoded (clients may send `+` as `%2B`); a malformed escape is kept as written.
    static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2,
                let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
