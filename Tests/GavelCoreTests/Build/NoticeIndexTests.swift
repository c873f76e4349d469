import Foundation
import Testing
@testable import GavelCore

/// The notice index lets a rebuild skip reading unchanged notices; what it hands back must be what
/// reading the file gives, and any change to a file must make it be read again.
@Suite struct NoticeIndexTests {
    /// A copy of the example content whose files look old enough to be indexed (not racily clean).
    func agedContent() throws -> URL {
        let content = try TestPaths.temporaryDirectory().appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        for relative in FileIO.walk(content.path).files {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: content.path + "/" + relative)
        }
        return content
    }

    func summary(_ n: Notice) -> String {
        let events = n.events.map { "\($0.title)|\($0.start)|\($0.end)" }.joined(separator: ";")
        return [n.court, n.slug, n.title, n.date.description, n.summary ?? "-", n.tags.joined(separator: ","), "\(n.draft)",
                n.publish?.description ?? "-", n.expires?.description ?? "-", events, n.file, "\(n.sourceHash)",
                n.body.diskPath, "\(n.body.offset)", "\(n.body.firstLine)", n.body.file].joined(separator: "\n")
    }

    @Test func indexedNoticesAreWhatReadingTheFilesGives() async throws {
        let content = try agedContent()
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        var options = TestPaths.exampleOptions(output: out)
        options.content = content
        _ = try await SiteBuild(options: options).run(write: true)
        let index = try #require(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay))
        var bag = DiagnosticBag()
        let loaded = try #require(await SiteBuild(options: options).load(bag: &bag))
        let notices = loaded.courts.flatMap(\.notices)
        #expect(notices.count >= 8)
        // Drafts are indexed too (a --drafts build shows them); this build leaves them out.
        let drafts = index.entries.values.filter { $0.notice.draft }
        #expect(!drafts.isEmpty)
        #expect(index.entries.count == notices.count + drafts.count)
        for notice in notices {
            let relative = "courts/\(notice.court)/notices/\(notice.slug).md"
            let indexed = try #require(index.entries[relative]?.notice, "\(relative) not indexed")
            #expect(summary(indexed) == summary(notice))
        }
        // Another content folder does not use this index.
        #expect(NoticeIndex.load(for: out, contentRoot: content.path + "-other", displayRoot: options.contentDisplay) == nil)
    }

    @Test func aChangedNoticeIsReadAgainEvenWithAnOldTimestamp() async throws {
        let content = try agedContent()
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        var options = TestPaths.exampleOptions(output: out)
        options.content = content
        _ = try await SiteBuild(options: options).run(write: true)
        let file = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        let old = try #require(FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "title: ", with: "title: Revised ").write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        _ = try await SiteBuild(options: options).run(write: true)
        let page = try String(contentsOf: out.appendingPathComponent("courts/wiwb/notices/how-to-prepare/index.html"), encoding: .utf8)
        #expect(page.contains("<h1>Revised "))
    }
}
