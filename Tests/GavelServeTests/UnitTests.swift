import Foundation
import GavelCore
import Testing
@testable import GavelServe

@Suite struct RequestPathTests {
    func parse(_ raw: String) -> Result<RequestPath, RequestPath.Rejection> { RequestPath.parse(raw[...]) }

    @Test func ordinaryPaths() {
        #expect(parse("/") == .success(RequestPath(segments: [], trailingSlash: true)))
        #expect(parse("/courts/wiwb/") == .success(RequestPath(segments: ["courts", "wiwb"], trailingSlash: true)))
        #expect(parse("/courts/wiwb") == .success(RequestPath(segments: ["courts", "wiwb"], trailingSlash: false)))
        #expect(parse("/a%20b.txt") == .success(RequestPath(segments: ["a b.txt"], trailingSlash: false)))
        #expect(RequestPath.pathPart(of: "/search/?q=pacer#x") == "/search/")
    }

    @Test(arguments: [
        "/../Package.swift", "/a/../../b", "/./a", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/x", "/.%2e/x",
        "/courts%2f..%2f..%2fetc/passwd", "/courts%2F..", "/..\\..\\etc\\passwd", "/a\\b", "/a%5cb",
        "/a%00b", "/a%0d%0aSet-Cookie:x", "/a%", "/a%zz", "/%ff%fe", "relative",
    ])
    func unsafePathsAreRefused(raw: String) {
        #expect(parse(raw) == .failure(.unsafe), "\(raw)")
    }

    @Test func hiddenFilesAreNotServed() {
        #expect(parse("/.gavel-output") == .failure(.hidden))
        #expect(parse("/assets/.secret/x") == .failure(.hidden))
    }

    @Test func folderAddressIsCanonicalAndLocal() {
        // `//courts/wiwb` must not redirect to `//courts/wiwb/`, which a browser reads as another host.
        guard case let .success(p) = parse("//courts/wiwb") else { Issue.record("refused"); return }
        #expect(p.folderAddress == "/courts/wiwb/")
        guard case let .success(q) = parse("/a%20b") else { Issue.record("refused"); return }
        #expect(q.folderAddress == "/a%20b/")
    }
}

@Suite struct ContentTypeTests {
    @Test func everyKindOfBuiltFile() {
        let expected = [
            "index.html": "text/html; charset=utf-8", "site.b4360b23b0.css": "text/css; charset=utf-8",
            "checklist-engine.js": "text/javascript; charset=utf-8", "wiwb.json": "application/json; charset=utf-8",
            "feed.xml": "application/xml; charset=utf-8", "sitemap.xml": "application/xml; charset=utf-8",
            "calendar.ics": "text/calendar; charset=utf-8", "robots.txt": "text/plain; charset=utf-8",
            "seal.svg": "image/svg+xml", "seal.PNG": "image/png", "site.webmanifest": "application/manifest+json",
            "LICENSE": "application/octet-stream", ".hidden": "application/octet-stream",
        ]
        for (name, type) in expected {
            #expect(ContentTypes.forFile(name) == type, "\(name)")
        }
    }
}

@Suite struct PageDecoratorTests {
    let page = "<!DOCTYPE html><html><head><title>t</title></head><body class=\"x\"><main>Hello</main></body></html>"

    @Test func scriptGoesBeforeTheBodyEnds() {
        let out = PageDecorator.decorate(page, generation: 7, failure: [])
        #expect(out.contains("<main>Hello</main><script src=\"/__gavel/reload.js\" data-generation=\"7\"></script>\n</body>"))
        #expect(!out.contains("gavel-overlay"))
    }

    @Test func overlayListsEveryDiagnosticFirstInTheBody() {
        let diagnostics = [
            Diagnostic.error(SourceLocation(file: "Content/courts/wiwb/notices/a.md", line: 12, column: 5), "unknown court variable 'court.nmae' for court 'wiwb'", hint: "did you mean 'court.name'?"),
            Diagnostic.error(SourceLocation(file: "Templates/<x>.mustache", line: 1, column: 2), "bad & worse"),
        ]
        let out = PageDecorator.decorate(page, generation: 2, failure: diagnostics)
        let overlayStart = out.range(of: "<div id=\"gavel-overlay\" role=\"alert\"")
        let bodyStart = out.range(of: "<body class=\"x\">")
        #expect(overlayStart != nil && bodyStart != nil)
        if let overlayStart, let bodyStart { #expect(bodyStart.upperBound <= overlayStart.lowerBound) }
        #expect(out.contains("<h2 id=\"gavel-overlay-title\">The site did not build: 2 errors</h2>"))
        #expect(out.contains("Content/courts/wiwb/notices/a.md:12:5"))
        #expect(out.contains("unknown court variable &#39;court.nmae&#39; for court &#39;wiwb&#39;"))
        #expect(out.contains("hint: did you mean &#39;court.name&#39;?"))
        #expect(out.contains("Templates/&lt;x&gt;.mustache:1:2"))
        #expect(out.contains("bad &amp; worse"))
        #expect(out.components(separatedBy: "<li ").count == 3)
        #expect(out.contains("<link rel=\"stylesheet\" href=\"/__gavel/overlay.css\">"), "a stylesheet, since the site's CSP forbids inline styles")
        #expect(!out.contains("style="))
    }

    @Test func pagesWithoutBodyTagsStillGetTheScript() {
        let out = PageDecorator.decorate("<p>fragment</p>", generation: 1, failure: [])
        #expect(out.hasSuffix("<script src=\"/__gavel/reload.js\" data-generation=\"1\"></script>\n"))
        #expect(PageDecorator.bodyOpenTagEnd(in: "<bodyguard><BODY data-x='1'>") != nil)
    }

    @Test func loopbackAddresses() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"] { #expect(PreviewServer.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "192.168.1.10", "::", "example.gov", "127.0.0.1.example.gov"] { #expect(!PreviewServer.isLoopback(host), "\(host)") }
    }
}

@Suite(.serialized) struct FileWatcherTests {
    func waitForChange(_ watcher: FileWatcher, within seconds: Double = 3) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = watcher.changes.makeAsyncIterator()
                return await iterator.next() != nil
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(seconds))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    func exercise(mode: FileWatcher.Mode, expectMethod: String) async throws {
        let dir = try Paths.temporaryDirectory("gavel-watch")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        var settings = FileWatcher.Settings()
        settings.mode = mode
        let watcher = FileWatcher(roots: [dir], settings: settings)
        watcher.start()
        defer { watcher.stop() }
        #expect(watcher.method.current == expectMethod)
        // inotify names each changed file (a build then looks only at those); polling cannot.
        let names = mode == .automatic
        let root = dir.standardizedFileURL.path
        #expect(watcher.takeChanges() == (names ? [] : nil))

        try "one".write(to: dir.appendingPathComponent("a/b/file.md"), atomically: true, encoding: .utf8)
        #expect(await waitForChange(watcher), "a write in an existing subfolder")
        #expect(watcher.takeChanges()?.contains(root + "/a/b/file.md") ?? !names)

        // A folder made after the watch started, then a file in it after the debounce.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("new"), withIntermediateDirectories: true)
        #expect(await waitForChange(watcher), "a new folder")
        #expect(watcher.takeChanges() == nil, "files can land in a new folder before it is watched")
        try await Task.sleep(for: .milliseconds(150))
        try "two".write(to: dir.appendingPathComponent("new/file.md"), atomically: false, encoding: .utf8)
        #expect(await waitForChange(watcher), "a write in the new folder")
        #expect(watcher.takeChanges() == (names ? [root + "/new/file.md"] : nil))

        try FileManager.default.removeItem(at: dir.appendingPathComponent("a/b/file.md"))
        #expect(await waitForChange(watcher), "a removal")
        #expect(watcher.takeChanges() == (names ? [root + "/a/b/file.md"] : nil))

        // A folder gone before it could be watched (an editor's scratch folder) has nothing to miss:
        // files are named again afterwards.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("brief"), withIntermediateDirectories: false)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("brief"))
        #expect(await waitForChange(watcher), "a folder made and removed")
        #expect(watcher.takeChanges() == nil)
        try "three".write(to: dir.appendingPathComponent("a/b/later.md"), atomically: false, encoding: .utf8)
        #expect(await waitForChange(watcher), "a write after it")
        #expect(watcher.takeChanges() == (names ? [root + "/a/b/later.md"] : nil))
    }

    @Test func inotifyWatchesEveryFolderAndNewOnes() async throws {
        try await exercise(mode: .automatic, expectMethod: "inotify")
    }

    @Test func pollingFallbackSeesTheSameChanges() async throws {
        try await exercise(mode: .polling, expectMethod: "polling")
    }

    @Test func aBurstOfWritesIsReportedOnce() async throws {
        let dir = try Paths.temporaryDirectory("gavel-watch")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Quiet times wider than the defaults, so a busy machine cannot split the burst.
        var settings = FileWatcher.Settings()
        settings.debounce = .milliseconds(400)
        settings.settled = .milliseconds(400)
        let watcher = FileWatcher(roots: [dir], settings: settings)
        watcher.start()
        defer { watcher.stop() }
        for i in 0..<20 {
            try "\(i)".write(to: dir.appendingPathComponent("f\(i).md"), atomically: true, encoding: .utf8)
        }
        #expect(await waitForChange(watcher))
        #expect(await waitForChange(watcher, within: 1) == false, "twenty quick writes are one change")
    }

    /// A change that completes a file (closed after writing, or moved into place) is reported after
    /// the short quiet time; a write still open waits for the full debounce, and its close ends it.
    @Test func aCompletedSaveIsReportedWithoutTheFullDebounce() async throws {
        let dir = try Paths.temporaryDirectory("gavel-watch")
        defer { try? FileManager.default.removeItem(at: dir) }
        var settings = FileWatcher.Settings()
        settings.debounce = .seconds(3)
        settings.settled = .milliseconds(5)
        let watcher = FileWatcher(roots: [dir], settings: settings)
        watcher.start()
        defer { watcher.stop() }
        // One reader for the whole test (a reader stopped part way would end the stream).
        let reports = Locked(0)
        let reader = Task {
            for await _ in watcher.changes { reports.withLock { $0 += 1 } }
        }
        defer { reader.cancel() }
        func reported(_ count: Int, within seconds: Double) async throws -> Bool {
            for _ in 0..<Int(seconds * 20) {
                if reports.current >= count { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return reports.current >= count
        }
        // Written beside and renamed into place, as many editors save.
        try "saved".write(to: dir.appendingPathComponent("notice.md"), atomically: true, encoding: .utf8)
        #expect(try await reported(1, within: 1.5), "a file moved into place")
        // Opened and written, not yet closed: a save in progress.
        let handle = try FileHandle(forWritingTo: dir.appendingPathComponent("notice.md"))
        try handle.write(contentsOf: Data("half".utf8))
        try await Task.sleep(for: .milliseconds(1500))
        #expect(reports.current == 1, "a write still open waits for the debounce")
        try handle.close()
        #expect(try await reported(2, within: 1.2), "closing it completes the save")
    }
}
