import Foundation
import Synchronization

/// Writes a build into the output folder without ever leaving it half-built: changed files are staged in
/// a sibling folder while the site renders, and only when the whole build succeeded are they renamed into
/// place and files the site no longer has removed. Files whose bytes did not change are never rewritten,
/// so their modification times stay. A failed build removes the staging folder and leaves Output as it was.
public struct OutputWriter: OutputSink {
    public let output: URL
    public let staging: URL
    /// The two folders' paths, worked out once (URL.path is slow enough to show per file).
    let outputPath: String, stagingPath: String
    /// False for a first build: then no file needs comparing with a previous one.
    let outputExisted: Bool
    /// Staging folders made so far, so each file is opened once rather than after a failed try.
    private let folders = Folders()

    final class Folders: Sendable {
        let made = Mutex<Set<String>>([])
    }
    static let marker = ".gavel-output"

    public struct Summary: Sendable {
        public var written = 0
        public var unchanged = 0
        public var removed = 0
        public init() {}
    }

    public init(output: URL) {
        self.output = output.standardizedFileURL
        staging = self.output.deletingLastPathComponent().appendingPathComponent("." + self.output.lastPathComponent + ".gavel-staging")
        outputPath = self.output.path
        stagingPath = staging.path
        outputExisted = FileManager.default.fileExists(atPath: outputPath)
    }

    /// Refuses to manage a folder with files in it that Gavel did not create, so a mistyped
    /// `--output` cannot delete someone's work.
    public func checkOwnership() -> Diagnostic? {
        let fm = FileManager.default
        guard let items = try? fm.contentsOfDirectory(atPath: output.path), !items.isEmpty else { return nil }
        if items.contains(Self.marker) { return nil }
        return .error(SourceLocation(file: output.path), "refusing to write into a folder that Gavel did not create",
                      hint: "choose an empty or new --output folder, or remove this one")
    }

    public func prepare() throws {
        folders.made.withLock { $0.removeAll() }
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    }

    /// Stages `file` unless the output already holds exactly these bytes.
    public func emit(_ file: OutputFile) throws {
        if outputExisted && FileIO.hasContents(outputPath + "/" + file.path, file.bytes) { return }
        if let slash = file.path.lastIndex(of: "/") {
            let folder = String(file.path[..<slash])
            if !folders.made.withLock({ $0.contains(folder) }) {
                try FileIO.makeDirectories(stagingPath + "/" + folder)
                folders.made.withLock { _ = $0.insert(folder) }
            }
        }
        try FileIO.write(file.bytes, to: stagingPath + "/" + file.path)
    }

    /// Moves the staged files into place and removes what the site no longer has.
    /// `stale`, when known, is the files the last build wrote (from its cache) that this one did not:
    /// then they are removed without listing the whole output folder.
    public func commit(keeping paths: Set<String>, stale known: [String]? = nil) throws -> Summary {
        let fm = FileManager.default
        var summary = Summary()
        // A first build has no previous Output to keep: the staging folder simply becomes it.
        if !fm.fileExists(atPath: output.path) {
            try FileIO.write(Array("This folder is written by gavel build; its files are replaced on every build.\n".utf8), to: staging.path + "/" + Self.marker)
            try FileIO.makeDirectories(output.deletingLastPathComponent().path)
            guard rename(staging.path, output.path) == 0 else { throw FileIO.Failure(path: output.path, code: errno) }
            summary.written = paths.count
            return summary
        }
        try FileIO.makeDirectories(output.path)
        let markerPath = output.path + "/" + Self.marker
        if !fm.fileExists(atPath: markerPath) {
            try FileIO.write(Array("This folder is written by gavel build; its files are replaced on every build.\n".utf8), to: markerPath)
        }
        for relative in FileIO.walk(staging.path).files {
            let source = staging.path + "/" + relative
            let target = output.path + "/" + relative
            try FileIO.makeDirectories((target as NSString).deletingLastPathComponent)
            guard rename(source, target) == 0 else { throw FileIO.Failure(path: target, code: errno) }
            summary.written += 1
        }
        summary.unchanged = paths.count - summary.written
        if let known {
            summary.removed = try removeStale(known)
        } else {
            summary.removed = try removeStale(keeping: paths.union([Self.marker]))
        }
        abort()
        return summary
    }

    public func abort() {
        try? FileManager.default.removeItem(at: staging)
    }

    /// Removes these files, and their folders when that leaves them empty.
    func removeStale(_ stale: [String]) throws -> Int {
        var removed = 0
        for relative in stale.sorted() {
            let path = output.path + "/" + relative
            guard unlink(path) == 0 || errno == ENOENT else { throw FileIO.Failure(path: relative, code: errno) }
            removed += 1
            var folder = relative[...]
            // rmdir refuses a folder that still holds anything, which ends the climb.
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                guard rmdir(output.path + "/" + folder) == 0 else { break }
            }
        }
        return removed
    }

    func removeStale(keeping keep: Set<String>) throws -> Int {
        var removed = 0
        let (files, directories) = FileIO.walk(output.path)
        // Folders that still hold a kept file stay; only the others are tried, not ten thousand.
        var holding = Set<Substring>()
        for relative in files {
            guard keep.contains(relative) else {
                guard unlink(output.path + "/" + relative) == 0 else { throw FileIO.Failure(path: relative, code: errno) }
                removed += 1
                continue
            }
            var folder = relative[...]
            while let slash = folder.lastIndex(of: "/") {
                folder = folder[..<slash]
                guard holding.insert(folder).inserted else { break }
            }
        }
        // Deepest first, so emptied parents go too; rmdir refuses folders that still hold files.
        for relative in directories.sorted(by: >) where !holding.contains(relative[...]) { rmdir(output.path + "/" + relative) }
        return removed
    }
}

/// Plain POSIX file access for the hot path: Foundation's atomic writes fsync every file.
enum FileIO {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "\(path): \(String(cString: strerror(code)))" }
    }

    /// The whole file, or nil when it cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        var info = stat()
        return read(path, info: &info)
    }

    /// The whole file, and in `info` its status as it was before reading (a notice's stamp).
    static func read(_ path: String, info: inout stat) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in buffer.baseAddress.map { Glibc.read(fd, $0 + offset, buffer.count - offset) } ?? -1 }
            guard n > 0 else { break }
            offset += n
        }
        return offset == bytes.count ? bytes : nil
    }

    /// True when the file at `path` holds exactly `bytes`.
    static func hasContents(_ path: String, _ bytes: [UInt8]) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_size) == bytes.count else { return false }
        var existing = [UInt8](repeating: 0, count: bytes.count)
        var offset = 0
        while offset < bytes.count {
            let n = existing.withUnsafeMutableBytes { buffer in buffer.baseAddress.map { Glibc.read(fd, $0 + offset, bytes.count - offset) } ?? -1 }
            guard n > 0 else { return false }
            offset += n
        }
        return existing == bytes
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        var fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 && errno == ENOENT {
            try makeDirectories((path as NSString).deletingLastPathComponent)
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in buffer.baseAddress.map { Glibc.write(fd, $0 + offset, bytes.count - offset) } ?? -1 }
            guard n > 0 else { throw Failure(path: path, code: errno) }
            offset += n
        }
    }

    /// Every file and folder under `root`, relative to it; folders for which `skip` is true are not
    /// entered (nor listed).
    static func walk(_ root: String, skip: (String) -> Bool = { _ in false }) -> (files: [String], directories: [String]) {
        var files: [String] = [], directories: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            guard let dir = opendir(relative.isEmpty ? root : root + "/" + relative) else { continue }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var isDirectory = entry.pointee.d_type == DT_DIR
                if entry.pointee.d_type == DT_UNKNOWN {
                    var info = stat()
                    isDirectory = stat(root + "/" + path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
                }
                if isDirectory {
                    if skip(path) { continue }
                    directories.append(path)
                    pending.append(path)
                } else {
                    files.append(path)
                }
            }
        }
        return (files, directories)
    }

    /// `mkdir -p` that tolerates another task creating the same folder at the same time.
    static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else { throw Failure(path: path, code: errno) }
        try makeDirectories((path as NSString).deletingLastPathComponent)
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw Failure(path: path, code: errno) }
    }
}
