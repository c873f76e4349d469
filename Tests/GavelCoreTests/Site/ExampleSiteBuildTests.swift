import Foundation
import Synchronization
import Testing
@testable import GavelCore

/// Builds the shipped example site (Content/ and Templates/) and checks what attorneys and CI get.
@Suite struct ExampleSiteBuildTests {
    func build(_ output: URL, now: String = "2020-03-20T12:00:00Z", offline: Bool = false) async throws -> SiteBuild.Result {
        var options = TestPaths.exampleOptions(output: output, now: now)
        options.offline = offline
        return try await SiteBuild(options: options).run(write: true)
    }

    func text(_ output: URL, _ path: String) throws -> String {
        let data = try #require(FileManager.default.contents(atPath: output.appendingPathComponent(path).path), "missing \(path)")
        return String(decoding: data, as: UTF8.self)
    }

    @Test func everyPageOfTheSpecExists() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        var expected = ["index.html", "checklist/index.html", "search/index.html", "feed.xml", "sitemap.xml", "robots.txt", "404.html",
                        "assets/manifest.json", "search/meta.js", "search/terms-0.js", "search/docs-0.js", "search/titles-0.js", "about-nextgen/index.html", "central-sign-on/index.html", "faq/index.html"]
        for court in ["wiwb", "vtd", "ca10", "pamb"] {
            expected += ["courts/\(court)/index.html", "courts/\(court)/checklist/index.html", "courts/\(court)/feed.xml",
                         "courts/\(court)/calendar.ics", "checklist/\(court).json", "checklist/\(court).js"]
        }
        expected += ["courts/wiwb/steps/link-accounts/index.html", "courts/wiwb/steps/upgrade-legacy-account/index.html",
                     "courts/wiwb/notices/nextgen-go-live/index.html"]
        for path in expected {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(path).path), "missing \(path)")
        }
    }

    /// Every page names the Gavel that built it, from the one place the version is written.
    @Test func everyPageNamesItsGenerator() async throws {
        let out = try TestPaths.temporaryDirectory()
        let result = try await build(out)
        let pages = result.paths.filter { $0.hasSuffix(".html") }
        #expect(pages.count > 20)
        for page in pages {
            #expect(try text(out, page).contains("<meta name=\"generator\" content=\"Gavel \(GavelVersion.number)\">"), "\(page)")
        }
    }

    @Test func courtVariablesAreFilledFromCourtYML() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        let step = try text(out, "courts/wiwb/steps/know-cmecf-login/index.html")
        #expect(step.contains("(608) 264-5178"))
        #expect(!step.contains("{{court."))
        let checklist = try text(out, "courts/wiwb/checklist/index.html")
        #expect(checklist.contains("March 30, 2020, 8:00 a.m. CDT"))
    }

    @Test func linksAreRelativeAndOfflineBuildsPointAtIndexFiles() async throws {
        let online = try TestPaths.temporaryDirectory(), offline = try TestPaths.temporaryDirectory()
        _ = try await build(online)
        _ = try await build(offline, offline: true)
        let notice = try text(online, "courts/wiwb/notices/how-to-prepare/index.html")
        #expect(!notice.contains("href=\"/"), "site paths must be written relative")
        let diskNotice = try text(offline, "courts/wiwb/notices/how-to-prepare/index.html")
        #expect(diskNotice.contains("index.html\""))
        // Every relative link in the offline build names a file that exists.
        for page in ["index.html", "courts/wiwb/index.html", "courts/wiwb/notices/how-to-prepare/index.html", "checklist/index.html", "courts/wiwb/steps/link-accounts/index.html"] {
            let html = try text(offline, page)
            let base = offline.appendingPathComponent(page).deletingLastPathComponent()
            for href in Self.attributes("href", in: html) + Self.attributes("src", in: html)
            where !href.contains(":") && !href.hasPrefix("#") && !href.hasPrefix("//") {
                let path = String(href.prefix { $0 != "#" && $0 != "?" })
                let target = base.appendingPathComponent(path).standardized.path
                #expect(FileManager.default.fileExists(atPath: target), "\(page) links to missing \(href)")
            }
        }
    }

    static func attributes(_ name: String, in html: String) -> [String] {
        html.components(separatedBy: "\(name)=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
    }

    @Test func checklistPagesCarryDataAttributesAndEnglishRules() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        let all = try text(out, "checklist/index.html")
        #expect(all.contains("data-step=\"individual-pacer-account\""))
        // A person-scoped step appears once on the all-courts page, for every court that lists it.
        #expect(all.components(separatedBy: "data-step=\"individual-pacer-account\"").count == 2)
        #expect(all.contains("data-court=\"ca10 pamb vtd wiwb\"") || all.contains("data-court=\"ca10 pamb wiwb vtd\"") || all.range(of: "data-court=\"[a-z0-9 ]*wiwb[a-z0-9 ]*\"", options: .regularExpression) != nil)
        let wiwb = try text(out, "courts/wiwb/checklist/index.html")
        #expect(wiwb.contains("data-court=\"wiwb\""))
        #expect(wiwb.contains("August 11, 2014"), "the upgrade rule in English")
    }

    @Test func compiledChecklistIsEvaluableAndMatchesTheEngineInput() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        let json = try text(out, "checklist/wiwb.json")
        guard case let .success(doc) = JSONValue.parse(json) else { Issue.record("invalid JSON"); return }
        #expect(doc["format"] == .string("gavel-checklist"))
        #expect(doc["version"] == .number(Double(ChecklistDocument.version)))
        let compiled = try #require(CompiledChecklist(json: doc))
        #expect(compiled.fields["go_live"] == .instant(try #require(Instant(parsing: "2020-03-30T13:00:00Z"))))
        let answers = Answers(courts: ["wiwb"], person: ["pacer.kind": .string("individual"), "pacer.created": .string("2016-01-01")],
                              perCourt: ["wiwb": ["cmecf.knows_login": .bool(true)]])
        let result = ChecklistEngine().evaluate([compiled], answers: answers, now: try #require(Instant(parsing: "2020-03-30T12:59:59Z")))
        let link = try #require(result.courts.first?.steps.first { $0.id == "link-accounts" })
        #expect(link.status == .notYet)
        #expect(link.opensAt?.description == "2020-03-30T13:00:00Z")
        let twin = try text(out, "checklist/wiwb.js")
        #expect(twin.hasPrefix("(globalThis.GAVEL_CHECKLISTS = globalThis.GAVEL_CHECKLISTS || {})[\"wiwb\"] = {"))
    }

    @Test func assetsAreFingerprintedAndListedInTheManifest() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        guard case let .success(manifest) = JSONValue.parse(try text(out, "assets/manifest.json")) else { Issue.record("bad manifest"); return }
        let engine = try #require(manifest["checklist-engine.js"]?.stringValue)
        let css = try #require(manifest["site.css"]?.stringValue)
        #expect(engine.range(of: #"^assets/checklist-engine\.[0-9a-f]{10}\.js$"#, options: .regularExpression) != nil)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(engine).path))
        #expect(try text(out, "index.html").contains(css.replacingOccurrences(of: "assets/", with: "")))
    }

    @Test func feedsListCurrentNoticesOnly() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out, now: "2020-06-01T12:00:00Z")
        let feed = try text(out, "feed.xml")
        #expect(feed.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\""))
        #expect(feed.contains("<id>https://nextgen.example.gov/courts/wiwb/notices/nextgen-go-live/</id>"))
        // training-webinar expires 2020-03-19: archived, so out of feeds but its page is kept.
        #expect(!feed.contains("training-webinar"))
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("courts/vtd/notices/training-webinar/index.html").path))
        #expect(!(try text(out, "courts/vtd/feed.xml")).contains("training-webinar"))
        // The draft notice is not built unless asked.
        #expect(!feed.contains("filing-agent-webinar"))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("courts/ca10/notices/filing-agent-webinar/index.html").path))
    }

    /// A notice with a publish date is left out of the site until that day in its court's zone, and
    /// in it from then on; the court's other notices are listed as before.
    @Test func aNoticeAppearsFromItsPublishDate() async throws {
        let dir = try TestPaths.temporaryDirectory()
        let content = dir.appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        let notice = content.appendingPathComponent("courts/wiwb/notices/later-notice.md")
        try "---\ntitle: \"A notice for later\"\ndate: \"2020-03-01\"\npublish: \"2020-04-01\"\n---\n\nNot yet.\n"
            .write(to: notice, atomically: true, encoding: .utf8)
        for (now, shown) in [("2020-03-20T12:00:00Z", false), ("2020-04-01T12:00:00Z", true)] {
            var options = BuildOptions(content: content.path, templates: TestPaths.templates.path, output: dir.appendingPathComponent("Out-\(shown)").path)
            options.now = try #require(Instant(parsing: now))
            _ = try await SiteBuild(options: options).run(write: true)
            let court = try text(options.output, "courts/wiwb/index.html")
            #expect(court.contains("A notice for later") == shown, "at \(now)")
            #expect(FileManager.default.fileExists(atPath: options.output.appendingPathComponent("courts/wiwb/notices/later-notice/index.html").path) == shown)
            #expect(court.contains("How to prepare for NextGen CM/ECF"), "the court's other notices stay listed")
        }
    }

    @Test func draftsAreBuiltWhenAsked() async throws {
        let out = try TestPaths.temporaryDirectory()
        var options = TestPaths.exampleOptions(output: out)
        options.includeDrafts = true
        _ = try await SiteBuild(options: options).run(write: true)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("courts/ca10/notices/filing-agent-webinar/index.html").path))
    }

    @Test func calendarHasStableUIDsAndTheCourtsZone() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        let ics = try text(out, "courts/wiwb/calendar.ics")
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(ics.contains("UID:go-live.wiwb@nextgen.example.gov\r\n"))
        #expect(ics.contains("DTSTART;TZID=America/Chicago:20200330T080000\r\n"))
        #expect(ics.contains("TZID:America/Chicago\r\n"))
        #expect(ics.contains("DTSTART;TZID=America/Chicago:20200326T163000\r\n"), "the downtime window")
        #expect(ics.hasSuffix("END:VCALENDAR\r\n"))
        for line in ics.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75) }
        let uids = ics.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") }
        #expect(Set(uids).count == uids.count)
    }

    @Test func sameInputGivesByteIdenticalOutput() async throws {
        let a = try TestPaths.temporaryDirectory(), b = try TestPaths.temporaryDirectory()
        let first = try await build(a), second = try await build(b)
        #expect(first.paths == second.paths)
        for path in first.paths {
            let x = FileManager.default.contents(atPath: a.appendingPathComponent(path).path)
            let y = FileManager.default.contents(atPath: b.appendingPathComponent(path).path)
            #expect(x != nil && x == y, "\(path) differs between builds")
        }
        // Rendering in memory gives the same bytes as the written site.
        let memory = MemorySink()
        _ = try await SiteBuild(options: TestPaths.exampleOptions(output: b)).run(into: memory)
        #expect(memory.files.map(\.path) == first.paths)
        for file in memory.files {
            #expect(FileManager.default.contents(atPath: a.appendingPathComponent(file.path).path).map { [UInt8]($0) } == file.bytes, "\(file.path)")
        }
    }

    @Test func rebuildDoesNotRewriteUnchangedFiles() async throws {
        let out = try TestPaths.temporaryDirectory()
        _ = try await build(out)
        let file = out.appendingPathComponent("courts/wiwb/index.html")
        let old = Date(timeIntervalSince1970: 1_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        let result = try await build(out)
        #expect(result.written?.written == 0)
        #expect(result.written?.removed == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect(attributes[.modificationDate] as? Date == old)
    }

    /// A page the site no longer has goes, with its folder: found from the last build's cache, and by
    /// listing Output when there is no cache.
    @Test(arguments: [true, false])
    func pagesTheSiteNoLongerHasAreRemoved(withCache: Bool) async throws {
        let content = try TestPaths.temporaryDirectory().appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        var options = TestPaths.exampleOptions(output: out)
        options.content = content
        _ = try await SiteBuild(options: options).run(write: true)
        let page = out.appendingPathComponent("courts/vtd/notices/training-webinar/index.html")
        #expect(FileManager.default.fileExists(atPath: page.path))
        try FileManager.default.removeItem(at: content.appendingPathComponent("courts/vtd/notices/training-webinar.md"))
        if !withCache { BuildCache.remove(for: out) }
        let result = try await SiteBuild(options: options).run(write: true)
        #expect(result.written?.removed == 1)
        #expect(!FileManager.default.fileExists(atPath: page.deletingLastPathComponent().path), "the page's folder goes too")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("courts/wiwb/index.html").path))
    }

    @Test func refusesToWriteIntoAForeignFolder() async throws {
        let out = try TestPaths.temporaryDirectory()
        try Data("mine".utf8).write(to: out.appendingPathComponent("thesis.txt"))
        await #expect(throws: DiagnosticsError.self) { try await build(out) }
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("thesis.txt").path))
    }
}

/// Incremental builds reuse unchanged notice pages and must give exactly what a full build gives.
@Suite struct IncrementalBuildTests {
    func tree(_ root: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root.path)?.allObjects ?? [] {
            var isDir: ObjCBool = false
            let full = root.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out[path] = FileManager.default.contents(atPath: full)
            }
        }
        return out
    }

    /// Builds the same content from scratch into `<dir>/Fresh` and expects every file of `options.output`
    /// to match it; the incremental tree, for more checks.
    func expectSameAsAFullBuild(_ options: BuildOptions, in dir: URL) async throws -> [String: Data] {
        var fresh = options
        // A folder of its own each time: a second call into the same one would be a rebuild.
        fresh.output = dir.appendingPathComponent("Fresh-\(UUID().uuidString)")
        _ = try await SiteBuild(options: fresh).run(write: true)
        let a = tree(options.output), b = tree(fresh.output)
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, data) in a { #expect(b[path] == data, "\(path) differs from a full build") }
        return a
    }

    /// A copy of the example content built once into `<dir>/Out`, ready for an incremental build.
    func builtCopy() async throws -> (dir: URL, content: URL, options: BuildOptions) {
        let dir = try TestPaths.temporaryDirectory()
        let content = dir.appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        var options = BuildOptions(content: content.path, templates: TestPaths.templates.path, output: dir.appendingPathComponent("Out").path)
        options.now = try #require(Instant(parsing: "2020-03-20T12:00:00Z"))
        _ = try await SiteBuild(options: options).run(write: true)
        return (dir, content, options)
    }

    @Test func oneChangedNoticeGivesTheSameSiteAsAFullBuild() async throws {
        let (dir, content, options) = try await builtCopy()
        #expect(FileManager.default.fileExists(atPath: BuildCache.location(for: options.output).path))

        let notice = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        let text = try String(contentsOf: notice, encoding: .utf8)
        try (text + "\nOne more paragraph, added for the incremental test.\n").write(to: notice, atomically: true, encoding: .utf8)
        let incremental = try await SiteBuild(options: options).run(write: true)
        #expect((incremental.written?.written ?? 0) >= 1)
        #expect((incremental.written?.written ?? 99) < 10, "only the notice and the pages listing it change")

        let a = try await expectSameAsAFullBuild(options, in: dir)
        #expect(String(decoding: a["courts/wiwb/notices/how-to-prepare/index.html"] ?? Data(), as: UTF8.self).contains("added for the incremental test"))
    }

    /// A notice's body edited changes neither home nor its court's page, walkthrough or checklist:
    /// those are kept unrendered, made from the same data. A title edited changes what they show, and
    /// they are made again. Both rebuilds must give what a full build gives.
    @Test func pagesMadeFromTheSameDataAreKeptAndOthersMadeAgain() async throws {
        let (dir, content, options) = try await builtCopy()
        let steps = try FileManager.default.contentsOfDirectory(atPath: options.output.appendingPathComponent("courts/wiwb/steps").path)
        let notice = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        let text = try String(contentsOf: notice, encoding: .utf8)
        try (text + "\nA paragraph that no list shows.\n").write(to: notice, atomically: true, encoding: .utf8)
        let bodyEdit = try await SiteBuild(options: options).run(write: true)
        #expect(!steps.isEmpty)
        #expect(bodyEdit.pagesKeptByData == 3 + steps.count, "home, the court's page, each page of its walkthrough and its checklist")
        _ = try await expectSameAsAFullBuild(options, in: dir)

        let renamed = try String(contentsOf: notice, encoding: .utf8).replacingOccurrences(of: "title: ", with: "title: Retitled ")
        try renamed.write(to: notice, atomically: true, encoding: .utf8)
        let titleEdit = try await SiteBuild(options: options).run(write: true)
        #expect(titleEdit.pagesKeptByData < bodyEdit.pagesKeptByData, "the court's page lists the title")
        let pages = try await expectSameAsAFullBuild(options, in: dir)
        #expect(String(decoding: pages["courts/wiwb/index.html"] ?? Data(), as: UTF8.self).contains("Retitled "))
    }

    /// A rebuild fills the pages it makes from the skeletons the last build left (`SkeletonFile`),
    /// without Mustache; with the file damaged, or made under another global fingerprint, it renders
    /// them with Mustache. Each way gives what a full build gives.
    @Test func aRebuildFillsItsPagesFromTheSkeletonsTheLastBuildLeft() async throws {
        let (dir, content, options) = try await builtCopy()
        let kept = try #require(SkeletonFile.load(for: options.output))
        #expect(kept.skeletons.contains { $0.template == "notice" })
        let notice = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        func edit(_ line: String) throws {
            try (try String(contentsOf: notice, encoding: .utf8) + "\n\(line)\n").write(to: notice, atomically: true, encoding: .utf8)
        }
        try edit("A paragraph filled into a kept skeleton.")
        let filled = try await SiteBuild(options: options).run(write: true)
        #expect(filled.pagesFromKeptSkeletons >= 1, "the notice's page")
        _ = try await expectSameAsAFullBuild(options, in: dir)

        // Damaged: not read.
        let path = SkeletonFile.location(for: options.output).path
        var bytes = try #require(FileIO.read(path))
        bytes[bytes.count - 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try edit("Another paragraph, rendered by Mustache.")
        let rendered = try await SiteBuild(options: options).run(write: true)
        #expect(rendered.pagesFromKeptSkeletons == 0)
        _ = try await expectSameAsAFullBuild(options, in: dir)

        // Made under another global fingerprint (other options): not used.
        try SkeletonFile.file(for: options.output, global: kept.global &+ 1, kept.skeletons).place()
        try edit("A third paragraph.")
        let other = try await SiteBuild(options: options).run(write: true)
        #expect(other.pagesFromKeptSkeletons == 0)
        _ = try await expectSameAsAFullBuild(options, in: dir)
    }

    /// A page whose data is unchanged is kept only while its file is as the last build left it: one
    /// edited by hand, even to the same size, is made and written again.
    @Test func aPageEditedByHandIsNotKeptByItsData() async throws {
        let (dir, content, options) = try await builtCopy()
        let edited = ["index.html", "courts/wiwb/index.html"]
        for path in edited {
            let url = options.output.appendingPathComponent(path)
            var bytes = [UInt8](try Data(contentsOf: url))
            bytes[bytes.count - 2] = bytes[bytes.count - 2] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
            try Data(bytes).write(to: url)
        }
        let notice = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        try (try String(contentsOf: notice, encoding: .utf8) + "\nA paragraph that no list shows.\n").write(to: notice, atomically: true, encoding: .utf8)
        let rebuilt = try await SiteBuild(options: options).run(write: true)
        #expect(rebuilt.pagesKeptByData >= 1, "the walkthrough's pages, not edited, are still kept")
        _ = try await expectSameAsAFullBuild(options, in: dir)
    }

    /// A changed title changes the search index: the entries of every reused page are read back from
    /// the last build's docs shards, and the result must be what a full build makes.
    @Test func aChangedTitleRemakesTheSearchIndexFromTheLastOne() async throws {
        let (dir, content, options) = try await builtCopy()
        let notice = content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")
        let text = try String(contentsOf: notice, encoding: .utf8)
        try text.replacingOccurrences(of: "title: ", with: "title: Renamed ").write(to: notice, atomically: true, encoding: .utf8)
        let incremental = try await SiteBuild(options: options).run(write: true)
        #expect((incremental.written?.written ?? 99) < 20)
        let a = try await expectSameAsAFullBuild(options, in: dir)
        #expect(a.filter { $0.key.hasPrefix("search/titles-") }.contains { String(decoding: $0.value, as: UTF8.self).contains("Renamed ") })
    }

    /// The progress line hears of every court as it is rendered: each count from 1 to the number of
    /// courts once, and always of all of them.
    @Test func renderProgressCountsEveryCourtOnce() async throws {
        let dir = try TestPaths.temporaryDirectory()
        var options = TestPaths.exampleOptions(output: dir.appendingPathComponent("Out"))
        let heard = Mutex<[(Int, Int)]>([])
        options.renderProgress = { done, total in heard.withLock { $0.append((done, total)) } }
        _ = try await SiteBuild(options: options).run(write: true)
        let calls = heard.withLock { $0 }
        #expect(calls.map(\.0).sorted() == Array(1...4))
        #expect(calls.allSatisfy { $0.1 == 4 })
    }

    @Test func aNoOpRebuildReusesEverythingAndMatchesAFullBuild() async throws {
        let dir = try TestPaths.temporaryDirectory()
        var options = BuildOptions(content: TestPaths.content.path, templates: TestPaths.templates.path, output: dir.appendingPathComponent("Out").path)
        options.now = try #require(Instant(parsing: "2020-03-20T12:00:00Z"))
        let first = try await SiteBuild(options: options).run(write: true)
        let again = try await SiteBuild(options: options).run(write: true)
        #expect(again.written?.written == 0)
        #expect(again.paths == first.paths)
        _ = try await expectSameAsAFullBuild(options, in: dir)
        // State never changes output: a page edited by hand, even to the same size, is written again.
        let edited = ["courts/wiwb/notices/how-to-prepare/index.html", "courts/wiwb/index.html", "index.html", "search/docs-0.js", "search/terms-0.js"]
        for path in edited {
            let url = options.output.appendingPathComponent(path)
            var bytes = [UInt8](try Data(contentsOf: url))
            bytes[bytes.count - 2] = bytes[bytes.count - 2] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
            try Data(bytes).write(to: url)
        }
        let repairedEdits = try await SiteBuild(options: options).run(write: true)
        #expect(repairedEdits.written?.written == edited.count, "only the edited pages are written again")
        _ = try await expectSameAsAFullBuild(options, in: dir)
        // A page removed by hand is noticed and written again.
        try FileManager.default.removeItem(at: options.output.appendingPathComponent("courts/wiwb/index.html"))
        let repaired = try await SiteBuild(options: options).run(write: true)
        #expect(FileManager.default.fileExists(atPath: options.output.appendingPathComponent("courts/wiwb/index.html").path))
        #expect((repaired.written?.written ?? 0) >= 1)
    }

    @Test func aTemplateChangeRendersEveryNoticeAgain() async throws {
        let dir = try TestPaths.temporaryDirectory()
        let templates = dir.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: TestPaths.templates, to: templates)
        var options = BuildOptions(content: TestPaths.content.path, templates: templates.path, output: dir.appendingPathComponent("Out").path)
        options.now = try #require(Instant(parsing: "2020-03-20T12:00:00Z"))
        _ = try await SiteBuild(options: options).run(write: true)
        let layout = templates.appendingPathComponent("notice.mustache")
        try (try String(contentsOf: layout, encoding: .utf8)).replacingOccurrences(of: "{{/main}}", with: "<p>Template changed.</p>{{/main}}")
            .write(to: layout, atomically: true, encoding: .utf8)
        _ = try await SiteBuild(options: options).run(write: true)
        let page = try String(contentsOf: options.output.appendingPathComponent("courts/vtd/notices").appendingPathComponent(
            try #require(try FileManager.default.contentsOfDirectory(atPath: options.output.appendingPathComponent("courts/vtd/notices").path).first))
            .appendingPathComponent("index.html"), encoding: .utf8)
        #expect(page.contains("Template changed."))
    }
}
