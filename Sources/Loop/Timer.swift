import CLibUV

/// A `uv_timer_t`: fires once after a delay, or repeatedly.
public final class Timer: LoopHandle {
    private var callback: (() -> Void)?

    public init(loop: EventLoop) throws(UVError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_timer_t>.size)
        try UVError.check(uv_timer_init(loop.raw, timer), "uv_timer_init")
        adopt()
    }

    private var timer: UnsafeMutablePointer<uv_timer_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_timer_t.self)
    }

    /// Starts (or restarts) the timer: `callback` runs after `milliseconds`, then every `repeat` ms when non-zero.
    public func start(after milliseconds: UInt64, repeat repeatMilliseconds: UInt64 = 0, _ callback: @escaping () -> Void) {
        loop.assertInLoop()
        guard !closed else { return }
        self.callback = callback
        uv_timer_start(timer, { LoopHandle.object($0, as: Timer.self).fire() }, milliseconds, repeatMilliseconds)
    }

    /// Stops the timer; it can be started again.
    public func stop() {
        loop.assertInLoop()
        guard !closed else { return }
        uv_timer_stop(timer)
    }

    /// True while the timer is armed.
    public var isActive: Bool { !closed && uv_is_active(handle) != 0 }

    private func fire() { callback?() }

    override func willClose() { callback = nil }

    /// Convenience: a one-shot timer that closes itself after firing. Returns it so the caller can cancel (close) it.
    @discardableResult
    public static func once(on loop: EventLoop, after milliseconds: UInt64, _ body: @escaping () -> Void) throws(UVError)
        -> Timer
    {
        let timer = try Timer(loop: loop)
        timer.start(after: milliseconds) { [unowned timer] in
            timer.close()
            body()
        }
        return timer
    }
}
