// Indented output for people (CLI, logs someone will read); never used on the wire.

extension JSON {
    /// The JSON text indented by two spaces per level, `"key": value` members, one element per line, empty
    /// containers as `[]` and `{}`, and no trailing newline.
    public func prettyString() -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        writePretty(into: &buffer, indent: 0)
        return String(decoding: buffer, as: UTF8.self)
    }

    private func writePretty(into buffer: inout [UInt8], indent: Int) {
        switch self {
        case .array(let elements) where !elements.isEmpty:
            buffer.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { buffer.append(UInt8(ascii: ",")) }
                Self.newline(indent + 1, into: &buffer)
                element.writePretty(into: &buffer, indent: indent + 1)
            }
            Self.newline(indent, into: &buffer)
            buffer.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            buffer.append(UInt8(ascii: "{"))
            for (position, member) in object.enumerated() {
                if position > 0 { buffer.append(UInt8(ascii: ",")) }
                Self.newline(indent + 1, into: &buffer)
                JSONWriter.append(member.key, to: &buffer)
                JSONWriter.appendASCII(": ", to: &buffer)
                member.value.writePretty(into: &buffer, indent: indent + 1)
            }
            Self.newline(indent, into: &buffer)
            buffer.append(UInt8(ascii: "}"))
        default:
            // Scalars and empty containers look the same as in the compact form.
            write(into: &buffer)
        }
    }

    private static func newline(_ indent: Int, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * 2))
    }
}
