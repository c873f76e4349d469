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
    struct Input: Sendable, Equatable {
        var path: String
        var stamp: NoticeIndex.Stamp
        /// A root is stamped through a link to it (it was named); nothing below it is.
        var isRoot = false

        var status: stat? {
            guard isRoot else { return FileIO.status(path) }
            var info = stat()
            return stat(path, &info) == 0 ? info : nil
        }
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
    /// The same as read back from a witness: its lines, each parsed only when it is checked (the
    /// first that changed ends the check, and it is usually the first line).
    var inputLines = StateFile.Lines(bytes: [], ranges: [])
    var manifest: NoticeIndex.Stamp
    /// How many files the site has.
    var files: Int
    /// `inputs`' lines as `write(to:)` would make them, when made already (see `lines(of:)`).
    var madeInputLines: [UInt8]?

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
    /// `known` holds stamps this build already took (the notice index's, by path under the first
    /// root), after the mark: those files are not stamped again. (Looked up where they are: made
    /// into one table of 10,000 paths first, they held up the build, which waits for nothing else.)
    static func scan(_ roots: [URL], device: UInt64, known: NoticeIndex? = nil) -> [Input]? {
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
            let (files, folders) = FileIO.walk(path, hidden: false)
            let stamped = index == 0 ? known?.stamps(of: files) : nil
            var unknown = folders
            for (k, file) in files.enumerated() {
                if let stamp = stamped?[k] { inputs.append(Input(path: .path(path, file), stamp: stamp)) } else { unknown.append(file) }
            }
            let all = unknown.map { String.path(path, $0) }
            for chunk in inChunks(all.count, minimum: 512, { range in all[range].map { ($0, FileIO.status($0)) } }) {
                for (entry, info) in chunk {
                    // A file system mounted inside is not one the mark vouches for.
                    guard let info, info.st_dev == rootDevice else { return nil }
                    inputs.append(Input(path: entry, stamp: NoticeIndex.Stamp(info)))
                }
            }
        }
        return inputs.sorted { ($0.stamp.changed, $0.stamp.changedNanoseconds) > ($1.stamp.changed, $1.stamp.changedNanoseconds) }
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
        let lines = inputLines, marker = self.marker
        @Sendable func holds(_ line: StateFile.Bytes, _ path: inout [UInt8]) -> Bool {
            if let answer = Self.plainInputHolds(line, marker: marker, path: &path) { return answer }
            guard let input = Self.input(line), let stamp = input.status.map(NoticeIndex.Stamp.init), stamp == input.stamp else { return false }
            return stamp.changed &* 1_000_000_000 &+ stamp.changedNanoseconds < marker
        }
        let first = min(lines.count, 32)
        guard lines.count > 0, lines.withLines({ line in
            var path: [UInt8] = []
            return (0..<first).allSatisfy { holds(line($0), &path) }
        }) else { return false }
        let changed = Atomic<Bool>(false)
        _ = inChunks(lines.count - first, minimum: 512) { range in
            lines.withLines { line in
                var path: [UInt8] = []
                var i = first + range.lowerBound
                while i < first + range.upperBound, !changed.load(ordering: .relaxed) {
                    guard holds(line(i), &path) else {
                        changed.store(true, ordering: .relaxed)
                        break
                    }
                    i += 1
                }
            }
            return 0
        }
        return !changed.load(ordering: .relaxed)
    }

    /// For an input's line as Gavel writes nearly all of them (`i`, a path of ASCII without an
    /// escape, six numbers), whether the file still has its stamp, stamped before `marker`: read where
    /// the line is, the path made in `path` (kept from one line to the next). Nil for any other line,
    /// which `input` then reads. A build that changes one notice checks half the witness's 10,000
    /// lines on average before it finds the change; made into cells, a String and an array each,
    /// they cost about 3,300 instructions a line.
    static func plainInputHolds(_ line: StateFile.Bytes, marker: Int64, path: inout [UInt8]) -> Bool? {
        guard line.count > 2, line[0] == UInt8(ascii: "i"), line[1] == 0x09, let end = FileIO.index(of: 0x09, in: line, from: 2) else { return nil }
        let name = StateFile.Bytes(rebasing: line[2..<end])
        // ASCII (every byte's top bit clear, or'd together: a loop the compiler makes wide), with
        // neither an escape nor a NUL.
        var bits: UInt8 = 0
        for byte in name { bits |= byte }
        guard !name.isEmpty, bits < 0x80, FileIO.index(of: 0x5C, in: name, from: 0) == nil, FileIO.index(of: 0, in: name, from: 0) == nil else { return nil }
        // The six numbers, each up to the next tab; the last up to the line's end.
        var numbers: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
        var start = end + 1
        for k in 0..<6 {
            let stop = FileIO.index(of: 0x09, in: line, from: start) ?? line.count
            guard (stop == line.count) == (k == 5), let value = StateFile.hexValue(StateFile.Bytes(rebasing: line[start..<stop])) else { return nil }
            switch k {
            case 0: numbers.0 = value
            case 1: numbers.1 = value
            case 2: numbers.2 = value
            case 3: numbers.3 = value
            case 4: numbers.4 = value
            default: numbers.5 = value
            }
            start = stop + 1
        }
        let recorded = NoticeIndex.Stamp(size: Int64(bitPattern: numbers.0), seconds: Int64(bitPattern: numbers.1), nanoseconds: Int64(bitPattern: numbers.2),
                                         inode: numbers.3, changed: Int64(bitPattern: numbers.4), changedNanoseconds: Int64(bitPattern: numbers.5))
        path.removeAll(keepingCapacity: true)
        path.append(contentsOf: name)
        path.append(0)
        var info = stat()
        let found = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { $0.withMemoryRebound(to: CChar.self, capacity: buffer.count) { lstat($0, &info) == 0 } } ?? false
        }
        guard found else { return false }
        let stamp = NoticeIndex.Stamp(info)
        return stamp == recorded && stamp.changed &* 1_000_000_000 &+ stamp.changedNanoseconds < marker
    }

    /// True when the input the witness beside `output` names first (the most recently changed, the
    /// likeliest to have changed again: the file a court is editing) no longer has its recorded
    /// stamp. No build can then end on the witness, and that is known without reading and checking
    /// all of it (a megabyte at 10,000 notices, about 1 ms on one core before every edit's build).
    /// Only the start of the file is read, and its checksum is not checked: true only ever makes a
    /// build run, which is always right; false, or a line that cannot be read, leaves the decision
    /// to `load` and `inputsHold`.
    static func newestInputMoved(for output: URL) -> Bool {
        guard let start = FileIO.readStart(location(for: output).path, upTo: 64 << 10) else { return false }
        // The header, then zones, go-lives and the manifest's stamp, then the inputs, newest first.
        for line in FileIO.lines(start).dropFirst() where line.first == UInt8(ascii: "i") || line.first == UInt8(ascii: "r") {
            guard let input = input(line) else { return false }
            return input.status.map(NoticeIndex.Stamp.init) != input.stamp
        }
        return false
    }

    /// An input's line (`r` or `i`, its path and stamp); nil when it is not one.
    static func input(_ line: ArraySlice<UInt8>) -> Input? {
        line.withUnsafeBufferPointer { input($0) }
    }

    /// The same, where the bytes are.
    static func input(_ line: StateFile.Bytes) -> Input? {
        let cells = StateFile.cells(line)
        guard cells.count == 8, cells[0].count == 1, let letter = cells[0].first, letter == UInt8(ascii: "i") || letter == UInt8(ascii: "r"),
              let path = StateFile.unescape(cells[1]) ?? nil, let stamp = stamp(cells.dropFirst(2)) else { return nil }
        return Input(path: path, stamp: stamp, isRoot: letter == UInt8(ascii: "r"))
    }

    static func stamp(_ cells: ArraySlice<StateFile.Bytes>) -> NoticeIndex.Stamp? {
        let values = cells.compactMap { BuildCache.hex($0) }
        guard cells.count == 6, values.count == 6 else { return nil }
        return NoticeIndex.Stamp(size: Int64(bitPattern: values[0]), seconds: Int64(bitPattern: values[1]), nanoseconds: Int64(bitPattern: values[2]),
                                 inode: values[3], changed: Int64(bitPattern: values[4]), changedNanoseconds: Int64(bitPattern: values[5]))
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
    // Header `gavel-witness <identity> <checksum> <options> <marker> <files>`, then lines: `z` zone and
    // date, `g` go-live instant and 1 or 0, `m` the manifest's stamp, `r` a root's and `i` any other input's path and stamp
    // (size, modification seconds and nanoseconds, inode, change seconds and nanoseconds).

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

    /// The file's body: zones, go-lives, the manifest's stamp, then every input (ten thousand lines).
    func write(to out: inout StateFile.Writer) {
        for (zone, today) in zones.sorted(by: { $0.key < $1.key }) {
            out.bytes.append(contentsOf: Array("z\t".utf8))
            StateFile.escape(zone, into: &out.bytes)
            out.bytes.append(0x09)
            StateFile.escape(today, into: &out.bytes)
            out.endLine()
        }
        for (instant, passed) in goLives.sorted(by: { $0.key < $1.key }) {
            out.bytes.append(UInt8(ascii: "g"))
            Self.appendCell(UInt64(bitPattern: instant), to: &out.bytes)
            Self.appendCell(passed ? 1 : 0, to: &out.bytes)
            out.endLine()
        }
        out.bytes.append(UInt8(ascii: "m"))
        Self.appendStamp(manifest, to: &out.bytes)
        out.endLine()
        if let madeInputLines {
            out.append(lines: madeInputLines)
            return
        }
        for input in inputs {
            Self.appendLine(of: input, to: &out.bytes)
            out.endLine()
        }
    }

    /// The lines of `inputs` in the file, made apart: a rebuild makes its ten thousand while the
    /// commit runs on one core, not after it (a build from nothing writes them as it makes them, since
    /// held whole they would add to its peak memory: 1.3 MB at 10,000 notices).
    static func lines(of inputs: [Input]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(inputs.count * 128)
        for input in inputs {
            appendLine(of: input, to: &bytes)
            bytes.append(0x0A)
        }
        return bytes
    }

    /// An input's line, without its newline.
    private static func appendLine(of input: Input, to bytes: inout [UInt8]) {
        bytes.append(input.isRoot ? UInt8(ascii: "r") : UInt8(ascii: "i"))
        bytes.append(0x09)
        StateFile.escape(input.path, into: &bytes)
        appendStamp(input.stamp, to: &bytes)
    }

    /// A stamp's six numbers, each after a tab.
    private static func appendStamp(_ s: NoticeIndex.Stamp, to bytes: inout [UInt8]) {
        appendCell(UInt64(bitPattern: s.size), to: &bytes)
        appendCell(UInt64(bitPattern: s.seconds), to: &bytes)
        appendCell(UInt64(bitPattern: s.nanoseconds), to: &bytes)
        appendCell(s.inode, to: &bytes)
        appendCell(UInt64(bitPattern: s.changed), to: &bytes)
        appendCell(UInt64(bitPattern: s.changedNanoseconds), to: &bytes)
    }

    @inline(__always)
    private static func appendCell(_ value: UInt64, to bytes: inout [UInt8]) {
        bytes.append(0x09)
        StateFile.appendHex(value, to: &bytes)
    }

    static func load(for output: URL) -> BuildWitness? {
        guard let (head, lines) = StateFile.read(location(for: output).path, kind: "gavel-witness"), head.count == 3 else { return nil }
        let numbers = head.compactMap { BuildCache.hex(ArraySlice($0.utf8)) }
        guard numbers.count == 3, let files = Int(exactly: numbers[2]) else { return nil }
        var witness = BuildWitness(options: numbers[0], marker: Int64(bitPattern: numbers[1]), zones: [:], goLives: [:], inputs: [],
                                   manifest: NoticeIndex.Stamp(size: 0, seconds: 0, nanoseconds: 0, inode: 0), files: files)
        var sawManifest = false
        var inputRanges: [Range<Int>] = []
        inputRanges.reserveCapacity(lines.count)
        let read = lines.withLines { line -> Bool in
            var cells: [StateFile.Bytes] = []
            for i in 0..<lines.count {
                let bytes = line(i)
                // Inputs are kept as lines, to be read only as far as the check goes.
                if bytes[0] == UInt8(ascii: "i") || bytes[0] == UInt8(ascii: "r") {
                    inputRanges.append(lines.ranges[i])
                    continue
                }
                StateFile.cells(bytes, into: &cells)
                guard cells[0].count == 1 else { return false }
                switch cells[0][0] {
                case UInt8(ascii: "z"):
                    guard cells.count == 3, let zone = StateFile.unescape(cells[1]) ?? nil, let today = StateFile.unescape(cells[2]) ?? nil else { return false }
                    witness.zones[zone] = today
                case UInt8(ascii: "g"):
                    guard cells.count == 3, let instant = BuildCache.hex(cells[1]), let passed = BuildCache.hex(cells[2]), passed <= 1 else { return false }
                    witness.goLives[Int64(bitPattern: instant)] = passed == 1
                case UInt8(ascii: "m"):
                    guard let manifest = stamp(cells.dropFirst()) else { return false }
                    witness.manifest = manifest
                    sawManifest = true
                default:
                    return false
                }
            }
            return true
        }
        guard read else { return nil }
        witness.inputLines = StateFile.Lines(bytes: lines.bytes, ranges: inputRanges)
        return sawManifest && witness.inputLines.count > 0 ? witness : nil
    }
}
