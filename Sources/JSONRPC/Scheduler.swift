/// Timers for the peer, supplied by whoever owns the event loop (JSONRPC imports no I/O target).
public protocol RPCScheduler: AnyObject {
    /// Runs `body` once after `milliseconds` on the peer's thread, unless the returned token is cancelled first.
    func schedule(after milliseconds: UInt64, _ body: @escaping () -> Void) -> RPCScheduledTask
}

/// A pending scheduled call.
public protocol RPCScheduledTask: AnyObject {
    func cancel()
}
