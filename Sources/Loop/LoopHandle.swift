import CLibUV

/// Base of every libuv handle wrapper: owns the heap-allocated handle and implements libuv's close protocol.
///
/// Rules (libuv `docs/src/handle.rst`): memory is freed only in the `uv_close` callback; `self` is retained from
/// `adopt()` (after a successful `uv_*_init`) until that callback, so C never calls back into a freed object.
public class LoopHandle {
    /// The loop this handle belongs to.
    public let loop: EventLoop
    let handle: UnsafeMutablePointer<uv_handle_t>
    private var adopted = false
    private(set) var isClosing = false
    private var onClose: [() -> Void] = []

    init(loop: EventLoop, byteCount: Int) {
        loop.assertInLoop()
        self.loop = loop
        let memory = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        handle = memory.assumingMemoryBound(to: uv_handle_t.self)
    }

    deinit {
        precondition(!adopted || isClosing, "libuv handle dropped without close()")
        if !adopted { handle.deallocate() }
    }

    /// Called once `uv_*_init` succeeded: from here on libuv may call back, so C holds a strong reference.
    func adopt() {
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
        adopted = true
    }

    /// True when `close()` has been called.
    public var closed: Bool { isClosing }

    /// Closes the handle; `completion` runs once libuv has finished with it. Safe to call twice.
    public func close(_ completion: (() -> Void)? = nil) {
        loop.assertInLoop()
        if let completion { onClose.append(completion) }
        guard !isClosing else { return }
        isClosing = true
        willClose()
        guard adopted else {
            let callbacks = onClose
            onClose = []
            callbacks.forEach { $0() }
            return
        }
        uv_close(handle) { handle in
            guard let handle else { return }
            let this = Unmanaged<LoopHandle>.fromOpaque(handle.pointee.data).takeRetainedValue()
            this.didClose()
        }
    }

    /// Hook for subclasses: drop callbacks and stop work before libuv closes the handle.
    func willClose() {}

    private func didClose() {
        let callbacks = onClose
        onClose = []
        callbacks.forEach { $0() }
        handle.deallocate()
    }

    /// Keeps the loop alive while this handle is active (the default).
    public func ref() { loop.assertInLoop(); uv_ref(handle) }
    /// Lets the loop exit even though this handle is active.
    public func unref() { loop.assertInLoop(); uv_unref(handle) }

    /// Recovers the wrapper inside a C callback.
    static func object<T: LoopHandle>(_ raw: UnsafeMutableRawPointer?, as _: T.Type) -> T {
        let handle = raw!.assumingMemoryBound(to: uv_handle_t.self)
        return Unmanaged<T>.fromOpaque(handle.pointee.data).takeUnretainedValue()
    }
}
