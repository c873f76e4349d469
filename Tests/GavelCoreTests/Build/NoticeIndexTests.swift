import Foundation
import Testing
@testable import GavelCore

/// The notice index lets a rebuild skip reading unchanged notices; what it hands back must be what
/// reading the file gives, and any change to a file must make it be read again.
@Suite struct NoticeIndexTests {
    /// A copy of the example content old enough to be indexed: files changed within two seconds of a
    /// build are not trusted to the index (their change time cannot be set back, so this waits).
    func agedContent() async throws -> URL {
        let content = try TestPaths.temporaryDirectory().appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        for relative in FileIO.walk(content.path).files {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: content.path + "/" + relative)
        }
        try await Task.sleep(for: .milliseconds(2200))
        return content
    }

    /// That copy built once, so its notices are indexed.
    func builtAgedCopy() async throws -> (content: URL, out: URL, options: BuildOptions) {
        let content = try await agedContent()
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        var options = TestPaths.exampleOptions(output: out)
        options.content = content
        _ = try await SiteBuild(options: options).run(write: true)
        return (content, out, options)
    }

    func summary(_ n: Notice) -> String {
        let events = n.events.map { "\($0.title)|\($0.start)|\($0.end)" }.joined(separator: ";")
        return [n.court, n.slug, n.title, n.date.description, n.summary ?? "-", n.tags.joined(separator: ","), "\(n.draft)",
                n.publish?.description ?? "-", n.expires?.description ?? "-", events, n.file, "\(n.sourceHash)",
                n.body.diskPath, "\(n.body.offset)", "\(n.body.firstLine)", n.body.file].joined(separator: "\n")
    }

    @Test func indexedNoticesAreWhatReadingTheFilesGives() async throws {
        let (content, out, options) = try await builtAgedCopy()
        let index = try #require(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay))
        var bag = DiagnosticBag()
        let loaded = try #require(await SiteBuild(options: options).load(bag: &bag))
        let notices = loaded.courts.flatMap(\.notices)
        #expect(notices.count >= 7)
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

    @Test(arguments: [nil, "", "tab\there\nline \\ back\\t \u{1E}\u{1F} end"] as [String?])
    func anyTextSurvivesTheIndexFile(text: String?) throws {
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        let odd = "a\tb\u{1F}c\\n\u{1E}"
        let start = try #require(LocalDateTime(parsing: "2020-03-27T18:00")), end = try #require(LocalDateTime(parsing: "2020-03-30T08:00"))
        let notice = Notice(court: "c1", slug: "s", title: odd, date: try #require(LocalDate(parsing: "2020-01-02")), summary: text,
                            // Dates and the draft flag are read from their bytes: each present and absent, set and not.
                            tags: [odd, "", "plain"], draft: text == nil, publish: text == nil ? nil : LocalDate(parsing: "2020-02-29"),
                            expires: text == "" ? nil : LocalDate(parsing: "2021-01-01"),
                            events: [CalendarEvent(title: odd, start: start, end: end), CalendarEvent(title: "", start: start, end: end)],
                            body: NoticeBody(diskPath: "/content/courts/c1/notices/s.md", offset: 42, file: "Content/courts/c1/notices/s.md", firstLine: 7, sourceHash: 0xFFFF_FFFF_FFFF_FFFF),
                            sourceHash: 0xFFFF_FFFF_FFFF_FFFF)
        var index = NoticeIndex(contentRoot: "/content", displayRoot: "Content")
        let stamp = NoticeIndex.Stamp(size: 10, seconds: 1_000, nanoseconds: 999_999_999, inode: 12)
        index.add("courts/c1/notices/s.md", stamp: stamp, notice: notice, now: Date())
        try index.save(for: out)
        let loaded = try #require(NoticeIndex.load(for: out, contentRoot: "/content", displayRoot: "Content"))
        let entry = try #require(loaded.entries["courts/c1/notices/s.md"])
        #expect(entry.stamp == stamp)
        #expect(summary(entry.notice) == summary(notice))
        #expect(entry.notice.summary == text)
    }

    /// The records of a notice index file: the roots' bytes and each notice's record (its length and
    /// bytes), as written.
    static func records(of file: String) throws -> (roots: [UInt8], records: [[UInt8]]) {
        let body = try StateFileParts(file).body
        func length(at i: Int) -> Int { Int(body[i]) | Int(body[i + 1]) << 8 | Int(body[i + 2]) << 16 | Int(body[i + 3]) << 24 }
        var at = 4 + length(at: 0)
        at += 4 + length(at: at)
        let roots = Array(body[..<at])
        var count = 0
        for k in 0..<8 { count |= Int(body[at + k]) << (8 * k) }
        at += 8
        var records: [[UInt8]] = []
        for _ in 0..<count {
            let end = at + 4 + length(at: at)
            records.append(Array(body[at..<end]))
            at = end
        }
        #expect(at == body.count)
        return (roots, records)
    }

    /// A body of the roots, a count and these records.
    static func body(roots: [UInt8], count: Int, records: [[UInt8]]) -> [UInt8] {
        roots + withUnsafeBytes(of: UInt64(count).littleEndian, Array.init) + records.flatMap { $0 }
    }

    /// The index reads back every entry whatever order its file has its records in: a group's
    /// records together (as it is written), or mixed with another group's, as in a file written
    /// otherwise.
    @Test func everyEntryIsReadBackWhateverTheOrderOfItsRecords() throws {
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        let date = try #require(LocalDate(parsing: "2020-01-02"))
        var index = NoticeIndex(contentRoot: "/content", displayRoot: "Content")
        var paths: [String] = []
        for court in ["a", "b", "c"] {
            for n in 0..<40 {
                let relative = "courts/\(court)/notices/n\(n).md"
                paths.append(relative)
                let notice = Notice(court: court, slug: "n\(n)", title: "t\(n)", date: date, summary: nil, tags: [], draft: false, publish: nil, expires: nil,
                                    events: [], body: NoticeBody(diskPath: "/content/" + relative, offset: 0, file: relative, firstLine: 1, sourceHash: UInt64(n)),
                                    sourceHash: UInt64(n))
                index.add(relative, stamp: NoticeIndex.Stamp(size: Int64(n), seconds: 1_000, nanoseconds: 0, inode: UInt64(n)), notice: notice, now: Date())
            }
        }
        try index.save(for: out)
        let file = NoticeIndex.location(for: out).path
        let (roots, entries) = try Self.records(of: file)
        #expect(entries.count == paths.count)
        var generator = SystemRandomNumberGenerator()
        // As written, reversed, shuffled, and every group's records dealt out one by one.
        let dealt = (0..<40).flatMap { n in stride(from: n, to: entries.count, by: 40).map { entries[$0] } }
        for order in [entries, entries.reversed(), entries.shuffled(using: &generator), dealt] {
            try StateFile.write(file, kind: "gavel-notices", head: [], body: Self.body(roots: roots, count: order.count, records: order))
            let loaded = try #require(NoticeIndex.load(for: out, contentRoot: "/content", displayRoot: "Content"))
            #expect(loaded.count == paths.count)
            for path in paths {
                #expect(loaded.entry(path)?.stamp == index.entry(path)?.stamp, "\(path)")
                #expect(loaded.entry(path)?.notice.sourceHash == index.entry(path)?.notice.sourceHash, "\(path)")
            }
            // Entries read from a file are written back as the records they were.
            try loaded.save(for: out)
            #expect(Set(try Self.records(of: file).records) == Set(entries))
        }
    }

    /// A body that passes its checksum but is not what the writer makes (cut short, a count or a
    /// length past the end, a flag, a date or a time that is none, bytes left over) reads as no index,
    /// and never traps.
    @Test func aMalformedBodyWithAGoodChecksumReadsAsNoIndex() throws {
        let out = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        let start = try #require(LocalDateTime(parsing: "2020-03-27T18:00")), end = try #require(LocalDateTime(parsing: "2020-03-30T08:00"))
        let notice = Notice(court: "c1", slug: "s", title: "T", date: try #require(LocalDate(parsing: "2020-01-02")), summary: "S",
                            tags: ["a"], draft: false, publish: LocalDate(parsing: "2020-02-29"), expires: nil,
                            events: [CalendarEvent(title: "E", start: start, end: end)],
                            body: NoticeBody(diskPath: "/content/courts/c1/notices/s.md", offset: 4, file: "Content/courts/c1/notices/s.md", firstLine: 3, sourceHash: 9),
                            sourceHash: 9)
        var index = NoticeIndex(contentRoot: "/content", displayRoot: "Content")
        index.add("courts/c1/notices/s.md", stamp: NoticeIndex.Stamp(size: 10, seconds: 1_000, nanoseconds: 5, inode: 12), notice: notice, now: Date())
        try index.save(for: out)
        let file = NoticeIndex.location(for: out).path
        let (roots, records) = try Self.records(of: file)
        let record = try #require(records.first)
        func reads(_ body: [UInt8]) throws -> Bool {
            try StateFile.write(file, kind: "gavel-notices", head: [], body: body)
            return NoticeIndex.load(for: out, contentRoot: "/content", displayRoot: "Content") != nil
        }
        let whole = Self.body(roots: roots, count: 1, records: [record])
        #expect(try reads(whole), "the body as written")
        for cut in 0..<whole.count { #expect(try !reads(Array(whole.prefix(cut))), "cut to \(cut) bytes") }
        #expect(try !reads(whole + [0]), "a byte left over")
        #expect(try !reads(Self.body(roots: roots, count: 2, records: [record])), "a count of two for one record")
        #expect(try !reads(Self.body(roots: roots, count: 1 << 40, records: [record])), "a count of 2^40")
        // Inside the record (after its length): the path, six numbers, court, slug, title, then the date.
        let fields = 4 + (4 + 22) + 48 + (4 + 2) + (4 + 1) + (4 + 1)
        func edited(_ edits: (offset: Int, bytes: [UInt8])...) -> [UInt8] {
            var r = record
            for edit in edits { r.replaceSubrange(edit.offset..<(edit.offset + edit.bytes.count), with: edit.bytes) }
            return Self.body(roots: roots, count: 1, records: [r])
        }
        func changed(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] { edited((offset, bytes)) }
        #expect(try reads(changed(fields, [2, 1, 0xE5, 0x07, 0, 0, 0, 0])), "another real date, 2021-01-02")
        #expect(try !reads(changed(fields, [30, 2, 0xE4, 0x07, 0, 0, 0, 0])), "February 30")
        #expect(try !reads(changed(fields, [2, 1, 0xE4, 0x07, 0, 0, 0, 1])), "stray high bits in a date")
        // Then the summary's flag and text ("S"), the tags' count and the one tag ("a"), the draft
        // flag, the publish and expiry dates, and the events' count.
        let summaryFlag = fields + 8, tagCount = summaryFlag + 1 + 5, draft = tagCount + 4 + 5, expires = draft + 1 + 8, eventCount = expires + 8
        #expect(try !reads(changed(summaryFlag, [2])), "a summary flag neither 0 nor 1")
        #expect(try !reads(changed(tagCount, [0xFF, 0xFF, 0xFF, 0x0F])), "a tag count past the end")
        #expect(try !reads(changed(draft, [2])), "a draft flag neither 0 nor 1")
        #expect(try !reads(changed(expires, [1])), "an expiry date of 1")
        #expect(try !reads(changed(eventCount, [2])), "an event count of two for one event")
        // The event's start: its title ("E") after the count, then the time, 18:00 on 2020-03-27.
        let eventStart = eventCount + 4 + 5
        #expect(try reads(changed(eventStart, [0, 23])), "another real time, 23:00")
        #expect(try !reads(changed(eventStart, [0, 24])), "a time at 24:00")
        #expect(try !reads(changed(4, [0xFF, 0xFF, 0, 0])), "a path longer than the record")
        // The path, "courts/c1/notices/s.md", from byte 8, and the court, "c1", from byte 82: a path
        // that holds no notice, or a notice of another court than its folder's, is none the loader makes.
        let path = 8, court = 4 + (4 + 22) + 48 + 4
        #expect(try !reads(changed(path + 19, Array("/".utf8))), "a path with a folder in the notices folder")
        #expect(try !reads(changed(path + 12, Array("x".utf8))), "a path outside the notices folder")
        #expect(try !reads(changed(court + 1, Array("2".utf8))), "a notice of court c2 in c1's folder")
        #expect(try reads(edited((path + 8, Array("2".utf8)), (court + 1, Array("2".utf8)))), "a notice of court c2 in c2's folder")
        var longer = record
        longer[0] &+= 1
        #expect(try !reads(Self.body(roots: roots, count: 1, records: [longer + [0]])), "a byte left over in the record")
        #expect(try !reads(Array(Self.body(roots: roots, count: 1, records: [record]).dropFirst(2))), "roots cut")
    }

    /// A file rewritten in place with the same size and its old modification time still changes its
    /// inode's change time, so the index does not take it.
    @Test func aFileRewrittenWithItsOldTimeAndSizeIsReadAgain() async throws {
        let (content, out, options) = try await builtAgedCopy()
        #expect(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay)?.entries.isEmpty == false)
        let file = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = text.replacingOccurrences(of: "a few preliminary steps", with: "a few preparatory steps")
        #expect(changed.utf8.count == text.utf8.count && changed != text)
        try changed.write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate] as Any], ofItemAtPath: file.path)
        _ = try await SiteBuild(options: options).run(write: true)
        let page = try String(contentsOf: out.appendingPathComponent("courts/wiwb/notices/how-to-prepare/index.html"), encoding: .utf8)
        #expect(page.contains("a few preparatory steps"))
    }

    @Test func aChangedNoticeIsReadAgainEvenWithAnOldTimestamp() async throws {
        let (content, out, options) = try await builtAgedCopy()
        let file = content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")
        let old = try #require(FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "title: ", with: "title: Revised ").write(to: file, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        _ = try await SiteBuild(options: options).run(write: true)
        let page = try String(contentsOf: out.appendingPathComponent("courts/wiwb/notices/how-to-prepare/index.html"), encoding: .utf8)
        #expect(page.contains("<h1>Revised "))
    }

    /// A notice edited just before a build is read afresh and not indexed (its file could change again
    /// within the same tick); its old entry goes too, while the court's other entries stay as they were.
    @Test func aNoticeEditedJustNowLeavesTheIndexWithoutItsOldEntry() async throws {
        let (content, out, options) = try await builtAgedCopy()
        let before = try #require(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay))
        let relative = "courts/wiwb/notices/how-to-prepare.md"
        #expect(before.entry(relative) != nil)
        let file = content.appendingPathComponent(relative)
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "title: ", with: "title: Revised ").write(to: file, atomically: false, encoding: .utf8)
        _ = try await SiteBuild(options: options).run(write: true)
        let page = try String(contentsOf: out.appendingPathComponent("courts/wiwb/notices/how-to-prepare/index.html"), encoding: .utf8)
        #expect(page.contains("<h1>Revised "))
        let after = try #require(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay))
        #expect(after.entry(relative) == nil)
        #expect(after.count == before.count - 1)
        // A court's entries are by file name.
        let court = try #require(before.group("wiwb"))
        #expect(court["how-to-prepare.md"] != nil)
        for (name, entry) in court where name != "how-to-prepare.md" {
            #expect(after.group("wiwb")?[name].map { summary($0.notice) } == summary(entry.notice), "\(name)")
            #expect(after.entry("courts/wiwb/notices/" + name).map { summary($0.notice) } == summary(entry.notice), "\(name)")
        }
    }

    /// The index file is written again exactly when what it records changed: not for a build whose
    /// notices were all taken from it, but for a notice edited (its new stamp recorded) or removed
    /// (gone from the file), although the index then holds only entries taken from the last one.
    @Test func theIndexFileIsWrittenAgainOnlyWhenItsNoticesChanged() async throws {
        let (content, out, options) = try await builtAgedCopy()
        let location = NoticeIndex.location(for: out).path
        let first = try #require(NoticeIndex.Stamp.of(location))
        // A page changed, every notice as indexed: the file is left as it is.
        let page = content.appendingPathComponent("pages/about-nextgen.md")
        try (String(contentsOf: page, encoding: .utf8) + "\nOne more line.\n").write(to: page, atomically: false, encoding: .utf8)
        _ = try await SiteBuild(options: options).run(write: true)
        #expect(NoticeIndex.Stamp.of(location) == first)

        // A notice edited (and settled, so it is indexed): its new stamp is recorded.
        let relative = "courts/wiwb/notices/how-to-prepare.md"
        let file = content.appendingPathComponent(relative)
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "title: ", with: "title: Revised ").write(to: file, atomically: false, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(2200))
        _ = try await SiteBuild(options: options).run(write: true)
        let edited = try #require(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay))
        #expect(edited.entry(relative)?.stamp == NoticeIndex.Stamp.of(file.path))
        #expect(edited.entry(relative)?.notice.title.hasPrefix("Revised ") == true)

        // A notice removed: every other entry is the last index's, and the file loses that one.
        let removed = "courts/vtd/notices/training-webinar.md"
        #expect(edited.entry(removed) != nil)
        try FileManager.default.removeItem(at: content.appendingPathComponent(removed))
        _ = try await SiteBuild(options: options).run(write: true)
        let after = try #require(NoticeIndex.load(for: out, contentRoot: content.path, displayRoot: options.contentDisplay))
        #expect(after.entry(removed) == nil)
        #expect(after.count == edited.count - 1)
    }
}
