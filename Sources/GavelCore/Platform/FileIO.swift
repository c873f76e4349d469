import Foundation
import Synchronization

/// Every POSIX call Gavel makes, in one place: plain reads and writes for the hot path (Foundation's
/// atomic writes fsync every file), walks that never follow a symbolic link, hard links, the folder
/// exchange that commits a build, the lock on an Output, and the executable's build id.
enum FileIO {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "\(path): \(String(cString: strerror(code)))" }
    }

    /// What is at a path, without following a symbolic link there.
    enum Kind: Equatable { case missing, file, directory, symbolicLink, other }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard path.withCString({ lstat($0, &info) }) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// The whole file, or nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        var info = stat()
        return read(path, info: &info)
    }

    /// The first `limit` bytes of the regular file at `path`, or all of it when it is shorter.
    static func readStart(_ path: String, upTo limit: Int) -> [UInt8]? {
        var info = stat()
        return read(path, info: &info, upTo: limit)
    }

    /// The whole file (or its first `limit` bytes), and in `info` its status as it was before
    /// reading (a notice's stamp). Only a regular file is read: a symbolic link is not followed, and
    /// a FIFO is not waited on.
    static func read(_ path: String, info: inout stat, upTo limit: Int = .max) -> [UInt8]? {
        let fd = path.withCString { open($0, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) }
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size >= 0 else { return nil }
        let size = min(Int(info.st_size), max(0, limit))
        // Read into room that is not zeroed first: a rebuild at 10,000 notices reads some 10 MB of
        // state and search shards, and zeroing them was a million instructions a megabyte.
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var offset = 0
            while offset < size, let base = buffer.baseAddress {
                let n = Glibc.read(fd, base + offset, size - offset)
                guard n > 0 else { break }
                offset += n
            }
            initialized = offset
        }
        return bytes.count == size ? bytes : nil
    }

    /// The status of the regular file at `path` (not a link to one) when it holds exactly `bytes`.
    static func sameContents(_ path: String, _ bytes: [UInt8]) -> stat? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == bytes.count else { return nil }
        var existing = [UInt8](repeating: 0, count: bytes.count)
        var offset = 0
        while offset < bytes.count {
            let n = existing.withUnsafeMutableBytes { buffer in buffer.baseAddress.map { Glibc.read(fd, $0 + offset, bytes.count - offset) } ?? -1 }
            guard n > 0 else { return nil }
            offset += n
        }
        return existing == bytes ? info : nil
    }

    /// Gives a folder made anew the mode, owner and times of the one it replaces.
    static func copyAttributes(of source: String, to target: String) {
        var info = stat()
        guard lstat(source, &info) == 0 else { return }
        _ = chmod(target, info.st_mode & 0o7777)
        _ = lchown(target, info.st_uid, info.st_gid)
        var times = [info.st_atim, info.st_mtim]
        _ = utimensat(AT_FDCWD, target, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// True when both entries have the same mode, owner and modification time (what `copyAttributes` sets).
    static func sameAttributes(_ a: String, _ b: String) -> Bool {
        guard let x = status(a), let y = status(b) else { return false }
        return x.st_mode == y.st_mode && x.st_uid == y.st_uid && x.st_gid == y.st_gid
            && x.st_mtim.tv_sec == y.st_mtim.tv_sec && x.st_mtim.tv_nsec == y.st_mtim.tv_nsec
    }

    /// Writes a new file (replacing a file, never writing through a link); its status afterwards.
    @discardableResult
    static func write(_ bytes: [UInt8], to path: String) throws -> stat {
        let flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC
        var fd = open(path, flags, 0o644)
        if fd < 0 && errno == ENOENT {
            try makeDirectories((path as NSString).deletingLastPathComponent)
            fd = open(path, flags, 0o644)
        }
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        defer { close(fd) }
        try bytes.withUnsafeBytes { try writeAll($0, to: fd, path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(path: path, code: errno) }
        return info
    }

    /// Writes all of `bytes` to `fd` (a write may take fewer than it was given).
    private static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let n = Glibc.write(fd, base + offset, bytes.count - offset)
            guard n > 0 else { throw Failure(path: path, code: n < 0 ? errno : ENOSPC) }
            offset += n
        }
    }

    /// A new file written in pieces under a temporary name beside `path` (`<path>.tmp<pid>`), then
    /// put in its place by `place()` or removed by `discard()`; a file neither placed nor discarded
    /// is removed when this goes.
    final class Replacement: Sendable {
        let path: String
        let temporary: String
        /// The open file, or -1 once it is placed or discarded.
        private let descriptor: Mutex<Int32>

        init(_ path: String) throws {
            self.path = path
            temporary = path + ".tmp\(getpid())"
            // Whatever has this process's temporary name is gone first, and the file is made anew:
            // opened for writing, a FIFO left under the name would wait for a reader forever.
            unlink(temporary)
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Failure(path: temporary, code: errno) }
            descriptor = Mutex(fd)
        }

        deinit { discard() }

        /// Appends `bytes` to the file.
        func append(_ bytes: UnsafeRawBufferPointer) throws {
            try descriptor.withLock { fd in
                guard fd >= 0 else { throw Failure(path: temporary, code: EBADF) }
                try writeAll(bytes, to: fd, path: temporary)
            }
        }

        /// Writes `bytes` over what the file holds at `offset` (a header's field known only at the end).
        func overwrite(_ bytes: [UInt8], at offset: Int) throws {
            try descriptor.withLock { fd in
                guard fd >= 0 else { throw Failure(path: temporary, code: EBADF) }
                let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
                guard n == bytes.count else { throw Failure(path: temporary, code: n < 0 ? errno : ENOSPC) }
            }
        }

        /// Closes the file and renames it over `path`; on failure it is removed.
        func place() throws {
            try descriptor.withLock { fd in
                guard fd >= 0 else { throw Failure(path: temporary, code: EBADF) }
                close(fd)
                fd = -1
                guard rename(temporary, path) == 0 else {
                    let code = errno
                    unlink(temporary)
                    throw Failure(path: path, code: code)
                }
            }
        }

        /// Closes and removes the file, unless it was placed.
        func discard() {
            descriptor.withLock { fd in
                guard fd >= 0 else { return }
                close(fd)
                fd = -1
                unlink(temporary)
            }
        }
    }

    /// Removes the temporary files (`<name>.tmp<digits>`, for a name in `names`) that a process
    /// killed while writing left in `folder`: only names of that form, which `Replacement` makes.
    static func removeStrayTemporaries(in folder: String, of names: Set<String>) {
        for (name, kind) in entries(of: folder) where kind == .file {
            guard let mark = name.range(of: ".tmp", options: .backwards), names.contains(String(name[..<mark.lowerBound])) else { continue }
            let digits = name[mark.upperBound...]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { continue }
            unlink(folder + "/" + name)
        }
    }

    /// Every entry under `root`, relative to it. A symbolic link, even to a folder, is listed as a file
    /// and never followed.
    /// Folders are read a level at a time, the folders of one level on every core (a site is ten
    /// thousand folders, one per notice). Folders in `unread` are listed as folders but not read
    /// (their entries were listed already).
    static func walk(_ root: String, hidden: Bool = true, unread: Set<String> = []) -> (files: [String], directories: [String]) {
        var files: [String] = [], directories: [String] = []
        var level = [""]
        while !level.isEmpty {
            let listed = Mutex<[(files: [String], directories: [String])]>([])
            let current = level
            let chunks = max(1, min(availableCores, current.count / 64))
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var found: (files: [String], directories: [String]) = ([], [])
                var i = chunk
                while i < current.count {
                    let relative = current[i]
                    i += chunks
                    if !unread.isEmpty, unread.contains(relative) { continue }
                    for (name, kind) in entries(of: relative.isEmpty ? root : .path(root, relative)) where hidden || !name.hasPrefix(".") {
                        let path = relative.isEmpty ? name : .path(relative, name)
                        if kind == .directory { found.directories.append(path) } else { found.files.append(path) }
                    }
                }
                listed.withLock { $0.append(found) }
            }
            level = []
            for found in listed.withLock({ $0 }) {
                files.append(contentsOf: found.files)
                level.append(contentsOf: found.directories)
            }
            directories.append(contentsOf: level)
        }
        return (files, directories)
    }

    /// The entries of one folder (not `.` and `..`), each with what it is; empty when it cannot be listed.
    static func entries(of path: String) -> [(name: String, kind: Kind)] {
        listedEntries(of: path) ?? []
    }

    /// The entries of one folder, or nil (with `errno` set) when it cannot be opened.
    static func listedEntries(of path: String) -> [(name: String, kind: Kind)]? {
        guard let dir = path.withCString({ opendir($0) }) else { return nil }
        defer { closedir(dir) }
        // Labelled as the result is: an array of unlabelled pairs was converted to it on return, a
        // pair at a time through the runtime's casts (about 300 instructions an entry).
        var out: [(name: String, kind: Kind)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let kind: Kind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symbolicLink
            case Int32(DT_UNKNOWN): kind = Self.kind(path + "/" + name)
            default: kind = .other
            }
            out.append((name, kind))
        }
        return out
    }

    /// `mkdir -p` that tolerates another task creating the same folder at the same time.
    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        if errno == EEXIST {
            // Something is there: only a real folder will do (a link to one is not followed).
            guard kind(path) == .directory else { throw Failure(path: path, code: ENOTDIR) }
            return
        }
        guard errno == ENOENT else { throw Failure(path: path, code: errno) }
        try makeDirectories((path as NSString).deletingLastPathComponent)
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw Failure(path: path, code: errno) }
    }

    /// Makes each folder (relative to `root`), parents before children, on every core; one that is
    /// there already is fine.
    static func makeFolders(_ relatives: [String], under root: String) throws {
        let levels = Dictionary(grouping: relatives) { $0.utf8.count { $0 == UInt8(ascii: "/") } }
        for depth in levels.keys.sorted() {
            try inParallel(levels[depth] ?? []) { relative in
                let path = root + "/" + relative
                return mkdir(path, 0o755) == 0 || errno == EEXIST ? nil : Failure(path: path, code: errno)
            }
        }
    }

    /// Links each file of `relatives` from `source` into `target`, on every core.
    static func linkAll(_ relatives: [String], from source: String, into target: String) throws {
        try inParallel(relatives) { relative in
            do { try link(source + "/" + relative, to: target + "/" + relative) } catch let failure as Failure { return failure } catch { return nil }
            return nil
        }
    }

    /// Runs `work` on every item, spread over the cores; the first failure is thrown.
    static func inParallel(_ items: [String], _ work: @escaping @Sendable (String) -> Failure?) throws {
        let failure = Mutex<Failure?>(nil)
        let chunks = max(1, min(availableCores, items.count / 512))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var i = chunk
            while i < items.count {
                if let found = work(items[i]) { failure.withLock { $0 = $0 ?? found } }
                i += chunks
            }
        }
        if let found = failure.withLock({ $0 }) { throw found }
    }

    /// A second name for the entry at `source` (a symbolic link itself, not what it points to).
    static func link(_ source: String, to target: String) throws {
        if linkat(AT_FDCWD, source, AT_FDCWD, target, 0) == 0 { return }
        guard errno == ENOENT, kind(source) != .missing else { throw Failure(path: source, code: errno) }
        try makeDirectories((target as NSString).deletingLastPathComponent)
        guard linkat(AT_FDCWD, source, AT_FDCWD, target, 0) == 0 else { throw Failure(path: source, code: errno) }
    }

    /// Removes a folder and everything in it, never following a symbolic link; nothing when absent.
    static func removeTree(_ path: String) throws {
        switch kind(path) {
        case .missing: return
        case .directory:
            let (files, directories) = walk(path)
            // A site's old tree is tens of thousands of entries: its files go on every core, then
            // its folders level by level, deepest first (a folder is empty once all below it are gone).
            try inParallel(files) { file in
                unlink(path + "/" + file) == 0 || errno == ENOENT ? nil : Failure(path: path + "/" + file, code: errno)
            }
            let levels = Dictionary(grouping: directories) { $0.utf8.count { $0 == UInt8(ascii: "/") } }
            for depth in levels.keys.sorted(by: >) {
                try inParallel(levels[depth] ?? []) { folder in
                    rmdir(path + "/" + folder) == 0 || errno == ENOENT ? nil : Failure(path: path + "/" + folder, code: errno)
                }
            }
            guard rmdir(path) == 0 || errno == ENOENT else { throw Failure(path: path, code: errno) }
        default:
            guard unlink(path) == 0 || errno == ENOENT else { throw Failure(path: path, code: errno) }
        }
    }

    /// renameat2, looked up at run time: Swift's Glibc module does not declare it.
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let renameat2: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
    private static let renameExchange: UInt32 = 1 << 1

    /// Swaps two folders in one step (`renameat2(RENAME_EXCHANGE)`): no instant sees either half-done.
    /// False when the file system cannot exchange (then the caller falls back to two renames).
    static func exchange(_ a: String, _ b: String) throws -> Bool {
        guard let renameat2 else { return false }
        if renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0 { return true }
        if errno == EINVAL || errno == ENOSYS || errno == ENOTSUP { return false }
        throw Failure(path: b, code: errno)
    }

    /// syncfs, looked up at run time for the same reason.
    private typealias SyncFS = @convention(c) (Int32) -> Int32
    private static let syncfs: SyncFS? = dlsym(nil, "syncfs").map { unsafeBitCast($0, to: SyncFS.self) }

    /// Flushes the file system holding `path` to disk (one call for the whole new tree, not an fsync
    /// per file), so the tree that the exchange puts in place survives a power cut whole.
    static func syncFileSystem(of path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        if let syncfs { _ = syncfs(fd) } else { sync() }
    }

    /// Makes a folder's entries (a rename into it) durable.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        fsync(fd)
    }

    /// An exclusive lock on a file, held until `release` or the process ends (however it ends: the
    /// kernel drops a dead process's `flock`). The file names its holder for anyone who finds it taken.
    final class Lock: Sendable {
        let fd: Int32
        private let released = Mutex(false)

        private init(fd: Int32) { self.fd = fd }

        /// Lets go of the lock before its holder goes (then the next holder's name stays in the file).
        func release() {
            released.withLock { done in
                guard !done else { return }
                done = true
                ftruncate(fd, 0)
                flock(fd, LOCK_UN)
            }
        }

        enum Outcome {
            case acquired(Lock)
            /// Held by someone else; what the file says of them.
            case busy(holder: String)
            case failed(Failure)
        }

        static func acquire(_ path: String, holder: String) -> Outcome {
            let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return .failed(Failure(path: path, code: errno)) }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                let code = errno
                defer { close(fd) }
                guard code == EWOULDBLOCK else { return .failed(Failure(path: path, code: code)) }
                // The holder names itself just after taking the lock: give it a moment to.
                for _ in 0..<50 {
                    var buffer = [UInt8](repeating: 0, count: 512)
                    let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
                    let text = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !text.isEmpty { return .busy(holder: text) }
                    usleep(2_000)
                }
                return .busy(holder: "another gavel process")
            }
            let bytes = Array((holder + "\n").utf8)
            ftruncate(fd, 0)
            _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return .acquired(Lock(fd: fd))
        }

        /// The lock is released when its holder lets go of it (or dies).
        deinit {
            if !released.withLock({ $0 }) { ftruncate(fd, 0) }
            close(fd)
        }
    }

    /// The GNU build id of the running executable: it changes whenever the binary does, so state
    /// written by any other build of Gavel is never taken for this one's. Read from the ELF notes of
    /// /proc/self/exe; nil when there is none.
    static func executableBuildID() -> String? {
        guard let elf = readPrefix("/proc/self/exe", count: 64), elf.count == 64,
              elf[0] == 0x7F, elf[1] == 0x45, elf[2] == 0x4C, elf[3] == 0x46, elf[4] == 2, elf[5] == 1 else { return nil }
        func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
        func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }
        func u64(_ b: [UInt8], _ at: Int) -> Int { u32(b, at) | u32(b, at + 4) << 32 }
        let headers = u64(elf, 32), size = u16(elf, 54), count = u16(elf, 56)
        guard size >= 56, count < 256, headers > 0,
              let table = readRange("/proc/self/exe", offset: headers, count: size * count) else { return nil }
        for i in 0..<count {
            let h = i * size
            guard u32(table, h) == 4 else { continue } // PT_NOTE
            let offset = u64(table, h + 8), length = u64(table, h + 32)
            guard length > 0, length < 1 << 16, let notes = readRange("/proc/self/exe", offset: offset, count: length) else { continue }
            var at = 0
            while at + 12 <= notes.count {
                let nameSize = u32(notes, at), descSize = u32(notes, at + 4), type = u32(notes, at + 8)
                let name = at + 12, desc = name + (nameSize + 3) / 4 * 4
                guard desc + descSize <= notes.count else { break }
                if type == 3, nameSize == 4, notes[name..<name + 3].elementsEqual("GNU".utf8) {
                    return notes[desc..<desc + descSize].map { String($0, radix: 16).leftPadded(to: 2) }.joined()
                }
                at = desc + (descSize + 3) / 4 * 4
            }
        }
        return nil
    }

    private static func readPrefix(_ path: String, count: Int) -> [UInt8]? { readRange(path, offset: 0, count: count) }

    private static func readRange(_ path: String, offset: Int, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return n == count ? bytes : nil
    }

    /// The non-empty lines of a file's bytes, found with memchr: state files run to thousands of lines.
    static func lines(_ bytes: [UInt8], from first: Int = 0) -> [ArraySlice<UInt8>] {
        lineRanges(bytes, from: first).map { bytes[$0] }
    }

    /// Where the non-empty lines of a file's bytes are.
    static func lineRanges(_ bytes: [UInt8], from first: Int = 0) -> [Range<Int>] {
        var out: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { buffer in
            var start = first
            while start < buffer.count {
                let end = index(of: 0x0A, in: buffer, from: start) ?? buffer.count
                if end > start { out.append(start..<end) }
                start = end + 1
            }
        }
        return out
    }

    /// Where `byte` first is in `bytes[from..<end]` (all the rest when no end is given), found with
    /// memchr: Gavel scans megabytes of state, manifests, scripts and bodies for one byte at a time.
    static func index(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from: Int, to end: Int? = nil) -> Int? {
        let end = end ?? bytes.count
        guard from < end, let base = bytes.baseAddress, let hit = memchr(base + from, Int32(byte), end - from) else { return nil }
        return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// The status of the entry at `path` (a link itself, not its target), or nil when there is none.
    /// (Paths reach the kernel through `withCString`, which hands over a native string's own bytes:
    /// a String passed straight to a C function is copied into a new array first, about 500
    /// instructions and an allocation a call, 11,000 calls for the spare's folders alone.)
    static func status(_ path: String) -> stat? {
        var info = stat()
        return path.withCString { lstat($0, &info) } == 0 ? info : nil
    }

    /// A folder held open, so that paths under it are looked up from it rather than from `/`: a
    /// `stat` of `courts/c/notices/n/index.html` in Output walks five names instead of nine, about a
    /// fifth less per call on tmpfs, and a rebuild makes tens of thousands of them. It stays the
    /// folder it was when opened (a link is never opened), whatever is renamed meanwhile.
    final class OpenFolder: Sendable {
        let fd: Int32

        init?(_ path: String) {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            self.fd = fd
        }

        /// The folder at `relative` under `parent`; nil when it is not a folder, or a link to one.
        init?(_ relative: String, in parent: OpenFolder) {
            let fd = openat(parent.fd, relative, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            self.fd = fd
        }

        deinit { close(fd) }

        /// The status of `relative` under the folder ("" for the folder itself); a link at its end is
        /// not followed unless `following`.
        func status(_ relative: String, following: Bool = false) -> stat? {
            var info = stat()
            let flags = following ? 0 : AT_SYMLINK_NOFOLLOW
            let result = relative.isEmpty ? fstatat(fd, ".", &info, flags) : relative.withCString { fstatat(fd, $0, &info, flags) }
            return result == 0 ? info : nil
        }
    }

    /// Folders under an open root, opened as paths ask for them, so that a `stat` walks only the last
    /// names of its path: `n0001/index.html` from an open `courts/c0001/notices` rather than five names
    /// from Output. On tmpfs at 10,000 notices that is about 0.7 µs less of some 2.7 µs per call over
    /// the rebuild's 48,000 calls. A folder is opened once per holder (a task, a court, a range of
    /// paths); one that cannot be opened (gone, a link) is looked up from the root as before, so every
    /// answer is the one the whole path would give.
    struct NearbyFolders {
        let root: OpenFolder
        /// How many trailing names of each path are looked up from an opened folder (1 or more).
        let trailing: Int
        /// Folders opened, by their bytes: two spellings of one name in Unicode (`é` as one scalar or
        /// two) are two folders on disk, though they are one String.
        private var opened: [[UInt8]: OpenFolder?] = [:]
        /// The folder of the last path, as opened: paths come a folder at a time (a court's notices,
        /// its pages), so it is usually the next one's too, found by comparing bytes, not hashing.
        private var last: (parent: [UInt8], folder: OpenFolder?)?

        init(root: OpenFolder, trailing: Int) {
            self.root = root
            self.trailing = max(1, trailing)
        }

        /// The status of `relative` under the root (a link at its end is not followed unless `following`).
        mutating func status(_ relative: String, following: Bool = false) -> stat? {
            var info = stat()
            // The trailing names are stated from the path's own bytes, which end in a NUL: a Swift
            // string keeps one after its bytes (copying the names out, and the status through an
            // enum, was most of this call's own 1,200 instructions).
            let count = relative.utf8.count
            let found = relative.withCString { path in
                path.withMemoryRebound(to: UInt8.self, capacity: count + 1) { lookUp($0, count: count, following: following, into: &info) }
            }
            switch found {
            case .some(true): return info
            case .some(false): return nil
            case .none: return root.status(relative, following: following)
            }
        }

        /// True or false when the path's folder is open (whether it has an entry at `path`), nil when
        /// it is to be looked up from the root: fewer names than `trailing`, or a folder that cannot
        /// be opened (gone, a link).
        private mutating func lookUp(_ base: UnsafePointer<UInt8>, count: Int, following: Bool, into info: inout stat) -> Bool? {
            // A NUL would end the path early, naming another entry: no entry has one in its name.
            guard memchr(base, 0, count) == nil else { return false }
            // The cut: the slash before the trailing names.
            var cut = count, found = 0
            while found < trailing, cut > 0 {
                cut -= 1
                while cut > 0, base[cut] != 0x2F { cut -= 1 }
                guard base[cut] == 0x2F else { break }
                found += 1
            }
            guard found == trailing else { return nil }
            let folder: OpenFolder?
            if let last, last.parent.count == cut, cut == 0 || last.parent.withUnsafeBytes({ $0.baseAddress.map { memcmp($0, base, cut) == 0 } ?? false }) {
                folder = last.folder
            } else {
                let key = Array(UnsafeBufferPointer(start: base, count: cut))
                if let known = opened[key] {
                    folder = known
                } else {
                    folder = OpenFolder(String(decoding: key, as: UTF8.self), in: root)
                    opened[key] = folder
                }
                last = (key, folder)
            }
            guard let folder else { return nil }
            let flags = following ? 0 : AT_SYMLINK_NOFOLLOW
            // "a/b/" names the folder itself.
            if cut + 1 == count { return fstatat(folder.fd, ".", &info, flags) == 0 }
            return fstatat(folder.fd, UnsafeRawPointer(base + cut + 1).assumingMemoryBound(to: CChar.self), &info, flags) == 0
        }
    }

    /// True when every one of `relatives` (paths under `root`, as bytes) is a regular file for which
    /// `holds(index, status)` is true; on every core, one `lstat` each, the path made in a buffer
    /// rather than a String, and the first that does not hold stops them all.
    static func allFiles(under root: String, _ relatives: [ArraySlice<UInt8>], hold holds: @Sendable (Int, stat) -> Bool) -> Bool {
        // Looked up from the folder when it can be opened, else from the whole path.
        let folder = OpenFolder(root)
        let prefix = folder == nil ? Array(root.utf8) + [UInt8(ascii: "/")] : []
        let at = folder?.fd ?? AT_FDCWD
        let failed = Atomic<Bool>(false)
        _ = inChunks(relatives.count, minimum: 512) { range -> Int in
            var path = [CChar](repeating: 0, count: prefix.count + 256)
            for (k, byte) in prefix.enumerated() { path[k] = CChar(bitPattern: byte) }
            var info = stat()
            for i in range {
                guard !failed.load(ordering: .relaxed) else { return 0 }
                let relative = relatives[i]
                let end = prefix.count + relative.count
                if path.count <= end { path.append(contentsOf: repeatElement(0, count: end + 1 - path.count)) }
                var k = prefix.count
                for byte in relative {
                    // A NUL inside would end the path early: no such file was written.
                    guard byte != 0 else { failed.store(true, ordering: .relaxed); return 0 }
                    path[k] = CChar(bitPattern: byte)
                    k += 1
                }
                path[end] = 0
                guard fstatat(at, path, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG, holds(i, info) else {
                    failed.store(true, ordering: .relaxed)
                    return 0
                }
            }
            return 0
        }
        // The descriptor is used through `at`: the folder must stay open until here.
        withExtendedLifetime(folder) {}
        return !failed.load(ordering: .relaxed)
    }

    /// The status of each of `relatives` under `root`, in the same order, nil where there is no real
    /// folder (a link to one does not count); one `lstat` each, no listing, on every core or, for
    /// reads made beside a build's other work, `onOneCore` (they then take only a core it leaves idle).
    ///
    /// A folder two or more names deep is looked up from its parent, opened once for all its
    /// children: a notice's folder is then one name from its court's notices folder instead of four
    /// from the root, and each name walked is a lookup in the kernel's table of names (on tmpfs at
    /// 10,000 notices, about 0.3 µs of a 2 µs call). The folders come in a table's order, so they are
    /// first put in groups by parent, in one pass (sorting them cost more than the walks saved). One
    /// parent is open at a time on each core: past 64 open files, each time a threaded process's table
    /// of them grows, the kernel waits for every core to pass a quiescent point (5-10 ms).
    /// Each answer is kept as `kept` makes it of the folder's `stat`: a `stat` is 144 bytes, and the
    /// commit keeps 24 of them (`TreeRecord.FolderStamp`), for 11,000 folders a tree at 10,000 notices.
    static func folderStatuses<Kept: Sendable>(under root: String, _ relatives: [String], onOneCore: Bool = false,
                                               kept: @Sendable (stat) -> Kept) -> [Kept?] {
        guard let folder = OpenFolder(root) else {
            return relatives.map { folderOnly(status($0.isEmpty ? root : root + "/" + $0)).map(kept) }
        }
        let groups = ParentGroups(relatives)
        let found = inChunks(groups.order.count, minimum: onOneCore ? Int.max : 512) { range -> [Kept?] in
            var open: (group: Int, folder: OpenFolder?)?
            var statuses: [Kept?] = []
            statuses.reserveCapacity(range.count)
            for k in range {
                let i = groups.order[k], group = groups.group[i]
                let relative = relatives[i]
                guard group >= 0 else {
                    statuses.append(folderOnly(folder.status(relative)).map(kept))
                    continue
                }
                if open?.group != group {
                    // Dropping the last parent closes it first.
                    open = nil
                    open = (group, OpenFolder(String(decoding: relative.utf8.prefix(groups.cut[i]), as: UTF8.self), in: folder))
                }
                guard let parent = open?.folder else {
                    statuses.append(folderOnly(folder.status(relative)).map(kept))
                    continue
                }
                var info = stat()
                let cut = groups.cut[i]
                let result = relative.withCString { fstatat(parent.fd, $0 + cut + 1, &info, AT_SYMLINK_NOFOLLOW) }
                statuses.append(result == 0 ? folderOnly(info).map(kept) : nil)
            }
            return statuses
        }.joined()
        var statuses: [Kept?] = Array(repeating: nil, count: relatives.count)
        for (i, info) in zip(groups.order, found) { statuses[i] = info }
        return statuses
    }

    /// `info` when it is a folder's.
    private static func folderOnly(_ info: stat?) -> stat? {
        guard let info, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        return info
    }

    /// Paths put in groups by the folder that holds them, for `folderStatuses`: `order` lists every
    /// path's place, those looked up from the root first (group -1: the root, names at the top, and
    /// paths whose bytes are not at hand or hold a NUL), then each parent's together. Two parents are
    /// one group only when their bytes are equal: two Unicode spellings of one name are two folders.
    struct ParentGroups {
        /// Each path's group (-1: looked up from the root) and where its parent's name ends.
        var group: [Int]
        var cut: [Int]
        var order: [Int]

        init(_ paths: [String]) {
            var group = [Int](repeating: -1, count: paths.count), cut = [Int](repeating: 0, count: paths.count)
            var byHash: [UInt64: Int] = [:]
            // Each group's first path, whose parent the others' bytes are compared with.
            var first: [Int] = []
            for (i, path) in paths.enumerated() {
                let placed: (group: Int, cut: Int)? = path.utf8.withContiguousStorageIfAvailable { bytes -> (Int, Int)? in
                    guard let base = bytes.baseAddress, memchr(base, 0, bytes.count) == nil else { return nil }
                    var end = bytes.count - 1
                    while end > 0, bytes[end] != 0x2F { end -= 1 }
                    // No slash past the first byte (a name at the top), or one at the end: from the root.
                    guard end > 0, end < bytes.count - 1 else { return nil }
                    // The last path's parent again (paths in the order of their bytes, as the record
                    // of the trees keeps them, come a folder's children at a time): no hash needed.
                    if i > 0, group[i - 1] >= 0, cut[i - 1] == end, paths[i - 1].utf8.withContiguousStorageIfAvailable({ theirs in
                        theirs.baseAddress.map { memcmp($0, base, end) == 0 } == true
                    }) == true {
                        return (group[i - 1], end)
                    }
                    let hash = PathKey.hash(UnsafeBufferPointer(rebasing: bytes[..<end]))
                    guard let known = byHash[hash] else {
                        let made = first.count
                        byHash[hash] = made
                        first.append(i)
                        return (made, end)
                    }
                    // The same parent only when the bytes say so (else, rarely, from the root).
                    let other = first[known]
                    let same = cut[other] == end && paths[other].utf8.withContiguousStorageIfAvailable { theirs in
                        theirs.baseAddress.map { memcmp($0, base, end) == 0 } == true
                    } == true
                    return same ? (known, end) : nil
                } ?? nil
                if let placed {
                    group[i] = placed.group
                    cut[i] = placed.cut
                }
            }
            // The root's first, then each group's, in one counting pass.
            var starts = [Int](repeating: 0, count: first.count + 2)
            for g in group { starts[g + 2] += 1 }
            for k in 1..<starts.count { starts[k] += starts[k - 1] }
            var order = [Int](repeating: 0, count: paths.count)
            for (i, g) in group.enumerated() {
                order[starts[g + 1]] = i
                starts[g + 1] += 1
            }
            self.group = group
            self.cut = cut
            self.order = order
        }
    }

    /// The kernel's coarse real-time clock, in nanoseconds: the clock a local file system stamps
    /// changes with (a finer stamp, where one is used, is never earlier).
    static func coarseNow() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        return Int64(now.tv_sec) &* 1_000_000_000 &+ Int64(now.tv_nsec)
    }

    /// Returns once the kernel's coarse clock has moved on from `start`, a value it had after some
    /// change (at most one tick: 1 to 10 ms, by the kernel's configuration), so that the change has
    /// an older stamp than anything stamped after the return. Gives up after 50 ms, for a clock that
    /// does not move.
    static func waitForClockTick(after start: Int64) {
        var pause = timespec(tv_sec: 0, tv_nsec: 250_000)
        for _ in 0..<200 where coarseNow() == start { nanosleep(&pause, nil) }
    }

    /// True when the folder at `path` is on a local file system of a kind known to stamp changes with
    /// the kernel's clock (a network file system stamps them with its server's).
    static func isOnLocalFileSystem(_ path: String) -> Bool {
        // Linux's struct statfs starts with the file system's magic number, a long.
        guard let statfs else { return false }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 8)
        defer { buffer.deallocate() }
        guard statfs(path, buffer) == 0 else { return false }
        // ext2/3/4, tmpfs, xfs, btrfs, overlayfs, f2fs, zfs, ramfs.
        let local: Set<Int> = [0xEF53, 0x0102_1994, 0x5846_5342, 0x9123_683E, 0x794C_7630, 0xF2F5_2010, 0x2FC1_2FC1, 0x8584_58F6]
        return local.contains(buffer.load(as: Int.self))
    }

    /// statfs, looked up at run time: Swift's Glibc module does not declare it.
    private typealias StatFS = @convention(c) (UnsafePointer<CChar>, UnsafeMutableRawPointer) -> Int32
    private static let statfs: StatFS? = dlsym(nil, "statfs").map { unsafeBitCast($0, to: StatFS.self) }

    /// Sets the times of the file at `path` to now and returns its status: the file system's own
    /// clock, as it will stamp the next change made to any entry on it.
    static func markTime(_ path: String) -> stat? {
        guard utimensat(AT_FDCWD, path, nil, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return status(path)
    }

    /// The heap grows 64 MiB at a time instead of glibc's 128 KiB: a build allocates steadily, and each
    /// small step of a thread's heap was an `mprotect` (3,500 of them in a one-notice rebuild at
    /// 10,000 notices, one in six of its system calls after `stat`). Pages not touched cost no memory.
    static func growHeapInLargeSteps() {
        // M_TOP_PAD (-2).
        _ = mallopt?(-2, 64 << 20)
    }

    /// How the threads of `askForHugePagesInThreadHeaps` are let go: each says when its heap is made,
    /// then waits to be let go (one that ended early would hand its heap to the next, which would
    /// then make none).
    private final class HeapHandshake: Sendable {
        let made = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
    }

    /// Has the heaps of the threads a build runs on ask the kernel for transparent huge pages, where it
    /// gives them only to memory that asks (`madvise`, the usual setting): otherwise a build faults its
    /// heap in 4 KiB at a time, 14,000 faults in a one-notice rebuild at 10,000 notices against 1,000.
    ///
    /// glibc's allocator asks by itself only when `glibc.malloc.hugetlb=1` was in the environment when
    /// the program started, and starting the program again to add it cost a rebuild about 5 ms. So
    /// this leans on how glibc hands out heaps: a thread's first allocation gives it a heap (an
    /// "arena") of its own, 64 MiB at an address that is a multiple of 64 MiB, and the heap of a thread
    /// that ended goes to the next new thread before any new heap is made. `threads` threads, all
    /// alive at once, each make their heap, mark it for huge pages and end, leaving those heaps to the
    /// threads the build starts. The first 2 MiB of a heap, which its own records touched in small
    /// pages before the mark, stay small: made one huge page (`MADV_COLLAPSE`), they cost a fresh huge
    /// page zeroed and filled while the main thread waited, and one-notice rebuilds took 1.5-2 ms
    /// longer (sixty edits in turn, twice). A user who set `glibc.malloc.hugetlb` either way is left alone.
    /// Advice on memory changes nothing a program computes: where glibc works otherwise, a build just
    /// runs as it would without. `work` runs on this thread while those threads make their heaps
    /// (about 0.8 ms, which the command line's parsing took as long again after it); it must start
    /// no thread of its own, or that thread could take a heap made here.
    static func askForHugePagesInThreadHeaps<T>(threads: Int, meanwhile work: () throws -> sending T) rethrows -> sending T {
        let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        guard !tunables.contains("glibc.malloc.hugetlb"), hugePagePolicy() == "madvise", threads > 0 else { return try work() }
        let handshake = Unmanaged.passRetained(HeapHandshake())
        defer { handshake.release() }
        var started: [pthread_t] = []
        for _ in 0..<threads {
            var thread = pthread_t()
            let result = pthread_create(&thread, nil, { context in
                guard let context else { return nil }
                let handshake = Unmanaged<HeapHandshake>.fromOpaque(context).takeUnretainedValue()
                let heapSize = 64 << 20
                if let block = malloc(16) {
                    // Not from the main heap (the one `brk` grows, below the threads' heaps).
                    if let end = sbrk(0), UInt(bitPattern: block) >= UInt(bitPattern: end),
                       let heap = UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: block) & ~UInt(heapSize - 1)) {
                        _ = madvise(heap, heapSize, MADV_HUGEPAGE)
                    }
                    free(block)
                }
                handshake.made.signal()
                handshake.release.wait()
                return nil
            }, handshake.toOpaque())
            if result == 0 { started.append(thread) }
        }
        defer {
            for _ in started { handshake.takeUnretainedValue().made.wait() }
            for _ in started { handshake.takeUnretainedValue().release.signal() }
            for thread in started { pthread_join(thread, nil) }
        }
        return try work()
    }

    /// Work done on a thread of its own at the kernel's idle priority (`SCHED_IDLE`): it gets a core
    /// only while the process's other threads leave one idle, and `value` waits for it (the waiting
    /// thread's core is then idle, so the work runs at once). For work a build needs only later, such
    /// as the look at the spare's folders the commit needs: on a thread of the task pool it held one
    /// of the two cores while the content loaded. Where no thread can be made, the work is done at
    /// once, on the caller's thread; the priority changes when it runs, never what it computes.
    final class IdleWork<Value: Sendable>: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private let work: @Sendable () -> Value
        // Written once by the worker before `done` is signalled, read only after waiting on it.
        private var result: Value?

        init(_ work: @escaping @Sendable () -> Value) {
            self.work = work
            let start = Unmanaged.passRetained(ThreadStart { [self] in
                // SCHED_IDLE (5, Linux); a thread may always lower its own priority.
                var parameters = sched_param()
                _ = pthread_setschedparam(pthread_self(), 5, &parameters)
                result = work()
                done.signal()
            })
            var thread = pthread_t()
            let made = pthread_create(&thread, nil, { context in
                context.map { Unmanaged<ThreadStart>.fromOpaque($0).takeRetainedValue().run() }
                return nil
            }, start.toOpaque())
            if made == 0 {
                pthread_detach(thread)
            } else {
                start.release()
                result = work()
                done.signal()
            }
        }

        /// The work's result, once it is done.
        var value: Value {
            // Signalled again at once, for the next caller.
            done.wait()
            done.signal()
            // Set before `done` was signalled; were it not, the work is done here rather than trap.
            return result ?? work()
        }
    }

    /// What a thread made by `IdleWork` runs (a C thread's start takes no generic context).
    private final class ThreadStart: @unchecked Sendable {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }

    /// The kernel's choice for transparent huge pages, the bracketed word of its setting ("always",
    /// "madvise" or "never"); nil where there is no such setting. (A file of the kernel's, which
    /// states a size it does not have: read up to what it gives.)
    static func hugePagePolicy() -> String? {
        let fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[..<count], as: UTF8.self)
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    /// A pointer each thread keeps for itself (a POSIX thread-specific key), handed to
    /// `release` when its thread ends. Made once and never changed: only what each thread stores in
    /// it is its own.
    final class ThreadSlot: Sendable {
        private let key: pthread_key_t?

        init(release: @convention(c) (UnsafeMutableRawPointer?) -> Void) {
            var key = pthread_key_t()
            self.key = pthread_key_create(&key, release) == 0 ? key : nil
        }

        /// This thread's pointer; nil before it stores one, or where no key could be made.
        var value: UnsafeMutableRawPointer? {
            key.flatMap { pthread_getspecific($0) }
        }

        /// Stores this thread's pointer; false where no key could be made.
        func store(_ pointer: UnsafeMutableRawPointer) -> Bool {
            guard let key else { return false }
            return pthread_setspecific(key, pointer) == 0
        }
    }

    /// glibc's `mallopt`, looked up at run time like the calls above.
    private typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
    private static let mallopt: MallOpt? = dlsym(nil, "mallopt").map { unsafeBitCast($0, to: MallOpt.self) }

    /// For a process that builds again and again (`gavel serve`): freed memory stays with the process
    /// for the next build instead of going back to the kernel, which would make every rebuild fault
    /// its pages in again (glibc's `mallopt`).
    static func keepFreedMemory() {
        guard let mallopt else { return }
        // M_TRIM_THRESHOLD (-1): never trim the heap's top; M_MMAP_THRESHOLD (-3): blocks up to
        // 32 MiB (glibc's largest) come from the heap, not from a mapping of their own.
        _ = mallopt(-1, Int32.max)
        _ = mallopt(-3, 32 << 20)
    }
}
