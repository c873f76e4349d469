import Foundation

/// What the last commit left in Output and in the spare tree, so the next commit can check each
/// folder with one `lstat` instead of listing it (`.Output.gavel-trees`, beside the other state).
///
/// A folder's entries change only through calls that move its change time (ctime, which nobody can
/// set back) and its modification time. A folder whose inode and both times are as recorded has the
/// entries it had, provided the recorded change time is older than its tree's marker: a change time
/// the file system gave a file Gavel touched after it knew the folder's entries. For the tree that
/// was Output (the court's), that is before the commit read any of its folders; for the tree the
/// commit made the new site, after its last change to it. Any later change is stamped with a time no
/// earlier than the marker, so it cannot look like the recorded one, even on a clock whose ticks are
/// milliseconds long. That is git's "racily clean" rule, applied to folders as its untracked cache
/// does. A folder that fails the check is listed again, which is always correct.
///
/// Like all of Gavel's state this only saves time: missing, damaged, from another Gavel, or about
/// trees that are no longer the ones beside Output (each root's inode is recorded), it is ignored
/// and the commit lists both trees. A commit removes it before it touches the spare, so a commit
/// that is killed leaves none.
struct TreeRecord: Sendable, Equatable {
    /// A folder as `lstat` saw it.
    struct FolderStamp: Sendable, Equatable {
        var inode: UInt64
        var modified: Int64
        var changed: Int64

        init(inode: UInt64, modified: Int64, changed: Int64) {
            self.inode = inode
            self.modified = modified
            self.changed = changed
        }

        init(_ info: stat) {
            inode = UInt64(info.st_ino)
            modified = Int64(info.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_mtim.tv_nsec)
            changed = Int64(info.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(info.st_ctim.tv_nsec)
        }
    }

    /// One tree: its root's inode, every folder in it ("" is the root) with its stamp, and the change
    /// time its stamps must be older than to be trusted.
    struct Tree: Sendable, Equatable {
        var root: UInt64
        var folders: PathTable<FolderStamp>
        var marker: Int64

        /// True when `now` shows a folder with the entries it had when `recorded`, its stamp in this
        /// tree, was taken.
        func unchanged(_ recorded: FolderStamp, now: FolderStamp?) -> Bool {
            recorded.changed < marker && now == recorded
        }
    }

    /// The file system both trees are on.
    var device: UInt64
    /// The content hash of Output's manifest, which names Gavel's own files in it: a record is used
    /// only with the manifest it was made with.
    var manifest: UInt64
    var output: Tree
    var spare: Tree
    /// The folders of Output that the files of its manifest need (the others are the court's).
    var needed: PathSet
    /// Files in Output that Gavel did not write (its own are the manifest's). The court's folders
    /// are the recorded folders that no file of the manifest needs.
    var foreignFiles: PathSet
    /// Paths (files or folders) where the spare may differ from Output: what the last commit
    /// wrote, removed, made or took away. Everywhere else the spare holds Output's own inodes.
    var debt: PathSet

    static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-trees") }

    static func remove(for output: URL) {
        unlink(location(for: output).path)
    }

    // MARK: - File format
    //
    // Header `gavel-trees <identity> <checksum> <device> <manifest> <output root> <output marker> <spare root> <spare marker>`
    // (numbers in hexadecimal), then a body of records (`StateFile.Records`): Output's folders (their
    // count, then each one's path, inode, modification and change times, and a byte, 1 when the
    // site's files need it), the spare's folders (the same without that byte), the foreign files
    // and the debt (a count, then each path).

    func save(for output: URL) throws {
        // In the dictionaries' order: the file is read back into tables, and sorting twenty thousand
        // paths would cost more than writing them. Each tree's records are made on a core of their
        // own (11,000 each at 10,000 notices, as the build's last step) and joined in order.
        let trees = [self.output, spare], needed = self.needed
        let room = trees.map { $0.folders.keys.reduce(8) { $0 + StateFile.Records.size(text: $1) + 25 } }
        let lists = [foreignFiles, debt]
        let whole = room.reduce(0, +) + lists.reduce(0) { $0 + $1.reduce(8) { $0 + StateFile.Records.size(text: $1) } }
        var parts = inChunks(trees.count, minimum: 1) { range -> [UInt8]? in
            // The first part has room for the whole file, so the rest is appended without a copy.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(range.lowerBound == 0 ? whole : room[range].reduce(0, +))
            for t in range {
                let isOutput = t == 0
                StateFile.Records.append(UInt64(trees[t].folders.count), to: &bytes)
                for (path, stamp) in trees[t].folders {
                    guard StateFile.Records.append(text: path, to: &bytes) else { return nil }
                    StateFile.Records.append(stamp.inode, UInt64(bitPattern: stamp.modified), UInt64(bitPattern: stamp.changed), to: &bytes)
                    if isOutput { bytes.append(needed.contains(path) ? 1 : 0) }
                }
            }
            return bytes
        }
        guard !parts.isEmpty, !parts.contains(where: { $0 == nil }) else {
            throw FileIO.Failure(path: Self.location(for: output).path, code: EOVERFLOW)
        }
        // Taken out of `parts`, so appending to it does not copy it.
        var bytes = parts.removeFirst() ?? []
        for part in parts { bytes.append(contentsOf: part ?? []) }
        for paths in lists {
            StateFile.Records.append(UInt64(paths.count), to: &bytes)
            for path in paths {
                guard StateFile.Records.append(text: path, to: &bytes) else {
                    throw FileIO.Failure(path: Self.location(for: output).path, code: EOVERFLOW)
                }
            }
        }
        let head = [device, manifest, self.output.root, UInt64(bitPattern: self.output.marker), spare.root, UInt64(bitPattern: spare.marker)].map { String($0, radix: 16) }
        try StateFile.write(Self.location(for: output).path, kind: "gavel-trees", head: head, body: bytes)
    }

    static func load(for output: URL) -> TreeRecord? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-trees"), head.count == 6 else { return nil }
        let numbers = head.compactMap { BuildCache.hex(ArraySlice($0.utf8)) }
        guard numbers.count == 6 else { return nil }
        var record = TreeRecord(device: numbers[0], manifest: numbers[1],
                                output: Tree(root: numbers[2], folders: [:], marker: Int64(bitPattern: numbers[3])),
                                spare: Tree(root: numbers[4], folders: [:], marker: Int64(bitPattern: numbers[5])),
                                needed: [], foreignFiles: [], debt: [])
        let read = bytes.withUnsafeBytes { raw -> Bool in
            var reader = StateFile.Records.Reader(raw, from: body)
            // A count read from the file is trusted for room only as far as the bytes left could
            // hold that many records (a folder's takes at least 28 bytes, a path's 4).
            func count(least: Int) -> Int? {
                guard let value = reader.number(), let count = Int(exactly: value), count <= (raw.count - reader.offset) / least else { return nil }
                return count
            }
            for isOutput in [true, false] {
                guard let folders = count(least: isOutput ? 29 : 28) else { return false }
                var table: PathTable<FolderStamp> = [:]
                table.reserveCapacity(folders)
                if isOutput { record.needed.reserveCapacity(folders) }
                for _ in 0..<folders {
                    guard let path = reader.text(), let inode = reader.number(), let modified = reader.number(), let changed = reader.number() else { return false }
                    table[path] = FolderStamp(inode: inode, modified: Int64(bitPattern: modified), changed: Int64(bitPattern: changed))
                    if isOutput {
                        switch reader.byte() {
                        case 1: record.needed.insert(path)
                        case 0: break
                        default: return false
                        }
                    }
                }
                if isOutput { record.output.folders = table } else { record.spare.folders = table }
            }
            for isForeign in [true, false] {
                guard let paths = count(least: 4) else { return false }
                var set = PathSet(minimumCapacity: paths)
                for _ in 0..<paths {
                    guard let path = reader.text() else { return false }
                    set.insert(path)
                }
                if isForeign { record.foreignFiles = set } else { record.debt = set }
            }
            return reader.atEnd
        }
        guard read else { return nil }
        // Both roots must be there: without them nothing below can be placed.
        guard record.output.folders[""] != nil, record.spare.folders[""] != nil else { return nil }
        return record
    }
}
