import Routing

/// Reads of the usage table. Each runs on the worker thread and calls back on the loop, on a later turn.
extension Store {
    /// The usage row `id` (the response's `gen-…` id), or nil when there is none. Rows not yet written are found
    /// in the writer's buffer, so a request that has just finished is found at once.
    public func usageRecord(id: String, completion: @escaping (Result<UsageRecord?, any Error>) -> Void) {
        loop.assertInLoop()
        if let buffered = usageWriter.bufferedRecord(id: id) {
            loop.execute { completion(.success(buffered)) }
            return
        }
        worker.submit({ database in try UsageTable.record(id: id, in: database) }, completion: completion)
    }

    /// Requests that arrived from `since` (inclusive) until `until` (exclusive; nil for no end), in unix seconds,
    /// grouped by `groupBy`, most expensive group first. Buffered rows are written first, so the summary includes
    /// every request recorded before the call.
    /// `keyID` limits the summary to one key's requests (what an API key may see of usage).
    public func usageSummary(
        since: Double, until: Double? = nil, groupBy grouping: UsageGrouping, keyID: String? = nil,
        completion: @escaping (Result<[UsageSummaryRow], any Error>) -> Void
    ) {
        loop.assertInLoop()
        let end = until ?? .infinity
        afterFlush {
            self.worker.submit(
                { database in
                    try UsageQueries.summary(since: since, until: end, groupBy: grouping, keyID: keyID, in: database)
                }, completion: completion)
        }
    }

    /// Requests per answering model since `since` (unix seconds), to seed the router's "lowest usage" strategy at
    /// startup. Buffered rows are written first.
    public func recentUsageCounts(since: Double, completion: @escaping (Result<[ModelID: Int], any Error>) -> Void) {
        loop.assertInLoop()
        afterFlush {
            self.worker.submit(
                { database in try UsageQueries.recentCounts(since: since, in: database) },
                completion: completion)
        }
    }

    /// Runs `body` once buffered rows are written. A failed write does not hold the read back: the writer has
    /// logged it and keeps the rows, and the read reports what is stored.
    private func afterFlush(_ body: @escaping () -> Void) {
        usageWriter.flush { _ in body() }
    }
}
