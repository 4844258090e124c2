import CLibUV

/// A `uv_poll_t` on a socket owned by someone else (libcurl): reports readiness, never reads or writes.
public final class Poll: LoopHandle {
    /// Readiness flags.
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: Int32(UV_READABLE.rawValue))
        public static let writable = Events(rawValue: Int32(UV_WRITABLE.rawValue))
    }

    private var callback: ((_ status: Int32, _ events: Events) -> Void)?

    public init(loop: EventLoop, socket: Int32) throws(UVError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_poll_t>.size)
        try UVError.check(uv_poll_init_socket(loop.raw, poll, socket), "uv_poll_init_socket(\(socket))")
        adopt()
    }

    private var poll: UnsafeMutablePointer<uv_poll_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_poll_t.self)
    }

    /// Starts (or changes) watching for `events`.
    public func start(_ events: Events, _ callback: @escaping (_ status: Int32, _ events: Events) -> Void) {
        loop.assertInLoop()
        guard !closed else { return }
        self.callback = callback
        uv_poll_start(poll, events.rawValue) { handle, status, events in
            LoopHandle.object(handle, as: Poll.self).callback?(status, Events(rawValue: events))
        }
    }

    public func stop() {
        loop.assertInLoop()
        guard !closed else { return }
        uv_poll_stop(poll)
    }

    override func willClose() { callback = nil }
}
