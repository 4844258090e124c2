import Loop

/// First-byte timeouts. One timer serves every transfer: it is armed for the earliest deadline and, when it fires,
/// fails the transfers whose deadline passed and re-arms for the next. Creating and closing a libuv timer per
/// request cost two allocations and a close callback each, measurable on the proxy's hot path; a dictionary entry
/// costs neither.
extension HTTPClient {
    /// Starts watching transfer `id`: it fails with `.timedOut` unless its response head arrives `milliseconds`
    /// from now.
    func watchFirstByte(_ id: Int, within milliseconds: Int) {
        let at = loop.nowMilliseconds + UInt64(max(milliseconds, 0))
        firstByteDeadlines[id] = (at, milliseconds)
        if let due = deadlineTimerDue, due <= at { return }  // already armed early enough
        armDeadlineTimer(at)
    }

    private func armDeadlineTimer(_ at: UInt64) {
        if deadlineTimer == nil {
            do {
                let timer = try Timer(loop: loop)
                // Transfers keep the loop alive by themselves; a deadline left over from a finished one must not.
                timer.unref()
                deadlineTimer = timer
                openHandles += 1
            } catch {
                // Without the timer, transfers still end by curl's connect and total timeouts.
                lastInternalError = "first-byte timer: \(error)"
                return
            }
        }
        let now = loop.nowMilliseconds
        deadlineTimerDue = at
        deadlineTimer?.start(after: at > now ? at - now : 0) { [unowned self] in self.deadlinesDue() }
    }

    private func deadlinesDue() {
        deadlineTimerDue = nil
        let now = loop.nowMilliseconds
        let expired = firstByteDeadlines.filter { $0.value.at <= now }.sorted { $0.key < $1.key }
        for (id, deadline) in expired {
            firstByteDeadlines[id] = nil
            firstByteTimedOut(id, after: deadline.limit)
        }
        if let next = firstByteDeadlines.values.map(\.at).min() { armDeadlineTimer(next) }
    }
}
