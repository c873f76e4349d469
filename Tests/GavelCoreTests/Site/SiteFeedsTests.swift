import Foundation
import Testing
@testable import GavelCore

@Suite struct SiteFeedsTests {
    /// XML escaping, whatever path each byte takes: the five replaced characters and the characters
    /// XML forbids, as a scalar-by-scalar rule gives them, anywhere in the text, as a String or
    /// appended to bytes.
    @Test func escapingIsTheScalarRuleAnywhereInTheText() {
        func rule(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar.value {
                case 0x26: out += "&amp;"
                case 0x3C: out += "&lt;"
                case 0x3E: out += "&gt;"
                case 0x22: out += "&quot;"
                case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0xFFFE, 0xFFFF: out += "\u{FFFD}"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        let pieces = ["plain", "a&b", "<p>", "x > y", "\"q\"", "'", "\u{0}", "\u{8}\t\n\r\u{B}\u{C}\u{1F}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}",
                      "\u{FFFD}", "\u{EFBF}", "é", "日本", "🏛", "\u{7F}", " "]
        var texts = pieces + [pieces.joined(), String(repeating: "long body text ", count: 200) + "&"]
        for a in pieces { for b in pieces { texts.append(a + b) } }
        for text in texts { #expect(SiteFeeds.escape(text) == rule(text), "\(text.debugDescription)") }
        // Escaped into a feed's bytes (as each entry's body is): appended after what is there.
        var feed = Array("<feed>".utf8), expected = feed
        for text in texts {
            SiteFeeds.escape(text, into: &feed)
            expected += Array(rule(text).utf8)
        }
        #expect(feed == expected)
    }

    /// The sitemap lists each page (a path ending in `index.html`) once, in the order of the page
    /// paths without that name (which is not the order of the whole paths: `a/b/` comes after `a/`,
    /// `a/b/index.html` before `a/index.html`), under the base URL, escaped for XML.
    @Test func theSitemapListsPagesInTheOrderOfTheirPaths() throws {
        let paths = ["a/index.html", "a/b/index.html", "a-b/index.html", "feed.xml", "index.html", "é/index.html", "x&y/index.html",
                     "search/terms-0.js", "courts/vtd/notices/n1/index.html", "courts/vtd/index.html", "courts/vtd/notices/index.html"]
        let site = SiteConfig(title: "", baseURL: "https://court.example/", language: "en", description: "", allowRawHTML: false,
                              navigation: [], file: "")
        let xml = String(decoding: SiteFeeds.sitemap(paths: paths, site: site).bytes, as: UTF8.self)
        let locs = xml.split(separator: "\n").compactMap { line -> String? in
            guard let open = line.range(of: "<loc>"), let close = line.range(of: "</loc>") else { return nil }
            return String(line[open.upperBound..<close.lowerBound])
        }
        // The rule: pages, their names dropped, sorted as strings.
        let pages = paths.filter { $0.hasSuffix("index.html") }.map { String($0.dropLast("index.html".count)) }.sorted()
        #expect(locs == pages.map { "https://court.example/" + $0.replacingOccurrences(of: "&", with: "&amp;") })
        #expect(locs.firstIndex(of: "https://court.example/a/") ?? 0 < locs.firstIndex(of: "https://court.example/a/b/") ?? 0)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"))
        #expect(xml.hasSuffix("</loc></url>\n</urlset>\n"))
    }
    /// A court's feed lists its newest current notices by (date, court, slug), newest first, whatever
    /// order its list has: newest first as loaded (only checked, not sorted), shuffled, ties of date
    /// among joint notices from other courts, archived ones mixed in, and more than the feed takes.
    @Test func aCourtsFeedIsItsNewestCurrentNoticesInAnyOrder() async throws {
        let build = SiteBuild(options: TestPaths.exampleOptions(output: try TestPaths.temporaryDirectory()))
        var bag = DiagnosticBag()
        let model = try #require(await build.prepare(bag: &bag), "\(bag.all)").0
        let m = try #require(model.courts.first { !$0.notices.isEmpty })
        let template = try #require(m.notices.first)
        func notice(_ court: String, _ slug: String, _ day: Int, archived: Bool = false) throws -> Notice {
            var n = template
            n.court = court
            n.slug = slug
            n.date = try #require(LocalDate(parsing: String(format: "2019-%02d-%02d", 1 + day / 28, 1 + day % 28)))
            n.expires = archived ? LocalDate(parsing: "2019-01-01") : nil
            return n
        }
        func reference(_ court: SiteModel.CourtModel) -> [String] {
            court.notices.filter { !$0.isArchived(now: court.today) }.sorted { ($0.date, $0.court, $0.slug) > ($1.date, $1.court, $1.slug) }
                .prefix(SiteFeeds.entryLimit).map { "\($0.court)/\($0.slug)" }
        }
        var generator = SystemRandomNumberGenerator()
        var lists: [[Notice]] = []
        var loaded: [Notice] = []
        for day in 0..<80 { loaded.append(try notice(m.court.id, "n\(day)", day, archived: day % 7 == 3)) }
        loaded.sort { ($0.date, $0.slug) > ($1.date, $1.slug) }
        lists.append(loaded)
        lists.append(loaded.shuffled(using: &generator))
        // Joint notices: the same day, other courts and slugs that sort the other way round.
        var joint = loaded
        for day in stride(from: 0, to: 80, by: 5) {
            joint.append(try notice("aaa", "z\(day)", day))
            joint.append(try notice("zzz", "a\(day)", day))
        }
        lists.append(joint.sorted { ($0.date, $0.slug, $0.court) > ($1.date, $1.slug, $1.court) })
        lists.append(joint.shuffled(using: &generator))
        lists.append(Array(loaded.prefix(3)))
        lists.append([])
        for list in lists {
            var court = m
            court.notices = list
            let places = SiteFeeds.newestPlaces(of: court)
            #expect(places.map { "\(court.notices[$0].court)/\(court.notices[$0].slug)" } == reference(court))
        }
    }
}
