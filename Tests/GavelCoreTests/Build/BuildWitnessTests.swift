import Foundation
import Synchronization
import Testing
@testable import GavelCore

/// A build that would change nothing answers from the witness the last build left, and anything
/// that would change a byte of the site (content, templates, options, the clock, Output itself)
/// makes it build instead.
@Suite struct BuildWitnessTests {
    /// Builds and tells whether the answer came from the witness.
    static func build(_ options: BuildOptions) async throws -> (result: SiteBuild.Result, fromWitness: Bool) {
        let steps = Mutex<[String]>([])
        var observed = options
        observed.stepObserver = { step in steps.withLock { $0.append(step) } }
        let result = try await SiteBuild(options: observed).run(write: true)
        return (result, steps.withLock { $0.contains("unchanged") })
    }

    /// Builds until the witness answers, after a pause longer than a clock tick so what was just
    /// written is older than the next build's mark.
    static func settle(_ options: BuildOptions) async throws {
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(30))
            if try await build(options).fromWitness { return }
        }
        Issue.record("the witness never answered")
    }

    /// An input's record holds exactly when its file still has the recorded stamp, taken before the
    /// marker: a stamp kept, a file changed, gone, touched or replaced, a path with a tab or not
    /// ASCII, and a root, stamped through a link to it.
    @Test func anInputRecordHoldsExactlyWhenItsFileStillHasItsStamp() throws {
        let dir = try TestPaths.temporaryDirectory()
        let file = dir.appendingPathComponent("n.md"), other = dir.appendingPathComponent("é\tü.md"), link = dir.appendingPathComponent("root")
        try Data("notice".utf8).write(to: file)
        try Data("other".utf8).write(to: other)
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: dir.path)
        let stamp = try #require(NoticeIndex.Stamp.of(file.path)), otherStamp = try #require(NoticeIndex.Stamp.of(other.path))
        let rootStamp = NoticeIndex.Stamp(try #require(FileIO.status(dir.path)))
        let later = stamp.changed &* 1_000_000_000 &+ stamp.changedNanoseconds + 1
        var moved = stamp, touched = stamp, replaced = stamp
        moved.size += 1
        touched.nanoseconds += 1
        replaced.inode += 1
        let inputs: [(BuildWitness.Input, Bool)] = [
            (.init(path: file.path, stamp: stamp), true), (.init(path: file.path, stamp: moved), false), (.init(path: file.path + "-gone", stamp: stamp), false),
            (.init(path: file.path, stamp: touched), false), (.init(path: file.path, stamp: replaced), false), (.init(path: other.path, stamp: otherStamp), true),
            // A root is stamped through the link that names it; anything else is the link itself.
            (.init(path: link.path, stamp: rootStamp, isRoot: true), true), (.init(path: link.path, stamp: rootStamp), false),
        ]
        // The witness beside an Output elsewhere: written into `dir`, it would move the folder's stamp.
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        let witness = BuildWitness(options: 1, marker: 2, zones: [:], goLives: [:], inputs: inputs.map(\.0), manifest: stamp, files: 1)
        try witness.file(for: output).place()
        let records = try #require(BuildWitness.load(for: output)).inputRecords
        #expect(records.count == inputs.count)
        for marker in [later, later - 1, Int64.max] {
            var path: [UInt8] = []
            for (i, (input, kept)) in inputs.enumerated() {
                // A kept stamp is the file's own: it holds when it was taken before the marker.
                let expected = kept && input.stamp.changed &* 1_000_000_000 &+ input.stamp.changedNanoseconds < marker
                #expect(records.holds(i, marker: marker, path: &path) == expected, "\(input.path) at \(marker)")
            }
        }
    }

    /// The witness's records that pass the checksum but are not what it writes (cut short, counts
    /// or lengths past the end, a kind or flag that is neither, bytes left over) read as no witness,
    /// and its first input's quick look never traps on them.
    @Test func aMalformedBodyWithAGoodChecksumReadsAsNoWitness() throws {
        let dir = try TestPaths.temporaryDirectory()
        let file = dir.appendingPathComponent("n.md")
        try Data("notice".utf8).write(to: file)
        let stamp = try #require(NoticeIndex.Stamp.of(file.path))
        let witness = BuildWitness(options: 1, marker: 2, zones: ["UTC": "2026-12-07"], goLives: [5: true],
                                   inputs: [.init(path: file.path, stamp: stamp)], manifest: stamp, files: 1)
        let output = dir.appendingPathComponent("Output")
        try witness.file(for: output).place()
        let location = BuildWitness.location(for: output)
        let parts = try StateFileParts(location.path), body = parts.body
        func reads(_ body: [UInt8]) throws -> Bool {
            try parts.write(body, to: location.path)
            _ = BuildWitness.newestInputMoved(for: output)
            return BuildWitness.load(for: output) != nil
        }
        #expect(try reads(body), "the body as written")
        #expect(!BuildWitness.newestInputMoved(for: output), "its one input has not moved")
        for cut in 0..<body.count { #expect(try !reads(Array(body.prefix(cut))), "cut to \(cut) bytes") }
        #expect(try !reads(body + [0]), "a byte left over")
        // The zones' count, the zone ("UTC") and its date, the go-lives' count, the instant, its flag,
        // the manifest's stamp, the inputs' count, then the input's kind.
        let goLiveFlag = 4 + (4 + 3) + (4 + 10) + 4 + 8, inputCount = goLiveFlag + 1 + 48, kind = inputCount + 8
        func changed(_ offset: Int, _ bytes: [UInt8]) -> [UInt8] {
            var b = body
            b.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
            return b
        }
        #expect(try reads(changed(goLiveFlag, [0])), "the go-live not passed, another real witness")
        #expect(try !reads(changed(goLiveFlag, [2])), "a go-live flag neither 0 nor 1")
        #expect(try !reads(changed(inputCount, [2])), "two inputs counted, one there")
        #expect(try !reads(changed(inputCount, [0])), "no inputs")
        #expect(try !reads(changed(inputCount, [0, 0, 0, 0, 0, 0, 0, 0x40])), "a count of 2^62")
        #expect(try reads(changed(kind, [1])), "a root, another real witness")
        #expect(try !reads(changed(kind, [2])), "a kind neither 0 nor 1")
        #expect(try !reads(changed(0, [0xFF, 0xFF, 0xFF, 0x0F])), "a zones' count past the end")
        // A witness as text lines, as Gavel wrote them before: read as records, it is none, and the
        // quick look at its first input (made before the identity is checked) does not trap on it.
        let text = "z\tUTC\t2026-12-07\ng\t5\t1\nm\t6\t1\t2\t3\t4\t5\ni\t\(file.path)\t6\t1\t2\t3\t4\t5\n"
        #expect(try !reads(Array(text.utf8)), "a text witness")
    }

    /// The records of inputs a build makes ahead, while its commit runs, are the records the witness
    /// makes itself: the two files are the same bytes, and read back. An input given as its folder
    /// and its name (a listed notice) is recorded as its whole path is.
    @Test func inputRecordsMadeAheadAreTheWitnesssOwn() throws {
        let dir = try TestPaths.temporaryDirectory()
        let file = dir.appendingPathComponent("n.md")
        try Data("notice".utf8).write(to: file)
        let stamp = try #require(NoticeIndex.Stamp.of(file.path))
        let whole = [BuildWitness.Input(path: dir.path, stamp: stamp, isRoot: true), BuildWitness.Input(path: file.path, stamp: stamp),
                     BuildWitness.Input(path: dir.path + "/tab\there é", stamp: stamp)]
        let inputsBySplit = [whole[0], BuildWitness.Input(folder: dir.path, name: "n.md", stamp: stamp),
                             BuildWitness.Input(folder: dir.path, name: "tab\there é", stamp: stamp)]
        #expect(inputsBySplit == whole && inputsBySplit.map(\.description) == whole.map(\.description))
        #expect(BuildWitness.records(of: inputsBySplit) == BuildWitness.records(of: whole))
        var files: [Data] = []
        for (name, inputs, made) in [("itself", whole, nil), ("ahead", whole, BuildWitness.records(of: whole)), ("split", inputsBySplit, nil),
                                     ("split ahead", inputsBySplit, BuildWitness.records(of: inputsBySplit))] as [(String, [BuildWitness.Input], [UInt8]?)] {
            let output = dir.appendingPathComponent(name).appendingPathComponent("Output")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            var witness = BuildWitness(options: 1, marker: 2, zones: ["America/Chicago": "2026-12-06"], goLives: [5: true], inputs: inputs,
                                       manifest: stamp, files: 3)
            witness.madeInputRecords = made
            try witness.file(for: output).place()
            files.append(try Data(contentsOf: BuildWitness.location(for: output)))
            let loaded = try #require(BuildWitness.load(for: output))
            #expect(loaded.files == 3 && loaded.manifest == stamp && loaded.zones == witness.zones && loaded.goLives == witness.goLives)
            #expect(loaded.inputRecords.count == inputs.count)
            var path: [UInt8] = []
            // The notice's record names its file (with its stamp); the last names no file there is.
            #expect(loaded.inputRecords.holds(1, marker: .max, path: &path) && !loaded.inputRecords.holds(2, marker: .max, path: &path), "\(name)")
        }
        #expect(Set(files).count == 1)
    }

    /// The scan takes each notices folder as the load listed it, with the stamps the load took: its
    /// inputs are exactly those of a scan that reads and stamps everything, whatever else is in such
    /// a folder (a file that is not a notice, a folder with more inside, a hidden file), whether the
    /// load read the notices or found them in the last build's index.
    /// Inputs go newest first by change time, and those changed in the same tick (most of a site
    /// written at once) keep the order they were found in.
    @Test func inputsAreNewestFirstWithTiesInTheirOrder() {
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 7, 500] {
            let inputs = (0..<count).map { i in
                BuildWitness.Input(path: "f\(i)", stamp: NoticeIndex.Stamp(size: 1, seconds: 0, nanoseconds: 0, inode: UInt64(i),
                                                                          changed: Int64.random(in: 0...3, using: &generator),
                                                                          changedNanoseconds: Int64.random(in: 0...2, using: &generator)))
            }
            let expected = inputs.enumerated().sorted { a, b in
                let x = (a.element.stamp.changed, a.element.stamp.changedNanoseconds), y = (b.element.stamp.changed, b.element.stamp.changedNanoseconds)
                return x != y ? x > y : a.offset < b.offset
            }.map(\.element)
            #expect(BuildWitness.newestFirst(inputs) == expected, "\(count) inputs")
        }
    }

    @Test func aScanOfTheLoadsListingsIsAScanOfEverything() async throws {
        let (dir, content, _) = try OutputContractTests.copy()
        let notices = content.appendingPathComponent("courts/vtd/notices")
        try FileManager.default.createDirectory(at: notices.appendingPathComponent("images/deep"), withIntermediateDirectories: true)
        for (path, text) in [("notes.txt", "n"), ("images/seal.txt", "s"), ("images/deep/x.txt", "x"), (".hidden", "h")] {
            try Data(text.utf8).write(to: notices.appendingPathComponent(path))
        }
        let roots = [content, try Self.templatesCopy(in: dir)]
        let device = UInt64(try #require(FileIO.status(content.path)).st_dev)
        // Older than two seconds, so the first load's notices are indexed for the second.
        try await Task.sleep(for: .milliseconds(2200))
        var previous: NoticeIndex?
        for pass in ["read", "indexed"] {
            let loader = ContentLoader(root: content, displayRoot: "Content", indexing: true, previous: previous)
            var bag = DiagnosticBag()
            #expect(await loader.load(bag: &bag) != nil && !bag.hasErrors, "\(pass)")
            let listings = loader.log.listings.withLock { $0 }
            let listed = try #require(listings["courts/vtd/notices"])
            #expect(listed.names.contains("images") && listed.names.contains("notes.txt") && !listed.names.contains(".hidden"), "\(pass)")
            #expect(listed.stamps.contains { $0 != nil } && listed.stamps.contains { $0 == nil }, "\(pass)")
            let fromListings = try #require(BuildWitness.scan(roots, device: device, listed: listings))
            let walked = try #require(BuildWitness.scan(roots, device: device))
            // Told as what one has and the other has not: the whole lists are long.
            let difference = Set(fromListings.map { "\($0)" }).symmetricDifference(walked.map { "\($0)" })
            #expect(difference.isEmpty && fromListings.count == walked.count, "\(pass): \(difference.sorted())")
            #expect(walked.contains { $0.path.hasSuffix("/images/deep/x.txt") }, "\(pass)")
            previous = loader.log.notices.withLock { $0 }
            if pass == "read" { #expect(previous?.count ?? 0 > 0) }
        }
    }

    /// A file in a folder inside a notices folder is an input too (the load lists the notices folder,
    /// not what is below it): edited, the build does not answer from the witness.
    @Test func aFileInAFolderInANoticesFolderIsWitnessed() async throws {
        let (_, content, options) = try OutputContractTests.copy()
        let deep = content.appendingPathComponent("courts/vtd/notices/images/deep")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        let file = deep.appendingPathComponent("x.txt")
        try Data("x".utf8).write(to: file)
        _ = try await SiteBuild(options: options).run(write: true)
        try await Self.settle(options)
        try Data("y".utf8).write(to: file)
        #expect(try await !Self.build(options).fromWitness)
    }

    static func templatesCopy(in dir: URL) throws -> URL {
        let templates = dir.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: TestPaths.templates, to: templates)
        return templates
    }

    @Test func aBuildThatChangesNothingAnswersFromTheWitness() async throws {
        let (_, _, options) = try OutputContractTests.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        try await Self.settle(options)
        let tree = OutputContractTests.tree(options.output)
        let (result, fromWitness) = try await Self.build(options)
        #expect(fromWitness)
        #expect(result.written?.written == 0 && result.written?.unchanged == result.files.count)
        #expect(result.files.count == tree.keys.filter { !$0.hasSuffix("/") && $0 != OutputWriter.manifestName }.count)
        #expect(OutputContractTests.tree(options.output) == tree)
    }

    /// A build from nothing leaves a witness as any other does: with nothing changed since, the next
    /// build answers from it and Output stays as it was.
    @Test func aBuildFromNothingLeavesAWitness() async throws {
        let (_, _, options) = try OutputContractTests.copy()
        // The content's stamps must be older than the first build's mark to be vouched for.
        try await Task.sleep(for: .milliseconds(30))
        #expect(FileIO.kind(options.output.path) == .missing)
        _ = try await SiteBuild(options: options).run(write: true)
        #expect(FileIO.kind(BuildWitness.location(for: options.output).path) == .file)
        let tree = OutputContractTests.tree(options.output)
        try await Task.sleep(for: .milliseconds(30))
        let (result, fromWitness) = try await Self.build(options)
        #expect(fromWitness)
        #expect(result.written?.written == 0)
        #expect(OutputContractTests.tree(options.output) == tree)
    }

    /// Each change below would change the site: the witness must not answer, and the build that
    /// runs instead gives the full build's tree.
    @Test func anythingThatChangesTheSiteIsBuilt() async throws {
        let (dir, content, base) = try OutputContractTests.copy()
        var options = base
        options.templates = try Self.templatesCopy(in: dir)
        let changes: [(String, (inout BuildOptions) throws -> Void)] = [
            ("a notice edited", { _ in try OutputContractTests.edit(content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")) { $0 + "\nEdited.\n" } }),
            ("a notice added", { _ in
                try Data("---\ntitle: Added\ndate: \"2020-03-01\"\n---\nNew.\n".utf8).write(to: content.appendingPathComponent("courts/vtd/notices/added.md"))
            }),
            ("a notice removed", { _ in try FileManager.default.removeItem(at: content.appendingPathComponent("courts/vtd/notices/added.md")) }),
            ("a template edited", { options in
                let layout = try #require(options.templates).appendingPathComponent("layout.mustache")
                try OutputContractTests.edit(layout) { $0.replacingOccurrences(of: "</body>", with: "<!-- edited --></body>") }
            }),
            ("a template added", { options in
                try Data("/* seal */".utf8).write(to: try #require(options.templates).appendingPathComponent("assets/seal.css"))
            }),
            ("an option changed", { $0.offline = true }),
            ("the base URL changed", { $0.baseURL = "https://example.gov/nextgen/" }),
            ("a new day in every court", { $0.now = Instant(parsing: "2020-03-21T12:00:00Z")! }),
            // 04:30Z is after midnight in New York, still the evening before in Chicago and Denver.
            ("midnight in one court's zone", { $0.now = Instant(parsing: "2020-03-21T03:30:00Z")! }),
            ("", { $0.now = Instant(parsing: "2020-03-21T04:30:00Z")! }),
            // The Tenth Circuit goes live at 09:00 in Denver, 15:00Z, the same day everywhere.
            ("before a go-live", { $0.now = Instant(parsing: "2020-09-14T14:59:30Z")! }),
            ("after a go-live", { $0.now = Instant(parsing: "2020-09-14T15:00:30Z")! }),
            ("a page of the site edited in Output", { options in
                let page = options.output.appendingPathComponent("courts/vtd/index.html")
                try Data("changed by hand".utf8).write(to: page)
            }),
            ("a file of the site deleted from Output", { options in
                try FileManager.default.removeItem(at: options.output.appendingPathComponent("sitemap.xml"))
            }),
            ("the manifest edited", { options in
                let manifest = options.output.appendingPathComponent(OutputWriter.manifestName)
                try OutputContractTests.edit(manifest) { $0 + "# a note\n" }
            }),
        ]
        _ = try await SiteBuild(options: options).run(write: true)
        for (name, change) in changes {
            try await Self.settle(options)
            try change(&options)
            let (_, fromWitness) = try await Self.build(options)
            // The first of the pair around New York's midnight only moves the clock to set up the second.
            if !name.isEmpty { #expect(!fromWitness, "\(name): the witness answered") }
            #expect(OutputContractTests.tree(options.output) == (try await OutputContractTests.fullBuild(options, in: dir)), "\(name)")
        }
    }

    /// The file edited last is the witness's first input: edited again, that line alone tells the
    /// build it cannot end on the witness (`newestInputMoved`), before the rest is read; with
    /// nothing edited it tells nothing, and the whole witness decides.
    @Test func theFileEditedLastIsCheckedFirst() async throws {
        let (dir, content, options) = try OutputContractTests.copy()
        let notice = content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")
        _ = try await SiteBuild(options: options).run(write: true)
        try OutputContractTests.edit(notice) { $0 + "\nEdited once.\n" }
        try await Self.settle(options)
        #expect(!BuildWitness.newestInputMoved(for: options.output))
        #expect(try await Self.build(options).fromWitness)

        try OutputContractTests.edit(notice) { $0 + "\nEdited twice.\n" }
        #expect(BuildWitness.newestInputMoved(for: options.output))
        let (_, fromWitness) = try await Self.build(options)
        #expect(!fromWitness)
        #expect(OutputContractTests.tree(options.output) == (try await OutputContractTests.fullBuild(options, in: dir)))
    }

    /// A witness that is damaged or from another Gavel is not trusted.
    @Test func aDamagedWitnessMeansABuild() async throws {
        let (dir, _, options) = try OutputContractTests.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        try await Self.settle(options)
        let location = BuildWitness.location(for: options.output)
        let good = try Data(contentsOf: location)
        var flipped = [UInt8](good)
        flipped[flipped.count - 5] ^= 0x01
        var foreign = String(decoding: good, as: UTF8.self)
        foreign = foreign.replacingOccurrences(of: GavelVersion.identity, with: "0.0.1+0123456789abcdef")
        for (name, bytes) in [("empty", Data()), ("truncated", good.prefix(good.count / 2)), ("a flipped byte", Data(flipped)), ("another Gavel's", Data(foreign.utf8))] {
            try bytes.write(to: location)
            let (_, fromWitness) = try await Self.build(options)
            #expect(!fromWitness, "\(name) witness answered")
            #expect(OutputContractTests.tree(options.output) == (try await OutputContractTests.fullBuild(options, in: dir)))
            try await Self.settle(options)
        }
    }

    /// The witness checks Output against the render cache's stamps: with the cache damaged or gone
    /// beside a good witness, the build runs (and gives the full build's tree) rather than answer.
    @Test func aDamagedRenderCacheBesideAGoodWitnessMeansABuild() async throws {
        let (dir, _, options) = try OutputContractTests.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        try await Self.settle(options)
        let cache = BuildCache.location(for: options.output)
        let good = try Data(contentsOf: cache)
        var flipped = [UInt8](good)
        flipped[flipped.count - 3] ^= 0x01
        for (name, bytes) in [("empty", Data?.some(Data())), ("a flipped byte", Data(flipped)), ("gone", nil)] {
            if let bytes { try bytes.write(to: cache) } else { try FileManager.default.removeItem(at: cache) }
            let (_, fromWitness) = try await Self.build(options)
            #expect(!fromWitness, "the witness answered with the cache \(name)")
            #expect(OutputContractTests.tree(options.output) == (try await OutputContractTests.fullBuild(options, in: dir)))
            try await Self.settle(options)
        }
    }
}
