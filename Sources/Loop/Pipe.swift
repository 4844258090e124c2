import CLibUV

/// A libuv pipe: one end of a child's stdio, or our own stdin/stdout when they are pipes or TTYs.
public final class Pipe: Stream {
    /// An unopened pipe, to hand to `ChildProcess` (which creates the OS pipe at spawn).
    init(loop: EventLoop, forChild: Void) throws(UVError) {
        super.init(loop: loop, byteCount: max(MemoryLayout<uv_pipe_t>.size, MemoryLayout<uv_tty_t>.size))
        try UVError.check(uv_pipe_init(loop.raw, pipe, 0), "uv_pipe_init")
        adopt()
    }

    /// Opens an existing file descriptor (0 for stdin, 1 for stdout) as a pipe.
    ///
    /// libuv aborts when a regular file or `/dev/null` is opened as a pipe (DESIGN.md §3), so those are refused
    /// here with `EINVAL`: use `StdioKind.of(fd)` first and read files another way.
    public init(loop: EventLoop, fd: Int32) throws(UVError) {
        super.init(loop: loop, byteCount: max(MemoryLayout<uv_pipe_t>.size, MemoryLayout<uv_tty_t>.size))
        let kind = uv_guess_handle(fd)
        guard kind == UV_NAMED_PIPE || kind == UV_TCP || kind == UV_TTY else {
            throw UVError(code: UV_EINVAL.rawValue, operation: "open fd \(fd) as a stream (it is a file or unknown)")
        }
        if kind == UV_TTY {
            try UVError.check(
                uv_tty_init(loop.raw, UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_tty_t.self), fd, 0),
                "uv_tty_init(\(fd))")
            adopt()
            return
        }
        try UVError.check(uv_pipe_init(loop.raw, pipe, 0), "uv_pipe_init")
        adopt()
        let result = uv_pipe_open(pipe, fd)
        if result < 0 {
            close()
            throw UVError(code: result, operation: "uv_pipe_open(\(fd))")
        }
    }

    var pipe: UnsafeMutablePointer<uv_pipe_t> { UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_pipe_t.self) }

    /// True when `fd` can be opened as a `Pipe` (a pipe, socket or terminal).
    public static func isStream(fd: Int32) -> Bool {
        let kind = uv_guess_handle(fd)
        return kind == UV_NAMED_PIPE || kind == UV_TCP || kind == UV_TTY
    }
}
