import Foundation
import Testing
@testable import GavelCore

/// The real `gavel build`, stopped at many points, run twice at once, and starved of disk part way:
/// at every instant Output is the previous complete site or the new one, never a mix.
@Suite(.serialized) struct OutputKillTests {
    static let binary = TestPaths.root.appendingPathComponent(".build/debug/gavel")

    /// Site A (the example plus 300 generated notices) and site B (A with a new title on every page,
    /// a notice gone, one changed and one added), each built once from nothing as the reference.
    struct Sites {
        var dir: URL
        var a: URL, b: URL
        var treeA: [String: String], treeB: [String: String]
    }

    static func sites() throws -> Sites {
        let dir = try TestPaths.temporaryDirectory()
        let a = dir.appendingPathComponent("A"), b = dir.appendingPathComponent("B")
        try FileManager.default.copyItem(at: TestPaths.content, to: a)
        for n in 0..<300 {
            let text = "---\ntitle: \"Generated notice \(n)\"\ndate: \"2020-0\(1 + n % 3)-1\(n % 10)\"\n---\n"
                + String(repeating: "Paragraph \(n) with ~~struck~~ text and www.example.gov.\n\n", count: 20)
            try Data(text.utf8).write(to: a.appendingPathComponent("courts/vtd/notices/generated-\(n).md"))
        }
        try FileManager.default.copyItem(at: a, to: b)
        try OutputContractTests.edit(b.appendingPathComponent("site.yml")) { $0.replacingOccurrences(of: "title: ", with: "title: Renamed ") }
        try FileManager.default.removeItem(at: b.appendingPathComponent("courts/vtd/notices/generated-7.md"))
        try OutputContractTests.edit(b.appendingPathComponent("courts/vtd/notices/generated-8.md")) { $0 + "\nChanged.\n" }
        try Data("---\ntitle: Added\ndate: \"2020-03-01\"\n---\nNew.\n".utf8).write(to: b.appendingPathComponent("courts/vtd/notices/added.md"))
        for (content, name) in [(a, "RefA"), (b, "RefB")] {
            let run = try gavel(build: content, into: dir.appendingPathComponent(name))
            try #require(run.status == 0, "\(run.stderr)")
        }
        return Sites(dir: dir, a: a, b: b, treeA: OutputContractTests.tree(dir.appendingPathComponent("RefA")),
                     treeB: OutputContractTests.tree(dir.appendingPathComponent("RefB")))
    }

    struct Run { var status: Int32; var stderr: String }

    static func process(build content: URL, into output: URL, shell prefix: String? = nil) throws -> (Process, Pipe) {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build the gavel product first (swift build)")
        let process = Process()
        let arguments = ["build", "--content", content.path, "--templates", TestPaths.templates.path, "--output", output.path,
                         "--now", "2020-03-20T12:00:00Z"]
        if let prefix {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", prefix + " exec \"$0\" \"$@\"", binary.path] + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    static func gavel(build content: URL, into output: URL, shell prefix: String? = nil) throws -> Run {
        let (process, err) = try process(build: content, into: output, shell: prefix)
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// What Gavel leaves beside an Output besides its state: nothing once a build has finished (no
    /// staging or old tree, no state file still under its temporary name).
    static func leftovers(_ output: URL) -> [String] {
        let parent = output.deletingLastPathComponent().path, name = output.lastPathComponent
        func isStateTemporary(_ entry: String) -> Bool {
            ["cache", "notices", "witness", "trees", "skeletons"].contains { kind in
                let base = "." + name + ".gavel-" + kind + ".tmp"
                return entry.hasPrefix(base) && entry.count > base.count && entry.dropFirst(base.count).allSatisfy(\.isNumber)
            }
        }
        return FileIO.entries(of: parent).map(\.name).filter {
            $0.hasPrefix("." + name + ".gavel-staging") || $0.hasPrefix("." + name + ".gavel-old") || isStateTemporary($0)
        }
    }

    /// A build killed while its state files were written under temporary names leaves them beside
    /// Output: the next build removes them, and only them (not a file that merely looks alike).
    @Test func stateFilesLeftUnderTemporaryNamesAreRemovedByTheNextBuild() throws {
        let sites = try Self.sites()
        let output = sites.dir.appendingPathComponent("Out")
        let first = try Self.gavel(build: sites.a, into: output)
        try #require(first.status == 0, "\(first.stderr)")
        let strays = [".Out.gavel-cache.tmp4242", ".Out.gavel-notices.tmp1", ".Out.gavel-witness.tmp99999", ".Out.gavel-trees.tmp12",
                      ".Out.gavel-skeletons.tmp3"]
        // Look-alikes, among them another Output's state (`Out.gavel-x` beside `Out`), which may be
        // being written by another build at this very moment.
        let kept = [".Out.gavel-cache.tmp", ".Out.gavel-cache.tmp12a", ".Out.notes.tmp7", ".Other.gavel-cache.tmp7", "Out.gavel-cache.tmp7",
                    ".Out.gavel-x.gavel-cache.tmp7", ".Out.gavel-cachex.tmp7"]
        for name in strays + kept {
            try Data("x".utf8).write(to: sites.dir.appendingPathComponent(name))
        }
        let again = try Self.gavel(build: sites.b, into: output)
        #expect(again.status == 0, "\(again.stderr)")
        let left = Set(FileIO.entries(of: sites.dir.path).map(\.name))
        #expect(left.isDisjoint(with: strays), "\(left.intersection(strays))")
        #expect(left.isSuperset(of: kept), "\(Set(kept).subtracting(left))")
        #expect(OutputContractTests.tree(output) == sites.treeB)
        #expect(Self.leftovers(output).isEmpty, "\(Self.leftovers(output))")
    }

    @Test func killedAtManyPointsOutputIsTheOldSiteOrTheNew() async throws {
        let sites = try Self.sites()
        // Kills spread from the start of a build to well past its end, on a scale that holds whether
        // the machine is idle (a build of B over A takes a few hundred milliseconds) or busy.
        let delays: [Duration] = [0, 2, 5, 10, 20, 35, 50, 75, 100, 150, 200, 300, 450, 700, 1200, 3000].map { .milliseconds($0) }
        var outcomes: [String: Int] = ["old": 0, "new": 0]
        let signals = [SIGKILL, SIGKILL, SIGINT, SIGTERM]
        let points = delays.count
        for i in 0..<points {
            let output = sites.dir.appendingPathComponent("Out\(i)")
            let first = try Self.gavel(build: sites.a, into: output)
            try #require(first.status == 0, "\(first.stderr)")
            let (process, _) = try Self.process(build: sites.b, into: output)
            try await Task.sleep(for: delays[i])
            kill(process.processIdentifier, signals[i % signals.count])
            process.waitUntilExit()
            let tree = OutputContractTests.tree(output)
            if tree == sites.treeA { outcomes["old", default: 0] += 1 } else if tree == sites.treeB { outcomes["new", default: 0] += 1 } else {
                let mixed = Set(tree.keys).symmetricDifference(sites.treeA.keys).count
                Issue.record("kill \(i) (after \(delays[i])) left a mix: \(mixed) paths differ from the old site")
            }
            // The next build finishes the job from whatever was left.
            let again = try Self.gavel(build: sites.b, into: output)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(OutputContractTests.tree(output) == sites.treeB, "the build after kill \(i) is the full build")
            #expect(Self.leftovers(output).isEmpty)
        }
        // The sweep must have caught both sides, or it proved nothing.
        #expect(outcomes["old", default: 0] > 0 && outcomes["new", default: 0] > 0, "\(outcomes)")
    }

    /// The third build into one Output brings the spare tree (the site before last) up to date
    /// instead of linking a whole tree: killed at any point of that, Output is still the old site or
    /// the new one, and the next builds equal full builds, whatever the spare was left holding.
    @Test func killedWhileTheSpareTreeIsBroughtUpToDateOutputIsTheOldSiteOrTheNew() async throws {
        let sites = try Self.sites()
        let delays: [Duration] = [0, 10, 40, 80, 150, 250, 400, 700, 1500].map { .milliseconds($0) }
        var outcomes: [String: Int] = ["old": 0, "new": 0]
        for (i, delay) in delays.enumerated() {
            let output = sites.dir.appendingPathComponent("Spare\(i)")
            for content in [sites.a, sites.b, sites.a] {
                let run = try Self.gavel(build: content, into: output)
                try #require(run.status == 0, "\(run.stderr)")
            }
            try #require(FileIO.kind(BuildState.sibling(of: output, "gavel-spare").path) == .directory, "no spare tree was kept")
            let (process, _) = try Self.process(build: sites.b, into: output)
            try await Task.sleep(for: delay)
            kill(process.processIdentifier, i % 2 == 0 ? SIGKILL : SIGTERM)
            process.waitUntilExit()
            let tree = OutputContractTests.tree(output)
            if tree == sites.treeA { outcomes["old", default: 0] += 1 } else if tree == sites.treeB { outcomes["new", default: 0] += 1 } else {
                Issue.record("kill \(i) (after \(delay)) left a mix")
            }
            for (content, expected) in [(sites.b, sites.treeB), (sites.a, sites.treeA)] {
                let again = try Self.gavel(build: content, into: output)
                #expect(again.status == 0, "\(again.stderr)")
                #expect(OutputContractTests.tree(output) == expected, "the build after kill \(i) is the full build")
            }
            #expect(Self.leftovers(output).isEmpty)
        }
        #expect(outcomes["old", default: 0] > 0 && outcomes["new", default: 0] > 0, "\(outcomes)")
    }

    /// The spare tree is trusted in nothing: files added to it, a page in it rewritten, a folder made
    /// a file and a link planted in it never reach Output, and a spare that is a link is not followed.
    @Test func whateverTheSpareTreeHoldsOutputIsTheFullBuild() async throws {
        let sites = try Self.sites()
        let output = sites.dir.appendingPathComponent("Tampered")
        let spare = BuildState.sibling(of: output, "gavel-spare")
        for content in [sites.a, sites.b] { _ = try Self.gavel(build: content, into: output) }
        try #require(FileIO.kind(spare.path) == .directory)
        // The spare now holds site A; site B is in Output.
        try Data("stray".utf8).write(to: spare.appendingPathComponent("stray.html"))
        try Data("stray".utf8).write(to: spare.appendingPathComponent("courts/vtd/stray.txt"))
        let page = spare.appendingPathComponent("courts/vtd/notices/generated-8/index.html")
        try FileManager.default.removeItem(at: page)
        try Data("<p>not the page</p>".utf8).write(to: page)
        try FileManager.default.removeItem(at: spare.appendingPathComponent("courts/vtd/notices/generated-9"))
        try Data("a file where a folder was".utf8).write(to: spare.appendingPathComponent("courts/vtd/notices/generated-9"))
        try FileManager.default.createSymbolicLink(atPath: spare.appendingPathComponent("courts/wiwb/planted").path, withDestinationPath: "/etc")
        let run = try Self.gavel(build: sites.a, into: output)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(OutputContractTests.tree(output) == sites.treeA)
        // A spare that is a link is replaced, never followed.
        let elsewhere = sites.dir.appendingPathComponent("Elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: elsewhere.appendingPathComponent("keep.txt"))
        try FileManager.default.removeItem(at: spare)
        try FileManager.default.createSymbolicLink(atPath: spare.path, withDestinationPath: elsewhere.path)
        for (content, expected) in [(sites.b, sites.treeB), (sites.a, sites.treeA)] {
            let again = try Self.gavel(build: content, into: output)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(OutputContractTests.tree(output) == expected)
        }
        #expect(try String(contentsOf: elsewhere.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == ["keep.txt"])
    }

    /// A file of the court's inside the folder of a notice that goes: the folder stays for it, with or
    /// without a spare tree to bring up to date.
    @Test func aCourtsFileInAFolderTheSiteNoLongerNeedsIsKept() async throws {
        let sites = try Self.sites()
        let output = sites.dir.appendingPathComponent("Kept")
        for content in [sites.a, sites.b] { _ = try Self.gavel(build: content, into: output) }
        try #require(FileIO.kind(BuildState.sibling(of: output, "gavel-spare").path) == .directory)
        let kept = output.appendingPathComponent("courts/vtd/notices/generated-9/keep.txt")
        try Data("the court's".utf8).write(to: kept)
        try FileManager.default.removeItem(at: sites.b.appendingPathComponent("courts/vtd/notices/generated-9.md"))
        let run = try Self.gavel(build: sites.b, into: output)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOf: kept, encoding: .utf8) == "the court's")
        #expect(FileIO.kind(output.appendingPathComponent("courts/vtd/notices/generated-9/index.html").path) == .missing)
    }

    @Test func twoBuildsAtOnceLeaveOneWholeSite() async throws {
        let sites = try Self.sites()
        var refused = 0
        for i in 0..<6 {
            let output = sites.dir.appendingPathComponent("Both\(i)")
            if i % 2 == 1 { _ = try Self.gavel(build: sites.a, into: output) }
            let (one, oneErr) = try Self.process(build: sites.a, into: output)
            let (two, twoErr) = try Self.process(build: sites.b, into: output)
            let errors = [oneErr, twoErr].map { String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
            one.waitUntilExit()
            two.waitUntilExit()
            for (process, stderr) in zip([one, two], errors) where process.terminationStatus != 0 {
                #expect(stderr.contains("error: another build is writing this folder: gavel (process "), "\(stderr)")
                refused += 1
            }
            let tree = OutputContractTests.tree(output)
            #expect(tree == sites.treeA || tree == sites.treeB, "run \(i): two builds left a mix")
            #expect(Self.leftovers(output).isEmpty)
        }
        #expect(refused > 0, "the builds never overlapped, so the lock was not tried")
    }

    /// A write that fails part way (here the file size limit, as a full disk would) stops the build
    /// with Output exactly as it was, and says so truthfully.
    @Test func aWriteThatFailsPartWayLeavesOutputAsItWas() async throws {
        let sites = try Self.sites()
        let output = sites.dir.appendingPathComponent("Limited")
        _ = try Self.gavel(build: sites.a, into: output)
        let run = try Self.gavel(build: sites.b, into: output, shell: "trap '' XFSZ; ulimit -f 8;")
        #expect(run.status == 1)
        #expect(run.stderr.contains("File too large"), "\(run.stderr.prefix(500))")
        #expect(run.stderr.contains("was not changed"))
        #expect(OutputContractTests.tree(output) == sites.treeA)
        #expect(Self.leftovers(output).isEmpty)
        let again = try Self.gavel(build: sites.b, into: output)
        #expect(again.status == 0)
        #expect(OutputContractTests.tree(output) == sites.treeB)
    }
}
