import Foundation
import Testing
@testable import GavelCore
#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileIOTests {
    /// The parts of a status that say which entry it is and how it was left.
    static func identity(_ info: stat?) -> [Int64]? {
        info.map { [Int64($0.st_ino), Int64($0.st_mode), Int64($0.st_size), Int64($0.st_mtim.tv_sec), Int64($0.st_mtim.tv_nsec)] }
    }

    /// A path looked up from an opened folder near it answers as the whole path does: for files and
    /// folders at every depth, and where the folder on the way is a link, a file, missing, or
    /// removed after it was opened.
    @Test func aNearbyFolderAnswersAsTheWholePathDoes() throws {
        let root = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let manager = FileManager.default
        for folder in ["a/b/c", "a/b/d", "a/gone/e", "x", "elsewhere/b/c"] {
            try manager.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in ["a/b/c/page.html", "a/b/one.html", "x/two.html", "top.html", "a/gone/e/three.html", "elsewhere/b/c/page.html"] {
            try Data(file.utf8).write(to: root.appendingPathComponent(file))
        }
        // A link where a folder is expected (to a look-alike tree), a file where one is expected, a FIFO.
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: root.appendingPathComponent("elsewhere").path)
        try Data("file".utf8).write(to: root.appendingPathComponent("a/notfolder"))
        #expect(mkfifo(root.appendingPathComponent("a/b/fifo").path, 0o644) == 0)

        let paths = ["a/b/c/page.html", "a/b/c", "a/b/d", "a/b/one.html", "a/b/fifo", "a/b/missing.html", "x/two.html", "top.html", "a",
                     "link/b/c/page.html", "link/b/c", "link/b", "a/notfolder/x", "a/notfolder/x/y", "missing/b/c", "a/gone/e/three.html", "a/gone/e"]
        let open = try #require(FileIO.OpenFolder(root.path))
        for trailing in 1...3 {
            for following in [false, true] {
                var nearby = FileIO.NearbyFolders(root: open, trailing: trailing)
                // Every folder near a path is opened by the first look, then used by the second.
                for round in 0..<2 {
                    for path in paths {
                        var whole = stat()
                        let found = (following ? stat(root.path + "/" + path, &whole) : lstat(root.path + "/" + path, &whole)) == 0 ? whole : nil
                        #expect(Self.identity(nearby.status(path, following: following)) == Self.identity(found),
                                "\(path), \(trailing) trailing name(s), following \(following), look \(round + 1)")
                    }
                }
            }
        }

        // Two spellings of one name in Unicode are two folders on disk: each is looked in for itself,
        // one after the other or between other folders' paths.
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        for (folder, file) in [(composed, "only-composed.html"), (decomposed, "only-decomposed.html")] {
            try manager.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            try Data(file.utf8).write(to: root.appendingPathComponent(folder).appendingPathComponent(file))
        }
        let spelled = [composed + "/only-composed.html", decomposed + "/only-composed.html", decomposed + "/only-decomposed.html",
                       "x/two.html", composed + "/only-decomposed.html", composed + "/only-composed.html", decomposed + "/"]
        var unicode = FileIO.NearbyFolders(root: open, trailing: 1)
        for path in spelled + spelled.reversed() {
            var whole = stat()
            let found = lstat(root.path + "/" + path, &whole) == 0 ? whole : nil
            #expect(Self.identity(unicode.status(path)) == Self.identity(found), "\(path.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(unicode.status(composed + "/only-composed.html") != nil && unicode.status(decomposed + "/only-composed.html") == nil)
        // A path ending in a slash names its folder; one with a NUL inside names nothing (as bytes
        // handed to the kernel it would name the entry before the NUL).
        #expect(Self.identity(unicode.status("a/b/")) == Self.identity(FileIO.status(root.path + "/a/b")))
        #expect(unicode.status("x/two.html\u{0}") == nil && unicode.status("x\u{0}/two.html") == nil && unicode.status("top.html\u{0}x") == nil)
        #expect(unicode.status("x/two.html") != nil)

        // A folder opened and then removed: nothing is found in it, as nothing is at its path.
        var nearby = FileIO.NearbyFolders(root: open, trailing: 1)
        #expect(nearby.status("a/gone/e/three.html") != nil)
        try manager.removeItem(at: root.appendingPathComponent("a/gone"))
        #expect(nearby.status("a/gone/e/three.html") == nil)
        #expect(nearby.status("a/gone/e") == nil)
    }
    /// Folders' statuses, each looked up from its parent and taken a parent at a time, come back in
    /// the order asked, each the whole path's (nil for what is not a real folder): across both
    /// cores' ranges, for two Unicode spellings of one parent, a parent that is a link, a file or
    /// missing, names at the top, a trailing slash and a NUL; the parents opened are closed again.
    @Test func folderStatusesAnswerInOrderAsTheWholePathsDo() throws {
        let root = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let manager = FileManager.default
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        var folders: [String] = []
        for parent in (0..<42).map({ "p\($0)" }) + ["deep/er/still", composed, decomposed, composed + "/in", decomposed + "/in"] {
            for child in 0..<25 { folders.append("\(parent)/c\(child)") }
        }
        // The decomposed spelling's folders are made for only one child each: the two parents must
        // not be taken for one.
        for folder in folders where !folder.hasPrefix(decomposed) || folder.hasSuffix("c3") {
            try manager.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data("file".utf8).write(to: root.appendingPathComponent("p1/file"))
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: root.appendingPathComponent("p2").path)
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("p3/linked").path, withDestinationPath: root.appendingPathComponent("p4").path)
        let odd = ["", "p1/file", "p1/file/c1", "link/c1", "link", "p3/linked", "p3/linked/c2", "missing/c1", "p5/missing", "deep", "deep/er",
                   "p6/", "p7/c1/", "p8/c1\u{0}x", "p8\u{0}/c1", "p9//c1", "p10/./c1", "p11/../p12/c1"]
        let shuffled = (folders + odd).shuffled()
        // The process's open files that are in this tree (other tests open and close files meanwhile).
        let openHere = {
            ((try? manager.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { try? manager.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
                .filter { $0.hasPrefix(root.path) }
        }
        // In any order, and in the order of their bytes (as the record of the trees keeps folders:
        // then a folder's children come together).
        for asked in [shuffled, shuffled.sorted { TreeRecord.order($0, $1) < 0 }] {
            for onOneCore in [false, true] {
                let statuses = FileIO.folderStatuses(under: root.path, asked, onOneCore: onOneCore) { $0 }
                #expect(statuses.count == asked.count)
                for (path, info) in zip(asked, statuses) {
                    // What the whole path gives, as the kernel reads it (up to a NUL).
                    let whole = path.isEmpty ? root.path : root.path + "/" + String(path.prefix { $0 != "\u{0}" })
                    var status = stat()
                    let found = lstat(whole, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR ? status : nil
                    #expect(Self.identity(info) == Self.identity(found), "\(path.unicodeScalars.map { String($0.value, radix: 16) }), on one core \(onOneCore)")
                }
            }
            #expect(openHere().isEmpty, "\(openHere())")
            // The groups: every path of one has its parent's bytes.
            let groups = FileIO.ParentGroups(asked)
            var parents: [Int: [UInt8]] = [:]
            for (i, path) in asked.enumerated() where groups.group[i] >= 0 {
                let parent = Array(path.utf8.prefix(groups.cut[i]))
                #expect(parents[groups.group[i], default: parent] == parent, "\(path)")
                parents[groups.group[i]] = parent
            }
            #expect(Set(groups.order) == Set(asked.indices))
        }
    }

    /// A file is read whole (or up to a limit), whatever its size; an empty file is no bytes; a
    /// link, a FIFO or a folder is not read (and a FIFO is not waited on).
    @Test func aFileIsReadWholeAndOnlyARegularOne() throws {
        let root = try TestPaths.temporaryDirectory()
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 4095, 4096, 4097, 1 << 20, (3 << 20) + 17] {
            let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let path = root.appendingPathComponent("f\(size)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            #expect(FileIO.read(path) == bytes, "\(size) bytes")
            var info = stat()
            #expect(FileIO.read(path, info: &info, upTo: 1000) == Array(bytes.prefix(1000)), "\(size) bytes, the first 1000")
            #expect(Int(info.st_size) == size)
        }
        let fifo = root.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(FileIO.read(fifo) == nil)
        #expect(symlink(root.appendingPathComponent("f1").path, root.appendingPathComponent("link").path) == 0)
        #expect(FileIO.read(root.appendingPathComponent("link").path) == nil)
        #expect(FileIO.read(root.path) == nil)
        #expect(FileIO.read(root.appendingPathComponent("missing").path) == nil)
    }

    /// Work done in idle time gives what it would give done at once, to every caller that asks,
    /// and runs at the kernel's idle priority (`SCHED_IDLE`, 5).
    @Test func idleWorkGivesItsValueAtIdlePriority() async {
        let folders = (0..<2000).map { "f\($0)" }
        let work = FileIO.IdleWork { (folders.reduce(0) { $0 &+ $1.utf8.count }, sched_getscheduler(0)) }
        let answers = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 { group.addTask { work.value.0 } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers == Array(repeating: folders.reduce(0) { $0 + $1.utf8.count }, count: 4))
        #expect(work.value.1 == 5, "the policy the work ran under")
    }
}
