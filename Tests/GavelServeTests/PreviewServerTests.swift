import Foundation
import GavelCore
import Testing
@testable import GavelServe

/// The real server, on a free port, over a copy of the example site; requests go over real sockets.
@Suite(.serialized) struct PreviewServerTests {
    static let notice = "courts/wiwb/notices/nextgen-go-live.md"
    static let noticePage = "/courts/wiwb/notices/nextgen-go-live/"
    static let script = "<script src=\"/__gavel/reload.js\""

    @Test func servesPagesWithTheReloadScript() async throws {
        try await ServeFixture.with { server in

            for target in ["/", "/courts/wiwb/", Self.noticePage, "/checklist/", "/search/?q=pacer"] {
                let page = try await server.get(target)
                #expect(page.status == 200, "\(target)")
                #expect(page.header("content-type") == "text/html; charset=utf-8", "\(target)")
                #expect(page.header("cache-control") == "no-store")
                #expect(page.text.contains(Self.script + " data-generation=\"1\"></script>\n</body>"), "\(target)")
                #expect(!page.text.contains("gavel-overlay"), "\(target)")
            }
            let home = try await server.get("/")
            let onDisk = try String(contentsOf: server.output.appendingPathComponent("index.html"), encoding: .utf8)
            #expect(home.text.replacingOccurrences(of: Self.script + " data-generation=\"1\"></script>\n", with: "") == onDisk)

            let head = try await RawHTTP.request(port: server.port, "/courts/wiwb/", method: "HEAD")
            #expect(head.status == 200 && head.body.isEmpty && Int(head.header("content-length") ?? "") ?? 0 > 0)
            let post = try await RawHTTP.request(port: server.port, "/", method: "POST")
            #expect(post.status == 405)
        }
    }

    @Test func assetsHaveTheirContentTypes() async throws {
        try await ServeFixture.with { server in

            let manifest = try await server.get("/assets/manifest.json")
            #expect(manifest.status == 200)
            #expect(manifest.header("content-type") == "application/json; charset=utf-8")
            let assets = try JSONSerialization.jsonObject(with: Data(manifest.body)) as? [String: String] ?? [:]
            let css = try #require(assets["site.css"]), js = try #require(assets["checklist-engine.js"])
            #expect(try await server.get("/" + css).header("content-type") == "text/css; charset=utf-8")
            let engine = try await server.get("/" + js)
            #expect(engine.header("content-type") == "text/javascript; charset=utf-8")
            #expect(engine.header("x-content-type-options") == "nosniff")
            #expect(!engine.text.contains("__gavel"), "only HTML responses are changed")

            let expected = [
                "/feed.xml": "application/xml; charset=utf-8", "/sitemap.xml": "application/xml; charset=utf-8",
                "/courts/wiwb/feed.xml": "application/xml; charset=utf-8", "/courts/wiwb/calendar.ics": "text/calendar; charset=utf-8",
                "/robots.txt": "text/plain; charset=utf-8", "/search/meta.js": "text/javascript; charset=utf-8", "/assets/manifest.json": "application/json; charset=utf-8",
                "/__gavel/reload.js": "text/javascript; charset=utf-8", "/__gavel/overlay.css": "text/css; charset=utf-8",
            ]
            for (target, type) in expected {
                let response = try await server.get(target)
                #expect(response.status == 200, "\(target)")
                #expect(response.header("content-type") == type, "\(target)")
            }
            // Kinds the example site does not build but a theme may ship.
            let extra = ["seal.svg": "image/svg+xml", "seal.png": "image/png", "site.webmanifest": "application/manifest+json"]
            for name in extra.keys {
                try Data("x".utf8).write(to: server.output.appendingPathComponent("assets/" + name))
            }
            for (name, type) in extra {
                #expect(try await server.get("/assets/" + name).header("content-type") == type, "\(name)")
            }
        }
    }

    @Test func foldersRedirectToTheirSlashAndMissingPagesGetThe404Page() async throws {
        try await ServeFixture.with { server in

            let redirect = try await server.get("/courts/wiwb")
            #expect(redirect.status == 301)
            #expect(redirect.header("location") == "/courts/wiwb/")
            let withQuery = try await server.get("/courts/wiwb/notices?x=1")
            #expect(withQuery.status == 301 && withQuery.header("location") == "/courts/wiwb/notices/?x=1")
            let doubled = try await server.get("//courts//wiwb")
            #expect(doubled.status == 301 && doubled.header("location") == "/courts/wiwb/", "never a protocol-relative //host address")

            let notFoundPage = try String(contentsOf: server.output.appendingPathComponent("404.html"), encoding: .utf8)
            for target in ["/no/such/page/", "/courts/xxx", "/assets/none.css", "/.gavel-output", "/__gavel/nothing"] {
                let missing = try await server.get(target)
                #expect(missing.status == 404, "\(target)")
                if !target.hasPrefix("/__gavel/") {
                    #expect(missing.text.contains("<title>Page not found"), "\(target)")
                    #expect(missing.text.hasPrefix(String(notFoundPage.prefix(200))), "\(target)")
                    #expect(missing.text.contains(Self.script), "\(target)")
                }
            }
        }
    }

    @Test func nothingOutsideTheSiteIsEverServed() async throws {
        try await ServeFixture.with { server in
            // Symlinks inside the output that lead out of it: a folder and a file.
            try FileManager.default.createSymbolicLink(atPath: server.output.appendingPathComponent("etc").path, withDestinationPath: "/etc")
            try FileManager.default.createSymbolicLink(atPath: server.output.appendingPathComponent("courts/passwd.txt").path, withDestinationPath: "/etc/passwd")
            try FileManager.default.createSymbolicLink(atPath: server.output.appendingPathComponent("repo").path, withDestinationPath: Paths.root.path)

            let attempts = [
                "/../Package.swift", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e/Package.swift",
                "/courts%2f..%2f..%2fetc/passwd", "/courts/%2e%2e/%2e%2e/etc/passwd", "/..\\..\\etc\\passwd", "/..%5c..%5cetc%5cpasswd",
                "/index.html%00.txt", "/etc/passwd", "/etc/", "/etc", "/courts/passwd.txt", "/repo/Package.swift", "/repo/",
            ]
            for target in attempts {
                let response = try await server.get(target)
                #expect(response.status == 400 || response.status == 404, "\(target): \(response.status)")
                #expect(!response.text.contains("root:"), "\(target) leaked /etc/passwd")
                #expect(!response.text.contains("swift-tools-version"), "\(target) leaked Package.swift")
            }
            #expect(try await server.get("/../Package.swift").status == 400)
            #expect(try await server.get("/etc/passwd").status == 404)
            // Symlinks that stay inside the output are fine.
            try FileManager.default.createSymbolicLink(atPath: server.output.appendingPathComponent("home.html").path, withDestinationPath: server.output.appendingPathComponent("index.html").path)
            #expect(try await server.get("/home.html").status == 200)
        }
    }

    @Test func anEditIsServedAndOpenPagesAreToldToReload() async throws {
        try await ServeFixture.with { server in
            let events = try EventStreamClient(port: server.port)
            defer { events.close() }
            let hello = await events.next("hello", within: 5)
            #expect(hello?.data.contains("\"generation\":1") == true)

            try server.edit(Self.notice) { $0.replacingOccurrences(of: "## What is happening", with: "## What is happening this week") }
            let page = try await server.poll(Self.noticePage) { $0.text.contains("What is happening this week") }
            #expect(page.text.contains("What is happening this week"))
            let reload = await events.next("reload", within: 5)
            #expect(reload?.data.contains("\"generation\":2") == true)
            #expect(reload?.data.contains("\"ok\":true") == true)
            // Served after the reload event: the page carries the new generation.
            #expect(try await server.get(Self.noticePage).text.contains(Self.script + " data-generation=\"2\""))
            // The rebuild's time is recorded: in the status, the event and the log.
            let status = try await server.get("/__gavel/status")
            #expect(status.text.contains("\"build_ms\":"))
            #expect(server.log.contains { $0.hasPrefix("rebuilt ") && $0.contains(" ms (") }, "\(server.log)")
        }
    }

    /// Right after the first build, the server fills the spare tree that the first edit's commit brings
    /// up to date, without a reload (nothing changed) and without a new generation.
    @Test func theSpareTreeIsMadeBeforeTheFirstEdit() async throws {
        try await ServeFixture.with { server in
            let spare = server.output.deletingLastPathComponent().appendingPathComponent("." + server.output.lastPathComponent + ".gavel-spare")
            var ready = false
            for _ in 0..<200 where !ready {
                ready = server.log.contains { $0.hasPrefix("ready for quick rebuilds (spare tree made in ") }
                if !ready { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(ready, "\(server.log)")
            // The spare holds the site (the folder made empty for the first build was the spare before).
            func files(_ root: URL) -> Int {
                (FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []).count {
                    var isFolder: ObjCBool = false
                    return FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path, isDirectory: &isFolder) && !isFolder.boolValue
                }
            }
            #expect(files(spare) > 50)
            #expect(files(spare) == files(server.output))
            let status = try await server.get("/__gavel/status")
            #expect(status.text.contains("\"generation\":1"), "\(status.text)")
            #expect(!server.log.contains { $0.hasPrefix("rebuilt ") }, "\(server.log)")
        }
    }

    @Test func aBrokenEditShowsTheOverlayUntilItIsFixed() async throws {
        try await ServeFixture.with { server in
            let events = try EventStreamClient(port: server.port)
            defer { events.close() }
            _ = await events.next("hello", within: 5)

            // An unknown court variable; where it is, for the expected file:line:column.
            let original = try String(contentsOf: server.content.appendingPathComponent(Self.notice), encoding: .utf8)
            let broken = original.replacingOccurrences(of: "{{court.name}} will begin upgrading", with: "{{court.nmae}} will begin upgrading")
            let lines = broken.components(separatedBy: "\n")
            let line = try #require(lines.firstIndex { $0.contains("{{court.nmae}}") }) + 1
            let column = try #require(lines[line - 1].range(of: "{{court.nmae}}")).lowerBound.utf16Offset(in: lines[line - 1]) + 1
            let place = "Content/\(Self.notice):\(line):\(column)"
            try broken.write(to: server.content.appendingPathComponent(Self.notice), atomically: true, encoding: .utf8)

            let page = try await server.poll(Self.noticePage) { $0.text.contains("gavel-overlay") }
            #expect(page.status == 200)
            #expect(page.text.contains("role=\"alert\""))
            #expect(page.text.contains("<h2 id=\"gavel-overlay-title\">The site did not build: 1 error</h2>"))
            #expect(page.text.contains("<code class=\"gavel-location\">\(place)</code>"), "expected \(place) in the overlay")
            #expect(page.text.contains("unknown court variable &#39;court.nmae&#39;"))
            #expect(page.text.contains("hint: did you mean &#39;court.name&#39;?"))
            // The last good build is still served underneath.
            #expect(page.text.contains("What is happening"))
            let failed = await events.next("reload", within: 5)
            #expect(failed?.data.contains("\"ok\":false") == true)
            // Every HTML page shows it, the 404 page too; other files are untouched.
            #expect(try await server.get("/").text.contains("gavel-overlay"))
            let missing = try await server.get("/no/such/page/")
            #expect(missing.status == 404 && missing.text.contains("gavel-overlay"))
            #expect(try await server.get("/robots.txt").text.contains("gavel") == false)
            #expect(server.log.contains { $0.contains("\(place): error: unknown court variable") }, "\(server.log)")

            try original.write(to: server.content.appendingPathComponent(Self.notice), atomically: true, encoding: .utf8)
            let fixed = try await server.poll(Self.noticePage) { !$0.text.contains("gavel-overlay") }
            #expect(!fixed.text.contains("gavel-overlay"))
            let recovered = await events.next("reload", within: 5)
            #expect(recovered?.data.contains("\"ok\":true") == true)

            for (path, data) in server.builtFiles() {
                #expect(data.firstRange(of: Data("__gavel".utf8)) == nil, "\(path) holds preview markup")
                #expect(data.firstRange(of: Data("gavel-overlay".utf8)) == nil, "\(path) holds preview markup")
            }
        }
    }

    @Test func builtFilesNeverContainThePreviewScript() async throws {
        let output = try Paths.temporaryDirectory("gavel-serve-output")
        defer { try? FileManager.default.removeItem(at: output) }
        let server = try await ServeFixture.start(output: output.appendingPathComponent("site"))
        _ = try await server.get("/")
        _ = try await server.get(Self.noticePage)
        try server.edit(Self.notice) { $0 + "\nOne more line.\n" }
        _ = try await server.poll(Self.noticePage) { $0.text.contains("One more line.") }
        let files = server.builtFiles()
        #expect(files.count > 20)
        #expect(files.contains { $0.0.hasSuffix("/courts/wiwb/notices/nextgen-go-live/index.html") })
        for (path, data) in files {
            #expect(data.firstRange(of: Data("__gavel".utf8)) == nil, "\(path)")
        }
        try await server.stop()
        // A folder the user named is kept; only a temporary one is removed.
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("site/index.html").path))
    }

    /// Only serve's own private folder is trusted to be as its last build left it: a folder the user
    /// named may be changed by anyone, so each rebuild looks at every file there, and a page changed
    /// by hand (in place, keeping its inode) is put back by the next rebuild.
    @Test func aFolderTheUserNamedIsLookedAtOnEveryRebuild() async throws {
        let output = try Paths.temporaryDirectory("gavel-serve-output")
        defer { try? FileManager.default.removeItem(at: output) }
        let site = output.appendingPathComponent("site")
        let server = try await ServeFixture.start(output: site)
        var ready = false
        for _ in 0..<200 where !ready {
            ready = server.log.contains { $0.hasPrefix("ready for quick rebuilds") }
            if !ready { try await Task.sleep(for: .milliseconds(50)) }
        }
        let page = site.appendingPathComponent("faq/index.html")
        let built = try Data(contentsOf: page)
        let handle = try FileHandle(forWritingTo: page)
        try handle.write(contentsOf: Data("<!-- changed by hand -->".utf8))
        try handle.close()
        try server.edit(Self.notice) { $0 + "\nOne more line.\n" }
        _ = try await server.poll(Self.noticePage) { $0.text.contains("One more line.") }
        #expect(try Data(contentsOf: page) == built)
        try await server.stop()
    }

    @Test func theServerStartsEvenWhenTheFirstBuildFails() async throws {
        try await ServeFixture.with(prepare: { dir in
            let url = dir.appendingPathComponent("Content/" + Self.notice)
            let text = try String(contentsOf: url, encoding: .utf8)
            try text.replacingOccurrences(of: "{{court.name}} will begin upgrading", with: "{{court.nmae}} will begin upgrading")
                .write(to: url, atomically: true, encoding: .utf8)
        }) { server in
            let first = try await server.get("/")
            #expect(first.text.contains("gavel-overlay") && first.text.contains("role=\"alert\""))
            try server.edit(Self.notice) { $0.replacingOccurrences(of: "{{court.nmae}}", with: "{{court.name}}") }
            // The files land a moment before the build is recorded: wait for both.
            let home = try await server.poll("/") { $0.status == 200 && !$0.text.contains("gavel-overlay") }
            #expect(home.status == 200)
            #expect(!home.text.contains("gavel-overlay"))
        }
    }

    @Test func pollingFallbackRebuildsToo() async throws {
        try await ServeFixture.with(polling: true) { server in
            #expect(server.watching == "polling")
            try server.edit(Self.notice) { $0.replacingOccurrences(of: "## What is happening", with: "## What is polled") }
            let page = try await server.poll(Self.noticePage) { $0.text.contains("What is polled") }
            #expect(page.text.contains("What is polled"))
        }
    }

    @Test func theTemporaryOutputIsRemovedWhenTheServerStops() async throws {
        let server = try await ServeFixture.start()
        let output = server.output, folder = server.output.deletingLastPathComponent()
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("index.html").path))
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700, "private to this user")
        #expect(folder.lastPathComponent.hasPrefix("gavel-serve-"))
        // Whatever the build keeps beside its output stays inside the private folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { $0 == "site" || $0.hasPrefix(".site.") })
        let events = try EventStreamClient(port: server.port)
        _ = await events.next("hello", within: 5)
        try await server.stop()
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(!FileManager.default.fileExists(atPath: folder.path), "nothing is left in the temporary folder")
        events.close()
    }
}
