import Foundation
import Synchronization

/// Writes a build into the output folder so that, at every instant, Output is either the previous
/// complete site or the new one (SPEC section 6, "Output is the court's").
///
/// While the site renders, changed files are written into a staging folder beside Output; files
/// whose bytes did not change are not written. The commit then completes the staging folder into the
/// whole new tree: unchanged files and every file Gavel did not write (`.git/`, `CNAME`) are hard-linked
/// from Output (same inode, same modification time), the manifest is added, the file system is
/// flushed, and one `renameat2(RENAME_EXCHANGE)` swaps the two folders. The old tree is kept beside
/// Output as the spare (`.Output.gavel-spare`): the next commit brings it up to date instead of
/// linking a whole tree again, checking every entry of it against Output (see `recycle`).
/// A build that fails at any point before the exchange removes the staging folder and leaves Output
/// as it was; one killed at any point leaves Output whole, and the next build clears what it left.
///
/// The manifest, `.gavel-manifest` inside Output, lists every file Gavel wrote. It travels with the
/// site (a deployment checkout commits it), so Gavel knows its own files with or without its state:
/// only files it lists are ever replaced or removed.
public struct OutputWriter: OutputSink {
    public let output: URL
    public let staging: URL
    /// The previous site's tree, kept for the next commit to bring up to date.
    let sparePath: String
    /// The two folders' paths, worked out once (URL.path is slow enough to show per file).
    let outputPath: String, stagingPath: String
    /// False for a first build: then no file needs comparing with a previous one.
    let outputExisted: Bool
    private let record = Record()

    /// What emitting found, from many tasks at once.
    final class Record: Sendable {
        /// Staging folders made so far, so each file is opened once rather than after a failed try.
        let folders = Mutex<Set<String>>([])
        /// Files written into staging, and files found unchanged in Output, with how each was left.
        let staged = Mutex<[String: FileStamp]>([:])
        let unchanged = Mutex<[String: FileStamp]>([:])
    }

    /// How an output file was left: a later build reuses its page only while it still is so.
    public struct FileStamp: Sendable, Equatable {
        public var modified: Int64
        public var inode: UInt64

        init(modified: Int64, inode: UInt64) {
            self.modified = modified
            self.inode = inode
        }

        init(_ info: stat) {
            modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
            inode = UInt64(info.st_ino)
        }
    }

    static let manifestName = ".gavel-manifest"
    /// What Gavel before the manifest left in an Output it made.
    static let legacyMarker = ".gavel-output"

    public struct Summary: Sendable {
        public var written = 0
        public var unchanged = 0
        public var removed = 0
        /// Files Gavel did not write, kept as they were.
        public var kept = 0
        public init() {}
    }

    public init(output: URL) {
        self.output = output.standardizedFileURL
        staging = BuildState.sibling(of: self.output, "gavel-staging")
        outputPath = self.output.path
        stagingPath = staging.path
        sparePath = BuildState.sibling(of: self.output, "gavel-spare").path
        outputExisted = FileIO.kind(outputPath) == .directory
    }

    /// Refuses an Output that is not a folder Gavel can own: a link (never followed), a file, or a
    /// folder of someone's work (so a mistyped `--output` cannot touch it). A folder Gavel built
    /// before, or a deployment checkout holding only hidden files and `CNAME`, is accepted.
    public func checkOwnership() -> Diagnostic? {
        let at = SourceLocation(file: outputPath)
        switch FileIO.kind(outputPath) {
        case .missing: return nil
        case .symbolicLink:
            return .error(at, "the output folder is a symbolic link, which Gavel does not follow", hint: "pass the folder it points to as --output")
        case .file, .other:
            return .error(at, "the output path is not a folder")
        case .directory:
            let names = FileIO.entries(of: outputPath).map(\.name)
            if names.contains(Self.manifestName) || names.contains(Self.legacyMarker) { return nil }
            if names.allSatisfy({ $0.hasPrefix(".") || $0 == "CNAME" }) { return nil }
            return .error(at, "refusing to write into a folder that Gavel did not create",
                          hint: "choose an empty or new --output folder, or a deployment checkout (only hidden files and CNAME)")
        }
    }

    /// Clears what an earlier build left (it may have been killed) and makes the staging folder.
    public func prepare() throws {
        record.folders.withLock { $0.removeAll() }
        try FileIO.makeDirectories(output.deletingLastPathComponent().path)
        try FileIO.removeTree(stagingPath)
        try FileIO.removeTree(BuildState.sibling(of: output, "gavel-old").path)
        guard mkdir(stagingPath, 0o755) == 0 else { throw FileIO.Failure(path: stagingPath, code: errno) }
    }

    /// Stages `file` unless the output already holds exactly these bytes.
    public func emit(_ file: OutputFile) throws {
        if outputExisted, let same = FileIO.sameContents(outputPath + "/" + file.path, file.bytes) {
            record.unchanged.withLock { $0[file.path] = FileStamp(same) }
            // The last emit of a path wins (a build may render twice): an earlier different copy goes.
            if record.staged.withLock({ $0.removeValue(forKey: file.path) }) != nil { unlink(stagingPath + "/" + file.path) }
            return
        }
        record.unchanged.withLock { _ = $0.removeValue(forKey: file.path) }
        if let slash = file.path.lastIndex(of: "/") {
            let folder = String(file.path[..<slash])
            if !record.folders.withLock({ $0.contains(folder) }) {
                try FileIO.makeDirectories(stagingPath + "/" + folder)
                record.folders.withLock { _ = $0.insert(folder) }
            }
        }
        let info = try FileIO.write(file.bytes, to: stagingPath + "/" + file.path)
        record.staged.withLock { $0[file.path] = FileStamp(info) }
    }

    /// How each file emitted this build was left in Output (files reused without emitting keep theirs).
    public var stamps: [String: FileStamp] {
        record.unchanged.withLock { $0 }.merging(record.staged.withLock { $0 }) { _, staged in staged }
    }

    /// Problems that stop a commit; Output is unchanged when one is thrown.
    public struct CommitFailure: Error {
        public var diagnostics: [Diagnostic]
    }

    /// What the spare tree holds, read while the site renders (nothing else touches it then); nil
    /// when there is no spare.
    public struct SpareListing: Sendable {
        var files: [String]
        var directories: [String]
    }

    public func listSpare() -> SpareListing? {
        guard outputExisted, FileIO.kind(sparePath) == .directory else { return nil }
        let (files, directories) = FileIO.walk(sparePath)
        return SpareListing(files: files, directories: directories)
    }

    /// Makes Output the new site. `files` is every file of the site with its content hash; `spare` is
    /// `listSpare()`'s answer, read during this build.
    public func commit(_ files: [String: UInt64], spare: SpareListing? = nil) throws(CommitFailure) -> Summary {
        let manifest = Self.manifest(files)
        do {
            guard outputExisted else { return try commitFirst(files, manifest: manifest) }
            return try commitOver(files, manifest: manifest, spare: spare ?? listSpare())
        } catch let failure as CommitFailure {
            abort()
            throw failure
        } catch {
            abort()
            throw CommitFailure(diagnostics: [.error(SourceLocation(file: outputPath), "cannot write the site: \(error)",
                                                     hint: "nothing in the output folder was changed")])
        }
    }

    /// A first build: the staging folder simply becomes Output.
    private func commitFirst(_ files: [String: UInt64], manifest: [UInt8]) throws -> Summary {
        try FileIO.write(manifest, to: stagingPath + "/" + Self.manifestName)
        FileIO.syncFileSystem(of: stagingPath)
        guard rename(stagingPath, outputPath) == 0 else { throw FileIO.Failure(path: outputPath, code: errno) }
        FileIO.syncDirectory(output.deletingLastPathComponent().path)
        var summary = Summary()
        summary.written = files.count
        return summary
    }

    private func commitOver(_ files: [String: UInt64], manifest: [UInt8], spare: SpareListing?) throws -> Summary {
        let staged = record.staged.withLock { $0 }
        let previous = FileIO.read(outputPath + "/" + Self.manifestName)
        var summary = Summary()
        summary.written = staged.count
        summary.unchanged = files.count - staged.count
        // Nothing written and the same files as before: Output already is the new site.
        if staged.isEmpty, previous == manifest {
            abort()
            return summary
        }
        let owned = previous.map(Self.paths(inManifest:))
        // An Output made before the manifest: its site files may be replaced, but nothing is removed,
        // since which files that Gavel wrote is not known.
        let legacy = owned == nil && FileIO.kind(outputPath + "/" + Self.legacyMarker) == .file
        let neededFolders = Self.folders(of: files.keys)
        let ownedFolders = Self.folders(of: owned ?? [])
        var conflicts: [Diagnostic] = []
        func conflict(_ relative: String, _ message: String) {
            conflicts.append(.error(SourceLocation(file: outputPath + "/" + relative), message,
                                    hint: "Gavel never replaces a file it did not write: move it out of the output folder"))
        }
        let (present, directories) = FileIO.walk(outputPath)
        var links: [String] = []
        var foreign: [String] = []
        for relative in present where relative != Self.manifestName && relative != Self.legacyMarker {
            let mine = owned?.contains(relative) ?? false
            if files[relative] != nil {
                if !mine && !legacy {
                    conflict(relative, "a file that Gavel did not write is where the site puts '\(relative)'")
                } else if staged[relative] == nil {
                    links.append(relative)
                }
            } else if mine {
                summary.removed += 1
            } else if neededFolders.contains(relative) {
                conflict(relative, "a file that Gavel did not write is where the site needs the folder '\(relative)'")
            } else {
                links.append(relative)
                foreign.append(relative)
                summary.kept += 1
            }
        }
        // Folders of the court's own, even empty ones, are kept; Gavel's own come and go with its files.
        let keptFolders = directories.filter { !neededFolders.contains($0) && !ownedFolders.contains($0) }
        for folder in keptFolders where files[folder] != nil {
            conflict(folder, "a folder that Gavel did not make is where the site puts the file '\(folder)'")
        }
        guard conflicts.isEmpty else { throw CommitFailure(diagnostics: conflicts) }
        if let spare, FileIO.kind(sparePath) == .directory {
            // A file of the court's may sit in a folder of Gavel's that the site no longer needs (a
            // notice gone): that folder stays for it.
            let folders = neededFolders.union(keptFolders).union(Self.folders(of: foreign))
            try recycle(spare, links: links, staged: staged, folders: folders)
            for folder in keptFolders.sorted(by: >) { FileIO.copyAttributes(of: outputPath + "/" + folder, to: sparePath + "/" + folder) }
            unlink(sparePath + "/" + Self.manifestName)
            try FileIO.write(manifest, to: sparePath + "/" + Self.manifestName)
            FileIO.syncFileSystem(of: sparePath)
            try swap(sparePath)
            abort()
            return summary
        }
        // Every folder of the new tree first, parents before children, so each file then takes one
        // link call (a notice is a folder of its own: ten thousand of them on a large site).
        let made = record.folders.withLock { $0 }
        try FileIO.makeFolders(Array(neededFolders.union(keptFolders).subtracting(made)), under: stagingPath)
        try FileIO.linkAll(links, from: outputPath, into: stagingPath)
        // Last, since adding entries to a folder changes its times.
        for folder in keptFolders.sorted(by: >) { FileIO.copyAttributes(of: outputPath + "/" + folder, to: stagingPath + "/" + folder) }
        try FileIO.write(manifest, to: stagingPath + "/" + Self.manifestName)
        FileIO.syncFileSystem(of: stagingPath)
        try? FileIO.removeTree(sparePath)
        try swap(stagingPath)
        return summary
    }

    /// Brings the spare tree (an earlier site, or anything at all: it is Gavel's own folder but is
    /// trusted in nothing) up to the new site: every entry it has that the new tree lacks goes, files
    /// written this build move in from staging, and every other file must be Output's own file (the
    /// same inode, checked with lstat) or is linked from Output again. Links are made only for files
    /// that changed since the spare was Output, so a rebuild costs two walks and a stat per file
    /// rather than a link and an unlink per file. Output is not touched.
    private func recycle(_ spare: SpareListing, links: [String], staged: [String: FileStamp], folders: Set<String>) throws {
        let (files, directories) = (spare.files, spare.directories)
        var wanted = Set(links)
        wanted.formUnion(staged.keys)
        // Entries the new tree lacks (or has as a folder where they are a file, or the other way).
        try FileIO.inParallel(files.filter { !wanted.contains($0) }) { [sparePath] relative in
            unlink(sparePath + "/" + relative) == 0 || errno == ENOENT ? nil : FileIO.Failure(path: sparePath + "/" + relative, code: errno)
        }
        for folder in directories.filter({ !folders.contains($0) }).sorted(by: >) {
            // Parents come after their children (sorted descending), and may be gone already.
            try FileIO.removeTree(sparePath + "/" + folder)
        }
        try FileIO.makeFolders(Array(folders.subtracting(directories)), under: sparePath)
        // This build's files replace whatever the spare has there (rename never writes into an inode
        // the spare may share with Output).
        try FileIO.inParallel(Array(staged.keys)) { [stagingPath, sparePath] relative in
            rename(stagingPath + "/" + relative, sparePath + "/" + relative) == 0 ? nil : FileIO.Failure(path: sparePath + "/" + relative, code: errno)
        }
        try FileIO.inParallel(links) { [outputPath, sparePath] relative in
            let source = outputPath + "/" + relative, target = sparePath + "/" + relative
            guard let want = FileIO.status(source) else { return FileIO.Failure(path: source, code: errno) }
            if let have = FileIO.status(target), have.st_ino == want.st_ino, have.st_dev == want.st_dev { return nil }
            if unlink(target) != 0 && errno != ENOENT { return FileIO.Failure(path: target, code: errno) }
            return linkat(AT_FDCWD, source, AT_FDCWD, target, 0) == 0 ? nil : FileIO.Failure(path: target, code: errno)
        }
    }

    /// Exchanges `tree` (the new site) and Output. The old tree, now in its place, becomes the spare
    /// for the next commit.
    private func swap(_ tree: String) throws {
        let parent = output.deletingLastPathComponent().path
        if try FileIO.exchange(tree, outputPath) {
            FileIO.syncDirectory(parent)
            if tree != sparePath, rename(tree, sparePath) != 0 { try? FileIO.removeTree(tree) }
            return
        }
        // A file system without exchange: two renames, so Output is briefly absent, never mixed.
        let old = BuildState.sibling(of: output, "gavel-old").path
        try? FileIO.removeTree(old)
        guard rename(outputPath, old) == 0 else { throw FileIO.Failure(path: outputPath, code: errno) }
        guard rename(tree, outputPath) == 0 else {
            let code = errno
            _ = rename(old, outputPath)
            throw FileIO.Failure(path: outputPath, code: code)
        }
        FileIO.syncDirectory(parent)
        if rename(old, sparePath) != 0 { try? FileIO.removeTree(old) }
    }

    /// Removes a previous site's tree left by a Gavel that did not keep a spare, or by a killed build.
    public func removeOldTree() {
        try? FileIO.removeTree(BuildState.sibling(of: output, "gavel-old").path)
    }

    public func abort() {
        try? FileIO.removeTree(stagingPath)
    }

    // MARK: - The manifest

    /// `gavel-manifest 1`, a comment, then a line per file: its site path and content hash.
    static func manifest(_ files: [String: UInt64]) -> [UInt8] {
        var bytes = Array("gavel-manifest 1\n# The files gavel build wrote into this folder; it never changes or removes any other.\n".utf8)
        for (path, hash) in files.sorted(by: { $0.key < $1.key }) {
            bytes.append(contentsOf: path.utf8)
            bytes.append(0x09)
            bytes.append(contentsOf: String(hash, radix: 16).utf8)
            bytes.append(0x0A)
        }
        return bytes
    }

    /// The files a manifest lists. Only paths that a site can have count: a damaged or hand-edited
    /// manifest cannot make Gavel remove `.git/` or anything outside Output.
    static func paths(inManifest bytes: [UInt8]) -> Set<String> {
        var paths = Set<String>()
        let lines = FileIO.lines(bytes)
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == "gavel-manifest 1" else { return [] }
        for line in lines.dropFirst() where line.first != UInt8(ascii: "#") {
            guard let tab = line.firstIndex(of: 0x09) else { continue }
            let path = String(decoding: line[..<tab], as: UTF8.self)
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") }) else { continue }
            paths.insert(path)
        }
        return paths
    }

    /// Every folder that holds one of `files`, at any depth.
    static func folders(of files: some Collection<String>) -> Set<String> {
        var folders = Set<String>()
        for file in files {
            var folder = file[...]
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                guard folders.insert(String(folder)).inserted else { break }
            }
        }
        return folders
    }
}
