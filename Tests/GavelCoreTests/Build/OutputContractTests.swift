import Foundation
import Synchronization
import Testing
@testable import GavelCore

/// SPEC section 6, "Output is the court's", inside one process: files Gavel did not write, state that
/// is missing, corrupted or another version's, symbolic links, and an edit made during a build.
@Suite struct OutputContractTests {
    /// Every entry under `root` (files with their bytes, links with their targets, folders), without
    /// following links.
    static func tree(_ root: URL) -> [String: String] {
        var out: [String: String] = [:]
        let (files, folders) = FileIO.walk(root.path)
        for folder in folders { out[folder + "/"] = "folder" }
        for file in files {
            let path = root.path + "/" + file
            switch FileIO.kind(path) {
            case .symbolicLink: out[file] = "link -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
            default: out[file] = FileIO.read(path).map { "\($0.count) bytes \(ContentHash.of($0))" } ?? "unreadable"
            }
        }
        return out
    }

    /// A writable copy of the example content and an options value building it into `<dir>/Output`.
    static func copy() throws -> (dir: URL, content: URL, options: BuildOptions) {
        let dir = try TestPaths.temporaryDirectory()
        let content = dir.appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        var options = TestPaths.exampleOptions(output: dir.appendingPathComponent("Output"))
        options.content = content
        return (dir, content, options)
    }

    /// The same content built from nothing, into a folder of its own.
    static func fullBuild(_ options: BuildOptions, in dir: URL) async throws -> [String: String] {
        var fresh = options
        fresh.output = dir.appendingPathComponent("Fresh-\(UUID().uuidString)")
        _ = try await SiteBuild(options: fresh).run(write: true)
        return tree(fresh.output)
    }

    static func edit(_ file: URL, _ change: (String) -> String) throws {
        let text = try String(contentsOf: file, encoding: .utf8)
        try change(text).write(to: file, atomically: true, encoding: .utf8)
    }

    // MARK: - Foreign files

    /// A gh-pages checkout as Output: its `.git/`, `CNAME`, `.nojekyll` and a folder the court keeps
    /// there survive every build, with and without Gavel's state, unchanged to the byte and inode.
    @Test(arguments: [true, false])
    func aDeploymentCheckoutKeepsEverythingGavelDidNotWrite(withState: Bool) async throws {
        let (dir, content, options) = try Self.copy()
        let out = options.output
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".git/objects/ab"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".git/refs/tags"), withIntermediateDirectories: true)
        try Data("ref: refs/heads/gh-pages\n".utf8).write(to: out.appendingPathComponent(".git/HEAD"))
        try Data([0, 1, 2, 3]).write(to: out.appendingPathComponent(".git/objects/ab/cdef"))
        try Data("nextgen.example.gov\n".utf8).write(to: out.appendingPathComponent("CNAME"))
        try Data().write(to: out.appendingPathComponent(".nojekyll"))
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: out.appendingPathComponent(".git/refs").path)
        _ = try await SiteBuild(options: options).run(write: true)
        // The court adds its own folder to the built site.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("downloads/forms"), withIntermediateDirectories: true)
        try Data("%PDF-1.4".utf8).write(to: out.appendingPathComponent("downloads/forms/ecf-registration.pdf"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent("courts/wiwb/local-rules"), withIntermediateDirectories: true)
        let foreign = [".git/HEAD", ".git/objects/ab/cdef", "CNAME", ".nojekyll", "downloads/forms/ecf-registration.pdf"]
        let before = Self.tree(out).filter { entry in foreign.contains(entry.key) }
        let inode = try #require(FileIO.status(out.appendingPathComponent("CNAME").path)).st_ino

        // A notice goes away and one changes: the build removes and rewrites its own files only.
        try FileManager.default.removeItem(at: content.appendingPathComponent("courts/vtd/notices/training-webinar.md"))
        try Self.edit(content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")) { $0 + "\nAnother paragraph.\n" }
        if !withState { BuildState.drop(for: out) }
        let result = try await SiteBuild(options: options).run(write: true)
        #expect(result.written?.removed == 1)
        #expect((result.written?.kept ?? 0) == foreign.count)

        let after = Self.tree(out)
        for path in foreign { #expect(after[path] == before[path], "\(path) changed") }
        #expect(after[".git/refs/tags/"] == "folder", "an empty folder of the court's is kept")
        #expect(after["courts/wiwb/local-rules/"] == "folder")
        #expect(try #require(FileIO.status(out.appendingPathComponent("CNAME").path)).st_ino == inode)
        #expect(try #require(FileIO.status(out.appendingPathComponent(".git/refs").path)).st_mode & 0o777 == 0o700)
        // Apart from the court's files, Output is exactly what a full build makes.
        let full = try await Self.fullBuild(options, in: dir)
        let ours = after.filter { entry in !foreign.contains(entry.key) && !entry.key.hasPrefix(".git/") && !entry.key.hasPrefix("downloads/")
            && entry.key != "courts/wiwb/local-rules/" }
        #expect(ours == full)
    }

    /// A file of the court's where the site puts one is never replaced: the build stops, naming it.
    @Test func aFileOfTheCourtsWhereTheSitePutsOneIsAnError() async throws {
        let (_, content, options) = try Self.copy()
        let out = options.output
        _ = try await SiteBuild(options: options).run(write: true)
        // The court keeps its own contact page in the built site; later the content gains one too.
        try FileManager.default.createDirectory(at: out.appendingPathComponent("contact"), withIntermediateDirectories: true)
        try Data("<p>Our own page</p>".utf8).write(to: out.appendingPathComponent("contact/index.html"))
        try Data("---\ntitle: Contact\n---\nCall us.\n".utf8).write(to: content.appendingPathComponent("pages/contact.md"))
        let before = Self.tree(out)
        // The state is made while the commit runs, but written only once it succeeded.
        let cacheBefore = try Data(contentsOf: BuildCache.location(for: out))
        do {
            _ = try await SiteBuild(options: options).run(write: true)
            Issue.record("the build replaced a file it did not write")
        } catch {
            let messages = error.diagnostics.map { "\($0.location.file): \($0.message)" }
            #expect(messages == [out.path + "/contact/index.html: a file that Gavel did not write is where the site puts 'contact/index.html'"])
        }
        #expect(Self.tree(out) == before, "Output is unchanged")
        #expect(try Data(contentsOf: BuildCache.location(for: out)) == cacheBefore, "the cache still describes the site Output holds")
    }

    // MARK: - State

    /// Damaged state is ignored, never trusted and never a crash: every build gives the full build's tree.
    @Test func corruptedStateIsIgnored() async throws {
        let (dir, content, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        try Self.edit(content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")) { $0 + "\nChanged.\n" }
        let full = try await Self.fullBuild(options, in: dir)
        let files = [BuildCache.location(for: options.output), NoticeIndex.location(for: options.output), SkeletonFile.location(for: options.output)]
        let originals = try files.map { try Data(contentsOf: $0) }
        var random = SystemRandomNumberGenerator()
        var damages: [(String, (inout [UInt8]) -> Void)] = [
            ("empty", { $0 = [] }),
            ("truncated", { $0 = Array($0.prefix($0.count / 2)) }),
            ("huge numbers", { bytes in
                let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\t1", with: "\tffffffffffffffff")
                bytes = Array(text.utf8)
            }),
            ("binary", { $0 = (0..<4096).map { _ in UInt8.random(in: 0...255) } }),
        ]
        for i in 0..<6 {
            damages.append(("flipped byte \(i)", { bytes in
                guard !bytes.isEmpty else { return }
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes[at] ^= 0x20
            }))
        }
        for (name, damage) in damages {
            for (file, original) in zip(files, originals) {
                var bytes = [UInt8](original)
                damage(&bytes)
                try Data(bytes).write(to: file)
            }
            _ = try await SiteBuild(options: options).run(write: true)
            #expect(Self.tree(options.output) == full, "state damaged (\(name)) changed the output")
        }
    }

    /// State written by another Gavel (here: the same file claiming another identity) is not trusted:
    /// a page changed by hand with its size and time put back is written again.
    @Test func stateFromAnotherVersionIsIgnored() async throws {
        let (dir, _, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        let cache = BuildCache.location(for: options.output)
        // The header is text; the body after it is kept byte for byte.
        let file = try [UInt8](Data(contentsOf: cache))
        let newline = try #require(file.firstIndex(of: 0x0A))
        let fields = String(decoding: file[..<newline], as: UTF8.self).split(separator: " ")
        let header = ([fields[0], "0.0.1+0123456789abcdef"] + fields.dropFirst(2)).joined(separator: " ")
        try Data(Array(header.utf8) + file[newline...]).write(to: cache)
        let page = options.output.appendingPathComponent("courts/wiwb/index.html").path
        let info = try #require(FileIO.status(page))
        var bytes = try #require(FileIO.read(page))
        bytes[bytes.count - 2] ^= 0x01
        let fd = open(page, O_WRONLY)
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        var times = [info.st_atim, info.st_mtim]
        futimens(fd, &times)
        close(fd)
        let result = try await SiteBuild(options: options).run(write: true)
        #expect(result.written?.written == 1)
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// An edit saved while a build runs (after the content was read, before the inputs are stamped
    /// for the witness) is never recorded against pages made from the old bytes: the next build makes
    /// the pages of the new bytes, neither its cache nor its witness vouching for them.
    @Test func anEditDuringABuildIsBuiltNextTime() async throws {
        let (dir, content, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        let step = content.appendingPathComponent("steps/know-cmecf-login.md")
        var during = options
        let edited = Mutex(false)
        during.stepObserver = { name in
            guard name == "load" else { return }
            try? Self.edit(step) { $0 + "\nEdited while the build ran.\n" }
            edited.withLock { $0 = true }
        }
        // With nothing changed since the first build, the second would end on its witness, before the
        // edit, once the content is older than that build's mark: it must run.
        BuildWitness.remove(for: options.output)
        _ = try await SiteBuild(options: during).run(write: true)
        #expect(edited.withLock { $0 }, "the build ran to the edit")
        let stepPage = options.output.appendingPathComponent("courts/wiwb/steps/know-cmecf-login/index.html")
        #expect(!(try String(contentsOf: stepPage, encoding: .utf8)).contains("Edited while the build ran."), "this build read the old bytes")
        _ = try await SiteBuild(options: options).run(write: true)
        #expect((try String(contentsOf: stepPage, encoding: .utf8)).contains("Edited while the build ran."))
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// The commit takes its first look at Output (the clock marked, the manifest read) while the
    /// content loads; what the court puts into Output after that, while the site is validated or
    /// rendered, is in the new site all the same, and stays in the builds after.
    @Test(arguments: ["validate", "render"])
    func aFileTheCourtAddsWhileABuildRunsIsKept(step: String) async throws {
        let (_, content, options) = try Self.copy()
        let out = options.output
        let notice = content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")
        _ = try await SiteBuild(options: options).run(write: true)
        // The first commit over an Output lists both trees and leaves the record of them.
        try Self.edit(notice) { $0 + "\nEdited.\n" }
        _ = try await SiteBuild(options: options).run(write: true)
        try Self.edit(notice) { $0 + "\nEdited again.\n" }
        var during = options
        during.stepObserver = { name in
            guard name == step else { return }
            try? Data("court's note".utf8).write(to: out.appendingPathComponent("courts/wiwb/note-\(step).txt"))
            try? Data("court's root file".utf8).write(to: out.appendingPathComponent("ROOT-\(step).txt"))
        }
        // Folders stamped in the last commit's clock tick are listed anyway: past it, only a look counts.
        try await Task.sleep(for: .milliseconds(30))
        let result = try await SiteBuild(options: during).run(write: true)
        #expect(result.written?.listedFolders != nil, "the record of the trees was not used")
        for build in 0..<2 {
            #expect(FileIO.read(out.appendingPathComponent("courts/wiwb/note-\(step).txt").path) == Array("court's note".utf8), "build \(build)")
            #expect(FileIO.read(out.appendingPathComponent("ROOT-\(step).txt").path) == Array("court's root file".utf8), "build \(build)")
            try Self.edit(notice) { $0 + "\nEdit \(build).\n" }
            _ = try await SiteBuild(options: options).run(write: true)
        }
    }

    /// State kept in memory between builds (as `gavel serve` keeps it) is used only while the files
    /// beside Output are as the build that kept it left them, and builds with it equal full builds.
    @Test func stateKeptInMemoryIsUsedOnlyWhileItsFilesAreAsLeft() async throws {
        let (dir, content, options) = try Self.copy()
        var kept = options
        kept.memory = BuildMemory()
        kept.usesWitness = false
        let notice = content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")
        _ = try await SiteBuild(options: kept).run(write: true)
        for edit in 1...3 {
            try Self.edit(notice) { $0 + "\nEdit \(edit).\n" }
            _ = try await SiteBuild(options: kept).run(write: true)
            #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)), "edit \(edit)")
        }
        // Kept and untouched: recalled once (it is taken, so a failed build leaves nothing behind).
        let memory = try #require(kept.memory)
        #expect(memory.recall(for: options.output) != nil)
        #expect(memory.recall(for: options.output) == nil)
        // Another build into the same Output rewrites the state: what was kept is not used.
        _ = try await SiteBuild(options: kept).run(write: true)
        try Self.edit(notice) { $0 + "\nEdited by another build.\n" }
        _ = try await SiteBuild(options: options).run(write: true)
        #expect(memory.recall(for: options.output) == nil)
        // A failed build keeps nothing in memory; the next one reads the files and builds right.
        _ = try await SiteBuild(options: kept).run(write: true)
        try Self.edit(notice) { $0.replacingOccurrences(of: "title:", with: "title: [unclosed") }
        await #expect(throws: DiagnosticsError.self) { _ = try await SiteBuild(options: kept).run(write: true) }
        #expect(memory.recall(for: options.output) == nil)
        try Self.edit(notice) { $0.replacingOccurrences(of: "title: [unclosed", with: "title:") }
        _ = try await SiteBuild(options: kept).run(write: true)
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// The private folder of `gavel serve` is trusted (`BuildOptions.trustsOutput`): with the state
    /// kept in memory, its builds take Output and the spare as that state says, without looking at
    /// each file and folder, and still equal full builds through edits, a notice moved by its date,
    /// one added and one removed. Trust needs the kept state: a build that reads its state from disk
    /// looks at every file, and puts back a page changed by hand.
    @Test func aTrustedPrivateFolderBuildsAsFullBuildsAndOnlyWithKeptState() async throws {
        let (dir, content, options) = try Self.copy()
        var trusted = options
        trusted.memory = BuildMemory()
        trusted.usesWitness = false
        trusted.trustsOutput = true
        _ = try await SiteBuild(options: trusted).run(write: true)
        // As serve does after its first build: the spare is filled, so commits after it are by the record.
        var filling = trusted
        filling.makesSpare = true
        _ = try await SiteBuild(options: filling).run(write: true)
        let notices = content.appendingPathComponent("courts/vtd/notices")
        let goLive = notices.appendingPathComponent("nextgen-go-live.md")
        let steps: [(String, () throws -> Void)] = [
            ("a body edited", { try Self.edit(goLive) { $0 + "\nAn added paragraph.\n" } }),
            ("a title edited", { try Self.edit(goLive) { $0.replacingOccurrences(of: "title: \"", with: "title: \"Revised: ") } }),
            ("a notice moved by its date", { try Self.edit(goLive) { $0.replacingOccurrences(of: "date: \"2020-02-03\"", with: "date: \"2019-06-01\"") } }),
            ("a notice added", { try Data("---\ntitle: \"Added\"\ndate: \"2020-03-01\"\n---\nA new notice.\n".utf8).write(to: notices.appendingPathComponent("added.md")) }),
            ("a notice removed", { try FileManager.default.removeItem(at: notices.appendingPathComponent("training-webinar.md")) }),
        ]
        for (step, change) in steps {
            try change()
            _ = try await SiteBuild(options: trusted).run(write: true)
            #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)), "\(step)")
        }
        // A page changed by hand, and the kept state gone (as when another build wrote the state):
        // the next build reads the state from disk, does not trust the folder, and puts the page back.
        // Changed in place: the same inode, which the spare tree shares.
        let page = options.output.appendingPathComponent("faq/index.html")
        let handle = try FileHandle(forWritingTo: page)
        try handle.write(contentsOf: Data("<!-- changed by hand -->".utf8))
        try handle.close()
        _ = try #require(trusted.memory).recall(for: options.output)
        try Self.edit(goLive) { $0 + "\nOne more paragraph.\n" }
        _ = try await SiteBuild(options: trusted).run(write: true)
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// A build told which content files changed (`BuildOptions.changedContent`, from serve's watcher)
    /// takes every other notice from the index it kept in memory without looking at the file: an edit
    /// it is not told of stays unseen while it has that state, and is seen once named, or by a build
    /// whose state came from disk, which looks at every notice whatever it is told.
    @Test func aBuildToldWhatChangedLooksOnlyAtThoseNoticesAndOnlyWithKeptState() async throws {
        let (dir, content, options) = try Self.copy()
        // The index keeps only notices written more than two seconds before the build (see `isSettled`).
        try await Task.sleep(for: .milliseconds(2100))
        var told = options
        told.memory = BuildMemory()
        told.usesWitness = false
        _ = try await SiteBuild(options: told).run(write: true)
        let relative = "courts/vtd/notices/nextgen-go-live.md"
        let notice = content.appendingPathComponent(relative)
        let page = options.output.appendingPathComponent("courts/vtd/notices/nextgen-go-live/index.html")
        func pageShows(_ text: String) throws -> Bool { try String(contentsOf: page, encoding: .utf8).contains(text) }

        try Self.edit(notice) { $0 + "\nFirst unseen edit.\n" }
        told.changedContent = ["courts/vtd/notices/training-webinar.md"]
        _ = try await SiteBuild(options: told).run(write: true)
        #expect(try !pageShows("First unseen edit."), "a notice not named is taken from the kept index")

        // Settled before it is read, so the index (in memory and on disk) has it from here on.
        try await Task.sleep(for: .milliseconds(2100))
        told.changedContent = [relative]
        _ = try await SiteBuild(options: told).run(write: true)
        #expect(try pageShows("First unseen edit."))
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))

        // Without the kept state (dropped, as after another build), what it is told is not enough.
        try Self.edit(notice) { $0 + "\nSecond edit.\n" }
        told.changedContent = []
        _ = try #require(told.memory).recall(for: options.output)
        _ = try await SiteBuild(options: told).run(write: true)
        #expect(try pageShows("Second edit."), "a build with its state from disk stamps every notice")
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// A build that hands its state back (as `gavel serve` does, to reload pages first) holds the
    /// Output's lock until the state is written; then the state is the one a build writes itself.
    @Test func aDeferredStateHoldsTheLockUntilWritten() async throws {
        let (dir, _, options) = try Self.copy()
        var deferring = options
        deferring.defersState = true
        let result = try await SiteBuild(options: deferring).run(write: true)
        let pending = try #require(result.pendingState)
        #expect(FileIO.kind(BuildCache.location(for: options.output).path) == .missing)
        await #expect(throws: DiagnosticsError.self) { _ = try await SiteBuild(options: options).run(write: true) }
        await pending.write()
        #expect(BuildCache.load(for: options.output) != nil)
        let again = try await SiteBuild(options: options).run(write: true)
        #expect(again.written?.written == 0)
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// With and without state, the same input gives the same tree.
    @Test func buildsWithAndWithoutStateGiveTheSameTree() async throws {
        let (dir, content, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        try Self.edit(content.appendingPathComponent("site.yml")) { $0.replacingOccurrences(of: "title: ", with: "title: Renamed ") }
        var without = options
        without.output = dir.appendingPathComponent("Without")
        _ = try await SiteBuild(options: without).run(write: true)
        _ = try await SiteBuild(options: options).run(write: true)
        BuildState.drop(for: without.output)
        _ = try await SiteBuild(options: without).run(write: true)
        #expect(Self.tree(options.output) == Self.tree(without.output))
        #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
    }

    /// A feed lists a court's (or the site's) newest notices, and is kept while those are: an edit to
    /// an older notice leaves its input as it was, one that brings a notice into the feed, changes a
    /// listed one or removes it does not, and every rebuild is the tree a full build makes.
    @Test func aFeedIsKeptWhileTheNoticesItListsAre() async throws {
        let (dir, content, options) = try Self.copy()
        let notices = content.appendingPathComponent("courts/wiwb/notices")
        // Sixty notices a day apart, from 2019-01-01: the ten oldest are in no feed.
        for day in 0..<60 {
            let date = String(format: "2019-%02d-%02d", 1 + day / 28, 1 + day % 28)
            try Data("---\ntitle: \"Bulletin \(day)\"\ndate: \"\(date)\"\n---\n\nBulletin number \(day).\n".utf8)
                .write(to: notices.appendingPathComponent("bulletin-\(day).md"))
        }
        func feeds() async throws -> (court: UInt64?, site: UInt64, courtInput: UInt64?) {
            let build = SiteBuild(options: options)
            var bag = DiagnosticBag()
            let model = try #require(await build.prepare(bag: &bag), "\(bag.all)").0
            let cache = SiteRenderer.RenderCache(previous: nil, global: 1, outputRoot: "", model: model)
            let court = try #require(model.courts.firstIndex { $0.court.id == "wiwb" })
            return (cache.feedInput(court: court, model: model), cache.feedInput(court: nil, model: model), cache.courtInputs["wiwb"])
        }
        func rebuildIsFull() async throws {
            _ = try await SiteBuild(options: options).run(write: true)
            #expect(Self.tree(options.output) == (try await Self.fullBuild(options, in: dir)))
        }
        _ = try await SiteBuild(options: options).run(write: true)
        let first = try await feeds()

        try Self.edit(notices.appendingPathComponent("bulletin-3.md")) { $0 + "An older notice, edited.\n" }
        let older = try await feeds()
        #expect(older.court == first.court && older.site == first.site, "an older notice's edit keeps the feeds' inputs")
        #expect(older.courtInput != first.courtInput, "the court's own pages still see it")
        try await rebuildIsFull()

        try Self.edit(notices.appendingPathComponent("bulletin-4.md")) { $0.replacingOccurrences(of: "date: \"2019-01-05\"", with: "date: \"2019-12-31\"") }
        let moved = try await feeds()
        #expect(moved.court != older.court, "a notice brought into the feed changes its input")
        try await rebuildIsFull()

        try Self.edit(notices.appendingPathComponent("bulletin-59.md")) { $0.replacingOccurrences(of: "Bulletin 59", with: "Bulletin fifty-nine") }
        #expect(try await feeds().court != moved.court)
        try await rebuildIsFull()

        try FileManager.default.removeItem(at: notices.appendingPathComponent("bulletin-58.md"))
        try await rebuildIsFull()
    }

    // MARK: - The lock

    @Test func anOutputInFoldersThatDoNotExistYetIsMade() async throws {
        let (dir, _, options) = try Self.copy()
        var nested = options
        nested.output = dir.appendingPathComponent("site/build/Output")
        _ = try await SiteBuild(options: nested).run(write: true)
        #expect(FileIO.kind(nested.output.path + "/index.html") == .file)
    }

    @Test func aSecondBuildStopsNamingTheOneThatHoldsTheOutput() async throws {
        let (_, _, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        let before = Self.tree(options.output)
        let held = try BuildState.lock(options.output).get()
        do {
            _ = try await SiteBuild(options: options).run(write: true)
            Issue.record("a second build ran while the Output was locked")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["another build is writing this folder: gavel (process \(getpid()))"])
        }
        withExtendedLifetime(held) {}
        #expect(Self.tree(options.output) == before)
    }

    // MARK: - Symbolic links

    /// A link planted in Output is never followed: not to write through, nor to read from.
    @Test func linksPlantedInOutputAreNotFollowed() async throws {
        let (dir, content, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("precious".utf8).write(to: outside.appendingPathComponent("file.html"))
        // A page of the site replaced by a link to a file outside, and a link of the court's own.
        let page = options.output.appendingPathComponent("courts/wiwb/notices/how-to-prepare/index.html")
        try FileManager.default.removeItem(at: page)
        try FileManager.default.createSymbolicLink(atPath: page.path, withDestinationPath: outside.appendingPathComponent("file.html").path)
        try FileManager.default.createSymbolicLink(atPath: options.output.appendingPathComponent("elsewhere").path, withDestinationPath: outside.path)
        try Self.edit(content.appendingPathComponent("courts/wiwb/notices/how-to-prepare.md")) { $0 + "\nChanged.\n" }
        _ = try await SiteBuild(options: options).run(write: true)
        #expect(FileIO.read(outside.appendingPathComponent("file.html").path) == Array("precious".utf8))
        #expect(FileIO.kind(page.path) == .file)
        #expect(FileIO.kind(options.output.appendingPathComponent("elsewhere").path) == .symbolicLink)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["file.html"])

        // A link where the site needs a folder stops the build, naming it; nothing outside is touched.
        let courts = options.output.appendingPathComponent("courts/vtd")
        try FileManager.default.removeItem(at: courts)
        try FileManager.default.createSymbolicLink(atPath: courts.path, withDestinationPath: outside.path)
        await #expect(throws: DiagnosticsError.self) { try await SiteBuild(options: options).run(write: true) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["file.html"])

        // Output itself a link: refused.
        let linked = dir.appendingPathComponent("Linked")
        try FileManager.default.createSymbolicLink(atPath: linked.path, withDestinationPath: outside.path)
        var viaLink = options
        viaLink.output = linked
        await #expect(throws: DiagnosticsError.self) { try await SiteBuild(options: viaLink).run(write: true) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["file.html"])
    }

    /// Links in Content/ and Templates/ are located errors, never followed out of the folder.
    @Test func linksInContentAndTemplatesAreLocatedErrors() async throws {
        let (dir, content, options) = try Self.copy()
        let templates = dir.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: TestPaths.templates, to: templates)
        let secret = dir.appendingPathComponent("secret.md")
        try Data("---\ntitle: Secret\ndate: \"2020-03-01\"\n---\nSecret text.\n".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(atPath: content.appendingPathComponent("courts/wiwb/notices/secret.md").path, withDestinationPath: secret.path)
        try FileManager.default.createSymbolicLink(atPath: content.appendingPathComponent("courts/elsewhere").path, withDestinationPath: dir.path)
        try FileManager.default.createSymbolicLink(atPath: templates.appendingPathComponent("assets/seal.svg").path, withDestinationPath: secret.path)
        var linked = options
        linked.templates = templates
        linked.templatesDisplay = "Templates"
        do {
            _ = try await SiteBuild(options: linked).run(write: false)
            Issue.record("links were followed")
        } catch {
            let found = error.diagnostics.map { "\($0.location.file): \($0.message)" }
            #expect(found.contains("\(options.contentDisplay)/courts/wiwb/notices/secret.md: is a symbolic link, which Gavel does not follow"))
            #expect(found.contains("\(options.contentDisplay)/courts/elsewhere: is a symbolic link, which Gavel does not follow"))
            #expect(found.contains("Templates/assets/seal.svg: is a symbolic link, which Gavel does not follow"))
        }
    }
}

/// The page plan is the one list of what a build writes: every rendered file is planned, and every
/// planned file rendered, so reuse, the sitemap, the service worker and the manifest cannot drift.
@Suite struct PagePlanTests {
    /// The manifest's order: paths sorted as bytes when all are ASCII must be String's order, and any
    /// other list is sorted as Strings.
    @Test func pathsSortAsStringsDo() {
        let pieces = ["courts", "/", "-", ".", "_", "a", "A", "z", "Z", "0", "9", "index.html", "n0001", "n001", "~", " ", "!"]
        let others = ["é", "e\u{301}", "Ω", "日本"]
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var paths = (0..<Int.random(in: 0...60, using: &generator)).map { _ in
                (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
            }
            // Strings of up to 15 bytes are stored inline, longer ones not: both kinds, and equal ones.
            paths += paths.prefix(3).map { $0 + String(repeating: "x", count: 20) } + paths.prefix(2)
            if round % 4 == 0 { paths.append(others.randomElement(using: &generator) ?? "é") }
            #expect(PagePlan.sorted(paths) == paths.sorted(), "\(paths)")
        }
    }

    /// The last build's order is taken only when it is this plan's sorted order: given any other
    /// (shuffled, short, long, a place twice or out of range, another plan's), the paths are sorted,
    /// and the result is always the sorted order, byte for byte.
    @Test func aReusedOrderIsTakenOnlyWhenItSorts() {
        let pieces = ["courts", "/", "-", ".", "a", "A", "z", "0", "9", "index.html", "n0001", "n001", "~"]
        let others = ["é", "e\u{301}", "Ω"]
        var generator = SystemRandomNumberGenerator()
        var taken = 0
        for round in 0..<200 {
            var paths: [String] = []
            var seen = Set<[UInt8]>()
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                var path = (0..<Int.random(in: 1...6, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined()
                if round % 4 == 0, Bool.random(using: &generator) { path += others.randomElement(using: &generator) ?? "é" }
                // The plan's paths are distinct as bytes.
                if seen.insert(Array(path.utf8)).inserted { paths.append(path) }
            }
            let sorted = PagePlan.sortedOrder(paths)
            let bytes = { (order: [UInt32]) in order.map { Array(paths[Int($0)].utf8) } }
            var wrong: [[UInt32]] = [sorted.shuffled(using: &generator), Array(sorted.dropLast()), sorted + [0], Array(sorted.reversed())]
            if sorted.count > 1 { wrong.append([sorted[0]] + sorted.dropFirst().dropLast() + [sorted[0]]) }
            wrong.append(sorted.map { $0 &+ 1 })
            let other = paths + ["zz-added"]
            wrong.append(PagePlan.sortedOrder(other))
            if let reused = PagePlan.holds(sorted, for: paths) {
                #expect(reused == sorted)
                taken += 1
            } else {
                // Only canonically equivalent spellings, which String does not order, refuse it.
                #expect(paths.contains { $0.unicodeScalars.contains { $0.value > 0x7F } }, "\(paths)")
            }
            for order in wrong where order != sorted {
                if let reused = PagePlan.holds(order, for: paths) {
                    #expect(bytes(reused) == bytes(sorted), "a wrong order taken: \(paths) \(order)")
                }
            }
        }
        #expect(taken > 150)
    }

    @Test func thePlanIsExactlyTheFilesRendered() async throws {
        let options = TestPaths.exampleOptions(output: try TestPaths.temporaryDirectory().appendingPathComponent("Output"))
        let build = SiteBuild(options: options)
        var bag = DiagnosticBag()
        let (model, theme) = try #require(await build.prepare(bag: &bag))
        let plan = PagePlan(model: model, theme: theme)
        let sink = MemorySink()
        _ = await build.renderer(for: model, theme: theme, plan: plan).render(to: sink)
        #expect(plan.files.map(\.path).sorted() == sink.files.map(\.path))
        #expect(plan.sortedPaths() == sink.files.map(\.path))
        #expect(Set(plan.files.map(\.path)).count == plan.files.count, "no file is planned twice")
        // Each planned file is found by its path (a site-wide one from the plan's table, a court's
        // from its court's files), as itself; a path not planned is not found.
        for file in plan.files {
            let found = plan.file(file.path)
            #expect(found?.path == file.path && found?.kind == file.kind && found?.input == file.input, "\(file.path)")
        }
        #expect(plan.files.contains { $0.kind == .notice } && plan.files.contains { $0.kind == .home })
        for missing in ["courts/nowhere/index.html", "index.htm", "", "courts/"] { #expect(plan.file(missing) == nil, "\(missing)") }
        // The manifest of a real build lists the plan, and nothing else.
        _ = try await build.run(write: true)
        let manifest = try #require(FileIO.read(options.output.path + "/.gavel-manifest"))
        #expect(OutputWriter.paths(inManifest: manifest) == PathSet(plan.files.map(\.path)))
        // The sitemap lists the plan's pages; the service worker its shell.
        let sitemap = try String(contentsOf: options.output.appendingPathComponent("sitemap.xml"), encoding: .utf8)
        for file in plan.files where file.inSitemap { #expect(sitemap.contains(String(file.path.dropLast("index.html".count)) + "</loc>")) }
        let worker = try String(contentsOf: options.output.appendingPathComponent("sw.js"), encoding: .utf8)
        for file in plan.files { #expect(worker.contains("\"\(file.path)\"") == file.inShell, "\(file.path)") }
    }

    /// An Output made before the manifest (it holds the old marker) is taken over: its site files are
    /// replaced, nothing unknown is removed, and the marker gives way to the manifest.
    @Test func anOutputFromBeforeTheManifestIsTakenOver() async throws {
        let (_, _, options) = try OutputContractTests.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        let out = options.output
        try FileManager.default.removeItem(at: out.appendingPathComponent(".gavel-manifest"))
        try Data("This folder is written by gavel build; its files are replaced on every build.\n".utf8).write(to: out.appendingPathComponent(".gavel-output"))
        try Data("old page".utf8).write(to: out.appendingPathComponent("index.html"))
        try Data("gone".utf8).write(to: out.appendingPathComponent("old-page.html"))
        BuildState.drop(for: out)
        let result = try await SiteBuild(options: options).run(write: true)
        #expect(result.written?.removed == 0)
        #expect(FileIO.kind(out.path + "/.gavel-output") == .missing)
        #expect(FileIO.kind(out.path + "/.gavel-manifest") == .file)
        #expect(FileIO.read(out.path + "/old-page.html") == Array("gone".utf8), "not known to be Gavel's, so kept")
        #expect(FileIO.read(out.path + "/index.html") != Array("old page".utf8))
    }
}
