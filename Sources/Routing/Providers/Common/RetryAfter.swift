import FoundationEssentials
import Patterns

/// How long a provider asked us to wait before trying again.
enum RetryAfter {
    /// Reads `retry-after-ms` (OpenAI and Azure send it, more precise, so it wins) or `retry-after` (delay
    /// seconds or an HTTP-date, RFC 9110 §10.2.3). Header names compare ASCII case-insensitively. `now` is Unix
    /// time in seconds, injected so tests are deterministic.
    static func seconds(in headers: [(String, String)], now: Double = Date().timeIntervalSince1970) -> Double? {
        var retryAfter: String?
        for (name, value) in headers {
            switch name.lowercased() {
            case "retry-after-ms":
                if let milliseconds = Double(value.trimmingWhitespace()), milliseconds >= 0,
                    milliseconds.isFinite
                {
                    return milliseconds / 1000
                }
            case "retry-after":
                retryAfter = retryAfter ?? value
            default:
                break
            }
        }
        return retryAfter.flatMap { parse($0, now: now) }
    }

    /// One `Retry-After` value: a non-negative number of seconds, or an HTTP-date (a date already past means 0).
    static func parse(_ value: String, now: Double) -> Double? {
        let text = value.trimmingWhitespace()
        // RFC 9110 says delay-seconds is digits only; a few servers send fractions, which mean the same thing.
        if let seconds = Double(text) {
            return seconds >= 0 && seconds.isFinite ? seconds : nil
        }
        guard let date = HTTPDate.parse(text) else { return nil }
        return max(0, date - now)
    }

    /// A protobuf `Duration` in its JSON form, as Gemini sends it in `RetryInfo.retryDelay`: `"12s"`, `"1.500s"`.
    static func parseDuration(_ text: String) -> Double? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds >= 0, seconds.isFinite else {
            return nil
        }
        return seconds
    }
}
