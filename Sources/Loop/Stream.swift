import CLibUV

/// A readable, writable libuv stream (TCP connection or pipe). Reads arrive as byte arrays; writes are queued in
/// order and copied, so callers may reuse their buffers at once.
public class Stream: LoopHandle {
    /// Bytes read. Each call gets a fresh array.
    public typealias ReadHandler = (_ bytes: ArraySlice<UInt8>) -> Void
    /// The peer closed its side (EOF, `nil`) or the stream failed. Reading has stopped.
    public typealias EndHandler = (_ error: UVError?) -> Void

    private var onRead: ReadHandler?
    private var onEnd: EndHandler?
    private var ended = false

    var stream: UnsafeMutablePointer<uv_stream_t> {
        UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_stream_t.self)
    }

    /// Starts delivering reads. `onEnd` is called once, on EOF or error.
    public func startReading(onRead: @escaping ReadHandler, onEnd: @escaping EndHandler) throws(UVError) {
        loop.assertInLoop()
        self.onRead = onRead
        self.onEnd = onEnd
        try UVError.check(
            uv_read_start(
                stream,
                { handle, _, buf in
                    let loop = EventLoop.from(handle!.pointee.loop)
                    buf!.pointee = uv_buf_init(
                        loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(loop.readBuffer.count))
                },
                { stream, nread, _ in
                    LoopHandle.object(stream, as: Stream.self).didRead(nread)
                }), "uv_read_start")
    }

    /// Pauses reading (back-pressure); `resumeReading` continues with the same handlers.
    public func pauseReading() {
        loop.assertInLoop()
        guard !closed else { return }
        uv_read_stop(stream)
    }

    /// Resumes reading after `pauseReading`.
    public func resumeReading() {
        guard !closed, !ended, let onRead, let onEnd else { return }
        do { try startReading(onRead: onRead, onEnd: onEnd) } catch {
            // libuv refuses `uv_read_start` on a stream that is already reading (EALREADY). Resuming a stream that
            // was not paused is a no-op; ending it here dropped the handlers while libuv went on reading into them.
            if error.code == UV_EALREADY.rawValue { return }
            finish(error)
        }
    }

    private func didRead(_ nread: Int) {
        if nread > 0 {
            let bytes = Array(UnsafeRawBufferPointer(rebasing: loop.readBuffer[0..<nread]))
            onRead?(bytes[...])
        } else if nread < 0 {
            uv_read_stop(stream)
            finish(nread == Int(UV_EOF.rawValue) ? nil : UVError(code: Int32(nread), operation: "read"))
        }
    }

    private func finish(_ error: UVError?) {
        guard !ended else { return }
        ended = true
        let handler = onEnd
        onRead = nil
        onEnd = nil
        handler?(error)
    }

    /// Bytes queued in libuv but not yet written; callers use it for back-pressure.
    public var pendingWriteBytes: Int { closed ? 0 : uv_stream_get_write_queue_size(stream) }

    /// Writes `bytes` after everything written before. `completion` (optional) runs when the kernel took them or
    /// the write failed. Writing to a closed stream reports `ECANCELED`.
    public func write(_ bytes: some Collection<UInt8>, completion: ((UVError?) -> Void)? = nil) {
        loop.assertInLoop()
        guard !closed else {
            completion?(UVError(code: UV_ECANCELED.rawValue, operation: "write on a closed stream"))
            return
        }
        if bytes.isEmpty { completion?(nil); return }
        let written =
            bytes.withContiguousStorageIfAvailable { buffer in tryWrite(UnsafeRawBufferPointer(buffer)) }
            ?? Array(bytes).withUnsafeBytes { tryWrite($0) }
        if written < 0 && written != Int(UV_EAGAIN.rawValue) {
            completion?(UVError(code: Int32(written), operation: "write"))
            return
        }
        let done = max(written, 0)
        if done == bytes.count { completion?(nil); return }
        let rest = Array(bytes.dropFirst(done))
        queueWrite(rest, completion: completion)
    }

    /// Tries a synchronous write first: the common case (an empty kernel buffer) needs no request allocation.
    private func tryWrite(_ buffer: UnsafeRawBufferPointer) -> Int {
        var buf = uv_buf_init(
            UnsafeMutablePointer(mutating: buffer.baseAddress!.assumingMemoryBound(to: CChar.self)), UInt32(buffer.count))
        return Int(uv_try_write(stream, &buf, 1))
    }

    private func queueWrite(_ bytes: [UInt8], completion: ((UVError?) -> Void)?) {
        let request = WriteRequest(bytes: bytes, completion: completion)
        let result = request.submit(on: stream)
        if result < 0 {
            completion?(UVError(code: result, operation: "uv_write"))
        }
    }

    /// Half-closes the write side after queued writes finish (TCP FIN / pipe EOF to a child).
    public func shutdown(_ completion: ((UVError?) -> Void)? = nil) {
        loop.assertInLoop()
        guard !closed else { completion?(nil); return }
        let request = ShutdownRequest(completion: completion)
        let result = request.submit(on: stream)
        if result < 0 { completion?(UVError(code: result, operation: "uv_shutdown")) }
    }

    override func willClose() {
        let handler = onEnd
        onRead = nil
        onEnd = nil
        if !ended {
            ended = true
            handler?(UVError(code: UV_ECANCELED.rawValue, operation: "stream closed"))
        }
    }
}

/// One queued `uv_write`: owns the bytes and the request until libuv calls back.
private final class WriteRequest {
    let storage: UnsafeMutableRawBufferPointer
    let completion: ((UVError?) -> Void)?
    let request = UnsafeMutablePointer<uv_write_t>.allocate(capacity: 1)

    init(bytes: [UInt8], completion: ((UVError?) -> Void)?) {
        storage = .allocate(byteCount: bytes.count, alignment: 1)
        storage.copyBytes(from: bytes)
        self.completion = completion
    }

    deinit {
        storage.deallocate()
        request.deallocate()
    }

    func submit(on stream: UnsafeMutablePointer<uv_stream_t>) -> Int32 {
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
        var buf = uv_buf_init(storage.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(storage.count))
        let result = uv_write(request, stream, &buf, 1) { request, status in
            let this = Unmanaged<WriteRequest>.fromOpaque(request!.pointee.data).takeRetainedValue()
            this.completion?(status < 0 ? UVError(code: status, operation: "write") : nil)
        }
        // A synchronous failure means the callback never runs (libuv `docs/src/errors.rst`): release now.
        if result < 0 { Unmanaged<WriteRequest>.fromOpaque(request.pointee.data).release() }
        return result
    }
}

/// One `uv_shutdown` request.
private final class ShutdownRequest {
    let completion: ((UVError?) -> Void)?
    let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)

    init(completion: ((UVError?) -> Void)?) { self.completion = completion }
    deinit { request.deallocate() }

    func submit(on stream: UnsafeMutablePointer<uv_stream_t>) -> Int32 {
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
        let result = uv_shutdown(request, stream) { request, status in
            let this = Unmanaged<ShutdownRequest>.fromOpaque(request!.pointee.data).takeRetainedValue()
            this.completion?(
                status < 0 && status != UV_ECANCELED.rawValue ? UVError(code: status, operation: "shutdown") : nil)
        }
        if result < 0 { Unmanaged<ShutdownRequest>.fromOpaque(request.pointee.data).release() }
        return result
    }
}
