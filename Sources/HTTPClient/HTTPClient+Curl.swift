import CCurl
import Loop

#if canImport(Glibc)
    import Glibc
#endif

/// The multi-uv.c glue: curl tells us which sockets to watch and when to wake it; libuv tells us when a socket is
/// ready or the timer fired, and we hand that back to `curl_multi_socket_action`. The callbacks curl calls here do
/// bookkeeping only: no user code and no curl call runs inside them (curl's multi API is not re-entrant).
///
/// Poll lifetime. libuv `docs/src/poll.rst`: "The user should not close a file descriptor while it is being polled
/// by an active poll handle [...] However the fd can be safely closed immediately after a call to uv_poll_stop() or
/// uv_close()." Connection sockets are opened by us (`CURLOPT_OPENSOCKETFUNCTION`) and closed by us
/// (`CURLOPT_CLOSESOCKETFUNCTION`), so their poll lives exactly as long as the fd: on `CURL_POLL_REMOVE` (the
/// connection went idle into the cache) it is only stopped, and reused when curl picks the connection up again;
/// `closeSocket` closes the poll, then the fd. Any other socket curl asks us to watch (the threaded resolver's
/// wake-up pair) is closed by curl itself right after `CURL_POLL_REMOVE`, so its poll is closed at that moment.
/// The polls live in a dictionary by fd rather than in `curl_multi_assign`, because curl forgets the assignment on
/// `CURL_POLL_REMOVE` while an idle connection's poll outlives that.
extension HTTPClient {
    /// `CURLMOPT_SOCKETFUNCTION`: start, change or stop watching `socket`.
    func curlSocket(_ socket: curl_socket_t, _ what: Int32) -> Int32 {
        if what == CURL_POLL_REMOVE {
            guard let poll = polls[socket] else { return 0 }
            if connectionSockets.contains(socket) {
                poll.stop()
            } else {
                polls[socket] = nil
                closeHandle(poll)
            }
            return 0
        }
        let poll: Poll
        if let existing = polls[socket] {
            poll = existing
        } else {
            // -1 makes curl fail the transfers on this socket (CURLMOPT_SOCKETFUNCTION: "return -1 on failure").
            let created: Poll
            do {
                created = try Poll(loop: loop, socket: socket)
            } catch {
                // Not swallowed: curl fails the transfer, and the cause is kept for `lastInternalError`.
                lastInternalError = "\(error)"
                return -1
            }
            openHandles += 1
            polls[socket] = created
            poll = created
        }
        var events: Poll.Events = []
        if what & CURL_POLL_IN != 0 { events.insert(.readable) }
        if what & CURL_POLL_OUT != 0 { events.insert(.writable) }
        poll.start(events) { [unowned self] status, ready in self.socketReady(socket, status, ready) }
        return 0
    }

    /// `CURLMOPT_TIMERFUNCTION`: curl wants `socketAction(CURL_SOCKET_TIMEOUT)` after `milliseconds` (-1: never).
    /// A 0 ms libuv timer fires on the next loop turn, so this never calls curl re-entrantly.
    func curlTimer(_ milliseconds: Int) -> Int32 {
        if milliseconds < 0 {
            timer.stop()
        } else {
            timer.start(after: UInt64(milliseconds), timerFired)
        }
        return 0
    }

    /// `CURLOPT_OPENSOCKETFUNCTION`: opens the socket as curl would, plus close-on-exec so child processes the
    /// gateway spawns (stdio MCP servers) never inherit upstream connections.
    func openSocket(_ address: UnsafeMutablePointer<curl_sockaddr>) -> curl_socket_t {
        let fd = Glibc.socket(
            address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue),
            address.pointee.protocol)
        if fd >= 0 { connectionSockets.insert(fd) }
        return fd  // -1 is CURL_SOCKET_BAD
    }

    /// `CURLOPT_CLOSESOCKETFUNCTION`: curl is done with a connection socket. Close its poll (which takes the fd out
    /// of epoll synchronously) before the fd, whose number the kernel may hand out again at once.
    func closeSocket(_ socket: curl_socket_t) -> Int32 {
        connectionSockets.remove(socket)
        if let poll = polls.removeValue(forKey: socket) { closeHandle(poll) }
        return Glibc.close(socket)
    }

    private func socketReady(_ socket: curl_socket_t, _ status: Int32, _ events: Poll.Events) {
        var flags: Int32 = 0
        if status < 0 { flags |= CURL_CSELECT_ERR }
        if events.contains(.readable) { flags |= CURL_CSELECT_IN }
        if events.contains(.writable) { flags |= CURL_CSELECT_OUT }
        socketAction(socket, flags)
    }

    /// Lets curl act on `socket` (or on its timeouts), then — with curl no longer on the stack — delivers the bytes
    /// its callbacks collected and finishes the transfers it reports done.
    func socketAction(_ socket: curl_socket_t, _ flags: Int32) {
        guard let multi else { return }
        var running: Int32 = 0
        insideCurl = true
        let code = curl.multi_socket_action(multi, socket, flags, &running)
        insideCurl = false
        deliverDirty()
        guard code == CURLM_OK else {
            // Only out-of-memory or an internal curl error gets here; the multi handle is unusable for these.
            for transfer in transfers.values.sorted(by: { $0.id < $1.id }) {
                finish(
                    transfer,
                    .failure(
                        HTTPClientError(multiCode: code, operation: "curl_multi_socket_action", url: transfer.request.url)))
            }
            return
        }
        drainCompleted()
    }

    private func deliverDirty() {
        while !dirty.isEmpty {
            let batch = dirty
            dirty = []
            for transfer in batch where transfers[transfer.id] === transfer { deliver(transfer) }
        }
    }

    /// The `curl_multi_info_read` drain: the only place a transfer finishes on its own. User code in `finish` may
    /// remove other handles (curl then drops their queued messages) or close the client, so re-check each turn.
    private func drainCompleted() {
        var queued: Int32 = 0
        while let multi, let message = curl.multi_info_read(multi, &queued) {
            // Copy out now: the message is invalid after the next curl call.
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var privateData: UnsafeMutableRawPointer?
            guard sy_curl_easy_getinfo_ptr(curl.api, easy, CURLINFO_PRIVATE, &privateData) == CURLE_OK,
                let transfer = transfers[Int(bitPattern: privateData)]
            else { continue }
            let request = transfer.request
            finish(
                transfer,
                code == CURLE_OK
                    ? .success(())
                    : .failure(
                        HTTPClientError(code: code, detail: transfer.errorDetail, method: request.method, url: request.url)))
        }
    }
}
