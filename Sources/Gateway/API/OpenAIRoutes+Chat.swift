import HTTPServer
import JSON
import Loop
import Routing

extension OpenAIRoutes {
    /// `POST /v1/chat/completions`: JSON, or SSE when `stream` is true. A stream that breaks after it started ends
    /// with an error event and no `[DONE]`, so clients can tell it apart from a complete answer.
    func chatCompletions(_ request: HTTPRequest, _ response: HTTPResponseWriter, _ principal: Principal) {
        guard let body = parseBody(request, response) else { return }
        if let problem = Self.validateChat(body) { return APIReply.error(response, problem) }
        let context = RequestContext(face: "http", principal: principal)
        let governor = services.governor
        let stream = StreamBatch(response: response, loop: services.loop)
        let handle = services.router.chat(ChatRequest(body: body, encodedBody: request.body), context: context) { event in
            switch event {
            case .completion(let answer, let outcome):
                APIReply.json(response, 200, answer, headers: Self.outcomeHeaders(outcome, principal, governor))
            case .streamStarted(let model, let id):
                var headers = APIReply.sseHeaders
                headers.set("X-Switchyard-Model", model.description)
                headers.set("X-Switchyard-Generation-Id", id)
                for (name, value) in Self.budgetHeaders(principal, governor) { headers.set(name, value) }
                stream.start(headers: headers)
            case .chunk(let chunk):
                stream.append(sseEvent: chunk)
            case .streamFinished:
                stream.finish(APIReply.sseDone)
            case .failed(let error, let started):
                if started {
                    stream.finish(APIReply.sseData(error.openAIBody))
                } else {
                    APIReply.error(response, error)
                }
            }
        }
        if !response.isFinished { response.onCancel = { handle.cancel() } }
    }

    /// `POST /v1/embeddings`.
    func embeddings(_ request: HTTPRequest, _ response: HTTPResponseWriter, _ principal: Principal) {
        guard let body = parseBody(request, response) else { return }
        guard body["input"] != nil else {
            return APIReply.error(
                response, .invalidRequest("\"input\" is required (a string or an array of strings)", parameter: "input"))
        }
        let governor = services.governor
        let handle = services.router.embeddings(body, context: RequestContext(face: "http", principal: principal)) { event in
            switch event {
            case .completion(let answer, let outcome):
                APIReply.json(response, 200, answer, headers: Self.outcomeHeaders(outcome, principal, governor))
            case .failed(let error, _): APIReply.error(response, error)
            default: break
            }
        }
        if !response.isFinished { response.onCancel = { handle.cancel() } }
    }

    /// Checks the fields every provider needs before anything is routed, so the client hears about its own
    /// mistakes with a 400 naming the field instead of an upstream error.
    static func validateChat(_ body: JSONObject) -> RoutingError? {
        guard let messages = body["messages"] else {
            return .invalidRequest("\"messages\" is required (an array of {role, content})", parameter: "messages")
        }
        guard let list = messages.arrayValue, !list.isEmpty else {
            return .invalidRequest("\"messages\" must be a non-empty array", parameter: "messages")
        }
        for (index, message) in list.enumerated() {
            guard let role = message["role"]?.stringValue else {
                return .invalidRequest("messages[\(index)].role is required", parameter: "messages[\(index)].role")
            }
            guard ["system", "developer", "user", "assistant", "tool", "function"].contains(role) else {
                return .invalidRequest(
                    "messages[\(index)].role \"\(role)\" is not one of system, developer, user, assistant, tool",
                    parameter: "messages[\(index)].role")
            }
        }
        if let model = body["model"], model.stringValue == nil {
            return .invalidRequest("\"model\" must be a string", parameter: "model")
        }
        if let models = body["models"], models.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true {
            return .invalidRequest("\"models\" must be an array of model ids or alias names", parameter: "models")
        }
        if let stream = body["stream"], stream.boolValue == nil {
            return .invalidRequest("\"stream\" must be true or false", parameter: "stream")
        }
        return nil
    }

    static func outcomeHeaders(_ outcome: RouteOutcome, _ principal: Principal, _ governor: Governor) -> [(String, String)] {
        [
            ("X-Switchyard-Model", outcome.model.description), ("X-Switchyard-Generation-Id", outcome.id),
            ("X-Switchyard-Attempts", String(outcome.attempts.count)),
        ] + budgetHeaders(principal, governor)
    }

    /// The key's remaining budget (after this request's cost and other requests' reservations), when it has one.
    static func budgetHeaders(_ principal: Principal, _ governor: Governor) -> [(String, String)] {
        guard let key = principal.key, let remaining = governor.remainingBudget(keyID: key.id) else { return [] }
        return [("X-Switchyard-Budget-Remaining", String((remaining * 1_000_000).rounded() / 1_000_000))]
    }
}
