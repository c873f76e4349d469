import Foundation
import Testing
@testable import GavelCore

@Suite struct ContentLoaderTests {
    /// A court's notices are listed newest first, then by slug descending, whatever order their files
    /// were read in: lists in order, reversed, shuffled, with many notices on one date, and empty.
    /// A notice's file is told by its name's bytes ending in ".md", as `hasSuffix` tells it by characters.
    @Test func markdownNamesAreThoseEndingInDotMD() {
        for name in ["a.md", ".md", "md", "a.MD", "a.mx", "a.me", "b.dm", "a..md", "amd", "a.m", "a-md", "a.md\u{301}", "caf\u{E9}.md", "cafe\u{301}.md", "a.mdx", "", "x.m", "na\u{EF}ve.md", "a.\u{301}md", "\u{1F600}.md", "a\r\n.md"] {
            #expect(ContentLoader.isMarkdownName(name) == name.hasSuffix(".md"), "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    /// A slug is told by its bytes as the rule on characters tells it: lowercase ASCII letters, digits
    /// and hyphens, not starting with one.
    @Test func slugsAreToldByTheirBytesAsByTheirCharacters() {
        func byCharacters(_ s: String) -> Bool {
            !s.isEmpty && s.first != "-" && s.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        }
        for name in ["go-live", "a", "0", "-a", "a-", "--", "", "A", "go_live", "go live", "caf\u{E9}", "cafe\u{301}", "a\r\n", "\u{1F600}", "ab\u{0}",
                     "n0042", "z9-", "a.md", "\u{FF41}", "\u{2212}a", "e\u{301}-x", "\u{661}"] {
            #expect(ContentLoader.isSlug(name) == byCharacters(name), "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test func aCourtsNoticesAreNewestFirstThenBySlug() async throws {
        let build = SiteBuild(options: TestPaths.exampleOptions(output: try TestPaths.temporaryDirectory()))
        var bag = DiagnosticBag()
        let model = try #require(await build.prepare(bag: &bag), "\(bag.all)").0
        let template = try #require(model.courts.lazy.flatMap(\.notices).first)
        var generator = SystemRandomNumberGenerator()
        var notices: [Notice] = []
        for i in 0..<150 {
            var n = template
            n.slug = "n\(Int.random(in: 0..<1000, using: &generator))-\(i)"
            // Few dates, so most notices share one with others.
            let day = Int.random(in: 0..<9, using: &generator)
            n.date = try #require(LocalDate(parsing: String(format: "20%02d-0%d-1%d", 19 + day % 3, 1 + day % 4, day)))
            notices.append(n)
        }
        let expected = notices.sorted { ($0.date, $0.slug) > ($1.date, $1.slug) }.map(\.slug)
        for list in [notices, Array(notices.reversed()), notices.shuffled(using: &generator), notices.sorted { ($0.date, $0.slug) > ($1.date, $1.slug) }] {
            #expect(ContentLoader.newestFirst(list).map(\.slug) == expected)
        }
        #expect(ContentLoader.newestFirst([]).isEmpty)
        // Dates over every month and day and the years' ends, so the order of their packed numbers
        // is seen against the dates' own at each field's edges.
        var spread: [Notice] = []
        for (i, (year, month, day)) in [(1000, 1, 1), (9999, 12, 31), (2020, 12, 31), (2021, 1, 1), (2020, 2, 29), (2020, 3, 1),
                                        (2020, 11, 30), (2020, 12, 1), (1999, 12, 31), (2000, 1, 1)].enumerated() {
            var n = template
            n.slug = "s\(i)"
            n.date = try #require(LocalDate(year: year, month: month, day: day))
            spread.append(n)
        }
        for _ in 0..<200 {
            var n = template
            n.slug = "r\(spread.count)"
            let month = Int.random(in: 1...12, using: &generator)
            n.date = try #require(LocalDate(year: Int.random(in: 1000...9999, using: &generator), month: month, day: Int.random(in: 1...28, using: &generator)))
            spread.append(n)
        }
        #expect(ContentLoader.newestFirst(spread.shuffled(using: &generator)).map(\.slug) == spread.sorted { ($0.date, $0.slug) > ($1.date, $1.slug) }.map(\.slug))
    }
}
