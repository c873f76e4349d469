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
        var folders: [String: FolderStamp]
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
    var needed: Set<String>
    /// Files in Output that Gavel did not write (its own are the manifest's). The court's folders
    /// are the recorded folders that no file of the manifest needs.
    var foreignFiles: Set<String>
    /// Paths (files or folders) where the spare may differ from Output: what the last commit
    /// wrote, removed, made or took away. Everywhere else the spare holds Output's own inodes.
    var debt: Set<String>

    static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-trees") }

    static func remove(for output: URL) {
        unlink(location(for: output).path)
    }

    // MARK: - File format
    //
    // Header `gavel-trees <identity> <checksum> <device> <manifest> <output root> <output marker> <spare root> <spare marker>`, then a
    // line per item: a letter and tab-separated fields, paths escaped as in the notice index.
    // `o` and `s`: a folder of Output or of the spare, with inode, modification and change times (and
    // for Output `1` when the site's files need it, else `0`);
    // `f` a foreign file, `d` a debt path. Numbers are hexadecimal.

    func save(for output: URL) throws {
        // In the dictionaries' order: the file is read back into sets, and sorting twenty thousand
        // paths would cost more than writing them. Each tree's lines are made on a core of their own
        // (11,000 each at 10,000 notices, as the build's last step) and joined in order.
        let trees = [(UInt8(ascii: "o"), self.output), (UInt8(ascii: "s"), spare)], needed = self.needed
        // The first part has room for the whole file (three numbers of sixteen digits a line), so
        // the rest is appended to it without a copy to grow it.
        let room = trees.map { $0.1.folders.keys.reduce(0) { $0 + $1.utf8.count + 3 * 17 + 5 } }
        let whole = room.reduce(0, +) + foreignFiles.reduce(0) { $0 + $1.utf8.count + 3 } + debt.reduce(0) { $0 + $1.utf8.count + 3 }
        var parts = inChunks(trees.count, minimum: 1) { range -> [UInt8] in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(range.lowerBound == 0 ? whole : room[range].reduce(0, +))
            func number(_ value: UInt64) {
                bytes.append(0x09)
                StateFile.appendHex(value, to: &bytes)
            }
            for (letter, tree) in trees[range] {
                for (path, stamp) in tree.folders {
                    bytes.append(letter)
                    bytes.append(0x09)
                    NoticeIndex.escape(path, into: &bytes)
                    number(stamp.inode)
                    number(UInt64(bitPattern: stamp.modified))
                    number(UInt64(bitPattern: stamp.changed))
                    if letter == UInt8(ascii: "o") { bytes.append(contentsOf: needed.contains(path) ? [0x09, 0x31] : [0x09, 0x30]) }
                    bytes.append(0x0A)
                }
            }
            return bytes
        }
        // Taken out of `parts`, so appending to it does not copy it.
        var bytes = parts.isEmpty ? [] : parts.removeFirst()
        for part in parts { bytes.append(contentsOf: part) }
        for (letter, paths) in [(UInt8(ascii: "f"), foreignFiles), (UInt8(ascii: "d"), debt)] {
            for path in paths {
                bytes.append(letter)
                bytes.append(0x09)
                NoticeIndex.escape(path, into: &bytes)
                bytes.append(0x0A)
            }
        }
        let head = [device, manifest, self.output.root, UInt64(bitPattern: self.output.marker), spare.root, UInt64(bitPattern: spare.marker)].map { String($0, radix: 16) }
        try StateFile.write(Self.location(for: output).path, kind: "gavel-trees", head: head, body: bytes)
    }

    static func load(for output: URL) -> TreeRecord? {
        guard let (head, lines) = StateFile.read(location(for: output).path, kind: "gavel-trees"), head.count == 6 else { return nil }
        let numbers = head.compactMap { BuildCache.hex(ArraySlice($0.utf8)) }
        guard numbers.count == 6 else { return nil }
        var record = TreeRecord(device: numbers[0], manifest: numbers[1],
                                output: Tree(root: numbers[2], folders: [:], marker: Int64(bitPattern: numbers[3])),
                                spare: Tree(root: numbers[4], folders: [:], marker: Int64(bitPattern: numbers[5])),
                                needed: [], foreignFiles: [], debt: [])
        // Room for the folders up front (two trees' worth of lines, most of them folders).
        record.output.folders.reserveCapacity(lines.count / 2 + 1)
        record.spare.folders.reserveCapacity(lines.count / 2 + 1)
        record.needed.reserveCapacity(lines.count / 2 + 1)
        let read = lines.withLines { line -> Bool in
            var cells: [StateFile.Bytes] = []
            cells.reserveCapacity(8)
            for i in 0..<lines.count {
                StateFile.cells(line(i), into: &cells)
                guard cells.count >= 2, cells[0].count == 1, let path = NoticeIndex.unescape(cells[1]) ?? nil else { return false }
                switch cells[0][0] {
                case UInt8(ascii: "o"), UInt8(ascii: "s"):
                    let isOutput = cells[0][0] == UInt8(ascii: "o")
                    guard cells.count == (isOutput ? 6 : 5), let inode = BuildCache.hex(cells[2]), let modified = BuildCache.hex(cells[3]),
                          let changed = BuildCache.hex(cells[4]) else { return false }
                    let stamp = FolderStamp(inode: inode, modified: Int64(bitPattern: modified), changed: Int64(bitPattern: changed))
                    if isOutput {
                        record.output.folders[path] = stamp
                        guard cells[5].count == 1, cells[5][0] == 0x30 || cells[5][0] == 0x31 else { return false }
                        if cells[5][0] == 0x31 { record.needed.insert(path) }
                    } else {
                        record.spare.folders[path] = stamp
                    }
                case UInt8(ascii: "f") where cells.count == 2: record.foreignFiles.insert(path)
                case UInt8(ascii: "d") where cells.count == 2: record.debt.insert(path)
                default: return false
                }
            }
            return true
        }
        guard read else { return nil }
        // Both roots must be there: without them nothing below can be placed.
        guard record.output.folders[""] != nil, record.spare.folders[""] != nil else { return nil }
        return record
    }
}
