import JSONRPC
import Loop

/// Gives the JSON-RPC peer its timers from the event loop.
public final class LoopScheduler: RPCScheduler {
    let loop: EventLoop

    public init(loop: EventLoop) { self.loop = loop }

    public func schedule(after milliseconds: UInt64, _ body: @escaping () -> Void) -> RPCScheduledTask {
        do {
            return LoopScheduledTask(timer: try Timer.once(on: loop, after: milliseconds, body))
        } catch {
            // uv_timer_init cannot fail on a live loop (it only links the handle into the loop's list).
            preconditionFailure("timer creation failed: \(error)")
        }
    }
}

final class LoopScheduledTask: RPCScheduledTask {
    let timer: Timer
    init(timer: Timer) { self.timer = timer }
    func cancel() { timer.close() }
}
