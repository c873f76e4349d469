import Testing
@testable import GavelCore

/// The byte-level relative link must agree with the component-by-component one on every pair.
@Suite struct SiteLinkerTests {
    static let paths: [String] = {
        let parts = ["", "courts/", "courts/a/", "courts/ab/", "courts/a/notices/", "courts/a/notices/n1/", "courts/a/notices/n10/",
                     "courts/ab/notices/n1/", "feed.xml", "courts/a/feed.xml", "courts/a/calendar.ics", "checklist/", "checklist/a.js",
                     "assets/site.1234.css", "courts/a/index.html", "search/", "faq/", "a/", "a/b", "ab/", "courts/a/notices/n1/index.html"]
        return parts
    }()

    @Test func byteLevelLinksAgreeWithComponentLinks() {
        var compared = 0
        for from in Self.paths {
            for to in Self.paths {
                let fast = SiteLinker.relative(from: from, to: to)
                #expect(fast == SiteLinker.generalRelative(from: from, to: to), "from \(from) to \(to)")
                compared += 1
            }
        }
        #expect(compared == Self.paths.count * Self.paths.count)
    }

    @Test func quickResolvingAgreesWithTheGeneralWay() {
        let destinations = ["/courts/a/", "/courts/a", "/", "/courts/a/index.html", "/index.html", "/courts/a/#dates", "/faq/?q=1",
                            "/courts/./a/", "/courts/../faq/", "//example.com/x", "https://pacer.uscourts.gov/x", "HTTP://x.y", "mailto:a@b.c",
                            "tel:+16082645178", "../c2/", "notices/n1/", "#top", "", "c1/page:1", "1:odd", "/courts//a/", "/myindex.html",
                            "/courts/a/feed.xml#x"]
        for from in ["", "courts/a/", "courts/a/notices/n1/", "faq/"] {
            for destination in destinations {
                #expect(SiteLinker.resolve(destination, from: from) == SiteLinker.generalResolve(destination, from: from), "\(destination) from \(from)")
            }
        }
        #expect(SiteLinker.quickResolve("/courts/a/") != nil)
        #expect(SiteLinker.quickResolve("https://x.y/") != nil)
    }

    /// A link's fragment or query starts at its first `#` or `?` Character, found on the bytes where
    /// that is the same thing.
    @Test func suffixesStartAtTheFirstHashOrQuestionMarkCharacter() {
        let targets = ["courts/a/", "courts/a/#dates", "search/?q=x#y", "a#b?c", "é/#x", "a\u{0301}#", "x#\u{0301}y", "\u{0600}?q", "#", "?", ""]
        for target in targets {
            #expect(SiteLinker.suffixStart(target) == target.firstIndex { $0 == "#" || $0 == "?" }, "\(target.debugDescription)")
        }
        let linker = SiteLinker(offline: true)
        #expect(linker.href(from: "courts/a/notices/n1/", to: "courts/b/?q=1#top") == "../../../b/index.html?q=1#top")
    }

    @Test func pathsThatAreNotNormalisedUseTheGeneralWay() {
        #expect(SiteLinker.relative(from: "/courts/a/", to: "feed.xml") == nil)
        #expect(SiteLinker.relative(from: "courts//a/", to: "feed.xml") == nil)
        #expect(SiteLinker(offline: false).href(from: "courts//a/", to: "feed.xml") == SiteLinker.generalRelative(from: "courts//a/", to: "feed.xml"))
    }

    @Test func examples() {
        let linker = SiteLinker(offline: false), offline = SiteLinker(offline: true)
        #expect(linker.href(from: "courts/a/notices/n1/", to: "courts/a/") == "../../")
        #expect(linker.href(from: "courts/a/notices/n1/", to: "courts/a/notices/n1/") == "./")
        #expect(linker.href(from: "", to: "courts/a/#dates") == "courts/a/#dates")
        #expect(linker.href(from: "courts/a/", to: "assets/site.css") == "../../assets/site.css")
        #expect(offline.href(from: "courts/a/", to: "") == "../../index.html")
        #expect(linker.href(from: "404.html", to: "faq/") == "/faq/")
    }
}
