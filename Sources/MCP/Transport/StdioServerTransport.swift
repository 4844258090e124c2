import JSON
import JSONRPC
import Logging
import Loop

#if canImport(Glibc)
    import Glibc
#endif

/// MCP over our own stdin/stdout: one JSON message per line, nothing but protocol messages on stdout.
///
/// A line longer than `maxLineBytes` is dropped and answered with a -32700 error that names the limit; the session
/// continues. EOF on stdin ends the session and calls `onEnd` (the caller shuts down).
public final class StdioServerTransport {
    private let loop: EventLoop
    private let logger: Logger
    private var input: Pipe?
    private let output: OutputChannel
    private var framer: LineFramer
    private var session: MCPServerSession?
    private let jsonLimits: JSONLimits
    /// Runs once when stdin reaches EOF or fails.
    public var onEnd: ((String) -> Void)?

    /// Opens stdin/stdout. stdin may be a pipe, socket, TTY or a regular file (read whole); stdout may be a file.
    public init(loop: EventLoop, maxLineBytes: Int, logger: Logger) throws {
        self.loop = loop
        self.logger = logger
        framer = LineFramer(maxLineBytes: maxLineBytes)
        jsonLimits = JSONLimits(maxDepth: 128, maxBytes: maxLineBytes)
        output = try OutputChannel(loop: loop, fd: 1)
    }

    /// Sends a message on stdout.
    public func send(_ message: JSONRPCMessage) {
        var bytes = message.serialized()
        bytes.append(0x0A)
        output.write(bytes)
    }

    /// Starts reading stdin and feeding `session`.
    public func start(session: MCPServerSession) throws {
        self.session = session
        if Pipe.isStream(fd: 0) {
            let pipe = try Pipe(loop: loop, fd: 0)
            input = pipe
            try pipe.startReading(
                onRead: { [unowned self] bytes in self.consume(bytes) },
                onEnd: { [unowned self] error in self.end(error.map { "stdin failed: \($0)" } ?? "stdin closed") })
        } else {
            // A regular file or /dev/null: libuv cannot open it as a pipe, and reading a file does not block for
            // long, so it is read whole on the next turn.
            loop.execute { [unowned self] in
                do {
                    let bytes = try readAll(fd: 0)
                    self.consume(bytes[...])
                    self.consume([0x0A])
                    self.end("stdin closed")
                } catch {
                    self.end("stdin failed: \(error)")
                }
            }
        }
    }

    private func consume(_ bytes: ArraySlice<UInt8>) {
        for frame in framer.feed(bytes) {
            switch frame {
            case .line(let line):
                do {
                    let message = try JSONRPCMessage.decode(line, limits: jsonLimits)
                    session?.receive(message)
                } catch {
                    logger.warning("rejected message from stdin", metadata: ["error": "\(error.error.message)"])
                    send(error.response)
                }
            case .tooLong(let size):
                logger.warning(
                    "dropped an oversized line on stdin", metadata: ["bytes": "\(size)", "limit": "\(framer.maxLineBytes)"])
                send(
                    .error(
                        id: nil,
                        error: .parseError(
                            "message of \(size) bytes exceeds the maximum line length of \(framer.maxLineBytes) bytes (set --max-line-bytes to raise it)"
                        )))
            }
        }
    }

    private func end(_ reason: String) {
        let handler = onEnd
        onEnd = nil
        handler?(reason)
    }

    /// Closes stdin and stdout once queued output is written.
    public func close() {
        input?.close()
        input = nil
        output.close()
    }
}

private func readAll(fd: Int32) throws -> [UInt8] {
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 { throw UVError(code: -errno, operation: "read stdin") }
        if count == 0 { return result }
        result.append(contentsOf: chunk[0..<count])
    }
}
