// Numbers: integers that fit Int64 stay exact; everything else becomes a correctly rounded Double, computed
// directly when that is exact (Clinger's fast path) and by the standard library's decimal parser otherwise.

/// 10^0 … 10^22: every one is exactly representable as a Double, which is what makes the fast path exact.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

extension JSONParser {
    /// Reads the number starting at `position` (a `-` or a digit) per the RFC 8259 grammar:
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    mutating func parseNumber() throws(JSONParseError) -> JSON {
        let start = position
        var cursor = position
        let negative = input[cursor] == UInt8(ascii: "-")
        if negative { cursor += 1 }

        // All digits, integer and fraction, accumulate into one mantissa; `overflowed` sends us to the slow path.
        var mantissa: UInt64 = 0
        var overflowed = false
        guard cursor < input.count, let first = digit(at: cursor) else {
            throw error("expected a digit after '-'", at: cursor)
        }
        if first == 0 {
            cursor += 1
            if cursor < input.count, digit(at: cursor) != nil {
                throw error("leading zeros are not allowed", at: start)
            }
        } else {
            while cursor < input.count, let value = digit(at: cursor) {
                accumulate(value, into: &mantissa, overflowed: &overflowed)
                cursor += 1
            }
        }

        var isInteger = true
        var fractionDigits = 0
        if cursor < input.count, input[cursor] == UInt8(ascii: ".") {
            isInteger = false
            cursor += 1
            guard cursor < input.count, digit(at: cursor) != nil else {
                throw error("expected a digit after the decimal point", at: cursor)
            }
            while cursor < input.count, let value = digit(at: cursor) {
                accumulate(value, into: &mantissa, overflowed: &overflowed)
                fractionDigits += 1
                cursor += 1
            }
        }

        var exponent = 0
        if cursor < input.count, input[cursor] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            cursor += 1
            var negativeExponent = false
            if cursor < input.count, input[cursor] == UInt8(ascii: "-") || input[cursor] == UInt8(ascii: "+") {
                negativeExponent = input[cursor] == UInt8(ascii: "-")
                cursor += 1
            }
            guard cursor < input.count, digit(at: cursor) != nil else {
                throw error("expected a digit in the exponent", at: cursor)
            }
            while cursor < input.count, let value = digit(at: cursor) {
                // Past this the result is 0 or infinite anyway; capping keeps the arithmetic from overflowing.
                if exponent < 1_000_000 { exponent = exponent * 10 + Int(value) }
                cursor += 1
            }
            if negativeExponent { exponent = -exponent }
        }
        position = cursor

        if isInteger && !overflowed {
            if !negative && mantissa <= UInt64(Int64.max) { return .int(Int64(mantissa)) }
            if negative && mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
            if negative && mantissa == UInt64(Int64.max) + 1 { return .int(Int64.min) }
        }

        let scale = exponent - fractionDigits
        if !overflowed && mantissa <= 1 << 53 && scale >= -22 && scale <= 22 {
            // Both operands are exact, so one IEEE multiply or divide rounds correctly.
            let magnitude =
                scale >= 0
                ? Double(mantissa) * exactPowersOfTen[scale]
                : Double(mantissa) / exactPowersOfTen[-scale]
            return .double(negative ? -magnitude : magnitude)
        }
        guard let value = Double(input.string(start..<cursor)), value.isFinite else {
            throw error("number is out of the range of a Double", at: start)
        }
        return .double(value)
    }

    @inline(__always)
    private func digit(at index: Int) -> UInt8? {
        let value = input[index] &- UInt8(ascii: "0")
        return value < 10 ? value : nil
    }

    @inline(__always)
    private func accumulate(_ digit: UInt8, into mantissa: inout UInt64, overflowed: inout Bool) {
        let (times10, overflow1) = mantissa.multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
        if overflow1 || overflow2 { overflowed = true }
        mantissa = sum
    }
}
