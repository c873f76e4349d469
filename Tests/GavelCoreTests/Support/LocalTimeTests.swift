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
