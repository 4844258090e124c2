import CLibUV

/// A `uv_signal_t`: runs its callback on the loop when the process receives a signal (SIGINT, SIGTERM, …).
public final class SignalWatcher: LoopHandle {
    private var callback: ((Int32) -> Void)?

    public init(loop: EventLoop, signal: Int32, _ callback: @escaping (Int32) -> Void) throws(UVError) {
        self.callback = callback
        super.init(loop: loop, byteCount: MemoryLayout<uv_signal_t>.size)
        let watcher = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_signal_t.self)
        try UVError.check(uv_signal_init(loop.raw, watcher), "uv_signal_init")
        adopt()
        let result = uv_signal_start(
            watcher,
            { handle, signum in
                LoopHandle.object(handle, as: SignalWatcher.self).callback?(signum)
            }, signal)
        if result < 0 {
            close()
            throw UVError(code: result, operation: "uv_signal_start(\(signal))")
        }
    }

    override func willClose() { callback = nil }
}
