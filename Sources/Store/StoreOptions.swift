/// Tuning of the store; the defaults suit the gateway, tests shorten the delays.
public struct StoreOptions: Sendable {
    /// Usage rows are written as soon as this many are waiting.
    public var batchRows: Int
    /// …or this long after the first row that is waiting, whichever comes first.
    public var flushDelayMilliseconds: UInt64
    /// The most rows one transaction writes (a backlog after an outage goes in several transactions).
    public var maxTransactionRows: Int
    /// The most rows kept in memory while the database keeps failing; beyond it the oldest are dropped, loudly.
    public var maxRetainedRows: Int
    /// The first retry after a failed batch waits this long; each further failure doubles it…
    public var retryDelayMilliseconds: UInt64
    /// …up to this.
    public var maxRetryDelayMilliseconds: UInt64
    /// How long a connection waits for another connection's lock before failing with SQLITE_BUSY.
    public var busyTimeoutMilliseconds: Int32

    /// The defaults: 256 rows or 50 ms per batch, up to 100 000 rows kept through an outage.
    public init(
        batchRows: Int = 256, flushDelayMilliseconds: UInt64 = 50, maxTransactionRows: Int = 4_096,
        maxRetainedRows: Int = 100_000, retryDelayMilliseconds: UInt64 = 100,
        maxRetryDelayMilliseconds: UInt64 = 5_000, busyTimeoutMilliseconds: Int32 = 5_000
    ) {
        precondition(
            batchRows > 0 && maxTransactionRows >= batchRows && maxRetainedRows >= maxTransactionRows,
            "StoreOptions: need 0 < batchRows <= maxTransactionRows <= maxRetainedRows")
        self.batchRows = batchRows
        self.flushDelayMilliseconds = flushDelayMilliseconds
        self.maxTransactionRows = maxTransactionRows
        self.maxRetainedRows = maxRetainedRows
        self.retryDelayMilliseconds = retryDelayMilliseconds
        self.maxRetryDelayMilliseconds = maxRetryDelayMilliseconds
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }
}
