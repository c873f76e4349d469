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

    /// An input's line read where it is gives the answer the line read into cells and Strings gives:
    /// for lines as written (stamp kept, file changed, file gone, stamped after the mark) and for
    /// lines the quick reading leaves to the other (escapes, non-ASCII, a root, cells too few or too
    /// many, digits not lowercase).
    @Test func anInputLineReadInPlaceAnswersAsItsCellsDo() throws {
        let dir = try TestPaths.temporaryDirectory()
        let file = dir.appendingPathComponent("n.md"), other = dir.appendingPathComponent("é.md")
        try Data("notice".utf8).write(to: file)
        try Data("other".utf8).write(to: other)
        let stamp = try #require(NoticeIndex.Stamp.of(file.path))
        let later = stamp.changed &* 1_000_000_000 &+ stamp.changedNanoseconds + 1
        func line(_ letter: String, _ path: String, _ s: NoticeIndex.Stamp) -> String {
            var bytes: [UInt8] = []
            StateFile.escape(path, into: &bytes)
            let numbers = [UInt64(bitPattern: s.size), UInt64(bitPattern: s.seconds), UInt64(bitPattern: s.nanoseconds), s.inode,
                           UInt64(bitPattern: s.changed), UInt64(bitPattern: s.changedNanoseconds)].map { String($0, radix: 16) }
            return ([letter, String(decoding: bytes, as: UTF8.self)] + numbers).joined(separator: "\t")
        }
        var moved = stamp, touched = stamp, replaced = stamp
        moved.size += 1
        touched.nanoseconds += 1
        replaced.inode += 1
        let otherStamp = try #require(NoticeIndex.Stamp.of(other.path))
        let written = [line("i", file.path, stamp), line("i", file.path, moved), line("i", file.path + "-gone", stamp),
                       line("i", file.path, touched), line("i", file.path, replaced),
                       line("i", other.path, otherStamp), line("r", file.path, stamp), line("i", dir.path + "/tab\there", stamp)]
        var odd = [line("i", file.path, stamp) + "\t0", line("i", file.path, stamp).uppercased(), "i\t" + file.path + "\t1\t2",
                   line("i", file.path, stamp).replacingOccurrences(of: "\t", with: "\t\t"), "i\t\t1\t2\t3\t4\t5\t6", "i", "i\t"]
        odd.append(String(line("i", file.path, stamp).dropLast()) + "g")
        for text in written + odd {
            for marker in [later, later - 1, Int64.max] {
                let bytes = Array(text.utf8)
                bytes.withUnsafeBufferPointer { buffer in
                    var path: [UInt8] = []
                    let quick = BuildWitness.plainInputHolds(buffer, marker: marker, path: &path)
                    let cells: Bool = {
                        guard let input = BuildWitness.input(buffer), let now = input.status.map(NoticeIndex.Stamp.init), now == input.stamp else { return false }
                        return now.changed &* 1_000_000_000 &+ now.changedNanoseconds < marker
                    }()
                    #expect((quick ?? cells) == cells, "\(text.debugDescription) at \(marker)")
                    if written.prefix(3).contains(text) { #expect(quick != nil, "read in place: \(text.debugDescription)") }
                }
            }
        }
    }

    /// The lines of inputs a build makes ahead, while its commit runs, are the lines the witness makes
    /// itself: the two files are the same bytes, and read back.
    @Test func inputLinesMadeAheadAreTheWitnesssOwn() throws {
        let dir = try TestPaths.temporaryDirectory()
        let file = dir.appendingPathComponent("n.md")
        try Data("notice".utf8).write(to: file)
        let stamp = try #require(NoticeIndex.Stamp.of(file.path))
        let inputs = [BuildWitness.Input(path: dir.path, stamp: stamp, isRoot: true), BuildWitness.Input(path: file.path, stamp: stamp),
                      BuildWitness.Input(path: dir.path + "/tab\there é", stamp: stamp)]
        var witness = BuildWitness(options: 1, marker: 2, zones: ["America/Chicago": "2026-12-06"], goLives: [5: true], inputs: inputs,
                                   manifest: stamp, files: 3)
        var files: [Data] = []
        for (name, made) in [("itself", nil), ("ahead", BuildWitness.lines(of: inputs))] as [(String, [UInt8]?)] {
            let output = dir.appendingPathComponent(name).appendingPathComponent("Output")
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            witness.madeInputLines = made
            try witness.file(for: output).place()
            files.append(try Data(contentsOf: BuildWitness.location(for: output)))
            let loaded = try #require(BuildWitness.load(for: output))
            #expect(loaded.files == 3 && loaded.manifest == stamp && loaded.zones == witness.zones && loaded.goLives == witness.goLives)
            #expect(loaded.inputLines.count == inputs.count)
        }
        #expect(files[0] == files[1])
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
