/// Exact sliding one-minute windows of requests and tokens for one key.
struct RateWindow {
    private(set) var requests: [Double] = []
    private(set) var tokens: [(time: Double, count: Int)] = []
    private var requestHead = 0
    private var tokenHead = 0
    /// The sum of `tokens` from `tokenHead` on, kept as entries come and go so a check costs O(1).
    private(set) var tokenCount = 0

    static let length = 60.0

    mutating func prune(now: Double) {
        while requestHead < requests.count, requests[requestHead] <= now - Self.length { requestHead += 1 }
        while tokenHead < tokens.count, tokens[tokenHead].time <= now - Self.length {
            tokenCount -= tokens[tokenHead].count
            tokenHead += 1
        }
        // Compact now and then so the arrays do not grow without bound.
        if requestHead > 1024, requestHead * 2 > requests.count { requests.removeFirst(requestHead); requestHead = 0 }
        if tokenHead > 1024, tokenHead * 2 > tokens.count { tokens.removeFirst(tokenHead); tokenHead = 0 }
    }

    var requestCount: Int { requests.count - requestHead }
    var oldestRequest: Double? { requestHead < requests.count ? requests[requestHead] : nil }

    /// Seconds until the token total drops to `limit - 1` or below (what a refused caller should wait).
    func secondsUntilTokensBelow(_ limit: Int, now: Double) -> Double {
        var total = tokenCount
        for entry in tokens[tokenHead...] {
            if total < limit { break }
            total -= entry.count
            if total < limit { return max(0, entry.time + Self.length - now) }
        }
        return Self.length
    }

    mutating func addRequest(at time: Double) { requests.append(time) }
    mutating func addTokens(_ count: Int, at time: Double) {
        guard count > 0 else { return }
        tokens.append((time, count))
        tokenCount += count
    }
}
