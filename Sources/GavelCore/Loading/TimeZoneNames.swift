import Foundation

/// What to say about a time zone name Gavel does not take. Only canonical IANA names are taken (the
/// browser engine and the calendar must read the same zone); for an old or fixed-offset name that the
/// tz database does know, the hint names the zone to write instead.
enum TimeZoneNames {
    /// Every name the tz database has, as Foundation lists them, to look names up in: each court's
    /// zone was searched for in the list, name by name.
    static let known = Set(TimeZone.knownTimeZoneIdentifiers)

    /// The zones the United States' courts sit in, each one of `known` (a test checks this against
    /// the ICU data built into Gavel): a court in one of them is taken without `known`, whose making
    /// (ICU's list of every zone, 600 names) was about 8 million instructions of every build.
    static let usual: Set<String> = [
        "America/New_York", "America/Detroit", "America/Indiana/Indianapolis", "America/Kentucky/Louisville", "America/Chicago",
        "America/Denver", "America/Boise", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "America/Juneau",
        "Pacific/Honolulu", "America/Puerto_Rico", "America/St_Thomas", "Pacific/Guam", "Pacific/Saipan",
    ]

    /// Whether a zone name is one the tz database has (see `known`).
    static func isKnown(_ name: String) -> Bool {
        usual.contains(name) || known.contains(name)
    }

    static func hint(for name: String) -> String? {
        if let canonical = canonical(of: name) {
            return "'\(name)' is an old name of '\(canonical)' in the tz database: write \(canonical)"
        }
        if name.hasPrefix("Etc/GMT") || name.hasPrefix("Etc/UTC") || name.hasPrefix("Etc/") {
            return "'\(name)' is a fixed offset with no daylight saving time; write the court's place, such as America/Chicago (or UTC)"
        }
        return DidYouMean.hint(name, among: TimeZone.knownTimeZoneIdentifiers)
    }

    /// The zone a tz database link points to, read from the system's tzdata.zi ("L TARGET LINK").
    static func canonical(of name: String) -> String? {
        guard let bytes = FileIO.read("/usr/share/zoneinfo/tzdata.zi") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("L ") {
            let parts = line.split(separator: " ")
            if parts.count == 3, parts[2] == name, TimeZone.knownTimeZoneIdentifiers.contains(String(parts[1])) {
                return String(parts[1])
            }
        }
        return nil
    }
}
