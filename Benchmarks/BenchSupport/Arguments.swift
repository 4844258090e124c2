import Foundation

/// Command-line arguments for the benchmark programs, read flag by flag; every problem is a `BenchError` that
/// ends with the program's usage text.
public struct Arguments {
    private var rest: ArraySlice<String>
    private let usage: String

    /// The arguments after the program name.
    public init(_ arguments: [String], usage: String) {
        rest = arguments.dropFirst()[...]
        self.usage = usage
    }

    /// The next flag, or nil at the end.
    public mutating func nextFlag() -> String? { rest.popFirst() }

    /// The value after `flag`.
    public mutating func value(_ flag: String) throws(BenchError) -> String {
        guard let next = rest.popFirst() else { throw BenchError("\(flag) needs a value\n\(usage)") }
        return next
    }

    /// The positive integer after `flag`.
    public mutating func positive(_ flag: String) throws(BenchError) -> Int {
        try Self.positive(flag, try value(flag))
    }

    /// The comma-separated positive integers after `flag`, sorted, without repeats.
    public mutating func positiveList(_ flag: String) throws(BenchError) -> [Int] {
        var list: [Int] = []
        for item in try value(flag).split(separator: ",") { list.append(try Self.positive(flag, String(item))) }
        guard !list.isEmpty else { throw BenchError("\(flag) needs at least one number") }
        return Array(Set(list)).sorted()
    }

    /// The error for an argument the program does not know.
    public func unknown(_ flag: String) -> BenchError { BenchError("unknown argument \(flag)\n\(usage)") }

    private static func positive(_ flag: String, _ text: String) throws(BenchError) -> Int {
        guard let number = Int(text), number > 0 else { throw BenchError("\(flag) needs a positive integer, not \(text)") }
        return number
    }
}

/// `path` made absolute against the working directory.
public func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
}
