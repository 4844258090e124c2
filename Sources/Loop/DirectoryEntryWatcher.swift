import CLibUV

#if canImport(Glibc)
    import Glibc
#endif

/// Reports names entering or leaving a directory — created, deleted, renamed in or out — and nothing else.
///
/// Why not `FileWatcher`: libuv watches a directory with a fixed inotify mask that includes every write to every
/// file in it, so watching a busy directory (the one holding `servers.d`, often also the project, a log or the
/// usage database) wakes the loop on each write. This watcher asks the kernel only for entry changes.
public final class DirectoryEntryWatcher {
    private let loop: EventLoop
    private var descriptor: Int32
    private let poll: Poll
    private let callback: (_ name: String?) -> Void

    /// Watches `path`, a directory. `callback` gets the entry's name, or nil when the directory itself was removed
    /// or moved, or events were lost (the caller should look again).
    public init(loop: EventLoop, path: String, _ callback: @escaping (_ name: String?) -> Void) throws(UVError) {
        loop.assertInLoop()
        self.loop = loop
        self.callback = callback
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw UVError(code: -errno, operation: "inotify_init1") }
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, path, mask | UInt32(IN_ONLYDIR)) >= 0 else {
            let code = -errno
            Glibc.close(fd)
            throw UVError(code: code, operation: "watch \(path)")
        }
        descriptor = fd
        do {
            poll = try Poll(loop: loop, socket: fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
        poll.start(.readable) { [unowned self] _, _ in self.readEvents() }
    }

    deinit { precondition(descriptor < 0, "DirectoryEntryWatcher dropped without close()") }

    /// Stops watching; no callback runs afterwards.
    public func close() {
        loop.assertInLoop()
        guard descriptor >= 0 else { return }
        poll.close()  // stops polling before the descriptor goes
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// Drains the queue: each record is a fixed header (`inotify_event`) followed by `len` bytes of
    /// NUL-padded name.
    private func readEvents() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while descriptor >= 0 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                // EAGAIN is the normal end; any other failure means events may be lost: say "look again".
                if count < 0 && errno != EAGAIN { callback(nil) }
                return
            }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let (mask, length) = buffer.withUnsafeBytes { bytes in
                    let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, Int(event.len))
                }
                let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)]
                offset += header + length
                if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_Q_OVERFLOW) != 0 {
                    callback(nil)
                } else {
                    callback(String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self))
                }
                guard descriptor >= 0 else { return }  // the callback closed us
            }
        }
    }
}
