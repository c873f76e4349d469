import Foundation
import Testing
@testable import GavelCore

@Suite struct ContentLoaderTests {
    /// A court's notices are listed newest first, then by slug descending, whatever order their files
    /// were read in: lists in order, reversed, shuffled, with many notices on one date, and empty.
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
    }
}
