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

    /// One tree: its root's inode, the stamp of each of the record's folders that is in it (nil
    /// where the folder is not; "" is the root), and the change time its stamps must be older than
    /// to be trusted.
    struct Tree: Sendable, Equatable {
        var root: UInt64
        var stamps: [FolderStamp?]
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
    /// Every folder of either tree, once, in the order of their bytes: the root ("") first. Both
    /// trees' stamps, and whether the site needs a folder, are kept by a folder's place in this list.
    /// After an edit the two trees have the same folders, so a commit goes through one list by
    /// place, where it used to look each folder up in tables of paths (11,000 a tree at 10,000
    /// notices), and reading the record makes one string a folder instead of two and three tables.
    var folders: [String]
    var output: Tree
    var spare: Tree
    /// For each folder, whether the files of Output's manifest need it (the others of Output's are
    /// the court's).
    var needed: [Bool]
    /// Files in Output that Gavel did not write (its own are the manifest's).
    var foreignFiles: PathSet
    /// Paths (files or folders) where the spare may differ from Output: what the last commit
    /// wrote, removed, made or took away. Everywhere else the spare holds Output's own inodes.
    var debt: PathSet

    /// How two paths' bytes compare (negative, zero, positive), as `memcmp` with the shorter first.
    static func order(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in order(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) } }
    }

    static func order(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
        let common = min(x.count, y.count)
        if common > 0, let p = x.baseAddress, let q = y.baseAddress {
            let compared = memcmp(p, q, common)
            if compared != 0 { return Int(compared) }
        }
        return x.count - y.count
    }

    /// Folders compare by their bytes, as on disk (String's `==` takes two spellings of a name as one).
    static func == (a: TreeRecord, b: TreeRecord) -> Bool {
        a.device == b.device && a.manifest == b.manifest && a.output == b.output && a.spare == b.spare && a.needed == b.needed
            && a.foreignFiles == b.foreignFiles && a.debt == b.debt
            && a.folders.count == b.folders.count && zip(a.folders, b.folders).allSatisfy { order($0, $1) == 0 }
    }

    /// True when every byte is below 0x80 (eight at a time): such bytes are UTF-8 as they are.
    static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0, high: UInt64 = 0
        while i + 8 <= raw.count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < raw.count {
            high |= UInt64(raw[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// The place of `path` in `folders`, found by its bytes (two Unicode spellings of one name are
    /// two folders on disk); nil when the record does not have it.
    func index(of path: String) -> Int? {
        var path = path
        return path.withUTF8 { wanted -> Int? in
            let wanted = UnsafeRawBufferPointer(wanted)
            var low = 0, high = folders.count
            while low < high {
                let middle = (low + high) / 2
                var folder = folders[middle]
                let compared = folder.withUTF8 { Self.order(UnsafeRawBufferPointer($0), wanted) }
                if compared == 0 { return middle }
                if compared < 0 { low = middle + 1 } else { high = middle }
            }
            return nil
        }
    }

    static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-trees") }

    static func remove(for output: URL) {
        unlink(location(for: output).path)
    }

    // MARK: - File format
    //
    // Header `gavel-trees <identity> <checksum> <device> <manifest> <output root> <output marker> <spare root> <spare marker>`
    // (numbers in hexadecimal), then a body of records (`StateFile.Records`): the folders (their
    // count, then each one's path, in the order of their bytes), then for each folder a byte of flags
    // (1: in Output, 2: in the spare, 4: needed, only with 1) and its stamp in each tree it is in
    // (inode, modification and change times), then the foreign files and the debt (a count, then
    // each path).

    func save(for output: URL) throws {
        let location = Self.location(for: output).path
        guard folders.count == self.output.stamps.count, folders.count == spare.stamps.count, folders.count == needed.count else {
            throw FileIO.Failure(path: location, code: EINVAL)
        }
        let lists = [foreignFiles, debt]
        var room = 8 + lists.reduce(0) { $0 + $1.reduce(8) { $0 + StateFile.Records.size(text: $1) } }
        for folder in folders { room += StateFile.Records.size(text: folder) + 49 }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(room)
        StateFile.Records.append(UInt64(folders.count), to: &bytes)
        for folder in folders {
            guard StateFile.Records.append(text: folder, to: &bytes) else { throw FileIO.Failure(path: location, code: EOVERFLOW) }
        }
        for i in folders.indices {
            let inOutput = self.output.stamps[i], inSpare = spare.stamps[i]
            bytes.append((inOutput == nil ? 0 : 1) | (inSpare == nil ? 0 : 2) | (inOutput != nil && needed[i] ? 4 : 0))
            if let stamp = inOutput { StateFile.Records.append(stamp.inode, UInt64(bitPattern: stamp.modified), UInt64(bitPattern: stamp.changed), to: &bytes) }
            if let stamp = inSpare { StateFile.Records.append(stamp.inode, UInt64(bitPattern: stamp.modified), UInt64(bitPattern: stamp.changed), to: &bytes) }
        }
        for paths in lists {
            StateFile.Records.append(UInt64(paths.count), to: &bytes)
            for path in paths {
                guard StateFile.Records.append(text: path, to: &bytes) else { throw FileIO.Failure(path: location, code: EOVERFLOW) }
            }
        }
        let head = [device, manifest, self.output.root, UInt64(bitPattern: self.output.marker), spare.root, UInt64(bitPattern: spare.marker)].map { String($0, radix: 16) }
        try StateFile.write(location, kind: "gavel-trees", head: head, body: bytes)
    }

    static func load(for output: URL) -> TreeRecord? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-trees"), head.count == 6 else { return nil }
        let numbers = head.compactMap { BuildCache.hex(ArraySlice($0.utf8)) }
        guard numbers.count == 6 else { return nil }
        return bytes.withUnsafeBytes { raw -> TreeRecord? in
            var reader = StateFile.Records.Reader(raw, from: body)
            // A count read from the file is trusted for room only as far as the bytes left could
            // hold that many records (a folder's takes at least 29 bytes, a path's 4).
            func count(least: Int) -> Int? {
                guard let value = reader.number(), let count = Int(exactly: value), count <= (raw.count - reader.offset) / least else { return nil }
                return count
            }
            guard let folderCount = count(least: 29), folderCount > 0 else { return nil }
            var folders: [String] = []
            folders.reserveCapacity(folderCount)
            var last: UnsafeRawBufferPointer?
            for _ in 0..<folderCount {
                // In the order of their bytes, each once (what finding one by its bytes needs), and
                // UTF-8 as written: a path made into a String otherwise would not have its bytes.
                guard let bytes = reader.textBytes(), last.map({ Self.order($0, bytes) < 0 }) ?? true,
                      Self.isASCII(bytes) || String(validating: bytes, as: UTF8.self) != nil else { return nil }
                folders.append(String(decoding: bytes, as: UTF8.self))
                last = bytes
            }
            // The root first (it sorts first), in both trees.
            guard folders[0].isEmpty else { return nil }
            var outputStamps = [FolderStamp?](repeating: nil, count: folderCount)
            var spareStamps = [FolderStamp?](repeating: nil, count: folderCount)
            var needed = [Bool](repeating: false, count: folderCount)
            func stamp() -> FolderStamp? {
                guard let inode = reader.number(), let modified = reader.number(), let changed = reader.number() else { return nil }
                return FolderStamp(inode: inode, modified: Int64(bitPattern: modified), changed: Int64(bitPattern: changed))
            }
            for i in 0..<folderCount {
                guard let flags = reader.byte(), flags & ~7 == 0, flags & 3 != 0, flags & 5 != 4 else { return nil }
                if flags & 1 != 0 {
                    guard let stamp = stamp() else { return nil }
                    outputStamps[i] = stamp
                    needed[i] = flags & 4 != 0
                }
                if flags & 2 != 0 {
                    guard let stamp = stamp() else { return nil }
                    spareStamps[i] = stamp
                }
            }
            guard outputStamps[0] != nil, spareStamps[0] != nil else { return nil }
            var lists: [PathSet] = []
            for _ in 0..<2 {
                guard let paths = count(least: 4) else { return nil }
                var set = PathSet(minimumCapacity: paths)
                for _ in 0..<paths {
                    guard let path = reader.text() else { return nil }
                    set.insert(path)
                }
                lists.append(set)
            }
            guard reader.atEnd else { return nil }
            return TreeRecord(device: numbers[0], manifest: numbers[1], folders: folders,
                              output: Tree(root: numbers[2], stamps: outputStamps, marker: Int64(bitPattern: numbers[3])),
                              spare: Tree(root: numbers[4], stamps: spareStamps, marker: Int64(bitPattern: numbers[5])),
                              needed: needed, foreignFiles: lists[0], debt: lists[1])
        }
    }
}

// In an extension, so the record keeps its memberwise initialiser.
extension TreeRecord {
    /// A record made from each tree's folders as a table (a commit that listed both trees). Only
    /// Output's folders can be needed.
    init(device: UInt64, manifest: UInt64, output: (root: UInt64, folders: PathTable<FolderStamp>, marker: Int64),
         spare: (root: UInt64, folders: PathTable<FolderStamp>, marker: Int64), needed: PathSet, foreignFiles: PathSet, debt: PathSet) {
        var all = Array(output.folders.keys)
        for folder in spare.folders.keys where output.folders[folder] == nil { all.append(folder) }
        all.sort { Self.order($0, $1) < 0 }
        self.init(device: device, manifest: manifest, folders: all,
                  output: Tree(root: output.root, stamps: all.map { output.folders[$0] }, marker: output.marker),
                  spare: Tree(root: spare.root, stamps: all.map { spare.folders[$0] }, marker: spare.marker),
                  needed: all.map { output.folders[$0] != nil && needed.contains($0) }, foreignFiles: foreignFiles, debt: debt)
    }
}
