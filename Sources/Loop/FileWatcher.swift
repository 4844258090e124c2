import CLibUV

/// A `uv_fs_event_t` on a directory or file: reports that something under it changed, with the file name when the
/// platform gives one. Events coalesce and may repeat, so callers re-read state rather than trust the event kind.
public final class FileWatcher: LoopHandle {
    private var callback: ((String?) -> Void)?

    public init(loop: EventLoop, path: String, _ callback: @escaping (_ fileName: String?) -> Void) throws(UVError) {
        self.callback = callback
        super.init(loop: loop, byteCount: MemoryLayout<uv_fs_event_t>.size)
        let watcher = UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_fs_event_t.self)
        try UVError.check(uv_fs_event_init(loop.raw, watcher), "uv_fs_event_init")
        adopt()
        let result = uv_fs_event_start(
            watcher,
            { handle, name, _, status in
                let this = LoopHandle.object(handle, as: FileWatcher.self)
                guard status >= 0 else { return }
                this.callback?(name.map { String(cString: $0) })
            }, path, 0)
        if result < 0 {
            close()
            throw UVError(code: result, operation: "watch \(path)")
        }
    }

    override func willClose() { callback = nil }
}
