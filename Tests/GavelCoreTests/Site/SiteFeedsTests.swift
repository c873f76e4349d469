import Testing
@testable import GavelCore

@Suite struct SiteFeedsTests {
    /// XML escaping, whatever path each byte takes: the five replaced characters and the characters
    /// XML forbids, as a scalar-by-scalar rule gives them, anywhere in the text.
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
}
