import HTTPServer
import JSON

/// What the fake has been asked since it started or was last reset: per-model request counts (which also drive
/// `fail-first-N`), the last request as received, and how many requests the client abandoned mid-answer.
///
/// The last request is kept as raw bytes and parsed only when someone asks, so recording costs the hot path a
/// few reference-counted copies and one dictionary update.
struct FakeRequestLog {
    private(set) var counts: [String: Int] = [:]
    private(set) var total = 0
    /// Requests whose client went away (or whose connection the server closed) before the answer ended.
    var cancelled = 0
    private(set) var lastPath: String?
    private(set) var lastBody: [UInt8]?
    private(set) var lastHeaders: HTTPHeaders?

    /// Records a provider API request (control endpoints are not recorded).
    mutating func record(_ request: HTTPRequest) {
        total += 1
        lastPath = request.path
        lastBody = request.body
        lastHeaders = request.headers
    }

    /// Counts one request for `model`; returns the count including this one.
    mutating func count(model: String) -> Int {
        let count = counts[model, default: 0] + 1
        counts[model] = count
        return count
    }

    mutating func reset() { self = FakeRequestLog() }

    /// The last body as JSON; a body that is not JSON comes back as a string, an empty one as `nil`.
    var lastBodyJSON: JSON? {
        guard let lastBody, !lastBody.isEmpty else { return nil }
        do {
            return try JSON.parse(lastBody)
        } catch {
            return .string(String(decoding: lastBody, as: UTF8.self))
        }
    }

    /// The last headers with lower-cased names (the last value wins for a repeated name).
    var lastHeaderDictionary: [String: String] {
        var result: [String: String] = [:]
        for (name, value) in lastHeaders ?? HTTPHeaders() { result[name.lowercased()] = value }
        return result
    }

    /// The `GET /fake/stats` document.
    var json: JSON {
        var requests = JSONObject()
        for (model, count) in counts.sorted(by: { $0.key < $1.key }) { requests[model] = .int(Int64(count)) }
        var headers = JSONObject()
        for (name, value) in lastHeaderDictionary.sorted(by: { $0.key < $1.key }) { headers[name] = .string(value) }
        return [
            "requests": .object(requests), "total": .int(Int64(total)), "cancelled": .int(Int64(cancelled)),
            "last_path": lastPath.map(JSON.string) ?? .null, "last_request": lastBodyJSON ?? .null,
            "last_headers": .object(headers),
        ]
    }
}
