/// HTTP-date parsing (RFC 9110 §5.6.7), written by hand rather than with `DateFormatter` so it needs no locale and
/// no shared mutable formatter. Recipients must accept all three forms:
/// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, and asctime
/// `Sun Nov  6 08:49:37 1994`.
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The date as Unix time in seconds, or `nil` when `text` is none of the three forms.
    static func parse(_ text: String) -> Double? {
        let tokens = text.split { $0 == " " || $0 == "," || $0 == "-" || $0 == ":" }.map { String($0) }
        guard let monthPosition = tokens.firstIndex(where: { months.contains($0.lowercased()) }),
            let month = months.firstIndex(of: tokens[monthPosition].lowercased()).map({ $0 + 1 })
        else { return nil }
        let day: Int?, year: Int?, clock: ArraySlice<String>
        if monthPosition == 2, tokens.count == 8 {
            // IMF-fixdate and RFC 850: weekday, day, month, year, hh, mm, ss, GMT.
            guard tokens[7] == "GMT" else { return nil }
            day = Int(tokens[1])
            year = Int(tokens[3]).map { tokens[3].count == 2 ? twoDigitYear($0) : $0 }
            clock = tokens[4...6]
        } else if monthPosition == 1, tokens.count == 7 {
            // asctime: weekday, month, day, hh, mm, ss, year.
            day = Int(tokens[2])
            year = Int(tokens[6])
            clock = tokens[3...5]
        } else {
            return nil
        }
        let parts = clock.compactMap { Int($0) }
        guard let day, let year, parts.count == 3, (1...31).contains(day), (0...23).contains(parts[0]),
            (0...59).contains(parts[1]), (0...60).contains(parts[2])
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + parts[0] * 3_600 + parts[1] * 60 + parts[2])
    }

    /// RFC 9110: a two-digit year that would be more than 50 years in the future is in the past century. Provider
    /// dates are "now plus a little", so 00–69 means 20xx.
    private static func twoDigitYear(_ year: Int) -> Int { year < 70 ? 2000 + year : 1900 + year }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
