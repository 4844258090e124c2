import CLibUV
import Synchronization

/// The only door into the loop from another thread: messages posted from anywhere are handed, in order, to a
/// handler that runs on the loop.
///
/// `uv_async_send` coalesces wake-ups (libuv `docs/src/async.rst`: "multiple calls … may be coalesced"), so each
/// wake drains the whole queue.
public final class Mailbox<Message: Sendable>: AsyncWakeHandle {
    private let queue: MailboxQueue<Message>
    private var handler: ((Message) -> Void)?

    /// Creates the mailbox on the loop thread; `handler` runs on the loop for each message.
    public init(loop: EventLoop, _ handler: @escaping (Message) -> Void) throws(UVError) {
        self.handler = handler
        queue = MailboxQueue()
        try super.init(loop: loop)
        queue.async = async
    }

    /// A thread-safe handle for posting messages.
    public var sender: MailboxSender<Message> { MailboxSender(queue: queue) }

    override func wake() {
        for message in queue.takeAll() { handler?(message) }
    }

    override func willClose() {
        queue.closeDoor()
        handler = nil
    }
}

/// The non-generic part of `Mailbox`: C function pointers cannot capture generic parameters.
public class AsyncWakeHandle: LoopHandle {
    init(loop: EventLoop) throws(UVError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_async_t>.size)
        try UVError.check(
            uv_async_init(loop.raw, async) { handle in
                LoopHandle.object(handle, as: AsyncWakeHandle.self).wake()
            }, "uv_async_init")
        adopt()
    }

    var async: UnsafeMutablePointer<uv_async_t> { UnsafeMutableRawPointer(handle).assumingMemoryBound(to: uv_async_t.self) }

    func wake() {}
}

/// Posts messages to a `Mailbox` from any thread.
public struct MailboxSender<Message: Sendable>: Sendable {
    let queue: MailboxQueue<Message>

    /// Queues `message`; returns false when the mailbox was closed (the message is dropped).
    @discardableResult
    public func post(_ message: Message) -> Bool { queue.post(message) }
}

/// Shared between threads. `@unchecked Sendable` because `async` is a raw pointer: it is written once on the loop
/// thread before any sender exists, and read only under the mutex, which also guards the queue; `closeDoor` clears it
/// under the mutex before the handle is closed, so no thread calls `uv_async_send` on a freed handle.
final class MailboxQueue<Message: Sendable>: @unchecked Sendable {
    private struct State {
        var messages: [Message] = []
        var open = true
    }
    private let state = Mutex(State())
    var async: UnsafeMutablePointer<uv_async_t>?

    func post(_ message: Message) -> Bool {
        state.withLock { state in
            guard state.open, let async else { return false }
            state.messages.append(message)
            uv_async_send(async)
            return true
        }
    }

    func takeAll() -> [Message] {
        state.withLock { state in
            let messages = state.messages
            state.messages = []
            return messages
        }
    }

    func closeDoor() {
        state.withLock { state in
            state.open = false
            state.messages = []
            async = nil
        }
    }
}
