/// Fixed-point text for prices, costs and report figures, without `String(format:)` (Foundation proper, which the
/// gateway does not link).
public enum DecimalText {
    /// `value` rounded to `decimals` places (0...15), without trailing zeros: `0.000003`, `1.5`, `720`, `-2.25`.
    /// Magnitudes too large for exact fixed-point arithmetic fall back to Swift's shortest round-trip form.
    public static func format(_ value: Double, decimals: Int) -> String {
        precondition((0...15).contains(decimals), "decimals must be 0...15")
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        var scale: UInt64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value.magnitude * Double(scale)).rounded()
        guard scaled < 9e18 else { return "\(value)" }
        let units = UInt64(scaled)
        if units == 0 { return "0" }
        var text = value < 0 ? "-" : ""
        text += String(units / scale)
        var fraction = units % scale
        guard fraction != 0 else { return text }
        var digits = decimals
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let fractionText = String(fraction)
        text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        return text
    }
}
