/// Splits a byte stream into newline-delimited messages (the MCP stdio framing), with a maximum line length.
///
/// A line over the limit is discarded up to its newline and reported once, so a 10 MB line costs the limit in
/// memory, not 10 MB, and the stream stays usable afterwards.
public struct LineFramer: Sendable {
    /// One framing result.
    public enum Frame: Equatable, Sendable {
        case line(ArraySlice<UInt8>)
        /// A line longer than `maxLineBytes` was dropped; `bytes` is how much of it was seen.
        case tooLong(bytes: Int)
    }

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var discarding = false
    private var discarded = 0

    public init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes; returns the complete frames they finish, in order. Empty lines (and a lone `\r`) are skipped.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> [Frame] {
        var frames: [Frame] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
                consumePartial(bytes[start...], into: &frames)
                break
            }
            let piece = bytes[start..<newline]
            start = newline + 1
            if discarding {
                frames.append(.tooLong(bytes: discarded + piece.count + 1))
                discarding = false
                discarded = 0
                continue
            }
            if buffer.count + piece.count > maxLineBytes {
                frames.append(.tooLong(bytes: buffer.count + piece.count))
                buffer.removeAll(keepingCapacity: false)
                continue
            }
            if buffer.isEmpty {
                emit(piece, into: &frames)
            } else {
                buffer.append(contentsOf: piece)
                let line = buffer
                buffer.removeAll(keepingCapacity: true)
                emit(line[...], into: &frames)
            }
        }
        return frames
    }

    private mutating func consumePartial(_ piece: ArraySlice<UInt8>, into frames: inout [Frame]) {
        if discarding {
            discarded += piece.count
        } else if buffer.count + piece.count > maxLineBytes {
            discarding = true
            discarded = buffer.count + piece.count
            buffer.removeAll(keepingCapacity: false)
        } else {
            buffer.append(contentsOf: piece)
        }
    }

    private func emit(_ line: ArraySlice<UInt8>, into frames: inout [Frame]) {
        var trimmed = line
        if trimmed.last == 0x0D { trimmed = trimmed.dropLast() }
        if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        frames.append(.line(trimmed))
    }

    /// Bytes buffered for an unfinished line.
    public var bufferedBytes: Int { buffer.count }
}
