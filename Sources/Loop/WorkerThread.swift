import CLibUV
import Glibc

/// A background thread for blocking work the loop must not do (SQLite's file I/O). It runs its body once and
/// ends; nobody joins it (it is detached), so the body itself must report back, through a `Mailbox`.
///
/// libuv's threads rather than Foundation's: the gateway links FoundationEssentials only, which has no `Thread`.
public enum WorkerThread {
    /// Starts `body` on a new detached thread; `name` says what the thread is for in an error.
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(UVError) {
        let start = WorkerThreadStart(body: body)
        let context = Unmanaged.passRetained(start).toOpaque()
        var thread = uv_thread_t()
        let result = uv_thread_create(
            &thread,
            { context in
                let start = Unmanaged<WorkerThreadStart>.fromOpaque(context!).takeRetainedValue()
                pthread_detach(pthread_self())
                start.body()
            }, context)
        if result < 0 {
            Unmanaged<WorkerThreadStart>.fromOpaque(context).release()
            throw UVError(code: result, operation: "uv_thread_create(\(name))")
        }
    }
}

/// What the new thread needs, handed over as one retained object.
private final class WorkerThreadStart: Sendable {
    let body: @Sendable () -> Void

    init(body: @escaping @Sendable () -> Void) {
        self.body = body
    }
}

/// A mutex with a condition variable (libuv's), for a hand-off queue between the loop thread and a worker thread:
/// lock, check the shared state, `wait()` until another thread changes it and calls `signal()`.
///
/// `@unchecked Sendable`: libuv's mutex and condition are made to be shared between threads; the storage is
/// allocated once and freed only in `deinit`, when no thread can hold a reference.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<uv_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<uv_cond_t>.allocate(capacity: 1)

    /// Creates the lock. Fails only when the system is out of resources for one.
    public init() throws(UVError) {
        do {
            try UVError.check(uv_mutex_init(mutex), "uv_mutex_init")
        } catch {
            mutex.deallocate()
            condition.deallocate()
            throw error
        }
        do {
            try UVError.check(uv_cond_init(condition), "uv_cond_init")
        } catch {
            uv_mutex_destroy(mutex)
            mutex.deallocate()
            condition.deallocate()
            throw error
        }
    }

    deinit {
        uv_cond_destroy(condition)
        uv_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { uv_mutex_lock(mutex) }
    public func unlock() { uv_mutex_unlock(mutex) }
    /// Releases the lock, sleeps until signalled, and takes the lock again. Wake-ups can be spurious: wait in a loop
    /// that re-checks the condition.
    public func wait() { uv_cond_wait(condition, mutex) }
    /// Wakes one waiting thread.
    public func signal() { uv_cond_signal(condition) }
    /// Wakes every waiting thread.
    public func broadcast() { uv_cond_broadcast(condition) }
}
