import Foundation
import Testing
@testable import GavelCore

/// Dates are the years 1000 to 9999 in both engines (the browser's Date.UTC reads 0 to 99 as the 1900s).
@Suite struct LocalTimeTests {
    @Test func datesAreTheYears1000To9999() {
        #expect(LocalDate(parsing: "1000-01-01") != nil)
        #expect(LocalDate(parsing: "9999-12-31") != nil)
        #expect(LocalDate(parsing: "0999-12-31") == nil)
        #expect(LocalDate(parsing: "0012-05-01") == nil)
        #expect(LocalDate(parsing: "0050-01-01") == nil)
    }

    @Test func localDateTimesKeepTheirInstantWithinTheYearsInAnyZone() {
        #expect(LocalDateTime(parsing: "9999-12-31T23:59") == nil)
        #expect(LocalDateTime(parsing: "1000-01-01T00:00") == nil)
        let last = LocalDateTime(parsing: "9999-12-30T23:59")
        #expect(last != nil)
        for zone in ["Pacific/Kiritimati", "Etc/GMT+12", "America/Chicago"] {
            if let last, let tz = TimeZone(identifier: zone) {
                #expect(Instant(parsing: last.instant(in: tz).description) != nil, "\(zone)")
            }
        }
        #expect(LocalDateTime(parsing: "1000-01-02T00:00") != nil)
    }

    /// A court's clock names a time as ICU does at that very time, in every zone it knows, before,
    /// between and after the two years its labels come from (a zone's rules may have changed: America/
    /// Ojinaga, UTC-7 in 2020, keeps UTC-6 and says CST since 2022, and its 2020 summer, also UTC-6,
    /// said MDT). Labelled by offset alone, five zones had times named as in 2020; labelled from 2020
    /// alone, America/Ciudad_Juarez's winters since late 2022 were GMT-7, where ICU says MST.
    @Test func aCourtClockNamesATimeAsICUDoesThen() throws {
        let times = ["2019-03-01T12:00:00Z", "2020-01-15T12:00:00Z", "2020-07-15T12:00:00Z", "2021-11-20T12:00:00Z", "2023-01-15T12:00:00Z",
                     "2024-08-01T12:00:00Z", "2026-07-15T12:00:00Z", "2026-12-07T12:00:00Z", "2031-02-01T12:00:00Z"]
            .compactMap { Instant(parsing: $0) }
        #expect(times.count == 9)
        var checked = 0
        for id in TimeZone.knownTimeZoneIdentifiers {
            guard let zone = TimeZone(identifier: id) else { continue }
            let clock = CourtClock(zone: zone)
            for time in times {
                #expect(clock.abbreviation(at: time) == ZoneAbbreviation.of(zone, at: time.date), "\(id) at \(time)")
                checked += 1
            }
        }
        #expect(checked > 1_000)
        let ojinaga = try #require(TimeZone(identifier: "America/Ojinaga"))
        let winter = try #require(Instant(parsing: "2026-01-15T12:00:00Z"))
        #expect(CourtClock(zone: ojinaga).abbreviation(at: winter) == "CST")
        let juarez = try #require(TimeZone(identifier: "America/Ciudad_Juarez"))
        #expect(CourtClock(zone: juarez).abbreviation(at: winter) == "MST")
        let chicago = try #require(TimeZone(identifier: "America/Chicago"))
        #expect(times.map { CourtClock(zone: chicago).abbreviation(at: $0) } == ["CST", "CST", "CDT", "CST", "CST", "CDT", "CDT", "CST", "CST"])
    }

    @Test func instantsRejectImpossibleOffsetsAndYearsOutOfRange() {
        #expect(Instant(parsing: "2020-03-30T12:00+23:59") != nil)
        #expect(Instant(parsing: "2020-03-30T12:00+99:99") == nil)
        #expect(Instant(parsing: "2020-03-30T12:00+24:00") == nil)
        #expect(Instant(parsing: "2020-03-30T12:00-05:60") == nil)
        #expect(Instant(parsing: "9999-12-31T23:59:59Z")?.description == "9999-12-31T23:59:59Z")
        #expect(Instant(parsing: "9999-12-31T23:00:00-05:00") == nil)
        #expect(Instant(parsing: "1000-01-01T00:00:00Z")?.description == "1000-01-01T00:00:00Z")
        #expect(Instant(parsing: "1000-01-01T04:59:00+05:00") == nil)
    }
}
