import CLibUV

/// A `uv_idle_t`: runs its callback once per loop turn while started (and keeps the loop from blocking in poll).
final class IdleHandle: LoopHandle {
    private var callback: (() -> Void)?

    init(loop: EventLoop, _ callback: @escaping () -> Void) throws(UVError) {
        self.callback = callback
        super.init(loop: loop, byteCount: MemoryLayout<uv_idle_t>.size)
        try UVError.check(uv_idle_init(loop.raw, idle), "uv_idle_init")
        adopt()
    }

    private var idle: UnsafeMutablePointer<uv_idle_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_idle_t.self)
    }

    func start() {
        guard !closed, uv_is_active(handle) == 0 else { return }
        uv_idle_start(idle) { LoopHandle.object($0, as: IdleHandle.self).fire() }
    }

    func stop() {
        guard !closed else { return }
        uv_idle_stop(idle)
    }

    private func fire() { callback?() }

    override func willClose() { callback = nil }
}
