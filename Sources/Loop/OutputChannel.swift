#if canImport(Glibc)
    import Glibc
#endif

/// Where a process writes its output: a libuv stream when the descriptor is a pipe, socket or TTY, or plain
/// blocking `write(2)` when it is a regular file (libuv cannot open a file as a pipe, and file writes do not block
/// for long).
public final class OutputChannel {
    private let stream: Pipe?
    private let fd: Int32

    public init(loop: EventLoop, fd: Int32) throws(UVError) {
        self.fd = fd
        stream = Pipe.isStream(fd: fd) ? try Pipe(loop: loop, fd: fd) : nil
    }

    /// Writes all of `bytes`, in order with earlier writes.
    public func write(_ bytes: [UInt8]) {
        if let stream {
            stream.write(bytes)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
    }

    /// Bytes accepted but not yet written (streams only).
    public var pendingBytes: Int { stream?.pendingWriteBytes ?? 0 }

    /// Closes the stream once queued writes are out: `uv_close` would cancel them, so it shuts down first and
    /// closes when the shutdown completes.
    public func close() {
        guard let stream, !stream.closed else { return }
        stream.shutdown { [stream] _ in stream.close() }
    }
}
