import JSON
import XCTest

/// Seeded, so a failure names a seed that reproduces it.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON values that exercise the awkward corners: extreme numbers, escapes, non-ASCII, nesting.
struct JSONGenerator {
    var random: SplitMix64

    private static let pieces: [String] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "中", "😀",
        "\u{2028}", "\u{FFFD}", "\u{10FFFF}", "key", "tools/call", "{", "]", ":", ",",
    ]

    mutating func value(depth: Int = 0) -> JSON {
        let choice = Int.random(in: 0..<(depth < 5 ? 9 : 6), using: &random)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .int(integer())
        case 3: return .double(double())
        case 4, 5: return .string(string())
        case 6, 7:
            return .array((0..<Int.random(in: 0..<6, using: &random)).map { _ in value(depth: depth + 1) })
        default:
            let pairs = (0..<Int.random(in: 0..<16, using: &random)).map { _ in (string(), value(depth: depth + 1)) }
            return .object(JSONObject(pairs))
        }
    }

    mutating func integer() -> Int64 {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return [Int64.min, Int64.max, 0, -1, 1][Int.random(in: 0..<5, using: &random)]
        case 1: return Int64(bitPattern: random.next())
        default: return Int64.random(in: -1000...1000, using: &random)
        }
    }

    mutating func double() -> Double {
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            // Any finite bit pattern, subnormals included.
            while true {
                let candidate = Double(bitPattern: random.next())
                if candidate.isFinite { return candidate }
            }
        case 1: return Double(Int.random(in: -1000...1000, using: &random))
        case 2:
            return [0.1, -0.0, 1e16, 1e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude][
                Int.random(in: 0..<6, using: &random)]
        default: return Double.random(in: -1e6...1e6, using: &random)
        }
    }

    mutating func string() -> String {
        let count = Int.random(in: 0..<12, using: &random)
        return (0..<count).map { _ in Self.pieces[Int.random(in: 0..<Self.pieces.count, using: &random)] }.joined()
    }
}

final class JSONPropertyTests: XCTestCase {
    func testRandomValuesRoundTrip() throws {
        for seed in UInt64(1)...1_500 {
            var generator = JSONGenerator(random: SplitMix64(seed: seed))
            let value = generator.value()
            let bytes = value.serialized()
            let parsed: JSON
            do {
                parsed = try JSON.parse(bytes)
            } catch {
                XCTFail("seed \(seed): \(error) in \(value.jsonString)")
                continue
            }
            XCTAssertEqual(parsed, value, "seed \(seed)")
            // Order is preserved, so the bytes must be identical too, not just the values.
            XCTAssertEqual(parsed.serialized(), bytes, "seed \(seed)")
            XCTAssertEqual(try JSON.parse(value.prettyString()), value, "seed \(seed)")
            XCTAssertEqual(try JSON.parse(value.jsonString), value, "seed \(seed)")
        }
    }

    func testMutatedInputNeverCrashes() {
        var random = SplitMix64(seed: 42)
        var corpus: [[UInt8]] = [
            Array(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{}}}"#.utf8),
            Array(#"[1,-0,0.5e-3,1E+9,"a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00",true,false,null,{},[]]"#.utf8),
            Array(#"{"a":{"b":[[[{"c":"dddddddddddddddddddddddddd\u0000"}]]]}}"#.utf8),
        ]
        var generator = JSONGenerator(random: SplitMix64(seed: 99))
        for _ in 0..<20 { corpus.append(generator.value().serialized()) }
        let interesting = Array("{}[],:\"\\0123456789eE.-+ntrufalsu \t\n".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xED, 0xFF]

        var parsedCount = 0
        for iteration in 0..<20_000 {
            var bytes = corpus[Int.random(in: 0..<corpus.count, using: &random)]
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutate(&bytes, using: &random, interesting: interesting)
            }
            let limits = JSONLimits(maxDepth: Int.random(in: 0...6, using: &random), maxBytes: 1 << 20)
            guard let value = try? JSON.parse(bytes, limits: iteration % 2 == 0 ? limits : .init()) else { continue }
            parsedCount += 1
            // Whatever parses must write out to something that parses back to the same value.
            XCTAssertEqual(try JSON.parse(value.serialized()), value, "from \(bytes)")
        }
        XCTAssertGreaterThan(parsedCount, 0)
    }

    func testRandomBytesNeverCrash() {
        var random = SplitMix64(seed: 2024)
        let alphabet = Array("{}[],:\"\\0123456789eE.-+ntrufalsu \t".utf8)
        for iteration in 0..<20_000 {
            let count = Int.random(in: 0..<40, using: &random)
            let bytes: [UInt8] = (0..<count).map { _ in
                iteration % 2 == 0
                    ? alphabet[Int.random(in: 0..<alphabet.count, using: &random)]
                    : UInt8.random(in: 0...255, using: &random)
            }
            _ = try? JSON.parse(bytes)
            _ = try? JSON.parse(bytes[...].dropFirst())
        }
    }

    private func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64, interesting: [UInt8]) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 1:
            bytes.insert(interesting[Int.random(in: 0..<interesting.count, using: &random)], at: position)
        case 2 where !bytes.isEmpty:
            bytes.remove(at: position)
        case 3:
            bytes.removeSubrange(position...)
        case 4 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        default:
            bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "["), count: 10), at: position)
        }
    }
}
