import Foundation
import Synchronization

/// A court's iCalendar file: go-live, downtime windows and notice events, in the court's time zone.
enum SiteCalendar {
    struct Event {
        var uid: String
        var title: String
        /// A day alone makes an all-day event.
        var start: StatedTime
        /// A day alone after a timed start: until the end of that day (RFC 5545 wants both ends of
        /// one kind); nil: no DTEND, and the description says what the court said.
        var end: StatedTime?
        var description: String
        var url: String
    }

    /// VTIMEZONE blocks already made in this build: courts share a few zones, and finding a zone's
    /// transitions formats dates through Foundation.
    final class ZoneCache: Sendable {
        private let made = Mutex<[String: [String]]>([:])

        func component(_ zone: TimeZone, years: [Int]) -> [String] {
            let key = "\(zone.identifier) \(years.min() ?? 0) \(years.max() ?? 0)"
            if let found = made.withLock({ $0[key] }) { return found }
            let lines = SiteCalendar.timeZoneComponent(zone, years: years)
            made.withLock { $0[key] = lines }
            return lines
        }
    }

    static func ics(for m: SiteModel.CourtModel, site: SiteConfig, zones: ZoneCache = ZoneCache()) -> OutputFile {
        let c = m.court
        let host = URL(string: site.baseURL)?.host ?? "gavel.invalid"
        let courtURL = site.baseURL + "courts/\(c.id)/"
        var events: [Event] = []
        if let goLive = c.goLive {
            let when = goLive.dayOnly == nil ? "this time" : "this day"
            events.append(Event(uid: "go-live.\(c.id)@\(host)", title: "\(c.shortName): NextGen CM/ECF go-live", start: goLive, end: goLive,
                                description: "\(c.name) moves to NextGen CM/ECF. Link your upgraded PACER account on or after \(when).", url: courtURL))
        }
        for w in c.downtime {
            var description = "CM/ECF filing is unavailable at the \(c.name)."
            if w.end == nil { description += " Ends: \(w.endNote ?? "not yet announced")." } else if let day = w.end?.dayOnly {
                description += " Ends some time on \(day.longText)" + (w.endNote.map { " (\($0))" } ?? "") + "."
            }
            events.append(Event(uid: "downtime-\(stamp(w.start)).\(c.id)@\(host)", title: "\(c.shortName): \(w.title)", start: .dateTime(w.start), end: w.end,
                                description: description, url: courtURL))
        }
        // A downtime announced in court.yml and again as a notice's event is one event in a calendar.
        let downtimes = Set(c.downtime.compactMap { w -> String? in
            guard case let .dateTime(end)? = w.end else { return nil }
            return "\(stamp(w.start)) \(stamp(end))"
        })
        for notice in m.notices {
            for e in notice.events where !downtimes.contains("\(stamp(e.start)) \(stamp(e.end))") {
                events.append(Event(uid: "\(notice.slug)-\(stamp(e.start)).\(c.id)@\(host)", title: "\(c.shortName): \(e.title)", start: .dateTime(e.start), end: .dateTime(e.end),
                                    description: notice.summary ?? notice.title, url: site.baseURL + notice.sitePath))
            }
        }
        events.sort { ($0.start.instant(in: c.timeZone), $0.uid) < ($1.start.instant(in: c.timeZone), $1.uid) }

        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Gavel//NextGen CM/ECF notices//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            "X-WR-CALNAME:" + text("\(c.name): NextGen CM/ECF"), "X-WR-TIMEZONE:" + c.timeZone.identifier,
        ]
        lines += zones.component(c.timeZone, years: events.map(\.start.date.year))
        let zone = c.timeZone.identifier
        for e in events {
            lines += [
                "BEGIN:VEVENT", "UID:" + e.uid,
                // DTSTAMP is required; the event's own start keeps the file byte-identical between builds.
                "DTSTAMP:" + utcStamp(e.start.instant(in: c.timeZone)),
            ]
            switch (e.start, e.end) {
            case let (.day(start), end):
                lines += ["DTSTART;VALUE=DATE:" + dayStamp(start), "DTEND;VALUE=DATE:" + dayStamp((end?.date ?? start).next)]
            case let (.dateTime(start), .dateTime(end)?):
                lines += ["DTSTART;TZID=\(zone):\(stamp(start))00", "DTEND;TZID=\(zone):\(stamp(end))00"]
            case let (.dateTime(start), .day(end)?):
                lines += ["DTSTART;TZID=\(zone):\(stamp(start))00", "DTEND;TZID=\(zone):\(dayStamp(end.next))T000000"]
            case let (.dateTime(start), nil):
                lines += ["DTSTART;TZID=\(zone):\(stamp(start))00"]
            }
            lines += [
                "SUMMARY:" + text(e.title), "DESCRIPTION:" + text(e.description), "URL:" + e.url,
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return OutputFile(path: "courts/\(c.id)/calendar.ics", text: lines.map(fold).joined(separator: "\r\n") + "\r\n")
    }

    /// A VTIMEZONE listing the zone's actual transitions around the years the events fall in.
    static func timeZoneComponent(_ zone: TimeZone, years: [Int]) -> [String] {
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + zone.identifier]
        let first = (years.min() ?? 2020) - 1, last = (years.max() ?? 2020) + 1
        let startInstant = LocalDateTime(unchecked: LocalDate(unchecked: first, 1, 1), hour: 0, minute: 0).instant(in: TimeZone(identifier: "UTC") ?? zone)
        let endInstant = LocalDateTime(unchecked: LocalDate(unchecked: last, 12, 31), hour: 0, minute: 0).instant(in: TimeZone(identifier: "UTC") ?? zone)
        var cursor = startInstant.date
        var offsetBefore = zone.secondsFromGMT(for: cursor)
        var transitions: [(Date, Int, Int)] = []
        while let next = zone.nextDaylightSavingTimeTransition(after: cursor), next < endInstant.date, transitions.count < 400 {
            let offsetAfter = zone.secondsFromGMT(for: next)
            transitions.append((next, offsetBefore, offsetAfter))
            offsetBefore = offsetAfter
            cursor = next
        }
        if transitions.isEmpty {
            let offset = zone.secondsFromGMT(for: startInstant.date)
            lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:" + offsetText(offset), "TZOFFSETTO:" + offsetText(offset),
                      "TZNAME:" + ZoneAbbreviation.of(zone, at: startInstant.date), "END:STANDARD"]
        }
        // The names from one formatter: making one costs more than using it.
        let names = ZoneAbbreviation.of(zone, at: transitions.map(\.0))
        for ((date, from, to), name) in zip(transitions, names) {
            let kind = zone.isDaylightSavingTime(for: date) ? "DAYLIGHT" : "STANDARD"
            let local = Instant(date).local(in: TimeZone(secondsFromGMT: from) ?? zone)
            lines += ["BEGIN:\(kind)", "DTSTART:\(stamp(local))00", "TZOFFSETFROM:" + offsetText(from), "TZOFFSETTO:" + offsetText(to),
                      "TZNAME:" + name, "END:\(kind)"]
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let a = abs(seconds)
        return sign + Digits.padded(a / 3600, 2) + Digits.padded(a % 3600 / 60, 2)
    }

    static func stamp(_ l: LocalDateTime) -> String {
        Digits.padded(l.date.year, 4) + Digits.padded(l.date.month, 2) + Digits.padded(l.date.day, 2) + "T" + Digits.padded(l.hour, 2) + Digits.padded(l.minute, 2)
    }

    static func dayStamp(_ d: LocalDate) -> String {
        Digits.padded(d.year, 4) + Digits.padded(d.month, 2) + Digits.padded(d.day, 2)
    }

    static func utcStamp(_ i: Instant) -> String {
        i.description.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// Escapes TEXT values (RFC 5545 §3.3.11).
    static func text(_ s: String) -> String {
        // Control characters may not appear in TEXT: a CR would end the content line early. Each line
        // break (LF, CR or CRLF) is written "\n"; other controls but tab are dropped.
        var out = ""
        var previous: Unicode.Scalar = " "
        for c in s.unicodeScalars {
            defer { previous = c }
            switch c {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n" where previous == "\r": continue
            case "\n", "\r": out += "\\n"
            case "\t": out += "\t"
            case _ where c.value < 0x20 || c.value == 0x7F: continue
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Folds a content line at 75 octets without splitting a UTF-8 character.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var out = ""
        var count = 0
        for c in line {
            let n = String(c).utf8.count
            if count + n > 75 {
                out += "\r\n "
                count = 1
            }
            out.append(c)
            count += n
        }
        return out
    }
}
