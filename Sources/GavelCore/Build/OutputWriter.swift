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
    /// A commit with nothing to change still makes the spare tree when there is none (see
    /// `BuildOptions.makesSpare`).
    var makesSpare = false
    /// Output and the spare are as the record says (`BuildOptions.trustsOutput`): the commit takes
    /// their folders' stamps from it instead of an `lstat` of each.
    var trustsTrees = false
    /// False for an Output that cannot outlive this process (`BuildOptions.outlivesProcess`): the
    /// commit does not flush the file system, which only matters after a power cut.
    var flushes = true
    private let record = Record()

    /// What emitting found, from many tasks at once.
    final class Record: Sendable {
        /// Staging folders made so far, so each file is opened once rather than after a failed try.
        let folders = Mutex<PathSet>([])
        /// Files written into staging, and files found unchanged in Output, with how each was left.
        let staged = Mutex<PathTable<FileStamp>>([:])
        let unchanged = Mutex<PathTable<FileStamp>>([:])
        /// The record the commit left for the next one (nil: none could be made).
        let trees = Mutex<TreeRecord?>(nil)
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
        /// Folders the commit listed, when a record of the last commit let it skip the others (nil:
        /// it listed both trees whole).
        public var listedFolders: Int?
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
    /// Where one of the two tables is empty (a build from nothing stages every file) the other is
    /// handed out as it is: merged into a new table, its 17,000 entries (at 10,000 notices) were
    /// copied at the full build's peak.
    public var stamps: PathTable<FileStamp> {
        let unchanged = record.unchanged.withLock { $0 }, staged = record.staged.withLock { $0 }
        if unchanged.isEmpty { return staged }
        if staged.isEmpty { return unchanged }
        var merged = unchanged
        merged.merge(table: staged) { _, staged in staged }
        return merged
    }

    /// Room for `count` files written into staging, for a build that writes every file (into an
    /// Output not there yet): grown as the files came, the table's lists ended up to twice as long.
    func expectWritten(_ count: Int) {
        guard !outputExisted else { return }
        record.staged.withLock { $0.reserveCapacity(count) }
    }

    /// Problems that stop a commit; Output is unchanged when one is thrown.
    public struct CommitFailure: Error {
        public var diagnostics: [Diagnostic]
    }

    /// What the spare tree holds, read before the commit (nothing else touches it then); nil
    /// when there is no spare.
    struct SpareListing: Sendable {
        var files: [String]
        var directories: [String]
    }

    func listSpare() -> SpareListing? {
        guard outputExisted, FileIO.kind(sparePath) == .directory else { return nil }
        let (files, directories) = FileIO.walk(sparePath)
        return SpareListing(files: files, directories: directories)
    }

    /// What a commit reads before it starts (while the content loads): the file system's clock, marked before any folder
    /// is read (see `TreeRecord`), and the spare tree: its walk, or with a record of the trees, a look
    /// at the folders that names (see `SpareLook`).
    struct CommitStart: Sendable {
        var mark: (device: UInt64, time: Int64)?
        var spare: SpareListing?
        var spareFolders: SpareLook?
        /// Output's manifest as the last commit left it.
        var manifest: [UInt8]?

        /// The files that manifest names (made only when needed: 17,000 strings at 10,000 notices,
        /// which a commit that keeps the same files does without).
        var owned: PathSet? { manifest.map(OutputWriter.paths(inManifest:)) }
    }

    func startCommit(trees: TreeRecord?) -> CommitStart {
        guard outputExisted else { return CommitStart() }
        let mark = markTime()
        let manifest = FileIO.read(outputPath + "/" + Self.manifestName)
        guard let trees, mark != nil else { return CommitStart(mark: mark, spare: listSpare(), manifest: manifest) }
        return CommitStart(mark: mark, spareFolders: SpareLook(trees, in: self, inIdleTime: true), manifest: manifest)
    }

    /// The spare's folders that the record of the trees names, in its list's order, with the stamp
    /// each has now (nil where there is no folder). Only the commit changes the spare, under the
    /// build's lock, so the build looks at them from when it starts, in time its other threads leave
    /// idle: done in the commit, with Output's, checking 22,000 folders (at 10,000 notices) took a
    /// one-notice rebuild 34 ms on both cores; done on a thread of the task pool as the build started,
    /// it held one of the two cores while the content loaded, and a rebuild took 160.1 and 126.6 ms
    /// where it now takes 151.2 and 123.1 (edits in turn, sixty and thirty). Output's folders are
    /// still read by the commit: the court may change them until then.
    struct SpareLook: Sendable {
        private let look: FileIO.IdleWork<[TreeRecord.FolderStamp?]>?
        private let taken: [TreeRecord.FolderStamp?]

        /// By the place of each folder in the record's list (nil where the spare has none).
        var now: [TreeRecord.FolderStamp?] { look?.value ?? taken }

        /// `inIdleTime`: looked at on a thread of its own in time the build leaves idle (see
        /// `FileIO.IdleWork`), as the build starts; else now, on every core.
        init(_ trees: TreeRecord, in writer: OutputWriter, inIdleTime: Bool = false) {
            if inIdleTime, !writer.trustsTrees {
                look = FileIO.IdleWork { writer.foldersNow(under: writer.sparePath, trees.folders, recorded: trees.spare.stamps, onOneCore: true) }
                taken = []
            } else {
                look = nil
                taken = writer.foldersNow(under: writer.sparePath, trees.folders, recorded: trees.spare.stamps)
            }
        }
    }

    /// The stamp now (an `lstat` each; the recorded one when the trees are trusted) of each of
    /// `folders` under `root` that has a `recorded` stamp (the others are nil).
    func foldersNow(under root: String, _ folders: [String], recorded: [TreeRecord.FolderStamp?], onOneCore: Bool = false) -> [TreeRecord.FolderStamp?] {
        if trustsTrees { return recorded }
        let asked = recorded.indices.filter { recorded[$0] != nil }
        // After an edit both trees have every folder of the list: it is asked about as it is.
        if asked.count == folders.count {
            return FileIO.folderStatuses(under: root, folders, onOneCore: onOneCore, kept: TreeRecord.FolderStamp.init)
        }
        let found = FileIO.folderStatuses(under: root, asked.map { folders[$0] }, onOneCore: onOneCore, kept: TreeRecord.FolderStamp.init)
        var now = [TreeRecord.FolderStamp?](repeating: nil, count: folders.count)
        for (i, stamp) in zip(asked, found) { now[i] = stamp }
        return now
    }

    /// The file system's clock now, as the change time it gives the lock file (beside Output, on the
    /// same file system); nil when it cannot be had. Before a first build, Output's file system is
    /// that of the folder it will be made in (the staging folder is renamed there, which a rename
    /// does only within one file system), so a build from nothing leaves a witness too.
    func markTime() -> (device: UInt64, time: Int64)? {
        FileIO.markTime(BuildState.sibling(of: output, "gavel-lock").path).flatMap { info in
            let root = outputExisted ? FileIO.status(outputPath) : FileIO.status(output.deletingLastPathComponent().path)
            guard let root, root.st_dev == info.st_dev else { return nil }
            return (UInt64(info.st_dev), TreeRecord.FolderStamp(info).changed)
        }
    }

    /// The mark after a commit's last change to the tree it made, taken once the clock has ticked past
    /// that change: a folder changed in the mark's own tick is not trusted, and the next commit would
    /// list it again (about half of them did, and listing the search index's folder means checking its
    /// 6,000 files: 18 ms at 10,000 notices). `lastChange`: the coarse clock read after that change,
    /// when work was done since (the wait is then shorter by that work).
    func markAfterLastChange(lastChange: Int64 = FileIO.coarseNow()) -> (device: UInt64, time: Int64)? {
        FileIO.waitForClockTick(after: lastChange)
        return markTime()
    }

    /// `mark`, or a later one when a folder stamp read after it (in `stamps`, under `root`; the root's
    /// left out) is no earlier. The wait for a tick is not always enough: on a file system with
    /// fine-grained stamps (Linux 6.13 on), a change can be stamped from the fine clock just before a
    /// tick the kernel runs late, and the tick then moves the coarse clock to a time before that
    /// stamp; the mark is then stamped with the same time, and the folder is not trusted next time
    /// (in one commit of ten to twelve in a full test run, which failed a test now and then). The
    /// clock's next tick is past every stamp given before it, so one more wait does it.
    /// Those folders are stamped again after the new mark: a stamp read before a mark is trusted only
    /// if it was older than that mark, as a change made after the reading could have the same time.
    /// (A stamp older than the first mark stays right: any later change is stamped no earlier than
    /// it.) A stamp still not earlier (a clock set back) is left to be listed again; nil when a
    /// folder is gone by then.
    func markLaterThan(_ stamps: inout PathTable<TreeRecord.FolderStamp>, under root: String,
                       mark: (device: UInt64, time: Int64)?) -> (device: UInt64, time: Int64)? {
        guard var mark else { return nil }
        for _ in 0..<2 {
            let recent = stamps.compactMap { folder, stamp in !folder.isEmpty && stamp.changed >= mark.time ? folder : nil }
            guard !recent.isEmpty, let later = markAfterLastChange(), later.device == mark.device else { break }
            mark = later
            for (folder, stamp) in zip(recent, FileIO.folderStatuses(under: root, recent, kept: TreeRecord.FolderStamp.init)) {
                guard let stamp else { return nil }
                stamps[folder] = stamp
            }
        }
        return mark
    }

    /// Makes Output the new site. `files` is every file of the site with its content hash; `start`
    /// is what `startCommit` read, `trees` the record the last commit left (see `TreeRecord`). The
    /// record for the next commit is then `treesAfterCommit`.
    /// `order`, when given, is the site's paths in sorted order (worked out while the site rendered),
    /// so the manifest need not sort them.
    func commit(_ files: PathTable<UInt64>, start: CommitStart?, trees: TreeRecord?, order: [String]? = nil) throws(CommitFailure) -> Summary {
        let manifest = Self.manifest(files, order: order)
        record.trees.withLock { $0 = nil }
        do {
            guard outputExisted else { return try commitFirst(files, manifest: manifest) }
            return try commitOver(files, manifest: manifest, start: start ?? startCommit(trees: trees), trees: trees)
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
    private func commitFirst(_ files: PathTable<UInt64>, manifest: [UInt8]) throws -> Summary {
        try FileIO.write(manifest, to: stagingPath + "/" + Self.manifestName)
        if flushes { FileIO.syncFileSystem(of: stagingPath) }
        guard rename(stagingPath, outputPath) == 0 else { throw FileIO.Failure(path: outputPath, code: errno) }
        if flushes { FileIO.syncDirectory(output.deletingLastPathComponent().path) }
        var summary = Summary()
        summary.written = files.count
        return summary
    }

    /// The record for the next commit, as this one left it.
    var treesAfterCommit: TreeRecord? { record.trees.withLock { $0 } }

    private func commitOver(_ files: PathTable<UInt64>, manifest: [UInt8], start: CommitStart, trees: TreeRecord?) throws -> Summary {
        let staged = record.staged.withLock { $0 }
        let previous = start.manifest
        var summary = Summary()
        summary.written = staged.count
        summary.unchanged = files.count - staged.count
        // Nothing written and the same files as before: Output already is the new site. Unless a spare
        // is wanted and there is none, or it owes files: then the commit goes on and exchanges Output
        // for a tree of the same files.
        if staged.isEmpty, previous == manifest, !makesSpare || (trees?.debt.isEmpty == true && FileIO.kind(sparePath) == .directory) {
            abort()
            // Neither tree changes, so the record still describes them.
            record.trees.withLock { $0 = trees }
            summary.listedFolders = 0
            return summary
        }
        // No record survives a commit that may be stopped part way.
        TreeRecord.remove(for: output)
        let mark = start.mark
        if let previous, let trees, let mark, trees.device == mark.device, trees.manifest == ContentHash.of(previous),
           let done = try commitRecorded(files, manifest: manifest, previous: previous, staged: staged, record: trees, marker: mark.time,
                                         spare: start.spareFolders ?? SpareLook(trees, in: self)) {
            return done
        }
        let owned = start.owned
        let spare = start.spare ?? listSpare()
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
            if flushes { FileIO.syncFileSystem(of: sparePath) }
            try swap(sparePath)
            abort()
            recordWalked(files, manifest: manifest, staged: staged, owned: owned, legacy: legacy, mark: mark, previousFolders: directories,
                         newFolders: folders, needed: neededFolders, foreign: foreign)
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
        if flushes { FileIO.syncFileSystem(of: stagingPath) }
        try? FileIO.removeTree(sparePath)
        try swap(stagingPath)
        recordWalked(files, manifest: manifest, staged: staged, owned: owned, legacy: legacy, mark: mark, previousFolders: directories,
                     newFolders: neededFolders.union(keptFolders).union(Self.folders(of: foreign)), needed: neededFolders, foreign: foreign)
        return summary
    }

    /// The record after a commit that listed both trees: Output is the new site, the spare the tree
    /// that was Output, whose folders the walk found.
    private func recordWalked(_ files: PathTable<UInt64>, manifest: [UInt8], staged: PathTable<FileStamp>, owned: PathSet?, legacy: Bool,
                              mark: (device: UInt64, time: Int64)?, previousFolders: [String], newFolders: PathSet,
                              needed: PathSet, foreign: [String]) {
        // The new site's tree was all made by now: its stamps count from this moment.
        guard let owned, !legacy, let mark, let firstMark = markAfterLastChange(), firstMark.device == mark.device,
              let outputRoot = FileIO.status(outputPath), let spareRoot = FileIO.status(sparePath),
              (spareRoot.st_mode & S_IFMT) == S_IFDIR else { return }
        let newFolders = newFolders.union([""]), previousFolders = Set(previousFolders).union([""])
        // Every folder of both trees must be in the record, or changes in it would go unseen.
        guard var outputStamps = Self.stamps(under: outputPath, newFolders), let spareStamps = Self.stamps(under: sparePath, previousFolders),
              let finished = markLaterThan(&outputStamps, under: outputPath, mark: firstMark) else { return }
        var debt = PathSet(staged.keys).union(owned.filter { files[$0] == nil })
        debt.formUnion(newFolders.symmetricDifference(previousFolders))
        record.trees.withLock {
            $0 = TreeRecord(device: mark.device, manifest: ContentHash.of(manifest),
                            output: (root: UInt64(outputRoot.st_ino), folders: outputStamps, marker: finished.time),
                            spare: (root: UInt64(spareRoot.st_ino), folders: spareStamps, marker: mark.time),
                            needed: needed, foreignFiles: PathSet(foreign), debt: debt)
        }
    }

    /// Each of `folders` under `root` with its stamp; nil when one is not a folder there.
    static func stamps(under root: String, _ folders: some Collection<String>) -> PathTable<TreeRecord.FolderStamp>? {
        let list = Array(folders)
        var stamps: PathTable<TreeRecord.FolderStamp> = [:]
        stamps.reserveCapacity(list.count)
        for (folder, stamp) in zip(list, FileIO.folderStatuses(under: root, list, kept: TreeRecord.FolderStamp.init)) {
            guard let stamp else { return nil }
            stamps[folder] = stamp
        }
        return stamps
    }

    /// The commit when the last one left a record of both trees (see `TreeRecord`). Each recorded
    /// folder costs one `lstat`; only folders whose stamp moved are listed. What the court added to
    /// or took from Output is found in those; the spare is then brought to the new site by touching
    /// only the paths that can differ: this build's files, the record's debt, what the court changed
    /// and what was found changed in the spare. Nil, before anything is touched, when the record does
    /// not describe the trees that are there.
    private func commitRecorded(_ files: PathTable<UInt64>, manifest: [UInt8], previous: [UInt8], staged: PathTable<FileStamp>,
                                record trees: TreeRecord, marker: Int64, spare look: SpareLook) throws -> Summary? {
        typealias Stamp = TreeRecord.FolderStamp
        guard let outputRoot = FileIO.status(outputPath), let spareRoot = FileIO.status(sparePath),
              (outputRoot.st_mode & S_IFMT) == S_IFDIR, (spareRoot.st_mode & S_IFMT) == S_IFDIR,
              UInt64(outputRoot.st_ino) == trees.output.root, UInt64(spareRoot.st_ino) == trees.spare.root,
              UInt64(outputRoot.st_dev) == trees.device, UInt64(spareRoot.st_dev) == trees.device else { return nil }
        // Folders are kept by their place in the record's list (see `TreeRecord.folders`); the few a
        // commit finds that the list lacks are kept by path, beside it.
        let list = trees.folders, count = list.count, spareStamps = look.now
        guard count > 0, list[0].isEmpty, trees.output.stamps.count == count, trees.spare.stamps.count == count,
              trees.needed.count == count, spareStamps.count == count else { return nil }
        // Output's folders as they are now (nil: gone, or not one of Output's), and those new to it.
        var outputNow = foldersNow(under: outputPath, list, recorded: trees.output.stamps)
        var outputExtra: PathTable<Stamp> = [:]
        func isOutputFolder(_ folder: String) -> Bool {
            if let i = trees.index(of: folder) { return outputNow[i] != nil }
            return outputExtra[folder] != nil
        }
        // The same paths as the last build's (an edit, not a notice added or gone): then the files the
        // last commit wrote are this site's, and much below is known without working it out.
        let namesTheSameFiles = Self.nameTheSameFiles(previous, manifest)
        let owned = namesTheSameFiles ? [] : Self.paths(inManifest: previous)
        func owns(_ file: String) -> Bool { namesTheSameFiles ? files[file] != nil : owned.contains(file) }
        var listed = 0
        func path(_ root: String, _ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }
        func child(_ folder: String, _ name: String) -> String { folder.isEmpty ? name : folder + "/" + name }

        // Output as the court has left it: its folders now, its files that Gavel did not write, and
        // the files in changed folders, whose inodes the spare must be checked against.
        var foreign = trees.foreignFiles
        var check = PathSet()
        let foreignByFolder = Dictionary(grouping: trees.foreignFiles, by: Self.parent)
        func found(_ file: String) {
            if !owns(file) { foreign.insert(file) }
            check.insert(file)
        }
        // Most folders are as recorded: the others (gone, moved, or too recent to be trusted, and the
        // root, always listed) are picked out on every core, and only they are gone through here.
        let recordedNow = outputNow
        let outputToVisit = inChunks(count, minimum: 2048) { range in
            range.filter { i in
                guard let recorded = trees.output.stamps[i] else { return false }
                guard let stamp = recordedNow[i] else { return true }
                return i == 0 || !trees.output.unchanged(recorded, now: stamp)
            }
        }.joined()
        for i in outputToVisit {
            let folder = list[i]
            // A folder gone (or no longer a folder) is nil in `outputNow` already; its children fail too.
            guard let recorded = trees.output.stamps[i], let stamp = outputNow[i] else { continue }
            if i != 0, trees.output.unchanged(recorded, now: stamp) { continue }
            listed += 1
            guard let entries = FileIO.listedEntries(of: path(outputPath, folder)) else { return nil }
            var present = PathSet()
            for (name, kind) in entries {
                if folder.isEmpty, name == Self.manifestName || name == Self.legacyMarker { continue }
                let relative = child(folder, name)
                present.insert(relative)
                guard kind == .directory else { found(relative); continue }
                if let known = trees.index(of: relative), trees.output.stamps[known] != nil { continue }
                // A folder new since the record: all of it is read now.
                let (inner, innerFolders) = FileIO.walk(path(outputPath, relative))
                let all = [relative] + innerFolders.map { relative + "/" + $0 }
                for (folder, stamp) in zip(all, FileIO.folderStatuses(under: outputPath, all, kept: Stamp.init)) {
                    guard let stamp else { continue }
                    if let known = trees.index(of: folder) { outputNow[known] = stamp } else { outputExtra[folder] = stamp }
                }
                listed += all.count
                for file in inner { found(relative + "/" + file) }
            }
            for file in foreignByFolder[folder] ?? [] where !present.contains(file) { foreign.remove(file) }
        }
        foreign = foreign.filter { isOutputFolder(Self.parent($0)) }

        // The folders the new site's files need. With the same paths as the last build's, they are
        // the ones the record says Output's files needed.
        let sameFiles = namesTheSameFiles || (files.count == owned.count && files.keys.allSatisfy(owned.contains))
        var needed = trees.needed
        var neededExtra = PathSet()
        if !sameFiles {
            let wanted = Self.folders(of: files.keys)
            needed = list.map { wanted.contains($0) }
            if needed.count(where: { $0 }) < wanted.count {
                for folder in wanted where trees.index(of: folder) == nil { neededExtra.insert(folder) }
            }
        }
        func isNeeded(_ folder: String) -> Bool { trees.index(of: folder).map { needed[$0] } ?? neededExtra.contains(folder) }
        // The court's folders in Output: neither needed now nor Gavel's before.
        let finalNeeded = needed, outputFound = outputNow
        var kept = PathSet(inChunks(count, minimum: 2048) { range in
            range.filter { i in i != 0 && outputFound[i] != nil && !finalNeeded[i] && (sameFiles || !trees.needed[i]) }.map { list[$0] }
        }.joined())
        for folder in outputExtra.keys where !isNeeded(folder) { kept.insert(folder) }
        var conflicts: [Diagnostic] = []
        for file in foreign.sorted() where files[file] != nil || isNeeded(file) {
            let message = files[file] != nil ? "a file that Gavel did not write is where the site puts '\(file)'"
                : "a file that Gavel did not write is where the site needs the folder '\(file)'"
            conflicts.append(.error(SourceLocation(file: outputPath + "/" + file), message,
                                    hint: "Gavel never replaces a file it did not write: move it out of the output folder"))
        }
        for folder in kept.sorted() where files[folder] != nil {
            conflicts.append(.error(SourceLocation(file: outputPath + "/" + folder), "a folder that Gavel did not make is where the site puts the file '\(folder)'",
                                    hint: "Gavel never replaces a file it did not write: move it out of the output folder"))
        }
        guard conflicts.isEmpty else { throw CommitFailure(diagnostics: conflicts) }
        // The new site's folders: the root, the needed, the court's and those holding its files.
        var inNew = needed
        inNew[0] = true
        var newExtra = neededExtra
        for folder in kept.union(Self.folders(of: foreign)) {
            if let i = trees.index(of: folder) { inNew[i] = true } else { newExtra.insert(folder) }
        }
        let newFolders = inNew
        func isNewFolder(_ folder: String) -> Bool { trees.index(of: folder).map { newFolders[$0] } ?? newExtra.contains(folder) }
        func expected(_ file: String) -> Bool { files[file] != nil || foreign.contains(file) }

        // The spare: what it must lose, the folders it lacks, and the files to check.
        var removeFiles: [String] = [], removeTrees = PathSet(), makeFolders = PathSet(), dirtySpare = PathSet()
        // As with Output's: the folders that need more than a look are picked out on every core.
        let spareToVisit = inChunks(count, minimum: 2048) { range in
            range.filter { i in
                guard let recorded = trees.spare.stamps[i] else { return false }
                guard newFolders[i], let stamp = spareStamps[i] else { return true }
                return i == 0 || !trees.spare.unchanged(recorded, now: stamp)
            }
        }.joined()
        for i in spareToVisit {
            let folder = list[i]
            guard newFolders[i] else {
                removeTrees.insert(folder)
                continue
            }
            guard let recorded = trees.spare.stamps[i], let stamp = spareStamps[i] else {
                // Gone, or something else is there: made afresh, and every file of it checked.
                makeFolders.insert(folder)
                continue
            }
            if i != 0, trees.spare.unchanged(recorded, now: stamp) { continue }
            listed += 1
            dirtySpare.insert(folder)
            guard let entries = FileIO.listedEntries(of: path(sparePath, folder)) else { return nil }
            for (name, kind) in entries {
                if folder.isEmpty, name == Self.manifestName || name == Self.legacyMarker { continue }
                let relative = child(folder, name)
                if kind == .directory {
                    if !isNewFolder(relative) { removeTrees.insert(relative) }
                } else if !expected(relative) {
                    removeFiles.append(relative)
                }
            }
        }
        // The new site's folders the spare never had.
        for i in 0..<count where newFolders[i] && trees.spare.stamps[i] == nil { makeFolders.insert(list[i]) }
        for folder in newExtra { makeFolders.insert(folder) }
        // Folders made or listed: every file the new site has in them is checked.
        // (Looked up by the part of each path before its last slash, without making a string of it.)
        // Usually only the roots: compared in turn, rather than hashing each of the site's paths.
        let checkedFolders = Set(dirtySpare.union(makeFolders).map { $0[...] })
        let fewCheckedFolders = checkedFolders.count <= 8 ? Array(checkedFolders) : nil
        // The root alone (the usual case): a file is in it when its path has no slash, which a
        // forward look finds at once (`courts/`, `search/`); the last slash is searched for from
        // the end, through the file's name.
        let onlyRoot = checkedFolders == [""]
        func inCheckedFolder(_ file: String) -> Bool {
            if onlyRoot {
                // With memchr where the bytes are contiguous (a native string's always are): the UTF-8
                // view's `contains`, a generic walk with an iterator, cost 250 instructions a path.
                let slash = UInt8(ascii: "/")
                return file.utf8.withContiguousStorageIfAvailable { FileIO.index(of: slash, in: $0, from: 0) == nil } ?? !file.utf8.contains(slash)
            }
            let parent = file.utf8.lastIndex(of: UInt8(ascii: "/")).map { file[..<$0] } ?? ""
            return fewCheckedFolders?.contains(parent) ?? checkedFolders.contains(parent)
        }
        for file in files.keys where inCheckedFolder(file) { check.insert(file) }
        for file in foreign where inCheckedFolder(file) { check.insert(file) }
        for item in trees.debt {
            if expected(item) { check.insert(item) } else if !isNewFolder(item) { removeTrees.insert(item) }
        }
        for file in trees.foreignFiles where !expected(file) { removeFiles.append(file) }
        if !sameFiles {
            for file in owned where !expected(file) { removeFiles.append(file) }
            for file in files.keys where staged[file] == nil && !owned.contains(file) { check.insert(file) }
        }
        // Only files of the new site are linked; this build's own move in from staging.
        check = check.filter { expected($0) && staged[$0] == nil }

        try FileIO.inParallel(removeFiles) { [sparePath] relative in
            let target = sparePath + "/" + relative
            if unlink(target) == 0 || errno == ENOENT || errno == ENOTDIR { return nil }
            guard errno == EISDIR || errno == EPERM else { return FileIO.Failure(path: target, code: errno) }
            // A folder where the spare had a file.
            do { try FileIO.removeTree(target) } catch { return error as? FileIO.Failure }
            return nil
        }
        for folder in removeTrees.sorted(by: >) { try FileIO.removeTree(path(sparePath, folder)) }
        // A folder to make may find a file or a link in its place (the spare is trusted in nothing).
        for folder in makeFolders.sorted() where !folder.isEmpty {
            let kind = FileIO.kind(path(sparePath, folder))
            if kind != .missing && kind != .directory { try FileIO.removeTree(path(sparePath, folder)) }
        }
        try FileIO.makeFolders(Array(makeFolders.subtracting([""])), under: sparePath)
        try FileIO.inParallel(Array(staged.keys)) { [stagingPath, sparePath] relative in
            rename(stagingPath + "/" + relative, sparePath + "/" + relative) == 0 ? nil : FileIO.Failure(path: sparePath + "/" + relative, code: errno)
        }
        try FileIO.inParallel(Array(check)) { [outputPath, sparePath] relative in
            Self.relink(outputPath + "/" + relative, sparePath + "/" + relative)
        }
        // Last, since adding entries to a folder changes its times; only when they differ, so a
        // folder of the court's is not stamped again on every build.
        var attributed: [String] = []
        for folder in kept.sorted(by: >) where !FileIO.sameAttributes(path(outputPath, folder), path(sparePath, folder)) {
            FileIO.copyAttributes(of: path(outputPath, folder), to: path(sparePath, folder))
            attributed.append(folder)
        }
        unlink(sparePath + "/" + Self.manifestName)
        try FileIO.write(manifest, to: sparePath + "/" + Self.manifestName)
        // The spare is all made by now. Until the second mark nothing is changed on disk: what can be
        // worked out is, while the clock ticks past that last change.
        let lastChange = FileIO.coarseNow()
        var touched = PathSet([""]).union(dirtySpare).union(makeFolders).union(attributed)
        for item in removeFiles { touched.insert(Self.parent(item)) }
        for item in removeTrees { touched.insert(Self.parent(item)) }
        for item in makeFolders { touched.insert(Self.parent(item)) }
        for item in staged.keys { touched.insert(Self.parent(item)) }
        for item in check { touched.insert(Self.parent(item)) }
        let touchedList = touched.filter(isNewFolder).map { $0 }
        var debt = PathSet(staged.keys)
        if !sameFiles { debt.formUnion(owned.filter { files[$0] == nil }) }
        // The folders in one tree and not the other.
        for i in 0..<count where newFolders[i] != (outputNow[i] != nil) { debt.insert(list[i]) }
        for folder in newExtra where outputExtra[folder] == nil { debt.insert(folder) }
        for folder in outputExtra.keys where !newExtra.contains(folder) { debt.insert(folder) }

        // The folders this commit changed are stamped afresh, after a second mark: the spare is all
        // made by now, so its stamps count from this moment. The others keep the stamps read as the
        // build started.
        var restamped: PathTable<Stamp> = [:]
        let firstMark = markAfterLastChange(lastChange: lastChange)
        for (folder, stamp) in zip(touchedList, FileIO.folderStatuses(under: sparePath, touchedList, kept: Stamp.init)) { if let stamp { restamped[folder] = stamp } }
        let finished = markLaterThan(&restamped, under: sparePath, mark: firstMark)
        var newStamps = (0..<count).map { newFolders[$0] && trees.spare.stamps[$0] != nil ? spareStamps[$0] : nil }
        var newExtraStamps: PathTable<Stamp> = [:]
        for folder in touchedList {
            if let i = trees.index(of: folder) { newStamps[i] = restamped[folder] } else { newExtraStamps[folder] = restamped[folder] }
        }
        // Every folder of the new site must be in the record, or changes in it would go unseen.
        let stampsEveryFolder = (0..<count).allSatisfy { !newFolders[$0] || newStamps[$0] != nil } && newExtra.allSatisfy { newExtraStamps[$0] != nil }
        if flushes { FileIO.syncFileSystem(of: sparePath) }
        try swap(sparePath)
        abort()

        record.trees.withLock {
            guard let finished, finished.device == trees.device, stampsEveryFolder else { $0 = nil; return }
            let manifestHash = ContentHash.of(manifest)
            if outputExtra.isEmpty, newExtra.isEmpty, (0..<count).allSatisfy({ newFolders[$0] || outputNow[$0] != nil }) {
                // The same folders as the list's (an edit): it is kept as it is.
                $0 = TreeRecord(device: trees.device, manifest: manifestHash, folders: list,
                                output: TreeRecord.Tree(root: trees.spare.root, stamps: newStamps, marker: finished.time),
                                spare: TreeRecord.Tree(root: trees.output.root, stamps: outputNow, marker: marker),
                                needed: needed, foreignFiles: foreign, debt: debt)
                return
            }
            var newTable = newExtraStamps, outputTable = outputExtra
            var neededSet = neededExtra
            for i in 0..<count {
                if newFolders[i], let stamp = newStamps[i] { newTable[list[i]] = stamp }
                if let stamp = outputNow[i] { outputTable[list[i]] = stamp }
                if needed[i] { neededSet.insert(list[i]) }
            }
            $0 = TreeRecord(device: trees.device, manifest: manifestHash,
                            output: (root: trees.spare.root, folders: newTable, marker: finished.time),
                            spare: (root: trees.output.root, folders: outputTable, marker: marker),
                            needed: neededSet, foreignFiles: foreign, debt: debt)
        }
        var summary = Summary()
        summary.written = staged.count
        summary.unchanged = files.count - staged.count
        summary.removed = sameFiles ? 0 : owned.count { files[$0] == nil }
        summary.kept = foreign.count
        summary.listedFolders = listed
        return summary
    }

    /// Makes `target` the file at `source` (the same inode) unless it already is; whatever is at
    /// `target` (a stale file, a link, a folder) goes first.
    static func relink(_ source: String, _ target: String) -> FileIO.Failure? {
        guard let want = FileIO.status(source) else { return FileIO.Failure(path: source, code: errno) }
        if let have = FileIO.status(target) {
            if have.st_ino == want.st_ino, have.st_dev == want.st_dev { return nil }
            if (have.st_mode & S_IFMT) == S_IFDIR {
                do { try FileIO.removeTree(target) } catch { return error as? FileIO.Failure }
            } else if unlink(target) != 0 && errno != ENOENT {
                return FileIO.Failure(path: target, code: errno)
            }
        }
        return linkat(AT_FDCWD, source, AT_FDCWD, target, 0) == 0 ? nil : FileIO.Failure(path: target, code: errno)
    }

    /// The folder holding `path` ("" for the root).
    static func parent(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    /// Brings the spare tree (an earlier site, or anything at all: it is Gavel's own folder but is
    /// trusted in nothing) up to the new site: every entry it has that the new tree lacks goes, files
    /// written this build move in from staging, and every other file must be Output's own file (the
    /// same inode, checked with lstat) or is linked from Output again. Links are made only for files
    /// that changed since the spare was Output, so a rebuild costs two walks and a stat per file
    /// rather than a link and an unlink per file. Output is not touched.
    private func recycle(_ spare: SpareListing, links: [String], staged: PathTable<FileStamp>, folders: PathSet) throws {
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
            Self.relink(outputPath + "/" + relative, sparePath + "/" + relative)
        }
    }

    /// Exchanges `tree` (the new site) and Output. The old tree, now in its place, becomes the spare
    /// for the next commit.
    private func swap(_ tree: String) throws {
        let parent = output.deletingLastPathComponent().path
        if try FileIO.exchange(tree, outputPath) {
            if flushes { FileIO.syncDirectory(parent) }
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
        if flushes { FileIO.syncDirectory(parent) }
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
    static func manifest(_ files: PathTable<UInt64>, order: [String]? = nil) -> [UInt8] {
        var bytes = Array("gavel-manifest 1\n# The files gavel build wrote into this folder; it never changes or removes any other.\n".utf8)
        @Sendable func line(_ path: String, _ hash: UInt64, into bytes: inout [UInt8]) {
            bytes.append(contentsOf: path.utf8)
            bytes.append(0x09)
            StateFile.appendHex(hash, to: &bytes)
            bytes.append(0x0A)
        }
        // The order given holds only when it names exactly these files. Its lines are made on every
        // core (17,000 at 10,000 notices, just before the commit), each chunk straight into its place
        // in one buffer of the exact size, worked out first: made in parts and then joined, the parts
        // and the whole were both there, a megabyte each, at a full build's peak.
        if let order, order.count == files.count {
            let counted = inChunks(order.count, minimum: 4096) { range -> (range: Range<Int>, hashes: [UInt64], length: Int)? in
                var hashes: [UInt64] = []
                hashes.reserveCapacity(range.count)
                var length = 0
                for path in order[range] {
                    guard let hash = files[path] else { return nil }
                    hashes.append(hash)
                    length += path.utf8.count + 2 + StateFile.hexCount(hash)
                }
                return (range, hashes, length)
            }
            let chunks = counted.compactMap { $0 }
            if chunks.count == counted.count {
                let head = bytes.count
                var starts: [Int] = []
                var total = head
                for chunk in chunks {
                    starts.append(total)
                    total += chunk.length
                }
                let header = bytes, places = starts
                return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
                    guard let base = buffer.baseAddress else { count = 0; return }
                    base.initialize(from: header, count: head)
                    let target = ManifestTarget(base: base)
                    DispatchQueue.concurrentPerform(iterations: chunks.count) { k in
                        var at = places[k]
                        var scratch: [UInt8] = []
                        for (i, path) in order[chunks[k].range].enumerated() {
                            scratch.removeAll(keepingCapacity: true)
                            line(path, chunks[k].hashes[i], into: &scratch)
                            scratch.withUnsafeBufferPointer { line in
                                if let start = line.baseAddress { (target.base + at).initialize(from: start, count: line.count) }
                            }
                            at += scratch.count
                        }
                    }
                    count = total
                }
            }
        }
        bytes.reserveCapacity(files.count * 64)
        for (path, hash) in files.sorted(by: { $0.key < $1.key }) { line(path, hash, into: &bytes) }
        return bytes
    }

    /// Where the manifest's lines are written from every core, each chunk into its own part of the
    /// buffer (the chunks' places were worked out from their lengths, and never overlap).
    private struct ManifestTarget: @unchecked Sendable {
        let base: UnsafeMutablePointer<UInt8>
    }

    /// The files a manifest lists. Only paths that a site can have count: a damaged or hand-edited
    /// manifest cannot make Gavel remove `.git/` or anything outside Output.
    static func paths(inManifest bytes: [UInt8]) -> PathSet {
        var paths = PathSet()
        let lines = FileIO.lines(bytes)
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == "gavel-manifest 1" else { return [] }
        for line in lines.dropFirst() where line.first != UInt8(ascii: "#") {
            guard let tab = line.firstIndex(of: 0x09) else { continue }
            // Each part of the path is non-empty and does not start with a dot (checked on the bytes:
            // this runs for every file of the site).
            var valid = tab > line.startIndex, previous: UInt8 = UInt8(ascii: "/")
            for b in line[..<tab] where previous == UInt8(ascii: "/") || b == UInt8(ascii: "/") {
                if previous == UInt8(ascii: "/") && (b == UInt8(ascii: "/") || b == UInt8(ascii: ".")) { valid = false; break }
                previous = b
            }
            guard valid, line[tab - 1] != UInt8(ascii: "/") else { continue }
            paths.insert(String(decoding: line[..<tab], as: UTF8.self))
        }
        return paths
    }

    /// True when two manifests name the same files, line for line, whatever their hashes: both list
    /// their files sorted, so an edit is told from a file added or gone by comparing bytes, without a
    /// lookup per file. False tells nothing (the lines may differ only in order).
    static func nameTheSameFiles(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count / 2 < b.count, b.count / 2 < a.count else { return false }
        // The line at `i`: where its path ends (its first tab, or the line's end) and where it ends
        // (its line break, or the bytes' end), found with memchr (byte by byte, the two manifests of
        // 17,000 lines at 10,000 notices took 4-5 ms on the commit's one core).
        func line(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> (path: Int, end: Int) {
            let end = FileIO.index(of: 0x0A, in: bytes, from: i) ?? bytes.count
            return (FileIO.index(of: 0x09, in: bytes, from: i, to: end) ?? end, end)
        }
        return a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                guard let pa = a.baseAddress, let pb = b.baseAddress else { return a.isEmpty && b.isEmpty }
                var i = 0, j = 0
                while i < a.count, j < b.count {
                    let x = line(a, i), y = line(b, j)
                    guard x.path - i == y.path - j, memcmp(pa + i, pb + j, x.path - i) == 0 else { return false }
                    i = x.end + 1
                    j = y.end + 1
                }
                return i >= a.count && j >= b.count
            }
        }
    }

    /// Every folder that holds one of `files`, at any depth.
    static func folders(of files: some Collection<String>) -> PathSet {
        var folders = PathSet()
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
