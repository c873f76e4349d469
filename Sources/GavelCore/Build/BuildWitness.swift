import Foundation
import Synchronization

/// What lets a build that would change nothing say so without loading the content
/// (`.Output.gavel-witness`): every file and folder of Content/ and Templates/ (hidden ones aside:
/// Gavel reads none) with its stamp, the
/// options that shape the site, what the clock decided (each court zone's date, whether each go-live
/// has passed), and the manifest as the build left it. Output's files are checked against the render
/// cache's record of how each was left (size, modification time, inode), as a page is before reuse.
///
/// When all of it still holds, the site the build would make is the one in Output, byte for byte:
/// the site is a function of exactly those inputs (the built-in theme is this Gavel's, which the
/// state's identity pins). A folder's stamp covers its entries (a file added, removed or renamed
/// moves it), a file's its bytes; a stamp is trusted only when its change time is older than the
/// mark taken before the content was read (see `TreeRecord` for why), so an edit made during that
/// build, or in the same clock tick, is never mistaken for none.
///
/// Written only after a build that succeeded without a warning (a warning is told on every build),
/// removed before any other build reads the content. Like all state it only saves time: missing,
/// damaged or from another Gavel, the build simply runs.
struct BuildWitness: Sendable, Equatable {
    struct Input: Sendable, Equatable, CustomStringConvertible {
        /// The path as the folder it is in and its name, joined only when asked: most inputs are
        /// notices of a folder the load listed, and their paths, made as strings of their own, took a
        /// rebuild at 10,000 notices about 10 million instructions (their records are made from the
        /// two parts). `folder` is "" when `name` is the whole path.
        let folder: String
        let name: String
        var stamp: NoticeIndex.Stamp
        /// A root is stamped through a link to it (it was named); nothing below it is.
        var isRoot = false

        init(path: String, stamp: NoticeIndex.Stamp, isRoot: Bool = false) {
            folder = ""
            name = path
            self.stamp = stamp
            self.isRoot = isRoot
        }

        init(folder: String, name: String, stamp: NoticeIndex.Stamp) {
            self.folder = folder
            self.name = name
            self.stamp = stamp
        }

        var path: String { folder.isEmpty ? name : .path(folder, name) }

        /// The same path (however split), stamp and kind.
        static func == (a: Input, b: Input) -> Bool {
            a.path.utf8.elementsEqual(b.path.utf8) && a.stamp == b.stamp && a.isRoot == b.isRoot
        }

        var description: String { "\(isRoot ? "root " : "")\(path) \(stamp)" }
    }

    /// The options the site depends on, fingerprinted.
    var options: UInt64
    /// Change times at or after this (nanoseconds) are not trusted.
    var marker: Int64
    /// Each court's time zone with the date it had; each go-live instant with whether it had passed.
    var zones: [String: String]
    var goLives: [Int64: Bool]
    /// Every file and folder of Content/ and Templates/ (absolute paths), roots included, as this
    /// build stamped them (to be saved).
    var inputs: [Input]
    /// The same as read back from a witness: its records, each read only when it is checked (the
    /// first that changed ends the check, and it is usually the first record).
    var inputRecords = InputRecords(bytes: [], starts: [])
    var manifest: NoticeIndex.Stamp
    /// How many files the site has.
    var files: Int
    /// `inputs`' records as `write(to:)` would make them, when made already (see `records(of:)`).
    var madeInputRecords: [UInt8]?

    /// Inputs as records in a witness's bytes: where each starts (its kind, its stamp's six numbers,
    /// then its path), all found and checked against the end when the witness was read.
    struct InputRecords: Sendable, Equatable {
        let bytes: [UInt8]
        let starts: [Int]

        var count: Int { starts.count }

        /// Whether input `i`'s file still has its stamp, stamped before `marker`. `path` is room to
        /// make the path a C string in, kept from one input to the next.
        func holds(_ i: Int, marker: Int64, path: inout [UInt8]) -> Bool {
            bytes.withUnsafeBytes { raw in
                var reader = StateFile.Records.Reader(raw, from: starts[i])
                guard let input = BuildWitness.input(&reader, path: &path), let now = input.status else { return false }
                let stamp = NoticeIndex.Stamp(now)
                return stamp == input.stamp && stamp.changed &* 1_000_000_000 &+ stamp.changedNanoseconds < marker
            }
        }
    }

    static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-witness") }

    static func remove(for output: URL) { unlink(location(for: output).path) }

    static func fingerprint(_ options: BuildOptions) -> UInt64 {
        var hash = ContentHash.Accumulator()
        for part in [options.content.standardizedFileURL.path, options.templates?.standardizedFileURL.path ?? "-", options.contentDisplay,
                     options.templatesDisplay, options.baseURL ?? "-", "\(options.includeDrafts) \(options.offline)"] {
            hash.add(part)
        }
        return hash.value
    }

    /// What the clock decided for this model: every court zone's date and every go-live's side.
    static func clock(of model: SiteModel) -> (zones: [String: String], goLives: [Int64: Bool]) {
        var zones: [String: String] = [:], goLives: [Int64: Bool] = [:]
        for m in model.courts {
            zones[m.court.timeZone.identifier] = m.today.description
            if let instant = m.court.goLiveInstant { goLives[instant.secondsSinceEpoch] = instant <= model.now }
        }
        return (zones, goLives)
    }

    /// Every file and folder under the roots with its stamp, the most recently changed first (a
    /// file just edited is the likeliest to have changed again); nil when one cannot be read, or is
    /// on a file system whose clock may not be the mark's: the lock file's (where the mark was
    /// taken) or a local one (stamped with the kernel's clock, as the mark's second reading is).
    ///
    /// `listed` holds folders under the first root as this build's load listed them, after the mark,
    /// with the stamps it took then (see `ContentLoader.FolderListing`): they are not read again, and
    /// only their entries without a stamp are stamped here. (Listed again and looked up in the notice
    /// index, the notices' 10,000 files took a rebuild some 30 million instructions.)
    static func scan(_ roots: [URL], device: UInt64, listed: [String: ContentLoader.FolderListing] = [:]) -> [Input]? {
        var inputs: [Input] = []
        for (index, root) in roots.enumerated() {
            let path = root.standardizedFileURL.path
            // The root may be reached through a link (it was named); nothing below is followed.
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR,
                  UInt64(info.st_dev) == device || FileIO.isOnLocalFileSystem(path) else { return nil }
            let rootDevice = info.st_dev
            inputs.append(Input(path: path, stamp: NoticeIndex.Stamp(info), isRoot: true))
            // Hidden entries are never read (a `.git/` there changes nothing); adding or removing one
            // still moves its folder's stamp.
            let listedHere = index == 0 ? listed : [:]
            let (files, folders) = FileIO.walk(path, hidden: false, unread: Set(listedHere.keys))
            // A listed folder's entries, where the walk found the folder (one gone since is not there
            // to stamp): those with a stamp as they are, the others stamped here.
            var fromListings: [String] = []
            for folder in folders {
                guard let listing = listedHere[folder] else { continue }
                // Not read by the walk: a listing that does not hold together leaves no witness.
                guard listing.names.count == listing.stamps.count else { return nil }
                let listedFolder = String.path(path, folder)
                for (name, stamp) in zip(listing.names, listing.stamps) {
                    if let stamp {
                        inputs.append(Input(folder: listedFolder, name: name, stamp: stamp))
                    } else {
                        fromListings.append(.concatenating(folder, "/", name))
                    }
                }
            }
            guard var stamped = try? stamps(of: folders + files, under: path, device: rootDevice),
                  let listedStamped = try? stamps(of: fromListings, under: path, device: rootDevice) else { return nil }
            // A folder in a listed one was not walked: all that is in it is stamped too.
            for (relative, entry) in zip(fromListings, listedStamped) where entry.isFolder {
                let (innerFiles, innerFolders) = FileIO.walk(entry.input.path, hidden: false)
                guard let inner = try? stamps(of: (innerFolders + innerFiles).map { .concatenating(relative, "/", $0) }, under: path,
                                              device: rootDevice) else { return nil }
                stamped.append(contentsOf: inner)
            }
            inputs.append(contentsOf: stamped.map(\.input))
            inputs.append(contentsOf: listedStamped.map(\.input))
        }
        return newestFirst(inputs)
    }

    /// The inputs the most recently changed first, ties in the order given (as a stable sort would
    /// leave them). Their places are sorted by their keys and the inputs taken in that order: moved
    /// through the sort themselves (two strings each), they cost a one-notice rebuild at 10,000
    /// notices 5.2 M instructions.
    static func newestFirst(_ inputs: [Input]) -> [Input] {
        let keys = inputs.map { ($0.stamp.changed, $0.stamp.changedNanoseconds) }
        let order = inputs.indices.sorted { a, b in keys[a] != keys[b] ? keys[a] > keys[b] : a < b }
        return order.map { inputs[$0] }
    }

    /// An entry as the scan stamped it, and whether it is a folder.
    struct Scanned {
        var input: Input
        var isFolder: Bool
    }

    /// An entry gone, or on another file system than its root (one mounted inside is not one the
    /// mark vouches for).
    struct GoneOrElsewhere: Error {}

    /// Each of `entries` (paths under `root`) stamped, on every core.
    static func stamps(of entries: [String], under root: String, device: dev_t) throws(GoneOrElsewhere) -> [Scanned] {
        let all = entries.map { String.path(root, $0) }
        var scanned: [Scanned] = []
        scanned.reserveCapacity(all.count)
        for chunk in inChunks(all.count, minimum: 512, { range in all[range].map { ($0, FileIO.status($0)) } }) {
            for (entry, info) in chunk {
                guard let info, info.st_dev == device else { throw GoneOrElsewhere() }
                scanned.append(Scanned(input: Input(path: entry, stamp: NoticeIndex.Stamp(info)), isFolder: (info.st_mode & S_IFMT) == S_IFDIR))
            }
        }
        return scanned
    }

    /// True when the build these options ask for would read exactly what the witnessed build read,
    /// at a time the clock decides nothing differently.
    func inputsHold(for options: BuildOptions) -> Bool {
        guard Self.fingerprint(options) == self.options else { return false }
        // The clock: the same date in every zone, every go-live on the same side of now.
        for (identifier, today) in zones {
            guard let zone = TimeZone(identifier: identifier), options.now.local(in: zone).date.description == today else { return false }
        }
        for (instant, passed) in goLives where (Instant(secondsSinceEpoch: instant) <= options.now) != passed { return false }
        // The most recently changed inputs come first: the first few are checked in order, the rest
        // on every core, and the first that changed stops them all.
        let records = inputRecords, marker = self.marker
        let first = min(records.count, 32)
        var path: [UInt8] = []
        guard records.count > 0, (0..<first).allSatisfy({ records.holds($0, marker: marker, path: &path) }) else { return false }
        let changed = Atomic<Bool>(false)
        _ = inChunks(records.count - first, minimum: 512) { range in
            var path: [UInt8] = []
            var i = first + range.lowerBound
            while i < first + range.upperBound, !changed.load(ordering: .relaxed) {
                guard records.holds(i, marker: marker, path: &path) else {
                    changed.store(true, ordering: .relaxed)
                    break
                }
                i += 1
            }
            return 0
        }
        return !changed.load(ordering: .relaxed)
    }

    /// An input's record at the reader (its kind, a byte: 1 for a root, 0 for anything else; its
    /// stamp's six numbers; its path), its path made a C string in `path`; nil when the record is
    /// cut short, its kind is neither, or its path holds a NUL (no file's does).
    static func input(_ reader: inout StateFile.Records.Reader, path: inout [UInt8]) -> (stamp: NoticeIndex.Stamp, status: stat?)? {
        guard let kind = reader.byte(), kind <= 1, let stamp = stamp(&reader), let name = reader.textBytes(), !name.contains(0) else { return nil }
        path.removeAll(keepingCapacity: true)
        path.append(contentsOf: name)
        path.append(0)
        var info = stat()
        // A root is stamped through a link to it (it was named); nothing below it is.
        let found = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { $0.withMemoryRebound(to: CChar.self, capacity: buffer.count) { kind == 1 ? stat($0, &info) == 0 : lstat($0, &info) == 0 } } ?? false
        }
        return (stamp, found ? info : nil)
    }

    /// A stamp's six numbers at the reader.
    static func stamp(_ reader: inout StateFile.Records.Reader) -> NoticeIndex.Stamp? {
        guard let size = reader.number(), let seconds = reader.number(), let nanoseconds = reader.number(), let inode = reader.number(),
              let changed = reader.number(), let changedNanoseconds = reader.number() else { return nil }
        return NoticeIndex.Stamp(size: Int64(bitPattern: size), seconds: Int64(bitPattern: seconds), nanoseconds: Int64(bitPattern: nanoseconds),
                                 inode: inode, changed: Int64(bitPattern: changed), changedNanoseconds: Int64(bitPattern: changedNanoseconds))
    }

    /// What comes before the inputs: the zones, the go-lives and the manifest's stamp; nil when any
    /// is cut short or off. Leaves the reader at the inputs' count.
    static func clockAndManifest(_ reader: inout StateFile.Records.Reader) -> (zones: [String: String], goLives: [Int64: Bool], manifest: NoticeIndex.Stamp)? {
        guard let zoneCount = reader.number32() else { return nil }
        var zones: [String: String] = [:]
        for _ in 0..<zoneCount {
            guard let zone = reader.text(), let today = reader.text() else { return nil }
            zones[zone] = today
        }
        guard let goLiveCount = reader.number32() else { return nil }
        var goLives: [Int64: Bool] = [:]
        for _ in 0..<goLiveCount {
            guard let instant = reader.number(), let passed = reader.byte(), passed <= 1 else { return nil }
            goLives[Int64(bitPattern: instant)] = passed == 1
        }
        guard let manifest = stamp(&reader) else { return nil }
        return (zones, goLives, manifest)
    }

    /// True when the input the witness beside `output` names first (the most recently changed, the
    /// likeliest to have changed again: the file a court is editing) no longer has its recorded
    /// stamp. No build can then end on the witness, and that is known without reading and checking
    /// all of it (a megabyte at 10,000 notices, about 1 ms on one core before every edit's build).
    /// Only the start of the file is read, and its checksum is not checked: true only ever makes a
    /// build run, which is always right; false, or a start that cannot be read, leaves the decision
    /// to `load` and `inputsHold`.
    static func newestInputMoved(for output: URL) -> Bool {
        guard let start = FileIO.readStart(location(for: output).path, upTo: 64 << 10), let newline = start.firstIndex(of: 0x0A) else { return false }
        return start.withUnsafeBytes { raw in
            var reader = StateFile.Records.Reader(raw, from: newline + 1)
            var path: [UInt8] = []
            guard clockAndManifest(&reader) != nil, let count = reader.number(), count > 0, let input = input(&reader, path: &path) else { return false }
            return input.status.map(NoticeIndex.Stamp.init) != input.stamp
        }
    }

    /// True when `output` is still as the witnessed build left it, which the cache's `files` describe.
    func outputHolds(_ output: String, files cached: BuildCache.FileStamps) -> Bool {
        guard cached.paths.count == files, NoticeIndex.Stamp.of(output + "/" + OutputWriter.manifestName) == manifest else { return false }
        return FileIO.allFiles(under: output, cached.paths) { i, info in
            Int(info.st_size) == cached.sizes[i] && OutputWriter.FileStamp(info) == cached.stamps[i]
        }
    }

    // MARK: - File format
    //
    // Header `gavel-witness <identity> <checksum> <options> <marker> <files>`, then a body of records
    // (`StateFile.Records`): the zones (a count of four bytes, then each zone and its date), the
    // go-lives (a count, then each instant and a byte, 1 when it had passed), the manifest's stamp,
    // then the inputs (a count of eight bytes, then each one's kind, stamp and path; see `input`).
    // A stamp is six numbers: size, modification seconds and nanoseconds, inode, change seconds and
    // nanoseconds.

    func save(for output: URL) throws {
        try file(for: output).place()
    }

    /// The witness's file, written beside its place (written apart, while the rest of the state is).
    func file(for output: URL) throws(FileIO.Failure) -> FileIO.Replacement {
        let head = [options, UInt64(bitPattern: marker), UInt64(files)].map { String($0, radix: 16) }
        var out = StateFile.Writer(Self.location(for: output).path, kind: "gavel-witness", head: head)
        write(to: &out)
        return try out.finish()
    }

    /// The file's body: zones, go-lives, the manifest's stamp, then every input (ten thousand).
    func write(to out: inout StateFile.Writer) {
        StateFile.Records.append32(UInt32(clamping: zones.count), to: &out.bytes)
        for (zone, today) in zones.sorted(by: { $0.key < $1.key }).prefix(Int(UInt32.max)) {
            StateFile.Records.append(text: zone, to: &out.bytes)
            StateFile.Records.append(text: today, to: &out.bytes)
        }
        StateFile.Records.append32(UInt32(clamping: goLives.count), to: &out.bytes)
        for (instant, passed) in goLives.sorted(by: { $0.key < $1.key }).prefix(Int(UInt32.max)) {
            StateFile.Records.append(UInt64(bitPattern: instant), to: &out.bytes)
            out.bytes.append(passed ? 1 : 0)
        }
        Self.appendStamp(manifest, to: &out.bytes)
        StateFile.Records.append(UInt64(inputs.count), to: &out.bytes)
        out.endRecord()
        if let madeInputRecords {
            out.append(made: madeInputRecords)
            return
        }
        // Made a few hundred at a time as they are written: held whole they would add to a build
        // from nothing's peak memory (about a megabyte at 10,000 notices).
        var start = 0
        while start < inputs.count {
            let end = min(start + 512, inputs.count)
            out.append(made: Self.records(of: inputs[start..<end]))
            start = end
        }
    }

    /// The records of `inputs` in the file, made apart: a rebuild makes its ten thousand while the
    /// commit runs on one core, not after it.
    static func records(of inputs: some Collection<Input>) -> [UInt8] {
        // Written in place into one array of their size: appended part by part, with a notice's
        // path from its folder and name, a record took about 600 instructions.
        let capacity = inputs.reduce(0) { $0 + inputRecordLeast + $1.folder.utf8.count + 1 + $1.name.utf8.count }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            var at = 0
            func put(_ value: UInt64) {
                UnsafeMutableRawPointer(base + at).storeBytes(of: value.littleEndian, as: UInt64.self)
                at += 8
            }
            func put(_ text: String) {
                let utf8 = text.utf8
                let copied: Void? = utf8.withContiguousStorageIfAvailable { bytes in
                    if let start = bytes.baseAddress { (base + at).initialize(from: start, count: bytes.count) }
                    at += bytes.count
                }
                if copied == nil {
                    for byte in utf8 {
                        base[at] = byte
                        at += 1
                    }
                }
            }
            for input in inputs {
                let s = input.stamp
                base[at] = input.isRoot ? 1 : 0
                at += 1
                put(UInt64(bitPattern: s.size))
                put(UInt64(bitPattern: s.seconds))
                put(UInt64(bitPattern: s.nanoseconds))
                put(s.inode)
                put(UInt64(bitPattern: s.changed))
                put(UInt64(bitPattern: s.changedNanoseconds))
                let pathLength = input.folder.isEmpty ? input.name.utf8.count : input.folder.utf8.count + 1 + input.name.utf8.count
                // A path of 4 GiB or more is written as `StateFile.Records.append(text:)` writes it:
                // the largest length and no bytes, so the file does not read.
                guard let length = UInt32(exactly: pathLength) else {
                    UnsafeMutableRawPointer(base + at).storeBytes(of: UInt32.max, as: UInt32.self)
                    at += 4
                    continue
                }
                UnsafeMutableRawPointer(base + at).storeBytes(of: length.littleEndian, as: UInt32.self)
                at += 4
                if !input.folder.isEmpty {
                    put(input.folder)
                    base[at] = UInt8(ascii: "/")
                    at += 1
                }
                put(input.name)
            }
            count = at
        }
    }

    /// The bytes of an input's record with an empty path: its kind (1), its stamp's six numbers (48)
    /// and its path's length (4).
    static let inputRecordLeast = 53

    /// A stamp's six numbers.
    private static func appendStamp(_ s: NoticeIndex.Stamp, to bytes: inout [UInt8]) {
        StateFile.Records.append(UInt64(bitPattern: s.size), UInt64(bitPattern: s.seconds), UInt64(bitPattern: s.nanoseconds), to: &bytes)
        StateFile.Records.append(s.inode, UInt64(bitPattern: s.changed), UInt64(bitPattern: s.changedNanoseconds), to: &bytes)
    }

    static func load(for output: URL) -> BuildWitness? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-witness"), head.count == 3 else { return nil }
        let numbers = head.compactMap { BuildCache.hex(ArraySlice($0.utf8)) }
        guard numbers.count == 3, let files = Int(exactly: numbers[2]) else { return nil }
        let read = bytes.withUnsafeBytes { raw -> (zones: [String: String], goLives: [Int64: Bool], manifest: NoticeIndex.Stamp, starts: [Int])? in
            var reader = StateFile.Records.Reader(raw, from: body)
            // Inputs are found here, each checked against the end, and read only as far as the check goes.
            guard let (zones, goLives, manifest) = clockAndManifest(&reader), let value = reader.number(), let count = Int(exactly: value),
                  count > 0, count <= (raw.count - reader.offset) / Self.inputRecordLeast else { return nil }
            var starts: [Int] = []
            starts.reserveCapacity(count)
            for _ in 0..<count {
                starts.append(reader.offset)
                guard let kind = reader.byte(), kind <= 1, stamp(&reader) != nil, reader.textBytes() != nil else { return nil }
            }
            return reader.atEnd ? (zones, goLives, manifest, starts) : nil
        }
        guard let read else { return nil }
        var witness = BuildWitness(options: numbers[0], marker: Int64(bitPattern: numbers[1]), zones: read.zones, goLives: read.goLives, inputs: [],
                                   manifest: read.manifest, files: files)
        witness.inputRecords = InputRecords(bytes: bytes, starts: read.starts)
        return witness
    }
}
