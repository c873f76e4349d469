import Foundation
import Synchronization

/// What Gavel keeps beside an Output between builds, loaded and committed in one place: the render
/// cache (`.Output.gavel-cache`), the notice index (`.Output.gavel-notices`), the record of the
/// output trees (`.Output.gavel-trees`, see `TreeRecord`) and the page skeletons
/// (`.Output.gavel-skeletons`, see `SkeletonFile`). All of them only save time.
/// Each is keyed on this Gavel's identity (version and build id) and carries a checksum of its bytes:
/// missing, stale, corrupted or written by another Gavel, it is ignored and written afresh, and the
/// build renders everything, which is always correct.
///
/// The lock (`.Output.gavel-lock`) is taken before the state is read and held until it is written,
/// so one build at a time reads, renders into and commits an Output.
public struct BuildState: Sendable {
    public var cache: BuildCache?
    public var notices: NoticeIndex?
    var trees: TreeRecord?

    /// The notice index beside `output`, or none when there is no Output to describe (then a build
    /// starts from nothing). `contentRoot` and `displayRoot` must match the index's. Each of the
    /// state's files is read on its own: the content loads from the notice index, the render cache
    /// is wanted only once the site is planned (`loadCache`), the record of the trees only by the
    /// commit (`loadTrees`).
    static func loadNotices(for output: URL, contentRoot: String, displayRoot: String) -> NoticeIndex? {
        guard FileIO.kind(output.path) == .directory else { return nil }
        return NoticeIndex.load(for: output, contentRoot: contentRoot, displayRoot: displayRoot)
    }

    /// The render cache beside `output` (see `loadNotices`).
    static func loadCache(for output: URL) -> BuildCache? {
        guard FileIO.kind(output.path) == .directory else { return nil }
        return BuildCache.load(for: output)
    }

    /// The record of the trees beside `output` (see `TreeRecord`), when there is an Output it describes.
    static func loadTrees(for output: URL) -> TreeRecord? {
        guard FileIO.kind(output.path) == .directory else { return nil }
        return TreeRecord.load(for: output)
    }

    /// Removes both files: after a failed build, state that might describe what is not there.
    static func drop(for output: URL) {
        BuildCache.remove(for: output)
        NoticeIndex.remove(for: output)
        TreeRecord.remove(for: output)
        BuildWitness.remove(for: output)
        SkeletonFile.remove(for: output)
    }

    /// A state file's part in the state a build leaves.
    enum Update: Sendable {
        /// The file beside Output already says the same.
        case unchanged
        /// Written under a temporary name, to be put in place once the site is committed.
        case written(FileIO.Replacement)
        /// It could not be written: the file there is removed, so the next build does not read it.
        case failed

        init(_ make: () throws(FileIO.Failure) -> FileIO.Replacement) {
            do { self = .written(try make()) } catch { self = .failed }
        }

        /// Puts the file in place; where that fails, or it was never written, removes the old one.
        func commit(remove: () -> Void) {
            switch self {
            case .unchanged: return
            case let .written(file): if (try? file.place()) == nil { remove() }
            case .failed: remove()
            }
        }

        func discard() {
            if case let .written(file) = self { file.discard() }
        }
    }

    /// The render cache and the notice index a build leaves, written to their files under temporary
    /// names. `gavel build` writes them while the commit runs (much of which is on one core) and puts
    /// them in place once it succeeded.
    struct Prepared: Sendable {
        /// Every rendered file's entry, with how its file was left.
        var entries: PathTable<BuildCache.Entry>
        var global: UInt64
        /// The plan's files in the manifest's order (see `BuildCache.order`).
        var order: [UInt32]
        var cacheFile: Update
        var notices: NoticeIndex?
        var noticesFile: Update
        var skeletonsFile: Update
        /// True when the cache has an entry for each of the site's files: a witness vouches for no less.
        var describesEveryFile: Bool

        /// `entries` as rendered, `stamps` how the files written were left, `fingerprints` every file of
        /// the site, `previous` the state this build read, `skeletons` the page skeletons to keep
        /// (nil: the file there holds them).
        static func make(for output: URL, entries handed: SiteBuild.HandedOver<PathTable<BuildCache.Entry>>, stamps: PathTable<OutputWriter.FileStamp>,
                         global: UInt64, order: [UInt32], fingerprints: PathTable<UInt64>, notices: NoticeIndex?, previous: BuildState,
                         skeletons: [SkeletonCache.Kept]? = nil) async -> Prepared {
            // The cache records how each file was left, so a file changed by hand is never reused.
            var entries = handed.take() ?? [:]
            // A file written this build has a new stamp: then the cache differs from the last one,
            // which need not be compared entry by entry (17,000 lookups at 10,000 notices) to know it.
            var restamped = false
            for (path, stamp) in stamps where entries[path] != nil {
                entries[path]?.modified = stamp.modified
                entries[path]?.inode = stamp.inode
                restamped = true
            }
            // Three passes over thousands of entries, side by side.
            let stamped = entries
            async let cacheFile = !restamped && previous.cache?.global == global && previous.cache?.order == order && previous.cache?.entries == stamped ? Update.unchanged
                : Update { () throws(FileIO.Failure) in try BuildCache(global: global, entries: stamped, order: order).file(for: output) }
            async let noticesFile = notices.map { index in
                previous.notices.map { index.sameStamps(asLoadedFrom: $0) } == true ? Update.unchanged
                    : Update { () throws(FileIO.Failure) in try index.file(for: output) }
            } ?? .unchanged
            async let skeletonsFile = skeletons.map { kept in Update { () throws(FileIO.Failure) in try SkeletonFile.file(for: output, global: global, kept) } } ?? .unchanged
            // Looked up by key alone: reading each entry out copied it (17,000 at 10,000 notices).
            let every = stamped.count == fingerprints.count && stamped.containsEvery(pathOf: fingerprints)
            return Prepared(entries: stamped, global: global, order: order, cacheFile: await cacheFile, notices: notices, noticesFile: await noticesFile,
                            skeletonsFile: await skeletonsFile, describesEveryFile: every)
        }

        /// Removes the files written: the site they describe was not committed.
        func discard() {
            cacheFile.discard()
            noticesFile.discard()
            skeletonsFile.discard()
        }
    }

    /// Puts in place what changed, after the site was committed: the cache and notice index
    /// `prepared` wrote, and `trees` (nil leaves its file as it is: it already describes this build).
    static func commit(for output: URL, prepared: Prepared, trees: TreeRecord?, witness: BuildWitness? = nil) async {
        let witnessFile = await withTaskGroup(of: Update?.self) { group in
            group.addTask { prepared.cacheFile.commit { BuildCache.remove(for: output) }; return nil }
            group.addTask { prepared.noticesFile.commit { NoticeIndex.remove(for: output) }; return nil }
            group.addTask { prepared.skeletonsFile.commit { SkeletonFile.remove(for: output) }; return nil }
            if let trees { group.addTask { if (try? trees.save(for: output)) == nil { TreeRecord.remove(for: output) }; return nil } }
            // The witness's ten thousand lines are written beside the others' files...
            if let witness { group.addTask { Update { () throws(FileIO.Failure) in try witness.file(for: output) } } }
            var written: Update?
            for await update in group where update != nil { written = update }
            return written
        }
        // ...and put in place last: it vouches for the cache put in place before it.
        witnessFile?.commit { BuildWitness.remove(for: output) }
    }

    /// Removes what a build killed while writing the state left beside `output` (see
    /// `FileIO.removeStrayTemporaries`). Only while the lock is held: no other build is writing.
    static func removeStrayTemporaries(for output: URL) {
        let files = [BuildCache.location(for: output), NoticeIndex.location(for: output), TreeRecord.location(for: output),
                     BuildWitness.location(for: output), SkeletonFile.location(for: output)]
        FileIO.removeStrayTemporaries(in: files[0].deletingLastPathComponent().path, of: Set(files.map(\.lastPathComponent)))
    }

    /// A hidden file beside Output: `.Output.<suffix>`.
    static func sibling(of output: URL, _ suffix: String) -> URL {
        let output = output.standardizedFileURL
        return output.deletingLastPathComponent().appendingPathComponent("." + output.lastPathComponent + "." + suffix)
    }

    /// Takes the lock on `output`, or says who holds it.
    static func lock(_ output: URL) -> Result<FileIO.Lock, Diagnostic> {
        let path = sibling(of: output, "gavel-lock").path
        // An Output in folders that do not exist yet (`--output site/build/Output`) gets them.
        try? FileIO.makeDirectories(output.standardizedFileURL.deletingLastPathComponent().path)
        switch FileIO.Lock.acquire(path, holder: "gavel (process \(getpid()))") {
        case let .acquired(lock):
            return .success(lock)
        case let .busy(holder):
            return .failure(.error(SourceLocation(file: output.path), "another build is writing this folder: \(holder)",
                                   hint: "wait for it to finish, or stop it; builds into one Output take turns"))
        case let .failed(failure):
            return .failure(.error(SourceLocation(file: path), "cannot lock the output folder: \(failure)"))
        }
    }
}

/// The state a long-lived process (`gavel serve`) keeps between its builds, so a rebuild does not
/// read back what the last one just wrote. It is used only while the state files are exactly as that
/// build left them (each file's size, times and inode): a build by another process, a failed build
/// that dropped a file, or anything else that touched them makes the next build read them again.
public final class BuildMemory: Sendable {
    private let kept = Mutex<(state: BuildState, output: URL, stamps: [NoticeIndex.Stamp?])?>(nil)
    /// The last theme assembled without a problem: the next build takes it again if its files read
    /// the same (see `Theme.load(overrides:displayRoot:builtIn:reusing:bag:)`). Not state: it is
    /// checked against the bytes each build reads.
    private let keptTheme = Mutex<Theme?>(nil)

    var theme: Theme? { keptTheme.withLock { $0 } }

    func keep(theme: Theme) { keptTheme.withLock { $0 = theme } }

    /// With state kept in memory, the process builds again and again: its freed memory is kept too
    /// (see `FileIO.keepFreedMemory`). Called once, by the process, not per build.
    public init(keepingFreedMemory: Bool = false) {
        if keepingFreedMemory { FileIO.keepFreedMemory() }
    }

    static func files(for output: URL) -> [String] {
        [BuildCache.location(for: output).path, NoticeIndex.location(for: output).path, TreeRecord.location(for: output).path]
    }

    /// The state the last build left for `output`, if its files are still as it left them; taken,
    /// so a build that then fails leaves nothing behind.
    func recall(for output: URL) -> BuildState? {
        guard let kept = kept.withLock({ value in defer { value = nil }; return value }), kept.output == output,
              kept.stamps == Self.files(for: output).map({ NoticeIndex.Stamp.of($0) }) else { return nil }
        return kept.state
    }

    /// Keeps `state`, which the files beside `output` now hold.
    func remember(_ state: BuildState, for output: URL) {
        let stamps = Self.files(for: output).map { NoticeIndex.Stamp.of($0) }
        kept.withLock { $0 = (state, output, stamps) }
    }
}

/// The envelope of Gavel's state files: a header `<kind> <identity> <checksum> [<field>…]` and the body.
/// A file whose kind, identity or checksum is not this one's reads as nil.
enum StateFile {
    /// Bytes of a state file seen where they are. Slices of one array each retain and release that
    /// array's storage: hundreds of thousands of times per rebuild at 10,000 notices, on every core
    /// at once and on one count.
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// The header's fields after the checksum, the file's bytes and where its body of records (see
    /// `Records`) starts, just after the header's newline; the body checked against the checksum.
    static func readBody(_ path: String, kind: String) -> (head: [Substring], bytes: [UInt8], body: Int)? {
        guard let bytes = FileIO.read(path), let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let header = String(decoding: bytes[..<newline], as: UTF8.self)
        let fields = header.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[0] == kind, fields[1] == GavelVersion.identity,
              let checksum = BuildCache.hex(ArraySlice(fields[2].utf8)) else { return nil }
        let body = newline + 1
        guard bytes.withUnsafeBytes({ Checksum.of(UnsafeRawBufferPointer(rebasing: $0[body...])) }) == checksum else { return nil }
        return (Array(fields.dropFirst(3)), bytes, body)
    }

    /// A body of records: numbers as eight bytes (little-endian) and texts as their length (four
    /// bytes) and UTF-8 bytes, nothing escaped. The state files were text lines: cutting them into
    /// cells, unescaping texts and reading and writing hexadecimal digits were most of what reading
    /// and writing the state cost a rebuild at 10,000 notices.
    enum Records {
        /// `value`'s eight bytes, lowest first.
        static func append(_ value: UInt64, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        /// Three numbers in one append (a folder's stamp).
        static func append(_ a: UInt64, _ b: UInt64, _ c: UInt64, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: (a.littleEndian, b.littleEndian, c.littleEndian)) { bytes.append(contentsOf: $0) }
        }

        /// `value`'s four bytes, lowest first (a count of items or a record's length).
        static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        /// `text`'s length as four bytes, then its UTF-8 bytes; false for a text of 4 GiB or more
        /// (none comes near it), written as the largest length with no bytes after it, so the file
        /// holding it fails its own reading (a length past its end) and its state is not used.
        @discardableResult
        static func append(text: String, to bytes: inout [UInt8]) -> Bool {
            var text = text
            return text.withUTF8 { utf8 -> Bool in
                guard let length = UInt32(exactly: utf8.count) else {
                    bytes.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                    return false
                }
                withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: utf8)
                return true
            }
        }

        /// As `append(text:to:)`, for bytes that need not be UTF-8.
        @discardableResult
        static func append(bytes: [UInt8], to out: inout [UInt8]) -> Bool {
            guard let length = UInt32(exactly: bytes.count) else {
                out.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                return false
            }
            append32(length, to: &out)
            out.append(contentsOf: bytes)
            return true
        }

        /// The room `text` takes.
        static func size(text: String) -> Int { 4 + text.utf8.count }

        /// Reads records from where they are; every read is checked against the end, and gives nil
        /// past it (a file cut short or damaged past its checksum never traps).
        struct Reader {
            private let raw: UnsafeRawBufferPointer
            private(set) var offset: Int

            init(_ raw: UnsafeRawBufferPointer, from offset: Int) {
                self.raw = raw
                self.offset = offset
            }

            var atEnd: Bool { offset == raw.count }

            mutating func number() -> UInt64? {
                guard raw.count - offset >= 8 else { return nil }
                defer { offset += 8 }
                return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            }

            mutating func number32() -> UInt32? {
                guard raw.count - offset >= 4 else { return nil }
                defer { offset += 4 }
                return UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            }

            mutating func byte() -> UInt8? {
                guard offset < raw.count else { return nil }
                defer { offset += 1 }
                return raw[offset]
            }

            /// A text's UTF-8 bytes, where they are.
            mutating func textBytes() -> UnsafeRawBufferPointer? {
                guard raw.count - offset >= 4 else { return nil }
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                guard raw.count - offset - 4 >= length else { return nil }
                defer { offset += 4 + length }
                return UnsafeRawBufferPointer(rebasing: raw[(offset + 4)..<(offset + 4 + length)])
            }

            mutating func text() -> String? {
                textBytes().map { String(decoding: $0, as: UTF8.self) }
            }
        }
    }

    /// `value` in lowercase hexadecimal, appended without making a String (state files hold tens of
    /// thousands of numbers). All sixteen digits are made at once, eight to a word, and those from the
    /// highest that is not zero are appended in one copy: appended a byte at a time, with a check of
    /// the array's room each, a number cost about 270 instructions (a quarter of a million numbers
    /// per rebuild at 10,000 notices).
    /// How many digits `appendHex` writes for `value`.
    static func hexCount(_ value: UInt64) -> Int { max(1, (67 - value.leadingZeroBitCount) >> 2) }

    static func appendHex(_ value: UInt64, to bytes: inout [UInt8]) {
        let count = hexCount(value)
        var digits = (hexDigits(UInt32(truncatingIfNeeded: value >> 32)), hexDigits(UInt32(truncatingIfNeeded: value)))
        withUnsafeBytes(of: &digits) { raw in
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(16 - count)...]).bindMemory(to: UInt8.self))
        }
    }

    /// The eight hexadecimal digits of `value` as ASCII bytes, the highest first in memory.
    @inline(__always)
    private static func hexDigits(_ value: UInt32) -> UInt64 {
        // Each nibble spread to a byte of its own, the lowest in the lowest byte...
        var x = UInt64(value)
        x = ((x & 0xFFFF_0000) << 16) | (x & 0xFFFF)
        x = ((x & 0x0000_FF00_0000_FF00) << 8) | (x & 0x0000_00FF_0000_00FF)
        x = ((x & 0x00F0_00F0_00F0_00F0) << 4) | (x & 0x000F_000F_000F_000F)
        // ...turned round so the highest comes first, and made a digit: '0' + n, and 39 more from 10 on
        // ('a' is '0' + 49).
        x = x.byteSwapped
        let letters = ((x &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 39
    }

    /// A number of one to sixteen lowercase hexadecimal digits; nil for anything else. Eight digits
    /// are checked and read at once, in a word: read one at a time, a number cost about 180
    /// instructions.
    static func hexValue(_ digits: Bytes) -> UInt64? {
        let count = digits.count
        guard count > 0, count <= 16, let start = digits.baseAddress else { return nil }
        // The last eight digits (or all, when fewer) make the low word, those before them the high
        // (most numbers have no high word: sizes, inodes, nanoseconds).
        guard count > 8 else { return hexWord(start, count: count).map { UInt64($0) } }
        guard let top = hexWord(start, count: count - 8), let bottom = hexWord(start + count - 8, count: 8) else { return nil }
        return UInt64(top) << 32 | UInt64(bottom)
    }

    /// Up to eight digits at `start` as one 32-bit value; nil when one is not a lowercase hexadecimal digit.
    @inline(__always)
    private static func hexWord(_ start: UnsafePointer<UInt8>, count: Int) -> UInt32? {
        // The digits in a word, the first in its highest byte, behind '0's when fewer than eight.
        // Fewer than eight are read as two loads of four (or two) that overlap, both inside the field,
        // the second's bytes past the first's put below it: a byte at a time, a field of five digits
        // cost about a hundred instructions (300,000 fields a rebuild at 10,000 notices).
        let raw = UnsafeRawPointer(start), zeros: UInt64 = 0x3030_3030_3030_3030
        var x: UInt64
        switch count {
        case 8:
            x = UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self))
        case 4...7:
            let first = UInt64(UInt32(bigEndian: raw.loadUnaligned(as: UInt32.self)))
            let last = UInt64(UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            let below = UInt64(8 * (count - 4))
            x = zeros &<< UInt64(8 * count) | first &<< below | last & ((1 &<< below) &- 1)
        case 2...3:
            let first = UInt64(UInt16(bigEndian: raw.loadUnaligned(as: UInt16.self)))
            let last = UInt64(UInt16(bigEndian: raw.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)))
            let below = UInt64(8 * (count - 2))
            x = zeros &<< UInt64(8 * count) | first &<< below | last & ((1 &<< below) &- 1)
        case 1:
            x = zeros &<< 8 | UInt64(start[0])
        default:
            x = zeros
        }
        // Every byte ASCII, then in '0'...'9' or 'a'...'f': for a byte below 0x80, adding 0x80 - low
        // sets its top bit when it is at least `low`, and adding 0x7F - high when it is above `high`,
        // without carrying into the next byte.
        let tops: UInt64 = 0x8080_8080_8080_8080
        guard x & tops == 0 else { return nil }
        let digit = (x &+ 0x5050_5050_5050_5050) & ~(x &+ 0x4646_4646_4646_4646)
        let letter = (x &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(x &+ 0x1919_1919_1919_1919)
        guard (digit | letter) & tops == tops else { return nil }
        // Each byte's value: its low four bits, and 9 more for a letter (bit 6 is set in 'a'...'f' only).
        var n = (x & 0x0F0F_0F0F_0F0F_0F0F) &+ ((x >> 6) & 0x0101_0101_0101_0101) &* 9
        // Joined, pairs, then fours, then eights: the lowest byte holds the last digit.
        n = (n | (n >> 4)) & 0x00FF_00FF_00FF_00FF
        n = (n | (n >> 8)) & 0x0000_FFFF_0000_FFFF
        n = (n | (n >> 16)) & 0xFFFF_FFFF
        return UInt32(truncatingIfNeeded: n)
    }

    /// Writes a state file whose whole body is at hand, in its place.
    static func write(_ path: String, kind: String, head: [String], body: [UInt8]) throws {
        var out = Writer(path, kind: kind, head: head)
        out.bytes = body
        try out.finish().place()
    }

    /// A state file written as its lines are made, a few hundred KiB at a time, to a temporary file
    /// beside its place: the whole body is never held (at 50,000 notices the cache's, the notice
    /// index's and the witness's bodies were 28 MB more at the build's peak, at its end). The
    /// header's checksum is filled in last.
    struct Writer {
        /// Bytes made and not yet written out: append a record to them, then call `endRecord()`.
        var bytes: [UInt8] = []
        private let file: FileIO.Replacement?
        private var failure: FileIO.Failure?
        private var checksum = Checksum()
        /// Where the header's checksum goes: sixteen digits, written as zeros first.
        private let checksumOffset: Int
        /// How much is made before it is written out.
        static let chunk = 256 << 10

        init(_ path: String, kind: String, head: [String]) {
            let start = kind + " " + GavelVersion.identity + " "
            checksumOffset = start.utf8.count
            let header = ([start + String(repeating: "0", count: 16)] + head).joined(separator: " ") + "\n"
            do {
                let file = try FileIO.Replacement(path)
                try Array(header.utf8).withUnsafeBytes { try file.append($0) }
                self.file = file
            } catch {
                file = nil
                failure = error as? FileIO.Failure ?? FileIO.Failure(path: path, code: EIO)
            }
            bytes.reserveCapacity(Self.chunk + 4096)
        }

        /// Ends a record (of a body of records, see `Records`): writes out what was made when it is a
        /// chunk or more.
        mutating func endRecord() {
            if bytes.count >= Self.chunk { writeOut() }
        }

        /// Writes out whole records made elsewhere, after those made here; they are not copied.
        mutating func append(made records: [UInt8]) {
            writeOut()
            records.withUnsafeBytes { checksum.add($0) }
            guard failure == nil, let file else { return }
            do {
                try records.withUnsafeBytes { try file.append($0) }
            } catch {
                failure = error as? FileIO.Failure ?? FileIO.Failure(path: file.temporary, code: EIO)
            }
        }

        private mutating func writeOut() {
            guard !bytes.isEmpty else { return }
            bytes.withUnsafeBytes { checksum.add($0) }
            if failure == nil, let file {
                do {
                    try bytes.withUnsafeBytes { try file.append($0) }
                } catch {
                    failure = error as? FileIO.Failure ?? FileIO.Failure(path: file.temporary, code: EIO)
                }
            }
            bytes.removeAll(keepingCapacity: true)
        }

        /// The whole file, checksum filled in, still under its temporary name (see
        /// `FileIO.Replacement`); nothing is left of it when it could not be written.
        mutating func finish() throws(FileIO.Failure) -> FileIO.Replacement {
            writeOut()
            guard let file else { throw failure ?? FileIO.Failure(path: "", code: EIO) }
            if let failure {
                file.discard()
                throw failure
            }
            var digits = Array(String(checksum.value, radix: 16).utf8)
            digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: 16 - digits.count), at: 0)
            do {
                try file.overwrite(digits, at: checksumOffset)
            } catch {
                file.discard()
                throw error as? FileIO.Failure ?? FileIO.Failure(path: file.temporary, code: EIO)
            }
            return file
        }
    }

    /// The checksum of a state file's body, taken piece by piece as it is written out: eight bytes
    /// at a time like `ContentHash` (which needs the length first), the length mixed in last. The
    /// words go to four lanes in turn, each mixed on its own: mixed into one, each word waited for the
    /// multiplication before it, and the fifteen megabytes a rebuild reads and writes at 10,000
    /// notices took about 14 instructions a word.
    struct Checksum {
        private var lanes: (UInt64, UInt64, UInt64, UInt64) = (0x9E37_79B9_7F4A_7C15, 0xD6E8_FEB8_6659_FD93, 0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB)
        /// Whole words mixed so far: which lane the next one goes to.
        private var words = 0
        private var count = 0
        /// The bytes after the last whole eight, lowest first.
        private var tail: UInt64 = 0
        private var tailCount = 0

        static func of(_ raw: UnsafeRawBufferPointer) -> UInt64 {
            var checksum = Checksum()
            checksum.add(raw)
            return checksum.value
        }

        mutating func add(_ raw: UnsafeRawBufferPointer) {
            count += raw.count
            var i = 0
            if tailCount > 0 {
                while tailCount < 8, i < raw.count {
                    tail |= UInt64(raw[i]) << UInt64(8 * tailCount)
                    tailCount += 1
                    i += 1
                }
                guard tailCount == 8 else { return }
                add(word: tail)
                tail = 0
                tailCount = 0
            }
            func word(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            // One word at a time up to the first lane, then four at a time.
            while words & 3 != 0, i + 8 <= raw.count {
                add(word: word(i))
                i += 8
            }
            while i + 32 <= raw.count {
                lanes.0 = Self.mix(lanes.0, word(i))
                lanes.1 = Self.mix(lanes.1, word(i + 8))
                lanes.2 = Self.mix(lanes.2, word(i + 16))
                lanes.3 = Self.mix(lanes.3, word(i + 24))
                words += 4
                i += 32
            }
            while i + 8 <= raw.count {
                add(word: word(i))
                i += 8
            }
            while i < raw.count {
                tail |= UInt64(raw[i]) << UInt64(8 * tailCount)
                tailCount += 1
                i += 1
            }
        }

        private mutating func add(word: UInt64) {
            switch words & 3 {
            case 0: lanes.0 = Self.mix(lanes.0, word)
            case 1: lanes.1 = Self.mix(lanes.1, word)
            case 2: lanes.2 = Self.mix(lanes.2, word)
            default: lanes.3 = Self.mix(lanes.3, word)
            }
            words += 1
        }

        @inline(__always)
        private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
            let h = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
            return h ^ (h >> 32)
        }

        var value: UInt64 {
            var h = lanes.0
            for more in [lanes.1, lanes.2, lanes.3, tail, UInt64(count)] {
                h = (h ^ more) &* 0xC4CE_B9FE_1A85_EC53
                h ^= h >> 29
            }
            return h
        }
    }
}
