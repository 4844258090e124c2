import HTTPClient
import JSONRPC
import Loop

/// Ending: the server ended the session (a 404), or our owner stops us (DELETE, then every transfer cancelled).
extension StreamableHTTPClientTransport {
    /// The connection ended on its own (the session expired): cancel everything and tell the owner, who stops us.
    func end(_ reason: String) {
        guard state == .running else { return }
        state = .ended
        sessionID = nil  // gone on the server: nothing to DELETE
        cancelTransfers()
        reportClose(reason)
    }

    private func reportClose(_ reason: String) {
        let handler = onClose
        onClose = nil
        handler?(reason)
    }

    private func cancelTransfers() {
        let all = exchanges.values.sorted { $0.key < $1.key }
        exchanges.removeAll()
        all.forEach { $0.cancel() }
        streamGeneration += 1
        let stream = streamTask
        streamTask = nil
        stream?.cancel()
        streamTimer?.stop()
    }

    /// Ends the session with DELETE (best effort, `deleteTimeoutMilliseconds` at most), cancels every transfer,
    /// then runs `completion`.
    public func stop(_ completion: @escaping () -> Void) {
        loop.assertInLoop()
        switch state {
        case .idle, .stopped:
            state = .stopped
            return completion()
        case .stopping:
            return stopCompletions.append(completion)
        case .running, .ended:
            break
        }
        state = .stopping
        stopCompletions.append(completion)
        cancelTransfers()
        var pending = 1
        let done = { [self] in
            pending -= 1
            if pending == 0 { finishStop() }
        }
        if let timer = streamTimer {
            streamTimer = nil
            pending += 1
            timer.close(done)
        }
        if let sessionID {
            pending += 1
            var request = HTTPClientRequest(
                method: "DELETE", url: url, headers: headers(accept: "application/json, text/event-stream"))
            request.connectTimeoutMilliseconds = min(connectTimeoutMilliseconds, deleteTimeoutMilliseconds)
            request.totalTimeoutMilliseconds = deleteTimeoutMilliseconds
            self.sessionID = nil
            client.execute(
                request, onHead: { _ in }, onBody: { _ in },
                onComplete: { [logger] result in
                    if case .failure(let error) = result {
                        logger.debug(
                            "DELETE of the MCP session failed", metadata: ["session": "\(sessionID)", "error": "\(error)"])
                    }
                    done()
                })
        }
        done()
    }

    private func finishStop() {
        state = .stopped
        reportClose("stopped by the gateway")
        let completions = stopCompletions
        stopCompletions = []
        completions.forEach { $0() }
    }

    /// The configured URL cannot be used.
    public struct InvalidURL: Error, CustomStringConvertible {
        public let description: String
    }
}
