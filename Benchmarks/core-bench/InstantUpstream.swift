import JSON
import Routing

/// An upstream that answers every request with the same OpenAI completion, delivered by `drain()` (never inside
/// `send`, as the transport contract requires). No sockets: the benchmark measures the routing core itself.
final class InstantUpstream: UpstreamTransport {
    final class Call: UpstreamCall {
        func cancel() {}
    }

    private var queue:
        [(onHead: (Int, [(String, String)]) -> Void, onBody: ([UInt8]) -> Void, onComplete: (TransportFailure?) -> Void)] =
            []
    private let body: [UInt8]
    private let headers: [(String, String)] = [("Content-Type", "application/json")]

    init() {
        let answer: JSON = [
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "bench",
            "choices": [
                [
                    "index": 0, "message": ["role": "assistant", "content": "Fake answer from bench: hello"],
                    "finish_reason": "stop",
                ]
            ],
            "usage": ["prompt_tokens": 380, "completion_tokens": 6, "total_tokens": 386],
        ]
        body = answer.serialized()
    }

    func send(
        _ request: UpstreamRequest, timeouts: AttemptTimeouts,
        onHead: @escaping (Int, [(String, String)]) -> Void, onBody: @escaping ([UInt8]) -> Void,
        onComplete: @escaping (TransportFailure?) -> Void
    ) -> UpstreamCall {
        queue.append((onHead, onBody, onComplete))
        return Call()
    }

    /// Delivers every queued answer.
    func drain() {
        while !queue.isEmpty {
            let next = queue.removeLast()
            next.onHead(200, headers)
            next.onBody(body)
            next.onComplete(nil)
        }
    }
}

/// Usage rows counted, not stored (the store runs off the loop; its cost is not the key checks').
final class CountingUsage: UsageSink {
    var rows = 0
    func record(_ record: UsageRecord) { rows += 1 }
}

/// Keys kept in memory only.
final class MemoryKeys: KeyStore {
    func loadKeys() throws -> [APIKey] { [] }
    func saveKey(_ key: APIKey, completion: @escaping (Error?) -> Void) { completion(nil) }
    func deleteKey(id: String, completion: @escaping (Error?) -> Void) { completion(nil) }
    func recordSpend(keyID: String, cost: Double, periodStart: Double) {}
    func reloadKeys(completion: @escaping (Result<KeySnapshot, Error>) -> Void) {
        completion(.success(KeySnapshot(keys: [], unwritten: [:])))
    }
}
