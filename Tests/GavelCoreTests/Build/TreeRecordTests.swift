import Foundation
import Testing
@testable import GavelCore

/// The commit that reads folders by their recorded stamps (`TreeRecord`): it lists only folders that
/// changed, yet whatever the court does in Output and whatever the spare tree holds, Output is the
/// full build's tree with the court's files kept.
@Suite struct TreeRecordTests {
    /// The example content with 200 more notices (a folder each), built once, then changed and
    /// built again so the next commit has a record to use.
    struct Site {
        var dir: URL, content: URL, options: BuildOptions
        var spare: URL { BuildState.sibling(of: options.output, "gavel-spare") }
        var notice: URL { content.appendingPathComponent("courts/vtd/notices/generated-5.md") }
        /// Files of the court's put into Output, to be found in every later build.
        var foreign: [String: String] = [:]
        var edits = 0
    }

    static func site() async throws -> Site {
        let (dir, content, options) = try OutputContractTests.copy()
        for n in 0..<200 {
            let text = "---\ntitle: \"Generated notice \(n)\"\ndate: \"2020-02-1\(n % 10)\"\n---\nParagraph \(n).\n"
            try Data(text.utf8).write(to: content.appendingPathComponent("courts/vtd/notices/generated-\(n).md"))
        }
        var site = Site(dir: dir, content: content, options: options)
        _ = try await SiteBuild(options: options).run(write: true)
        // The first commit over an Output lists both trees and leaves the record.
        let walked = try await build(&site)
        #expect(walked.written?.listedFolders == nil)
        #expect(FileIO.kind(TreeRecord.location(for: options.output).path) == .file)
        return site
    }

    /// Changes one notice's body and builds. Each build waits a little first, so the folders the
    /// last one left are older than its clock mark, as they are between a court's edits.
    @discardableResult
    static func build(_ site: inout Site) async throws -> SiteBuild.Result {
        site.edits += 1
        let edit = site.edits
        try OutputContractTests.edit(site.notice) { $0 + "\nRevision \(edit).\n" }
        try await Task.sleep(for: .milliseconds(30))
        return try await SiteBuild(options: site.options).run(write: true)
    }

    /// Output must be the full build of the same content plus the court's files.
    static func expectFullBuild(_ site: Site, _ step: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        var expected = try await OutputContractTests.fullBuild(site.options, in: site.dir)
        for (path, text) in site.foreign {
            expected[path] = "\(text.utf8.count) bytes \(ContentHash.of(Array(text.utf8)))"
            var folder = path[...]
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                expected[String(folder) + "/"] = "folder"
            }
        }
        let tree = OutputContractTests.tree(site.options.output)
        let differing = Set(tree.keys).union(expected.keys).filter { tree[$0] != expected[$0] }.sorted()
        #expect(differing.isEmpty, "\(step): \(differing.count) paths differ from the full build, e.g. \(differing.prefix(6))", sourceLocation: sourceLocation)
    }

    /// Makes each step's change and builds after it: the build must use the record and give the full
    /// build; `then` checks more after each.
    static func buildEach(_ steps: [(String, (inout Site) throws -> Void)], on site: inout Site,
                          then: (String) throws -> Void = { _ in }) async throws {
        for (step, change) in steps {
            try await Task.sleep(for: .milliseconds(30))
            try change(&site)
            let result = try await build(&site)
            #expect(result.written?.listedFolders != nil, "\(step): the record was not used")
            try await expectFullBuild(site, step)
            try then(step)
        }
    }

    static func put(_ text: String, at relative: String, under root: URL) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func aCommitWithARecordListsOnlyTheFoldersThatChanged() async throws {
        var site = try await Self.site()
        let folders = FileIO.walk(site.options.output.path).directories.count
        #expect(folders > 200)
        for _ in 0..<3 {
            let result = try await Self.build(&site)
            let listed = try #require(result.written?.listedFolders, "the record was not used")
            #expect(listed < 20, "listed \(listed) of \(folders) folders for one changed notice")
            #expect(result.written?.written ?? 0 >= 1)
        }
        try await Self.expectFullBuild(site, "after three one-notice rebuilds")
        // A build that changes nothing lists nothing and keeps the record as it was.
        let record = try Data(contentsOf: TreeRecord.location(for: site.options.output))
        let again = try await SiteBuild(options: site.options).run(write: true)
        #expect(again.written?.listedFolders == 0)
        #expect(try Data(contentsOf: TreeRecord.location(for: site.options.output)) == record)
    }

    /// `makesSpare` (what `gavel serve` asks right after its first build): a build with nothing to
    /// change still makes the spare tree and the record, leaving Output's files as they were (the same
    /// inodes, and a court's file kept); the next edit's commit then uses the record. Without it, such
    /// a build touches nothing, as before.
    @Test func aBuildMakingTheSpareLeavesOutputAsItWasAndTheNextCommitUsesIt() async throws {
        let (dir, content, options) = try OutputContractTests.copy()
        var site = Site(dir: dir, content: content, options: options)
        try Data("---\ntitle: \"A notice\"\ndate: \"2020-02-10\"\n---\nParagraph.\n".utf8).write(to: site.notice)
        _ = try await SiteBuild(options: options).run(write: true)
        site.foreign["CNAME"] = "notices.example.gov\n"
        try Self.put("notices.example.gov\n", at: "CNAME", under: options.output)
        let spare = site.spare
        let before = OutputContractTests.tree(options.output)
        let inode = { (relative: String) in FileIO.status(options.output.appendingPathComponent(relative).path).map { UInt64($0.st_ino) } }
        let page = inode("index.html")
        #expect(FileIO.kind(spare.path) == .missing)

        let plain = try await SiteBuild(options: options).run(write: true)
        #expect(plain.written?.written == 0)
        #expect(FileIO.kind(spare.path) == .missing, "without makesSpare nothing is made")

        var making = options
        making.makesSpare = true
        try await Task.sleep(for: .milliseconds(30))
        let made = try await SiteBuild(options: making).run(write: true)
        #expect(made.written?.written == 0)
        #expect(FileIO.kind(spare.path) == .directory)
        #expect(FileIO.kind(TreeRecord.location(for: options.output).path) == .file)
        #expect(OutputContractTests.tree(options.output) == before)
        #expect(inode("index.html") == page, "Output's files are the same files")

        #expect(TreeRecord.load(for: options.output)?.debt == [], "the spare owes nothing")
        // Asked again with a spare that owes nothing, it changes nothing.
        let again = try await SiteBuild(options: making).run(write: true)
        #expect(again.written?.listedFolders == 0)

        let edited = try await Self.build(&site)
        #expect(edited.written?.listedFolders != nil, "the record was not used")
        try await Self.expectFullBuild(site, "after the spare was made and a notice edited")
    }

    /// As `gavel serve` builds: into an Output folder made empty beforehand, so the first build's
    /// commit leaves that empty folder as the spare, and no record that it is ready. A build making
    /// the spare fills it, and the next edit's commit touches only what changed.
    @Test func anEmptySpareIsFilledByABuildMakingTheSpare() async throws {
        let (dir, content, options) = try OutputContractTests.copy()
        var site = Site(dir: dir, content: content, options: options)
        try Data("---\ntitle: \"A notice\"\ndate: \"2020-02-10\"\n---\nParagraph.\n".utf8).write(to: site.notice)
        try FileManager.default.createDirectory(at: options.output, withIntermediateDirectories: true)
        let first = try await SiteBuild(options: options).run(write: true)
        let files = first.files.count
        #expect(FileIO.kind(site.spare.path) == .directory)
        #expect(FileIO.walk(site.spare.path).files.isEmpty && files > 50, "the spare is the empty folder")
        #expect(TreeRecord.load(for: options.output)?.debt.isEmpty != true, "no record says the spare owes nothing")

        var making = options
        making.makesSpare = true
        making.usesWitness = false
        try await Task.sleep(for: .milliseconds(30))
        _ = try await SiteBuild(options: making).run(write: true)
        #expect(TreeRecord.load(for: options.output)?.debt == [])
        #expect(FileIO.walk(site.spare.path).files.count == FileIO.walk(options.output.path).files.count)

        let edited = try await Self.build(&site)
        let listed = try #require(edited.written?.listedFolders, "the record was not used")
        #expect(listed < 10)
        try await Self.expectFullBuild(site, "after the spare's debt was paid and a notice edited")
    }

    /// A commit marks the clock after its last change only once the clock has ticked, and again when
    /// a folder it changed is stamped no earlier than that (`markLaterThan`), so the folders it changed
    /// are trusted by the next commit: with nothing else changed, that one lists only the two roots
    /// (always listed). Marked in the same tick, about half of them were listed again; without the
    /// second mark, one or two of ten were in a full test run now and then (a late tick, see
    /// `markLaterThan`). One is allowed, for a clock set back between a change and the mark.
    /// Listing more folders only costs time.
    @Test func theFoldersACommitChangedAreTrustedByTheNext() async throws {
        var site = try await Self.site()
        _ = try await Self.build(&site)
        var listed: [Int?] = []
        for _ in 0..<10 { listed.append(try await Self.build(&site).written?.listedFolders) }
        #expect(listed.allSatisfy { ($0 ?? 0) >= 2 }, "\(listed)")
        #expect(listed.count { $0 != 2 } <= 1, "\(listed)")
        try await Self.expectFullBuild(site, "after ten edits")
    }

    /// A folder the commit changed that is stamped no earlier than the mark taken after its last change
    /// (a clock tick the kernel ran late does that, with fine-grained stamps) gets a later mark, and is
    /// stamped again after it (a change made after the first reading could have had the same time);
    /// a stamp older than the mark is kept as read, and a folder gone by then leaves no mark.
    @Test func theMarkIsLaterThanEveryFolderTheCommitChanged() throws {
        let dir = try TestPaths.temporaryDirectory()
        let output = dir.appendingPathComponent("Output")
        try FileManager.default.createDirectory(at: output.appendingPathComponent("search"), withIntermediateDirectories: true)
        try Data().write(to: BuildState.sibling(of: output, "gavel-lock"))
        let writer = OutputWriter(output: output)
        let mark = try #require(writer.markTime())
        let real = TreeRecord.FolderStamp(try #require(FileIO.status(output.appendingPathComponent("search").path)))

        // Stamped as the mark: a later mark, and the folder's stamp read again after it.
        var stamps: PathTable<TreeRecord.FolderStamp> = ["search": TreeRecord.FolderStamp(inode: 7, modified: mark.time, changed: mark.time)]
        let later = try #require(writer.markLaterThan(&stamps, under: output.path, mark: mark))
        #expect(later.time > mark.time && later.device == mark.device)
        #expect(stamps["search"] == real)
        #expect(real.changed < later.time)

        // Older than the mark, or the root's (always listed): kept as they were, and the mark too.
        let older = TreeRecord.FolderStamp(inode: 7, modified: mark.time - 1, changed: mark.time - 1)
        var kept: PathTable<TreeRecord.FolderStamp> = ["search": older, "": TreeRecord.FolderStamp(inode: 8, modified: mark.time, changed: mark.time)]
        #expect(writer.markLaterThan(&kept, under: output.path, mark: mark)?.time == mark.time)
        #expect(kept["search"] == older)

        // A folder gone when it is stamped again: no mark, so no record.
        var gone: PathTable<TreeRecord.FolderStamp> = ["courts": TreeRecord.FolderStamp(inode: 9, modified: mark.time, changed: mark.time)]
        #expect(writer.markLaterThan(&gone, under: output.path, mark: mark) == nil)
    }

    /// Files and folders the court adds anywhere in Output, or takes away, between builds.
    @Test func whatTheCourtChangesInOutputIsFoundByARecordedCommit() async throws {
        var site = try await Self.site()
        let out = site.options.output
        let steps: [(String, (inout Site) throws -> Void)] = [
            ("a file at the top", { site in try Self.put("example.gov", at: "CNAME", under: out); site.foreign["CNAME"] = "example.gov" }),
            ("a file in a notice's folder", { site in
                try Self.put("x", at: "courts/vtd/notices/generated-9/extra.txt", under: out)
                site.foreign["courts/vtd/notices/generated-9/extra.txt"] = "x"
            }),
            ("a folder of folders", { site in
                try Self.put("obj", at: ".git/objects/ab/cdef", under: out)
                try Self.put("ref", at: ".git/HEAD", under: out)
                site.foreign[".git/objects/ab/cdef"] = "obj"
                site.foreign[".git/HEAD"] = "ref"
            }),
            ("a file taken away", { site in
                try FileManager.default.removeItem(at: out.appendingPathComponent("courts/vtd/notices/generated-9/extra.txt"))
                site.foreign["courts/vtd/notices/generated-9/extra.txt"] = nil
            }),
            ("a file added to a folder of the court's", { site in
                try Self.put("pack", at: ".git/objects/ab/more", under: out)
                site.foreign[".git/objects/ab/more"] = "pack"
            }),
            ("a page of Gavel's changed by hand", { _ in
                let page = out.appendingPathComponent("courts/vtd/notices/generated-3/index.html")
                try Data("changed by hand".utf8).write(to: page)
            }),
            ("a page of Gavel's replaced by the same bytes", { _ in
                let page = out.appendingPathComponent("courts/vtd/index.html")
                let bytes = try Data(contentsOf: page)
                try FileManager.default.removeItem(at: page)
                try bytes.write(to: page)
            }),
        ]
        let inode = { (path: String) in FileIO.status(out.appendingPathComponent(path).path).map { UInt64($0.st_ino) } }
        try await Self.buildEach(steps, on: &site)
        // The court's files are its own inodes, never copies.
        let before = inode(".git/HEAD")
        try await Self.build(&site)
        #expect(inode(".git/HEAD") == before)
        #expect(inode(".git/HEAD") != nil)
    }

    /// Notices added and taken away change which folders the site needs: folders new to the
    /// record's list, folders that leave both trees, and a folder of the court's that a new notice's
    /// page then needs. Each commit goes through the record and gives the full build.
    @Test func noticesAddedAndGoneAreCommittedThroughTheRecord() async throws {
        var site = try await Self.site()
        let notices = site.content.appendingPathComponent("courts/vtd/notices")
        func notice(_ name: String) -> URL { notices.appendingPathComponent(name + ".md") }
        func write(_ name: String) throws {
            try Data("---\ntitle: \"Added \(name)\"\ndate: \"2020-03-11\"\n---\nAdded.\n".utf8).write(to: notice(name))
        }
        let out = site.options.output
        let steps: [(String, (inout Site) throws -> Void)] = [
            ("a notice added", { _ in try write("added-1") }),
            ("two added, one gone", { _ in
                try write("added-2")
                try write("added-3")
                try FileManager.default.removeItem(at: notice("generated-8"))
            }),
            ("a folder of the court's where no notice is", { site in
                try Self.put("note", at: "courts/vtd/notices/added-4/note.txt", under: out)
                site.foreign["courts/vtd/notices/added-4/note.txt"] = "note"
            }),
            ("a notice whose page goes into that folder", { _ in try write("added-4") }),
            ("that notice gone again, its folder still the court's", { _ in try FileManager.default.removeItem(at: notice("added-4")) }),
            ("the added ones gone", { _ in
                for name in ["added-1", "added-2", "added-3"] { try FileManager.default.removeItem(at: notice(name)) }
            }),
        ]
        try await Self.buildEach(steps, on: &site) { step in
            let record = try #require(TreeRecord.load(for: out), "\(step): no record left")
            // The list is in the order of its bytes and holds each tree's folders exactly.
            #expect(zip(record.folders, record.folders.dropFirst()).allSatisfy { TreeRecord.order($0, $1) < 0 }, "\(step)")
            let folders = Set(FileIO.walk(out.path).directories).union([""])
            #expect(Set(record.table(record.output).keys) == folders, "\(step): Output's folders")
        }
    }

    /// The spare tree is Gavel's, but a record does not make it trusted: what is put in it, taken
    /// from it or changed in it never reaches Output.
    @Test func whateverTheSpareHoldsARecordedCommitGivesTheFullBuild() async throws {
        var site = try await Self.site()
        let steps: [(String, (URL) throws -> Void)] = [
            ("a stray file at the top", { try Self.put("stray", at: "stray.html", under: $0) }),
            ("a stray file deep down", { try Self.put("stray", at: "courts/vtd/notices/generated-2/stray.txt", under: $0) }),
            ("a page replaced", { spare in
                let page = spare.appendingPathComponent("courts/vtd/index.html")
                try FileManager.default.removeItem(at: page)
                try Data("<p>not the page</p>".utf8).write(to: page)
            }),
            ("a court's folder gone", { try FileManager.default.removeItem(at: $0.appendingPathComponent("courts/ca10")) }),
            ("a file where a folder was", { spare in
                let folder = spare.appendingPathComponent("courts/vtd/notices/generated-7")
                try FileManager.default.removeItem(at: folder)
                try Data("a file".utf8).write(to: folder)
            }),
            ("a link planted", { spare in
                try FileManager.default.createSymbolicLink(atPath: spare.appendingPathComponent("courts/wiwb/planted").path, withDestinationPath: "/etc")
            }),
            ("a stray folder", { try Self.put("x", at: "courts/vtd/notices/generated-4/sub/deeper/x.html", under: $0) }),
        ]
        for (step, tamper) in steps {
            try await Task.sleep(for: .milliseconds(30))
            try tamper(site.spare)
            let result = try await Self.build(&site)
            #expect(result.written?.listedFolders != nil, "\(step): the record was not used")
            try await Self.expectFullBuild(site, step)
        }
    }

    /// A record that is damaged, or stale (an earlier build's, put back when the content is the same
    /// again), changes nothing in the output.
    @Test func aDamagedOrStaleRecordChangesNothing() async throws {
        var site = try await Self.site()
        let location = TreeRecord.location(for: site.options.output)
        let first = try String(contentsOf: site.notice, encoding: .utf8)
        let stale = try Data(contentsOf: location)
        // Two builds later the same two trees are Output and spare again, and the content is as it
        // was, so the old record matches both roots and the manifest; in between, the court added a
        // file and the spare was changed.
        try (first + "\nOther text.\n").write(to: site.notice, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(30))
        _ = try await SiteBuild(options: site.options).run(write: true)
        try Self.put("x", at: "courts/vtd/kept.txt", under: site.options.output)
        site.foreign["courts/vtd/kept.txt"] = "x"
        try first.write(to: site.notice, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(30))
        _ = try await SiteBuild(options: site.options).run(write: true)
        try Self.put("stray", at: "courts/vtd/stray.html", under: site.spare)
        try stale.write(to: location)
        let result = try await Self.build(&site)
        #expect(result.written?.listedFolders != nil, "the stale record was not even tried")
        try await Self.expectFullBuild(site, "a stale record")

        let current = try [UInt8](Data(contentsOf: location))
        let damages: [(String, [UInt8])] = [
            ("empty", []),
            ("truncated", Array(current.prefix(current.count / 2))),
            ("a flipped byte", current.enumerated().map { $0.offset == current.count - 3 ? $0.element ^ 0x20 : $0.element }),
        ]
        for (name, bytes) in damages {
            try Data(bytes).write(to: location)
            try Self.put(name, at: "courts/wiwb/\(name.count).txt", under: site.options.output)
            site.foreign["courts/wiwb/\(name.count).txt"] = name
            let result = try await Self.build(&site)
            #expect(result.written?.listedFolders == nil, "\(name): a damaged record was used")
            try await Self.expectFullBuild(site, "a record \(name)")
        }
    }

    @Test func theRecordReadsBackAsWritten() throws {
        let dir = try TestPaths.temporaryDirectory()
        let output = dir.appendingPathComponent("Output")
        let stamp = TreeRecord.FolderStamp(inode: 7, modified: -1, changed: 1 << 62)
        let record = TreeRecord(device: 3, manifest: 0xfeed,
                                output: (root: 11, folders: ["": stamp, "a\tb": stamp, "c/d\ne": stamp, "caf\u{E9}": stamp], marker: 1_700_000_000_000_000_000),
                                spare: (root: 12, folders: ["": stamp, "z": stamp, "cafe\u{301}": stamp], marker: -5),
                                needed: ["a\tb"], foreignFiles: ["CNAME", ".git/HEAD", "odd\\name"], debt: ["x/index.html", "y"])
        try record.save(for: output)
        #expect(TreeRecord.load(for: output) == record)
        // One list of both trees' folders, in the order of their bytes, the root first.
        // Two spellings of one name are two folders: "cafe" and a combining accent sorts first.
        #expect(record.folders.map { Array($0.utf8) } == ["", "a\tb", "c/d\ne", "cafe\u{301}", "caf\u{E9}", "z"].map { Array($0.utf8) })
        #expect(record.table(record.output) == ["": stamp, "a\tb": stamp, "c/d\ne": stamp, "caf\u{E9}": stamp])
        #expect(record.table(record.spare) == ["": stamp, "z": stamp, "cafe\u{301}": stamp])
        #expect(record.needed == [false, true, false, false, false, false])
        #expect(record.folders.indices.allSatisfy { record.index(of: record.folders[$0]) == $0 })
        #expect(record.index(of: "c") == nil && record.index(of: "zz") == nil && record.index(of: "a") == nil)
    }

    /// A body of records that passes its checksum but is not what the writer makes (cut short, a
    /// count or a length past the end, a bad flag, bytes left over) reads as no record, never traps,
    /// and never takes room for a count the bytes cannot hold.
    @Test func aMalformedBodyWithAGoodChecksumReadsAsNoRecord() throws {
        let dir = try TestPaths.temporaryDirectory()
        let output = dir.appendingPathComponent("Output")
        let stamp = TreeRecord.FolderStamp(inode: 7, modified: 5, changed: 6)
        let record = TreeRecord(device: 3, manifest: 9,
                                output: (root: 11, folders: ["": stamp, "courts": stamp, "search": stamp], marker: 100),
                                spare: (root: 12, folders: ["": stamp], marker: 101),
                                needed: ["courts"], foreignFiles: ["CNAME"], debt: ["x/index.html"])
        try record.save(for: output)
        let location = TreeRecord.location(for: output)
        let parts = try StateFileParts(location.path), body = parts.body
        func reads(_ body: [UInt8]) throws -> TreeRecord? {
            try parts.write(body, to: location.path)
            return TreeRecord.load(for: output)
        }
        #expect(try reads(body) == record, "the body as written")
        for cut in 0..<body.count {
            #expect(try reads(Array(body.prefix(cut))) == nil, "cut to \(cut) bytes")
        }
        #expect(try reads(body + [0]) == nil, "a byte left over")
        // The first count (Output's folders) made enormous, and the first path's length.
        var huge = body
        huge.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x40])
        #expect(try reads(huge) == nil, "a count of 2^62")
        var long = body
        long.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(try reads(long) == nil, "a path longer than the file")
        // The flags of the folder "courts" (after the count and the three paths, and the root's flags
        // and two stamps): in neither tree, needed but not in Output, or an unknown flag.
        let courtsFlags = 8 + record.folders.reduce(0) { $0 + 4 + $1.utf8.count } + 1 + 48
        #expect(body[courtsFlags] == 5, "in Output and needed")
        for flags: UInt8 in [0, 4, 6, 8, 13] {
            var flagged = body
            flagged[courtsFlags] = flags
            #expect(try reads(flagged) == nil, "flags \(flags)")
        }
        // Two folders out of the order of their bytes ("courts" and "search" have six bytes each).
        var swapped = body
        let courts = 8 + 4 + 4
        swapped.replaceSubrange(courts..<(courts + 6), with: Array("search".utf8))
        swapped.replaceSubrange((courts + 10)..<(courts + 16), with: Array("courts".utf8))
        #expect(try reads(swapped) == nil, "folders out of order")
        var twice = body
        twice.replaceSubrange((courts + 10)..<(courts + 16), with: Array("courts".utf8))
        #expect(try reads(twice) == nil, "a folder twice")
        var invalid = body
        invalid.replaceSubrange((courts + 10)..<(courts + 16), with: [0xFF, 0x73, 0x65, 0x61, 0x72, 0x63])
        #expect(try reads(invalid) == nil, "a path that is not UTF-8")
    }

    /// Two manifests name the same files exactly when their paths match line for line: a hash
    /// changed is the same files; a file added, gone, renamed or a damaged line is not.
    @Test func manifestsNameTheSameFilesOnlyLineForLine() {
        let site: PathTable<UInt64> = ["index.html": 1, "courts/a/index.html": 2, "courts/a/notices/n/index.html": 3, "search/docs-0.js": 4]
        let manifest = OutputWriter.manifest(site)
        #expect(OutputWriter.nameTheSameFiles(manifest, manifest))
        #expect(OutputWriter.nameTheSameFiles(manifest, OutputWriter.manifest(site.mapValues { $0 &+ 99 })))
        var added = site, gone = site, renamed = site
        added["courts/a/notices/m/index.html"] = 5
        gone["courts/a/index.html"] = nil
        renamed["courts/a/notices/n/index.html"] = nil
        renamed["courts/a/notices/o/index.html"] = 3
        for other in [added, gone, renamed] {
            #expect(!OutputWriter.nameTheSameFiles(manifest, OutputWriter.manifest(other)))
            #expect(!OutputWriter.nameTheSameFiles(OutputWriter.manifest(other), manifest))
        }
        var damaged = manifest
        damaged.append(contentsOf: Array("search/docs-0.js".utf8))
        #expect(!OutputWriter.nameTheSameFiles(damaged, manifest))
        #expect(!OutputWriter.nameTheSameFiles(Array(manifest.dropLast()), manifest + [0x0A]))
        #expect(!OutputWriter.nameTheSameFiles([], manifest))
        // A line without a hash names its path all the same, and a last line break is no line; a
        // path that only starts like another's is not it.
        let bare = Array("gavel-manifest 1\nindex.html\nsearch/docs-0.js\t4".utf8)
        #expect(OutputWriter.nameTheSameFiles(bare, Array("gavel-manifest 1\nindex.html\t1f\nsearch/docs-0.js\n".utf8)))
        #expect(OutputWriter.nameTheSameFiles(bare, Array("gavel-manifest 1\nindex.html\t1f\nsearch/docs-0.js".utf8)))
        #expect(!OutputWriter.nameTheSameFiles(bare, Array("gavel-manifest 1\nindex.htm\t1f\nsearch/docs-0.js".utf8)))
        #expect(!OutputWriter.nameTheSameFiles(bare, Array("gavel-manifest 1\nindex.html\t1f\nsearch/docs-0.jss\t4".utf8)))
    }

    /// A manifest in the plan's order is made in parts, one per core, each into its place in one buffer
    /// (hashes of every length of hex, from "0" up): it is the manifest made line by line in sorted
    /// order. An order that does not name exactly the files is not used.
    @Test func aManifestMadeInPartsIsTheWholeSortedManifest() {
        var site: PathTable<UInt64> = [:]
        for n in 0..<10_000 { site["courts/c\(n % 37)/notices/n\(n)/index.html"] = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 }
        let sorted = site.keys.sorted()
        let whole = OutputWriter.manifest(site)
        #expect(OutputWriter.manifest(site, order: sorted) == whole)
        let lines = String(decoding: whole, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2 + site.count)
        #expect(lines.dropFirst(2).map { String($0.split(separator: "\t")[0]) } == sorted)
        var other = sorted
        other[5_000] = "courts/elsewhere/index.html"
        #expect(OutputWriter.manifest(site, order: other) == whole)
        #expect(OutputWriter.manifest(site, order: Array(sorted.dropLast())) == whole)
    }
}

extension TreeRecord {
    /// Each tree's folders as a table, to compare with what a test expects.
    func table(_ tree: Tree) -> PathTable<FolderStamp> {
        var table: PathTable<FolderStamp> = [:]
        for (folder, stamp) in zip(folders, tree.stamps) { if let stamp { table[folder] = stamp } }
        return table
    }
}
