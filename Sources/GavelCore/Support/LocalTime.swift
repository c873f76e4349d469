import Foundation
import Synchronization

/// A calendar date as a court writes it, with no time zone: `2020-03-30`.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    // The month and day in a byte each: a date is 10 bytes (16 in a list) rather than 24, and each of
    // ten thousand notices holds three (its date, publish and expires), kept for the whole build.
    private let monthNumber: UInt8, dayNumber: UInt8
    public var month: Int { Int(monthNumber) }
    public var day: Int { Int(dayNumber) }

    /// For dates computed from an instant, which are valid by construction (a month of 1 to 12, a day
    /// of 1 to 31).
    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        monthNumber = UInt8(truncatingIfNeeded: month)
        dayNumber = UInt8(truncatingIfNeeded: day)
    }

    /// The years both engines read alike: JavaScript's `Date.UTC` takes years 0 to 99 for 1900 to
    /// 1999, and instants past 9999 have no four-digit form.
    public static let years = 1000...9999

    public init?(year: Int, month: Int, day: Int) {
        guard Self.years.contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.init(unchecked: year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD` and rejects impossible dates such as February 30.
    public init?(parsing text: some StringProtocol) {
        guard let date = text.utf8.withContiguousStorageIfAvailable({ Self(utf8: $0) }) ?? Array(text.utf8).withUnsafeBufferPointer({ Self(utf8: $0) }) else { return nil }
        self = date
    }

    /// The same, from the bytes where they are (the notice index reads ten thousand dates a rebuild).
    init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = Self.number(bytes[0..<4]), let m = Self.number(bytes[5..<7]), let d = Self.number(bytes[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String {
        Digits.padded(year, 4) + "-" + Digits.padded(month, 2) + "-" + Digits.padded(day, 2)
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func number(_ digits: some Collection<UInt8>) -> Int? {
        var value = 0
        for b in digits {
            guard b >= 48, b <= 57 else { return nil }
            value = value * 10 + Int(b - 48)
        }
        return value
    }

    /// "March 30, 2020"
    public var longText: String {
        "\(LocalDate.monthNames[month - 1]) \(day), \(year)"
    }

    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                             "September", "October", "November", "December"]
}

/// A wall-clock date-time local to a court: `2020-03-30T08:00`.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var date: LocalDate
    public var hour: Int, minute: Int

    init(unchecked date: LocalDate, hour: Int, minute: Int) {
        self.date = date
        self.hour = hour
        self.minute = minute
    }

    public init?(date: LocalDate, hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
    }

    /// Parses `YYYY-MM-DDTHH:MM` (a space may stand for the `T`).
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"),
              let date = LocalDate(parsing: String(decoding: bytes[0..<10], as: UTF8.self)),
              let h = LocalDate.number(bytes[11..<13]), let m = LocalDate.number(bytes[14..<16]),
              date > LocalDate(unchecked: LocalDate.years.lowerBound, 1, 1), date < LocalDate(unchecked: LocalDate.years.upperBound, 12, 31)
        else { return nil }
        self.init(date: date, hour: h, minute: m)
    }

    /// The first and last day of the years are left out, so that the instant of a local date-time,
    /// in any time zone, is still within them.
    public static let range = "1000-01-02T00:00 to 9999-12-30T23:59"

    public var description: String {
        date.description + "T" + Digits.padded(hour, 2) + ":" + Digits.padded(minute, 2)
    }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.date, a.hour, a.minute) < (b.date, b.hour, b.minute)
    }

    /// The UTC instant of this wall-clock time in `zone`. In a spring-forward gap the time is read with
    /// the offset in force before the change, as most calendars do.
    public func instant(in zone: TimeZone) -> Instant {
        let naive = Instant(secondsSinceEpoch: LocalDateTime.epochSeconds(date: date, hour: hour, minute: minute))
        // Two passes find the offset that is in force at the resulting instant.
        let first = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(naive.secondsSinceEpoch)))
        let guess = naive.secondsSinceEpoch - Int64(first)
        let second = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess)))
        return Instant(secondsSinceEpoch: naive.secondsSinceEpoch - Int64(second == first ? first : max(first, second)))
    }

    static func epochSeconds(date: LocalDate, hour: Int, minute: Int) -> Int64 {
        Int64(daysFromCivil(date.year, date.month, date.day)) * 86_400 + Int64(hour * 3600 + minute * 60)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y - 1 : y
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// A UTC instant with one-second precision, written `2020-03-30T13:00:00Z`.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }

    public init(_ date: Date) { secondsSinceEpoch = Int64(date.timeIntervalSince1970.rounded(.down)) }

    /// Parses an ISO-8601 instant with a `Z` or `±HH:MM` offset; fractional seconds are dropped.
    public init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 17, let date = LocalDate(parsing: String(decoding: bytes[0..<10], as: UTF8.self)),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"),
              let h = LocalDate.number(bytes[11..<13]), let mi = LocalDate.number(bytes[14..<16]), h < 24, mi < 60
        else { return nil }
        var i = 16
        var s = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            guard i + 3 <= bytes.count, let sec = LocalDate.number(bytes[(i + 1)..<(i + 3)]), sec < 61 else { return nil }
            s = min(sec, 59)
            i += 3
            if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            }
        }
        guard i < bytes.count else { return nil }
        var offset = 0
        if bytes[i] == UInt8(ascii: "Z") || bytes[i] == UInt8(ascii: "z") {
            guard i + 1 == bytes.count else { return nil }
        } else if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            guard i + 6 == bytes.count, bytes[i + 3] == UInt8(ascii: ":"),
                  let oh = LocalDate.number(bytes[(i + 1)..<(i + 3)]), let om = LocalDate.number(bytes[(i + 4)..<(i + 6)]),
                  oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (bytes[i] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        secondsSinceEpoch = LocalDateTime.epochSeconds(date: date, hour: h, minute: mi) + Int64(s) - Int64(offset)
        guard Self.bounds.contains(secondsSinceEpoch) else { return nil }
    }

    /// 1000-01-01T00:00:00Z to 9999-12-31T23:59:59Z: the instants with a four-digit year.
    static let bounds: ClosedRange<Int64> =
        Int64(LocalDateTime.daysFromCivil(LocalDate.years.lowerBound, 1, 1)) * 86_400
        ... Int64(LocalDateTime.daysFromCivil(LocalDate.years.upperBound + 1, 1, 1)) * 86_400 - 1

    public var description: String {
        let days = Int(secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400)
        let rest = Int(secondsSinceEpoch - Int64(days) * 86_400)
        let (y, m, d) = Instant.civil(fromDays: days)
        return Digits.padded(y, 4) + "-" + Digits.padded(m, 2) + "-" + Digits.padded(d, 2) + "T" + Digits.padded(rest / 3600, 2) + ":"
            + Digits.padded(rest % 3600 / 60, 2) + ":" + Digits.padded(rest % 60, 2) + "Z"
    }

    public var date: Date { Date(timeIntervalSince1970: Double(secondsSinceEpoch)) }

    public static func < (a: Instant, b: Instant) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }

    static func civil(fromDays z: Int) -> (Int, Int, Int) {
        let z = z + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The wall-clock date-time of this instant in `zone`.
    public func local(in zone: TimeZone) -> LocalDateTime {
        let offset = Int64(zone.secondsFromGMT(for: date))
        let shifted = Instant(secondsSinceEpoch: secondsSinceEpoch + offset)
        let days = Int(shifted.secondsSinceEpoch >= 0 ? shifted.secondsSinceEpoch / 86_400 : (shifted.secondsSinceEpoch - 86_399) / 86_400)
        let rest = Int(shifted.secondsSinceEpoch - Int64(days) * 86_400)
        let (y, m, d) = Instant.civil(fromDays: days)
        return LocalDateTime(unchecked: LocalDate(unchecked: y, m, d), hour: rest / 3600, minute: rest % 3600 / 60)
    }
}

/// Formats times the way a court's notice would: "March 30, 2020, 8:00 a.m. CDT".
public enum PeopleTime {
    public static func format(_ local: LocalDateTime, abbreviation: String?) -> String {
        let h12 = local.hour % 12 == 0 ? 12 : local.hour % 12
        let suffix = local.hour < 12 ? "a.m." : "p.m."
        var text = "\(local.date.longText), \(h12):\(Digits.padded(local.minute, 2)) \(suffix)"
        if let abbreviation { text += " \(abbreviation)" }
        return text
    }

    public static func format(_ instant: Instant, in zone: TimeZone) -> String {
        format(instant.local(in: zone), abbreviation: ZoneAbbreviation.of(zone, at: instant.date))
    }

    public static func format(_ instant: Instant, clock: CourtClock) -> String {
        format(instant.local(in: clock.zone), abbreviation: clock.abbreviation(at: instant))
    }

    public static func time(_ local: LocalDateTime) -> String {
        let h12 = local.hour % 12 == 0 ? 12 : local.hour % 12
        return "\(h12):\(Digits.padded(local.minute, 2)) \(local.hour < 12 ? "a.m." : "p.m.")"
    }
}

/// Time zone abbreviations as people in the United States read them ("CDT"). Foundation's
/// `abbreviation(for:)` gives "GMT-5" on Linux; ICU's en_US names do better.
public enum ZoneAbbreviation {
    public static func of(_ zone: TimeZone, at date: Date) -> String {
        of(zone, at: [date])[0]
    }

    /// The abbreviations at several dates, from one formatter: making one costs more than using it.
    static func of(_ zone: TimeZone, at dates: [Date]) -> [String] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US")
        formatter.timeZone = zone
        formatter.dateFormat = "zzz"
        return dates.map { date in
            let text = formatter.string(from: date)
            return text.isEmpty ? zone.identifier : text
        }
    }
}

/// A court's time zone with its abbreviations worked out once: ICU's formatter is far too slow to
/// ask for every date on every page.
public struct CourtClock: Sendable {
    public let zone: TimeZone
    /// The abbreviations worked out, by offset from UTC and whether daylight time is kept.
    let labels: [Label: String]

    struct Label: Hashable {
        let offset: Int
        let daylight: Bool

        init(_ zone: TimeZone, at date: Date) {
            offset = zone.secondsFromGMT(for: date)
            daylight = zone.isDaylightSavingTime(for: date)
        }
    }

    public init(zone: TimeZone) {
        self.zone = zone
        // Mid-January and mid-July give standard and daylight time in either hemisphere. A time is
        // labelled from them only when its zone keeps the same offset and the same kind of time: by
        // offset alone, a zone whose rules changed had times named as in another year (America/
        // Ojinaga's winter, UTC-6 and CST since 2022, came out MDT, its 2020 summer's name). Two years
        // are asked, 2020 and 2026, fixed so that no build's date changes a page: where they name one
        // offset and kind of time otherwise (America/Ciudad_Juarez, UTC-7 in both winters, GMT-7 in
        // 2020 and MST since late 2022), no label is kept, and each such time is asked of ICU itself.
        let dates = [1_579_046_400, 1_594_771_200, 1_768_435_200, 1_784_073_600].map { Date(timeIntervalSince1970: $0) }
        var labels: [Label: String] = [:]
        var differing: Set<Label> = []
        for (date, name) in zip(dates, ZoneAbbreviation.of(zone, at: dates)) {
            let label = Label(zone, at: date)
            if let earlier = labels[label], earlier != name { differing.insert(label) }
            labels[label] = name
        }
        for label in differing { labels[label] = nil }
        self.labels = labels
    }

    /// One clock per time zone, shared by the courts in it, made by whichever court's load needs it
    /// first: making one formats two dates with ICU, a few milliseconds each time.
    final class Shared: Sendable {
        private let clocks = Mutex<[String: CourtClock]>([:])

        func clock(for zone: TimeZone) -> CourtClock {
            if let clock = clocks.withLock({ $0[zone.identifier] }) { return clock }
            // Made outside the lock; two courts of a new zone may both make one, and they are equal.
            let made = CourtClock(zone: zone)
            return clocks.withLock { clocks in
                if let clock = clocks[zone.identifier] { return clock }
                clocks[zone.identifier] = made
                return made
            }
        }
    }

    /// A placeholder until the loader gives the court its zone's shared clock; labels are worked out
    /// on demand meanwhile.
    init(unlabelled zone: TimeZone) {
        self.zone = zone
        labels = [:]
    }

    public func abbreviation(at instant: Instant) -> String {
        labels[Label(zone, at: instant.date)] ?? ZoneAbbreviation.of(zone, at: instant.date)
    }

    public func today(at now: Instant) -> LocalDate { now.local(in: zone).date }
}

/// Zero-padded decimal numbers without Foundation's `String(format:)`, which showed in profiles: dates
/// are written for every notice on every page that lists it.
enum Digits {
    static func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        guard value >= 0, text.utf8.count < width else { return text }
        return String(repeating: "0", count: width - text.utf8.count) + text
    }
}

/// A court's date as the court stated it: a local date-time, or a day with no time given. A day is
/// never shown with a time; where an instant is needed it is the start of that day in the court's zone.
public enum StatedTime: Hashable, Sendable, CustomStringConvertible {
    case dateTime(LocalDateTime)
    case day(LocalDate)

    /// Reads `2020-03-30T08:00` or `2020-03-30`.
    public init?(parsing text: some StringProtocol) {
        if let value = LocalDateTime(parsing: text) { self = .dateTime(value) } else if let date = LocalDate(parsing: text) { self = .day(date) } else { return nil }
    }

    public var date: LocalDate {
        switch self {
        case let .dateTime(local): return local.date
        case let .day(date): return date
        }
    }

    /// The day, when no time was given.
    public var dayOnly: LocalDate? {
        if case let .day(date) = self { return date }
        return nil
    }

    /// The instant it stands for: a day starts at the first minute of that day in `zone`.
    public func instant(in zone: TimeZone) -> Instant {
        switch self {
        case let .dateTime(local): return local.instant(in: zone)
        case let .day(date): return date.start(in: zone)
        }
    }

    /// "March 30, 2020, 8:00 a.m. CDT", or "April 5, 2021" for a day.
    public func text(clock: CourtClock) -> String {
        switch self {
        case let .dateTime(local): return PeopleTime.format(local.instant(in: clock.zone), clock: clock)
        case let .day(date): return date.longText
        }
    }

    public var description: String {
        switch self {
        case let .dateTime(local): return local.description
        case let .day(date): return date.description
        }
    }
}

extension LocalDate {
    /// The first instant of this day in `zone` (midnight, or the end of a gap that swallows it).
    public func start(in zone: TimeZone) -> Instant {
        let midnight = Instant(secondsSinceEpoch: LocalDateTime.epochSeconds(date: self, hour: 0, minute: 0))
        let first = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(midnight.secondsSinceEpoch)))
        let guess = midnight.secondsSinceEpoch - Int64(first)
        let second = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(guess)))
        let candidate = midnight.secondsSinceEpoch - Int64(second)
        // A midnight that does not exist: the day starts when the gap ends.
        return Instant(secondsSinceEpoch: candidate).local(in: zone).date == self ? Instant(secondsSinceEpoch: candidate) : Instant(secondsSinceEpoch: guess)
    }

    /// The next calendar day.
    public var next: LocalDate {
        let days = LocalDateTime.daysFromCivil(year, month, day) + 1
        let (y, m, d) = Instant.civil(fromDays: days)
        return LocalDate(unchecked: y, m, d)
    }
}

extension LocalDateTime {
    /// True when this wall-clock time does not exist in `zone` (the clocks jump over it in spring).
    public func isSkipped(in zone: TimeZone) -> Bool {
        instant(in: zone).local(in: zone) != self
    }
}
