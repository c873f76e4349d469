import Foundation
import Mustache
import Testing
@testable import GavelCore

/// Notice pages spliced into skeletons must be byte-identical to what Mustache renders, and any
/// template the splicing cannot reproduce must fall back to Mustache.
@Suite struct PageSkeletonTests {
    func render(templates: URL = TestPaths.templates, now: String, skeletons: Bool) async throws -> [OutputFile] {
        var options = TestPaths.exampleOptions(output: try TestPaths.temporaryDirectory(), now: now)
        options.templates = templates
        let build = SiteBuild(options: options)
        var bag = DiagnosticBag()
        let prepared = await build.prepare(bag: &bag)
        let (model, theme) = try #require(prepared, "\(bag.all)")
        var renderer = build.renderer(for: model, theme: theme)
        renderer.useSkeletons = skeletons
        let sink = MemorySink()
        let report = await renderer.render(to: sink)
        #expect(report.diagnostics.isEmpty)
        return sink.files
    }

    func expectSameSite(templates: URL = TestPaths.templates, now: String) async throws {
        let spliced = try await render(templates: templates, now: now, skeletons: true)
        let mustache = try await render(templates: templates, now: now, skeletons: false)
        #expect(spliced.map(\.path) == mustache.map(\.path))
        var notices = 0
        for (a, b) in zip(spliced, mustache) {
            if a.path.contains("/notices/") { notices += 1 }
            let same = a.bytes == b.bytes
            #expect(same, "\(a.path) differs")
        }
        #expect(notices > 5)
    }

    /// Before and after go-live: the example notices cover summaries, tags, key dates and archiving.
    @Test(arguments: ["2020-03-20T12:00:00Z", "2021-06-01T12:00:00Z"])
    func exampleSiteIsIdenticalBothWays(now: String) async throws {
        try await expectSameSite(now: now)
    }

    /// Customised notice templates: a transformed value (its marker comes back altered, so Mustache
    /// renders those pages), the body in an indented partial, an unescaped title, and no escaping at all.
    @Test(arguments: [
        ("<h1>{{title}}</h1>", "<h1>{{uppercased(title)}}</h1>"),
        ("    {{{body_html}}}", "    {{> notice-body}}"),
        ("<h1>{{title}}</h1>", "<h1>{{{title}}}</h1>"),
        ("{{<layout}}", "{{% CONTENT_TYPE: TEXT}}{{<layout}}"),
        ("{{#tags}}<li class=\"tag\">{{.}}</li>{{/tags}}", "{{#sorted(tags)}}<li class=\"tag\">{{.}}</li>{{/sorted(tags)}}"),
    ])
    func customisedTemplatesGiveTheSamePages(original: String, replacement: String) async throws {
        let templates = try TestPaths.temporaryDirectory().appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: TestPaths.templates, to: templates)
        let notice = templates.appendingPathComponent("notice.mustache")
        let text = try String(contentsOf: notice, encoding: .utf8)
        #expect(text.contains(original))
        try text.replacingOccurrences(of: original, with: replacement).write(to: notice, atomically: true, encoding: .utf8)
        try "{{{body_html}}}\n".write(to: templates.appendingPathComponent("partials/notice-body.mustache"), atomically: true, encoding: .utf8)
        try await expectSameSite(templates: templates, now: "2020-03-20T12:00:00Z")
    }

    /// Sorting a list would order markers rather than values, so a theme that sorts gets no skeletons.
    /// (Marker contexts hold lists as [Any], which Mustache cannot sort, so such a skeleton would also
    /// fail its first check; both guards are tested.)
    @Test func aThemeThatSortsListsGetsNoSkeletons() throws {
        var library = MustacheLibrary()
        try library.register("{{#sorted(tags)}}{{.}},{{/sorted(tags)}}", named: "t")
        let theme = Theme(library: library, manifest: [:], assetFiles: [], serviceWorker: nil)
        let unguarded = SkeletonCache(enabled: true)
        // The second page of a shape makes its skeleton; the third would be spliced from it.
        #expect(unguarded.render("t", ["tags": ["alpha", "zebra"]], theme: theme) == Array("alpha,zebra,".utf8))
        #expect(unguarded.render("t", ["tags": ["zebra", "alpha"]], theme: theme) == Array("alpha,zebra,".utf8))
        #expect(unguarded.render("t", ["tags": ["zebra", "mid"]], theme: theme) == Array("mid,zebra,".utf8))
        #expect(unguarded.skeletonCount == 0)

        let folder = try TestPaths.temporaryDirectory()
        try FileManager.default.copyItem(at: TestPaths.templates, to: folder.appendingPathComponent("T"))
        var bag = DiagnosticBag()
        let plain = try #require(Theme.load(from: folder.appendingPathComponent("T"), displayRoot: "T", bag: &bag))
        #expect(!plain.sortsLists)
        try "{{#sorted(tags)}}{{.}}{{/sorted(tags)}}".write(to: folder.appendingPathComponent("T/partials/sorted-tags.mustache"), atomically: true, encoding: .utf8)
        let sorting = try #require(Theme.load(from: folder.appendingPathComponent("T"), displayRoot: "T", bag: &bag))
        #expect(sorting.sortsLists)
        let model = SiteModel(content: SiteContent(site: SiteConfig(title: "", baseURL: "/", language: "en", description: "", allowRawHTML: false, navigation: [], file: ""),
                                                   facts: [], steps: [:], stepOrder: [], courts: [], pages: []), steps: [:], now: Instant(secondsSinceEpoch: 0))
        let renderer = SiteRenderer(model: model, theme: sorting, linker: SiteLinker(offline: false), markdown: Markdown())
        #expect(!renderer.useSkeletons)
    }

    /// A skeleton costs a second render and a parse, so it is made for the second page of a shape, and
    /// the pages after it are spliced from it, as Mustache renders them.
    @Test func aSkeletonIsMadeForTheSecondPageOfAShape() throws {
        var library = MustacheLibrary()
        try library.register("<h1>{{title}}</h1>{{#items}}<li>{{.}}</li>{{/items}}", named: "t")
        let theme = Theme(library: library, manifest: [:], assetFiles: [], serviceWorker: nil)
        let cache = SkeletonCache(enabled: true)
        func page(_ title: String, _ items: [String]) -> [String: Any] { ["title": title, "items": items] }
        let pages = [page("A & B", ["x", "y"]), page("C", ["<z>", "w"]), page("D", ["1", "2"]), page("E", ["only one"])]
        var made: [Int] = []
        for context in pages {
            #expect(cache.render("t", context, theme: theme) == Array(theme.render("t", context).utf8))
            made.append(cache.skeletonCount)
        }
        // Two items: a skeleton from the second such page on. One item is another shape, seen once.
        #expect(made == [0, 1, 1, 1])
    }

    /// Every text of a context is replaced by a marker, whatever its depth: a value left in place would
    /// be copied into every page made from the skeleton.
    @Test func everyTextBecomesAMarkerAndOnlyStructureMakesTheShape() throws {
        func context(_ a: String, _ b: String) -> [String: Any] {
            ["site": ["title": a], "items": [["t": b, "n": 3, "ok": true], ["t": a + b, "n": 4, "ok": false]], "tags": [a, b], "empty": ""]
        }
        let one = try #require(SlottedContext(context("first", "second")))
        let two = try #require(SlottedContext(context("other", "values\nhere")))
        #expect(one.values.count == 6)
        #expect(one.values.contains("first") && one.values.contains("firstsecond"))
        func texts(_ value: Any) -> [String] {
            if let s = value as? String { return [s] }
            if let m = value as? [String: Any] { return m.values.flatMap(texts) }
            if let l = value as? [Any] { return l.flatMap(texts) }
            return []
        }
        #expect(texts(one.markerContext()).allSatisfy { $0.isEmpty || $0.hasPrefix("\u{E000}gV") })
        #expect(one.shape != two.shape, "a multi-line text changes the shape")
        let three = try #require(SlottedContext(context("x", "y")))
        #expect(one.shape == three.shape)
        #expect(SlottedContext(["date": 1.5]) == nil, "a value Mustache would print another way is refused")
    }

    /// A page's own entries given as typed values are read as the same entries held as `Any` would be:
    /// the same texts in the same order and the same shape, over shared entries read before; and a
    /// shared entry that cannot be read refuses the page either way.
    @Test func typedEntriesAreReadAsTheSameEntriesAsAny() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: seed >> 33) % n
        }
        let texts = ["", "a", "two\nlines", "ends\n", "\n", "é<&>", "b_c", "Z"]
        let keys = ["title", "t", "a_b", "ab", "a", "Z", "href", "body_html", "has_tags", "tags", "events", "é"]
        func value(depth: Int) -> PageValue {
            switch depth > 2 ? next(2) : next(4) {
            case 0: return .text(texts[next(texts.count)])
            case 1: return .flag(next(2) == 0)
            case 2: return .list((0..<next(4)).map { _ in value(depth: depth + 1) })
            default:
                var seen = Set<String>()
                return .map((0..<next(5)).compactMap { _ in
                    let key = keys[next(keys.count)]
                    return seen.insert(key).inserted ? (key, value(depth: depth + 1)) : nil
                })
            }
        }
        let shared: [String: Any] = ["site": ["title": "Court", "description": "two\nlines"], "nav": [["title": "A", "current": true]],
                                     "assets": ["css": "a.css"], "zz": ""]
        let parts = shared.compactMapValues { SlottedContext.Part($0) }
        for _ in 0..<300 {
            var own: [String: PageValue] = ["page": value(depth: 1)]
            if next(3) > 0 { own["notice"] = value(depth: 0) }
            if next(4) == 0 { own["site"] = value(depth: 1) }
            let merged = shared.merging(own.mapValues(\.any))
            let layout = try #require(SlottedContext.layout(shared: shared.keys, parts: parts, own: own.keys))
            let typed = try #require(SlottedContext(layout: layout, own: own, context: { merged }))
            let asAny = try #require(SlottedContext(merged))
            #expect(typed.values == asAny.values)
            #expect(typed.shape == asAny.shape)
        }
        var unreadable = shared
        unreadable["ratio"] = 1.5
        #expect(SlottedContext.layout(shared: unreadable.keys, parts: unreadable.compactMapValues { SlottedContext.Part($0) }, own: []) == nil)
        #expect(SlottedContext(unreadable) == nil)
    }

    @Test func aDamagedMarkerRejectsTheSkeleton() {
        let good = "<p>" + SlottedContext.marker(0) + "</p><p>" + SlottedContext.marker(1).replacingOccurrences(of: "&", with: "&amp;") + "</p>"
        let skeleton = PageSkeleton(rendered: good)
        #expect(skeleton?.fill(["a<b", "c<d"]) == Array("<p>a<b</p><p>c&lt;d</p>".utf8))
        #expect(PageSkeleton(rendered: good.uppercased()) == nil)
        #expect(PageSkeleton(rendered: "<p>\u{E000}gV</p>") == nil)
        #expect(PageSkeleton(rendered: good.lowercased()) == nil)
    }

    @Test(arguments: ["plain", "a & b", "<tag attr=\"x\">it's</tag>", "&\u{301} combining", "e\u{301}<", "",
                      // Each character that needs escaping, alone in a value.
                      "it's", "say \"so\"", "a > b", "a < b", "R&D",
                      // Next to other than ASCII: a prepended mark before, marks and modifiers after.
                      "\u{0600}&x", "x&\u{0301}", "é'é", "'\u{1F3FB}", "\u{200D}<", "日本<語>", "\u{0300}\"", "a\u{0301}&b", "&'<>\""])
    func escapingMatchesMustache(value: String) throws {
        let template = try MustacheTemplate(string: "{{v}}")
        var out: [UInt8] = []
        HTMLEscape.append(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == template.render(["v": value]))
    }
}
