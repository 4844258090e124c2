/// Expands `${VAR}` and `${VAR:-default}` in config strings, as shells and Claude Desktop configs do.
/// `$$` is a literal `$`. An unset variable without a default is an error that names it.
public struct EnvironmentExpansion {
    public let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public func expand(_ text: String) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else { result.append(character); index = text.index(after: index); continue }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                result.append("$"); index = text.index(after: next); continue
            }
            guard next < text.endIndex, text[next] == "{" else { result.append("$"); index = next; continue }
            guard let close = text[next...].firstIndex(of: "}") else {
                throw Failure(message: "unterminated ${ in \"\(text)\"")
            }
            let body = String(text[text.index(after: next)..<close])
            result += try resolve(body)
            index = text.index(after: close)
        }
        return result
    }

    private func resolve(_ body: String) throws(Failure) -> String {
        if let range = body.firstRange(of: ":-") {
            let name = String(body[..<range.lowerBound])
            try validate(name)
            let value = environment[name] ?? ""
            return value.isEmpty ? String(body[range.upperBound...]) : value
        }
        try validate(body)
        guard let value = environment[body] else {
            throw Failure(message: "environment variable \(body) is not set (use ${\(body):-default} to give a default)")
        }
        return value
    }

    private func validate(_ name: String) throws(Failure) {
        let valid =
            !name.isEmpty
            && name.unicodeScalars.allSatisfy {
                $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
            }
        if !valid { throw Failure(message: "\"\(name)\" is not a valid environment variable name") }
    }
}
