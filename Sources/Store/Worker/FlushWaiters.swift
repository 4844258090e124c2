/// The `flush` callers of a batching writer, each waiting until everything recorded before its call is written.
/// Writers number what they record; a caller waiting "through" N is done once the oldest item still buffered has
/// a higher number.
///
/// The `take…` methods hand the completions back instead of calling them: a completion may call the writer again
/// (another `flush`), which must not happen while the writer is still changing this value.
struct FlushWaiters {
    private struct Waiter {
        let through: UInt64
        let completion: (Error?) -> Void
    }

    private var waiters: [Waiter] = []

    var isEmpty: Bool { waiters.isEmpty }

    /// A caller waiting until item `through` (and everything before it) is written.
    mutating func add(through: UInt64, completion: @escaping (Error?) -> Void) {
        waiters.append(Waiter(through: through, completion: completion))
    }

    /// Removes and returns the completions of the callers whose items are all written, `oldestUnwritten` being
    /// the number of the oldest item still buffered (`.max` when none is).
    mutating func takeResolved(oldestUnwritten: UInt64) -> [(Error?) -> Void] {
        guard waiters.contains(where: { $0.through < oldestUnwritten }) else { return [] }
        let done = waiters.filter { $0.through < oldestUnwritten }.map(\.completion)
        waiters.removeAll { $0.through < oldestUnwritten }
        return done
    }

    /// Removes and returns every completion (a batch failed: each caller hears the error).
    mutating func takeAll() -> [(Error?) -> Void] {
        defer { waiters = [] }
        return waiters.map(\.completion)
    }
}
