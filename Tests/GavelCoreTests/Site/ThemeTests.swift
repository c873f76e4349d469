import Foundation
import Mustache
import Testing
@testable import GavelCore
@testable import GavelTheme

/// The built-in theme and a site's Templates/ laid over it, file by file (SPEC section 6).
@Suite struct ThemeTests {
    /// The example site rendered in memory with `templates` over the built-in theme (nil: none).
    func render(templates: URL?) async throws -> [String: [UInt8]] {
        var options = TestPaths.exampleOptions(output: try TestPaths.temporaryDirectory().appendingPathComponent("Output"))
        options.templates = templates
        let sink = MemorySink()
        _ = try await SiteBuild(options: options).run(into: sink)
        return Dictionary(uniqueKeysWithValues: sink.files.map { ($0.path, $0.bytes) })
    }

    func text(_ site: [String: [UInt8]], _ path: String) throws -> String {
        String(decoding: try #require(site[path], "missing \(path)"), as: UTF8.self)
    }

    /// A templates folder holding only `files`.
    func folder(_ files: [String: String]) throws -> URL {
        let root = try TestPaths.temporaryDirectory().appendingPathComponent("Templates")
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    /// The binary carries exactly the repository's Templates/, byte for byte: generated at build
    /// time, so it cannot fall behind.
    @Test func theBuiltInThemeIsTheRepositorysTemplates() throws {
        let embedded = Dictionary(uniqueKeysWithValues: BuiltInTheme.files.map { ($0.path, $0.bytes) })
        let onDisk = FileIO.walk(TestPaths.templates.path).files.filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }
        #expect(Set(embedded.keys) == Set(onDisk))
        for path in onDisk {
            let bytes = try #require(FileIO.read(TestPaths.templates.appendingPathComponent(path).path))
            #expect(embedded[path] == bytes, "\(path) differs from the embedded copy")
        }
        #expect(BuiltInTheme.files.map(\.path) == BuiltInTheme.files.map(\.path).sorted())
    }

    /// No templates folder: the built-in theme alone gives the same site as the full Templates/ folder.
    @Test func withoutATemplatesFolderTheBuiltInThemeGivesTheSameSite() async throws {
        let builtIn = try await render(templates: nil)
        let folder = try await render(templates: TestPaths.templates)
        #expect(builtIn.count > 50)
        #expect(Set(builtIn.keys) == Set(folder.keys))
        for (path, bytes) in builtIn where folder[path] != bytes {
            Issue.record("\(path) differs between the built-in theme and Templates/")
        }
    }

    /// Built-in templates are parsed when a page needs them (the site above compares that with a
    /// theme parsed whole): each must parse, or its pages would be empty, and each names only
    /// templates there are.
    @Test func everyBuiltInTemplateParsesAndNamesTemplatesThereAre() throws {
        var texts: [String: String] = [:]
        for file in BuiltInTheme.files where file.path.hasSuffix(".mustache") {
            let text = try #require(String(validating: file.bytes, as: UTF8.self))
            _ = try MustacheTemplate(string: text)
            texts[String(file.path.dropLast(".mustache".count))] = text
        }
        let references = try #require(TemplatesOnDemand.references(texts), "the built-in theme must be parsable on demand")
        #expect(references["home"] == ["layout", "partials/court-card", "partials/notice-item"])
        #expect(references["layout"] == [])
        for (name, named) in references {
            for partial in named { #expect(texts[partial] != nil, "\(name) names \(partial)") }
        }
        var bag = DiagnosticBag()
        let theme = try #require(Theme.load(overrides: nil, displayRoot: "Templates", bag: &bag))
        #expect(theme.onDemand != nil)
        #expect(theme.library.getTemplate(named: "court") == nil, "built-in templates wait for a page")
    }

    /// The partials and parents a template names are read from its text; where they cannot be (a
    /// changed delimiter, a partial named at render time), the theme is parsed whole.
    @Test func templatesNamedByATemplateAreReadFromItsText() throws {
        let references = try #require(TemplatesOnDemand.references([
            "a": "x {{> b}} {{>c }}{{<d}}{{$block}}{{/d}} {{{e}}} {{#f}}{{/f}} {{&g}} {{!> h}}",
            "b": "{{ > not-a-partial }}\n{{>\n  multi\n}}",
        ]))
        #expect(references["a"] == ["b", "c", "d"])
        #expect(references["b"] == ["multi"])
        #expect(TemplatesOnDemand.references(["a": "{{=<% %>=}}<%> b%>"]) == nil)
        #expect(TemplatesOnDemand.references(["a": "{{>*dynamic}}"]) == nil)
        #expect(TemplatesOnDemand.references(["a": "{{< *dynamic}}{{/ *dynamic}}"]) == nil)
    }

    /// A court replaces only the layout: every page takes it, and the other templates stay built-in.
    @Test func aLayoutAloneOverridesTheLayoutOnly() async throws {
        let builtInLayout = try #require(BuiltInTheme.files.first { $0.path == "layout.mustache" })
        var layout = String(decoding: builtInLayout.bytes, as: UTF8.self)
        layout = layout.replacingOccurrences(of: "<body class=\"page-{{page.kind}}\">", with: "<body class=\"page-{{page.kind}}\">\n<p class=\"court-banner\">Court banner</p>")
        #expect(layout.contains("court-banner"))
        let site = try await render(templates: try folder(["layout.mustache": layout]))
        let original = try await render(templates: nil)
        for page in ["index.html", "courts/wiwb/index.html", "courts/wiwb/notices/how-to-prepare/index.html", "checklist/index.html", "404.html"] {
            #expect(try text(site, page).contains("<p class=\"court-banner\">Court banner</p>"), "\(page)")
            #expect(try text(site, page).replacingOccurrences(of: "\n<p class=\"court-banner\">Court banner</p>", with: "") == (try text(original, page)))
        }
        #expect(site["assets/manifest.json"] == original["assets/manifest.json"])
    }

    /// An added asset (a court's seal) and an overridden one are fingerprinted, listed in the asset
    /// manifest and cached by the service worker like the built-in ones.
    @Test func addedAndOverriddenAssetsAreFingerprintedListedAndCached() async throws {
        let seal = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><circle cx=\".5\" cy=\".5\" r=\".5\"/></svg>\n"
        let css = "body { color: #111; }\n"
        let site = try await render(templates: try folder(["assets/seal.svg": seal, "assets/site.css": css]))
        let original = try await render(templates: nil)
        guard case let .success(manifest) = JSONValue.parse(try text(site, "assets/manifest.json")),
              case let .success(before) = JSONValue.parse(try text(original, "assets/manifest.json")) else {
            Issue.record("the asset manifest is not JSON")
            return
        }
        let sealPath = try #require(manifest["seal.svg"]?.stringValue)
        #expect(sealPath == "assets/" + Theme.fingerprinted("seal.svg", bytes: Array(seal.utf8)))
        #expect(site[sealPath] == Array(seal.utf8))
        let cssPath = try #require(manifest["site.css"]?.stringValue)
        #expect(cssPath != before["site.css"]?.stringValue)
        #expect(site[cssPath] == Array(css.utf8))
        #expect(try text(site, "index.html").contains(cssPath))
        let worker = try text(site, "sw.js")
        #expect(worker.contains(sealPath))
        #expect(worker.contains(cssPath))
        #expect(worker != (try text(original, "sw.js")))
        #expect(manifest["checklist-engine.js"] == before["checklist-engine.js"], "what is not overridden stays built-in")
    }

    /// The theme's hash covers every file used, built-in or the site's, so the build cache re-renders
    /// pages when an override is added, changed or removed.
    @Test func theSourceHashCoversOverridesAndBuiltInFiles() throws {
        var bag = DiagnosticBag()
        let builtIn = try #require(Theme.load(overrides: nil, displayRoot: "Templates", bag: &bag))
        let again = try #require(Theme.load(overrides: nil, displayRoot: "Templates", bag: &bag))
        let root = try folder(["page.mustache": "{{<layout}}{{$main}}A{{/main}}{{/layout}}"])
        let overridden = try #require(Theme.load(overrides: root, displayRoot: "Templates", bag: &bag))
        try Data("{{<layout}}{{$main}}B{{/main}}{{/layout}}".utf8).write(to: root.appendingPathComponent("page.mustache"))
        let edited = try #require(Theme.load(overrides: root, displayRoot: "Templates", bag: &bag))
        var otherBuiltIn = Theme.builtInFiles
        otherBuiltIn[0].bytes.append(0x0A)
        let newerGavel = try #require(Theme.load(overrides: nil, displayRoot: "Templates", builtIn: otherBuiltIn, bag: &bag))
        #expect(bag.all.isEmpty)
        #expect(builtIn.sourceHash == again.sourceHash)
        #expect(Set([builtIn.sourceHash, overridden.sourceHash, edited.sourceHash, newerGavel.sourceHash]).count == 4)
    }

    /// A theme kept from before (as `gavel serve` keeps its last) is taken again while the files read
    /// are the ones it was made from, and assembled afresh once one of them changes.
    @Test func aKeptThemeIsTakenOnlyWhileItsFilesReadTheSame() throws {
        var bag = DiagnosticBag()
        let root = try folder(["page.mustache": "{{<layout}}{{$main}}A{{/main}}{{/layout}}"])
        var kept = try #require(Theme.load(overrides: root, displayRoot: "Templates", bag: &bag))
        // Marked, so that taking it again shows.
        kept.manifest["kept.css"] = "assets/kept.css"
        let again = try #require(Theme.load(overrides: root, displayRoot: "Templates", reusing: kept, bag: &bag))
        #expect(again.manifest["kept.css"] == "assets/kept.css")
        try Data("{{<layout}}{{$main}}B{{/main}}{{/layout}}".utf8).write(to: root.appendingPathComponent("page.mustache"))
        let edited = try #require(Theme.load(overrides: root, displayRoot: "Templates", reusing: kept, bag: &bag))
        #expect(edited.manifest["kept.css"] == nil)
        #expect(edited.sourceHash != kept.sourceHash)
        #expect(edited.sourceHash == (try #require(Theme.load(overrides: root, displayRoot: "Templates", bag: &bag))).sourceHash)
        #expect(bag.all.isEmpty)
    }

    /// A folder named but missing is an error; a template error in an override is located in it.
    @Test func overrideProblemsAreLocatedInTheSitesFolder() throws {
        var bag = DiagnosticBag()
        let missing = try TestPaths.temporaryDirectory().appendingPathComponent("Nope")
        #expect(Theme.load(overrides: missing, displayRoot: "Nope", bag: &bag) == nil)
        #expect(bag.all.map(\.message) == ["templates folder not found"])
        var broken = DiagnosticBag()
        _ = Theme.load(overrides: try folder(["notice.mustache": "line one\n{{#open}}never closed\n"]), displayRoot: "Templates", bag: &broken)
        #expect(broken.all.count == 1)
        #expect(broken.all.first?.location.file == "Templates/notice.mustache")
        #expect(broken.all.first?.message.hasPrefix("template error") == true)
    }

    /// A module's classic-script twin is cut into lines as bytes when it is ASCII without carriage
    /// returns, and as Characters otherwise: both ways give the same twin, or the same refusal.
    @Test func aClassicScriptIsTheSameCutAsBytesOrAsText() throws {
        let modules = [
            "const a = 1;\nexport { a };\n",
            "const a = 1;\n\n  \t\nexport { a };\n \t\n\n",
            "\texport { a };",
            "import { b } from './b.js';\nexport { b };\n",
            "const a = 1;\nexport const b = 2;\nexport { a };\n",
            "const a = 1;\n",
            "export {a};\nconst a = 1;\n",
            "",
            "\n\n",
            "function f() {\n  return 1;\n}\n\nexport { f };",
            "export { a };\n",
            "const importer = 1;\n  import x;\nconst exported = 2;\nexport { importer };\n\t",
            "const a = 1;\nexport { a };\nexport { a };\n",
            "const a = 1; export { a };\n",
            "export",
            "\n",
        ]
        var twins = 0
        for module in modules {
            let bytes = Array(module.utf8)
            #expect(bytes.allSatisfy { $0 < 0x80 && $0 != 0x0D })
            let asBytes = Theme.classicScript("m.js", bytes: bytes)
            let asText = Theme.classicScript("m.js", text: module)
            #expect(asBytes?.0 == asText?.0, "\(module.debugDescription)")
            #expect(asBytes?.1 == asText?.1, "\(module.debugDescription)")
            if asBytes != nil { twins += 1 }
        }
        #expect(twins == 5)
        // Text that is not plain ASCII takes the Characters' way: "\r\n" is one of them, so this
        // module's last line is not its export, and a no-break space counts as blank.
        #expect(Theme.classicScript("m.js", bytes: Array("const a = 1;\r\nexport { a };\r\n".utf8)) == nil)
        let spaced = try #require(Theme.classicScript("m.js", bytes: Array("const a = 'é';\nexport { a };\n\u{00A0}\n".utf8)))
        #expect(String(decoding: spaced.1, as: UTF8.self).contains("(function () {\nconst a = 'é';\n})();\n"))
    }

    /// UTF-8 beyond ASCII is read as bytes too, and gives what reading it as Characters gives: where
    /// a combining mark joins the `{` of `export {` or the space of `export `, where a last line is
    /// a no-break space, and where the UTF-8 is not valid (repaired as text).
    @Test func classicScriptTwinsOfUTF8ModulesAreWhatTheTextGives() throws {
        let modules: [[UInt8]] = [
            Array("const q = '“';\nexport { q };\n".utf8),
            Array("// — a dash\nconst a = '…';\n\nexport { a };\n \n".utf8),
            Array("const a = 1;\nexport {\u{301} a };\n".utf8),
            Array("export \u{301}x;\nconst a = 'é';\nexport { a };\n".utf8),
            Array("import \u{20DD}y;\nconst a = 'é';\nexport { a };\n".utf8),
            Array("const a = 'é';\nexport { a };\n\u{3000}\n".utf8),
            Array("\u{FEFF}export { a };\n".utf8),
            Array("const a = 'é';\nexport const b = 2;\nexport { a };\n".utf8),
            Array("const a = '".utf8) + [0xFF, 0xC3] + Array("';\nexport { a };\n".utf8),
            Array("(function () {\n  const q = '“';\n})();\n".utf8),
            Array("export { a };\n// “done”\n".utf8),
            Array("const a = 'é';\nexport { a };\n\u{3000}\u{00A0}\n".utf8),
            Array("const a = 'é';\nexport { a };\n«»\n".utf8),
        ]
        var twins = 0
        for bytes in modules {
            let asBytes = Theme.classicScript("m.js", bytes: bytes)
            let asText = Theme.classicScript("m.js", text: String(decoding: bytes, as: UTF8.self))
            #expect(asBytes?.0 == asText?.0, "\(bytes)")
            #expect(asBytes?.1 == asText?.1, "\(bytes)")
            if asBytes != nil { twins += 1 }
        }
        #expect(twins == 7)
        // Not valid UTF-8: the twin holds the replacement character, as the text does.
        let repaired = try #require(Theme.classicScript("m.js", bytes: modules[8]))
        #expect(String(decoding: repaired.1, as: UTF8.self).contains("const a = '\u{FFFD}\u{FFFD}';"))
    }

    /// Binary theme files travel as base64; the decoder gives back every byte value.
    @Test func base64DecodingRoundTrips() {
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 5) }
        for length in [0, 1, 2, 3, 4, 299, 300] {
            let encoded = Array(Data(bytes.prefix(length)).base64EncodedString().utf8)
            #expect(Base64.decode(encoded) == Array(bytes.prefix(length)))
        }
    }

    /// The byte search that tells a theme sorts lists, against the plain definition on random bytes.
    @Test func bytesAreSearchedAsTheyRead() {
        #expect(Theme.holds(Array("sorted(".utf8), Array("sorted(".utf8)))
        #expect(Theme.holds(Array("{{#sorted(x)}}".utf8), Array("sorted(".utf8)))
        #expect(Theme.holds(Array("x sorted(".utf8), Array("sorted(".utf8)), "at the very end")
        #expect(!Theme.holds(Array("x sorted".utf8), Array("sorted(".utf8)), "cut short at the end")
        #expect(!Theme.holds(Array("sor".utf8), Array("sorted(".utf8)))
        #expect(Theme.holds([], []) && Theme.holds([1], []))
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 2_000 {
            let bytes = (0 ..< Int.random(in: 0 ... 12, using: &generator)).map { _ in UInt8.random(in: 0 ... 2, using: &generator) }
            let needle = (0 ..< Int.random(in: 0 ... 4, using: &generator)).map { _ in UInt8.random(in: 0 ... 2, using: &generator) }
            let plain = needle.isEmpty || stride(from: 0, through: bytes.count - needle.count, by: 1).contains { Array(bytes[$0 ..< $0 + needle.count]) == needle }
            #expect(Theme.holds(bytes, needle) == plain, "\(bytes) \(needle)")
        }
    }

    /// A site's templates loaded without parsing say nothing until checked, then what a load that
    /// parses them says; parsed on demand, they render what parsed ones do, and one that does not
    /// parse is noticed (`failedOnDemand`), never rendered as nothing unnoticed.
    @Test func deferredSiteTemplatesAreCheckedWhenAskedAndRenderAsParsedOnes() throws {
        let broken = try folder(["notice.mustache": "line one\n{{#open}}never closed\n", "page.mustache": "<p>{{> partials/greeting}} {{title}}</p>",
                                 "partials/greeting.mustache": "Hello"])
        var eager = DiagnosticBag()
        _ = Theme.load(overrides: broken, displayRoot: "Templates", bag: &eager)
        var bag = DiagnosticBag()
        var deferred = try #require(Theme.load(overrides: broken, displayRoot: "Templates", defersSiteTemplates: true, bag: &bag))
        #expect(bag.all.isEmpty && eager.hasErrors)
        #expect(Set(deferred.unchecked.keys) == ["notice", "page", "partials/greeting"])
        #expect(!deferred.failedOnDemand)
        #expect(deferred.render("notice", [:]).isEmpty)
        #expect(deferred.failedOnDemand)
        deferred.checkSiteTemplates(bag: &bag)
        #expect(bag.all == eager.all)
        #expect(deferred.unchecked.isEmpty)
        // A theme whose templates parse renders the same either way.
        let good = try folder(["page.mustache": "<p>{{> partials/greeting}} {{title}}</p>", "partials/greeting.mustache": "Hello"])
        var none = DiagnosticBag()
        let parsed = try #require(Theme.load(overrides: good, displayRoot: "Templates", bag: &none))
        let lazy = try #require(Theme.load(overrides: good, displayRoot: "Templates", defersSiteTemplates: true, bag: &none))
        #expect(lazy.render("page", ["title": "T"]) == parsed.render("page", ["title": "T"]))
        #expect(parsed.render("page", ["title": "T"]) == "<p>Hello T</p>")
        #expect(none.all.isEmpty && !lazy.failedOnDemand)
    }
}
