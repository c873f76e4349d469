import Testing
@testable import GavelCore

@Suite struct SiteFeedsTests {
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
