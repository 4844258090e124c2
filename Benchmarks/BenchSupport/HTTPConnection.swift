// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection: enough for the benchmark, nothing more.

#if canImport(Glibc)
    import Glibc
#endif

/// One answer: status, header fields (names lowercased) and the whole body (chunked bodies are reassembled).
public struct HTTPResponse {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// Empty when the body was handed to a streaming consumer instead.
    public var body: [UInt8]

    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// One TCP connection to 127.0.0.1 with `TCP_NODELAY`. Owned by exactly one thread at a time (handed over whole to a
/// worker thread and never touched by the creator again), which is what makes the `@unchecked Sendable` safe.
public final class HTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)

    /// Connects to `127.0.0.1:port`. A read waits at most `timeoutSeconds`, so a server that never answers fails the
    /// benchmark with a message instead of hanging it.
    public init(port: UInt16, timeoutSeconds: Int = 60) throws(BenchError) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket failed: \(String(cString: strerror(errno)))") }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw BenchError("connect to 127.0.0.1:\(port) failed: \(message)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        buffer.reserveCapacity(1 << 16)
    }

    deinit { close(fd) }

    /// Sends the whole request.
    public func send(_ bytes: [UInt8]) throws(BenchError) {
        try writeAll(fd: fd, bytes)
    }

    /// Reads one whole response.
    public func readResponse() throws(BenchError) -> HTTPResponse {
        var body: [UInt8] = []
        var response = try readResponse { piece throws(BenchError) in body.append(contentsOf: piece) }
        response.body = body
        return response
    }

    /// Reads one response and hands its body to `consume` piece by piece as it arrives — each chunk of a chunked
    /// body as soon as all of it is here, or what each read brought of a sized body — so a caller can time the
    /// events of a stream. The returned response has an empty `body`.
    public func readResponse(streaming consume: (ArraySlice<UInt8>) throws(BenchError) -> Void) throws(BenchError)
        -> HTTPResponse
    {
        let headEnd = try find([0x0D, 0x0A, 0x0D, 0x0A])
        let head = String(decoding: buffer[start..<headEnd], as: UTF8.self)
        start = headEnd + 4
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw BenchError("bad status line: \(head.prefix(80))")
        }
        var response = HTTPResponse(status: status, headers: [], body: [])
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t")
            response.headers.append((name, value))
        }
        if response.header("transfer-encoding")?.lowercased().contains("chunked") == true {
            try readChunked(consume)
        } else if let length = response.header("content-length").flatMap({ Int($0) }) {
            var remaining = length
            while remaining > 0 {
                if buffer.count == start { try fill() }
                let piece = min(remaining, buffer.count - start)
                try consume(buffer[start..<(start + piece)])
                start += piece
                remaining -= piece
            }
        } else if status != 204 && status != 304 && !(100..<200).contains(status) && status != 202 {
            throw BenchError("response \(status) has neither Content-Length nor chunked encoding")
        }
        compact()
        return response
    }

    private func readChunked(_ consume: (ArraySlice<UInt8>) throws(BenchError) -> Void) throws(BenchError) {
        while true {
            let lineEnd = try find([0x0D, 0x0A])
            let sizeText = String(decoding: buffer[start..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: " "), radix: 16) else {
                throw BenchError("bad chunk size \(sizeText)")
            }
            start = lineEnd + 2
            if size == 0 {
                // Trailers (none expected) end with an empty line.
                while true {
                    let end = try find([0x0D, 0x0A])
                    let empty = end == start
                    start = end + 2
                    if empty { return }
                }
            }
            try ensure(size + 2)
            try consume(buffer[start..<(start + size)])
            start += size + 2
        }
    }

    /// The index where `pattern` starts at or after `start`, reading more as needed.
    private func find(_ pattern: [UInt8]) throws(BenchError) -> Int {
        var from = start
        while true {
            let found: Int? = buffer.withUnsafeBytes { haystack in
                // memchr for the first byte, then compare the rest (memmem is not exported by the Glibc module).
                guard let base = haystack.baseAddress else { return nil }
                var index = from
                while haystack.count - index >= pattern.count {
                    guard let hit = memchr(base + index, Int32(pattern[0]), haystack.count - index - pattern.count + 1)
                    else { return nil }
                    index = base.distance(to: UnsafeRawPointer(hit))
                    if (1..<pattern.count).allSatisfy({ haystack[index + $0] == pattern[$0] }) { return index }
                    index += 1
                }
                return nil
            }
            if let found { return found }
            from = max(start, buffer.count - pattern.count + 1)
            try fill()
        }
    }

    /// Reads until `count` bytes are buffered after `start`.
    private func ensure(_ count: Int) throws(BenchError) {
        while buffer.count - start < count { try fill() }
    }

    private func fill() throws(BenchError) {
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        if n < 0 && errno == EINTR { return }
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw BenchError("no answer within the read timeout") }
        if n < 0 { throw BenchError("recv failed: \(String(cString: strerror(errno)))") }
        if n == 0 { throw BenchError("the server closed the connection") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func compact() {
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 15 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        var view = Substring(self).unicodeScalars[...]
        while let first = view.first, scalars.contains(first) { view = view.dropFirst() }
        while let last = view.last, scalars.contains(last) { view = view.dropLast() }
        return String(view)
    }
}

/// `127.0.0.1:port` as a socket address.
public func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
public func freePort() throws(BenchError) -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw BenchError("cannot find a free port: \(String(cString: strerror(errno)))") }
    return UInt16(bigEndian: address.sin_port)
}
