import Foundation

/// What the last successful build rendered for each notice page, kept beside the output folder so a
/// rebuild skips notices whose inputs did not change. A page is reused only when its own file and every
/// input it could depend on (the `global` fingerprint: templates, settings, courts, steps, facts, the
/// set of site paths, build options and the clock's effect) are unchanged, and its output file is still
/// there with the size it was written with. Anything else renders again.
public struct BuildCache: Sendable {
    public struct Entry: Sendable, Equatable {
        public var input: UInt64
        public var output: UInt64
        public var size: Int
        /// The output file as it was left: modification time (nanoseconds) and inode. A page is reused
        /// only while its file still has them, so a file changed by hand is written again.
        public var modified: Int64 = 0
        public var inode: UInt64 = 0
        /// Which docs shard has the page's search entry, and where in the file.
        var searchPlace: SearchIndex.Place?
        /// The entry's hash: the index is made again only when some entry's differs. (Only the hash is
        /// kept: the entry itself is the index's, which lets it go once its docs shard is written.)
        var searchHash: UInt64?
        /// For a template page, what it was made from (`PageData`): the same again, it is the same page.
        var data: UInt64?

        /// `search`: the page's search entry, serialised JSON, when made this build (its hash is kept).
        init(input: UInt64, output: UInt64, size: Int, modified: Int64 = 0, inode: UInt64 = 0, search: [UInt8]? = nil,
             searchPlace: SearchIndex.Place? = nil, searchHash: UInt64? = nil, data: UInt64? = nil) {
            self.input = input
            self.data = data
            self.output = output
            self.size = size
            self.modified = modified
            self.inode = inode
            self.searchPlace = searchPlace
            self.searchHash = searchHash ?? search.map { ContentHash.of($0) }
        }
    }

    public var global: UInt64
    public var entries: [String: Entry]

    public init(global: UInt64, entries: [String: Entry] = [:]) {
        self.global = global
        self.entries = entries
    }

    public static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-cache") }

    /// The cache of the last build into `output`, or nil when there is none or it cannot be read
    /// (then everything is rendered, which is always correct).
    ///
    /// The format is line-based, read without a JSON parser: a header `gavel-cache <identity> <checksum>
    /// <global>`, then one line per file: path, input, output, size, modification time, inode and
    /// the page's data fingerprint or `-` (hexadecimal, tab-separated), and for pages in the search
    /// index their docs shard, where their entry starts and ends in it (see `searchEntries`), and the
    /// entry's hash. The checksum covers every byte after the header.
    public static func load(for output: URL) -> BuildCache? {
        guard let (head, lines) = StateFile.read(location(for: output).path, kind: "gavel-cache"),
              head.count == 1, let global = hex(ArraySlice(head[0].utf8)) else { return nil }
        // Read on every core, joined in order.
        let parsed = inChunks(lines.count) { range -> [(String, Entry)]? in
            lines.withLines { line in
                var out: [(String, Entry)] = []
                out.reserveCapacity(range.count)
                var cells: [StateFile.Bytes] = []
                cells.reserveCapacity(11)
                for i in range {
                    guard let entry = entry(line(i), cells: &cells) else { return nil }
                    out.append(entry)
                }
                return out
            }
        }
        var entries: [String: Entry] = [:]
        entries.reserveCapacity(lines.count)
        for chunk in parsed {
            guard let chunk else { return nil }
            for (path, entry) in chunk { entries[path] = entry }
        }
        return BuildCache(global: global, entries: entries)
    }

    /// What a build that ends on its witness needs of the cache: each file's path, size and stamp, read
    /// without making the entries (a no-op build at 10,000 notices reads 17,000 of them).
    struct FileStamps: Sendable {
        var paths: [ArraySlice<UInt8>]
        var sizes: [Int]
        var stamps: [OutputWriter.FileStamp]
    }

    static func fileStamps(for output: URL) -> FileStamps? {
        guard let (head, lines) = StateFile.read(location(for: output).path, kind: "gavel-cache"), head.count == 1 else { return nil }
        var stamps = FileStamps(paths: [], sizes: [], stamps: [])
        stamps.paths.reserveCapacity(lines.count)
        stamps.sizes.reserveCapacity(lines.count)
        stamps.stamps.reserveCapacity(lines.count)
        let read: Bool = lines.withLines { line in
            var cells: [StateFile.Bytes] = []
            cells.reserveCapacity(11)
            for i in 0..<lines.count {
                // The cells `entry` reads, of which only the path and the file's size and stamp are kept.
                StateFile.cells(line(i), into: &cells)
                guard cells.count == 7 || cells.count == 11, !cells[0].isEmpty, let size = hex(cells[3]).flatMap({ Int(exactly: $0) }),
                      let modified = hex(cells[4]), let inode = hex(cells[5]) else { return false }
                let path = lines.ranges[i].lowerBound
                stamps.paths.append(lines.bytes[path..<(path + cells[0].count)])
                stamps.sizes.append(size)
                stamps.stamps.append(OutputWriter.FileStamp(modified: Int64(bitPattern: modified), inode: inode))
            }
            return true
        }
        guard read else { return nil }
        return stamps
    }

    /// One line of the cache file, or nil when anything in it is off (`cells` is room to cut it in).
    private static func entry(_ line: StateFile.Bytes, cells: inout [StateFile.Bytes]) -> (String, Entry)? {
        StateFile.cells(line, into: &cells)
        guard cells.count == 7 || cells.count == 11, let input = hex(cells[1]), let outputHash = hex(cells[2]),
              let size = hex(cells[3]).flatMap({ Int(exactly: $0) }), let modified = hex(cells[4]), let inode = hex(cells[5]) else { return nil }
        var data: UInt64?
        if !StateFile.isByte(cells[6], UInt8(ascii: "-")) {
            guard let value = hex(cells[6]) else { return nil }
            data = value
        }
        var place: SearchIndex.Place?
        var searchHash: UInt64?
        if cells.count == 11 {
            guard let shard = hex(cells[7]), let start = hex(cells[8]), let end = hex(cells[9]), let hash = hex(cells[10]),
                  shard < 1 << 32, start <= end, end < 1 << 48 else { return nil }
            place = SearchIndex.Place(shard: Int(shard), range: Int(start)..<Int(end))
            searchHash = hash
        }
        return (String(decoding: cells[0], as: UTF8.self), Entry(input: input, output: outputHash, size: size, modified: Int64(bitPattern: modified), inode: inode,
                                                                 searchPlace: place, searchHash: searchHash, data: data))
    }

    /// A lowercase hexadecimal number of at most 16 digits, read from bytes (this runs per cached file).
    static func hex(_ digits: ArraySlice<UInt8>) -> UInt64? {
        digits.withUnsafeBufferPointer { hex($0) }
    }

    /// The same, where the bytes are (see `StateFile.hexValue`).
    static func hex(_ digits: StateFile.Bytes) -> UInt64? {
        StateFile.hexValue(digits)
    }

    public func save(for output: URL) throws {
        try file(for: output).place()
    }

    /// The cache's file, written beside its place (written apart: while the commit runs).
    func file(for output: URL) throws(FileIO.Failure) -> FileIO.Replacement {
        var out = StateFile.Writer(Self.location(for: output).path, kind: "gavel-cache", head: [String(global, radix: 16)])
        write(to: &out)
        return try out.finish()
    }

    /// The file's lines, one per entry.
    func write(to out: inout StateFile.Writer) {
        func cell(_ value: UInt64) {
            out.bytes.append(0x09)
            StateFile.appendHex(value, to: &out.bytes)
        }
        // In the table's order: the file is read back into a table, and sorting seventeen thousand
        // entries would cost more than writing them.
        for (path, e) in entries {
            out.bytes.append(contentsOf: path.utf8)
            // Cell by cell, not from an array literal: that made two arrays per line.
            cell(e.input)
            cell(e.output)
            cell(UInt64(clamping: e.size))
            cell(UInt64(bitPattern: e.modified))
            cell(e.inode)
            if let data = e.data {
                cell(data)
            } else {
                out.bytes.append(contentsOf: [0x09, UInt8(ascii: "-")])
            }
            if let place = e.searchPlace, let hash = e.searchHash {
                cell(UInt64(clamping: place.shard))
                cell(UInt64(clamping: place.range.lowerBound))
                cell(UInt64(clamping: place.range.upperBound))
                cell(hash)
            }
            out.endLine()
        }
    }

    /// Removes the cache file (the next build then renders everything).
    public static func remove(for output: URL) {
        try? FileManager.default.removeItem(at: location(for: output))
    }

    // MARK: - Search entries

    /// The search entries of the pages `files` as the last build made them, read from its docs shards
    /// (each must be the file this cache describes, and each entry the one it recorded); nil when they
    /// cannot all be had (then the pages are rendered again).
    func searchEntries(of files: some Sequence<String>, in output: String) -> [String: [UInt8]]? {
        var shards: [Int: [UInt8]] = [:]
        var found: [String: [UInt8]] = [:]
        for path in files {
            guard let entry = entries[path], let place = entry.searchPlace else { return nil }
            if shards[place.shard] == nil {
                let name = "search/docs-\(place.shard).js"
                guard let recorded = entries[name], let bytes = FileIO.read(output + "/" + name),
                      bytes.count == recorded.size, ContentHash.of(bytes) == recorded.output else { return nil }
                shards[place.shard] = bytes
            }
            guard let bytes = shards[place.shard], place.range.upperBound <= bytes.count else { return nil }
            let json = Array(bytes[place.range])
            guard ContentHash.of(json) == entry.searchHash else { return nil }
            found[path] = json
        }
        return found
    }

    /// Everything a notice page can depend on besides the notice's own file: this Gavel, the build's
    /// options, and the bytes read for every other input (never read again from disk, so an edit saved
    /// during a build is not recorded against pages made from the old bytes).
    public static func globalFingerprint(options: BuildOptions, model: SiteModel, theme: Theme, plan: PagePlan) -> UInt64 {
        var hash = ContentHash.Accumulator()
        hash.add("gavel \(GavelVersion.identity)")
        hash.add("\(options.offline) \(options.includeDrafts) \(model.content.site.baseURL)")
        for (relative, read) in model.content.inputHashes.sorted(by: { $0.key < $1.key }) {
            hash.add(relative)
            hash.add(read)
        }
        hash.add(theme.sourceHash)
        // The set of site paths, as a sum of each path's mixed hash: no sorting of ten thousand
        // paths, and the same value in any order.
        var paths: UInt64 = 0
        for path in plan.sitePaths {
            var mixed = ContentHash.of(path) &* 0xFF51_AFD7_ED55_8CCD
            mixed ^= mixed >> 33
            paths = paths &+ mixed
        }
        hash.add(UInt64(plan.sitePaths.count))
        hash.add(paths)
        for m in model.courts {
            // The clock shows on notice pages through "went live" and archived banners.
            hash.add("\(m.court.id) \(m.today) \(m.court.goLiveInstant.map { $0 <= model.now } ?? false)")
        }
        return hash.value
    }

    /// The input of a court's own pages (court page, walkthrough, checklist, data, feed, calendar):
    /// everything global and every one of its notices.
    public static func courtInput(global: UInt64, court m: SiteModel.CourtModel) -> UInt64 {
        var hash = ContentHash.Accumulator()
        hash.add("court \(global) \(m.court.id)")
        for notice in m.notices {
            hash.add(notice.court)
            hash.add(notice.slug)
            hash.add(notice.sourceHash)
            hash.add(notice.isArchived(now: m.today) ? 1 : 0)
        }
        return hash.value
    }

    /// A notice page's own input: its file and whether it is archived today.
    public static func input(global: UInt64, notice: Notice, archived: Bool) -> UInt64 {
        var hash = ContentHash.Accumulator()
        hash.add(global)
        hash.add(notice.sourceHash)
        hash.add(archived ? 1 : 0)
        return hash.value
    }
}

extension ContentHash {
    /// Folds many pieces into one fingerprint; each piece is length-prefixed so boundaries count.
    public struct Accumulator {
        public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
        public init() {}

        /// A string, as its UTF-8 bytes (hashed where they are: a build adds one per page).
        public mutating func add(_ text: String) {
            value = (value ^ UInt64(text.utf8.count)) &* 0x0000_0100_0000_01B3
            value = (value ^ ContentHash.fnv1a64(text.utf8)) &* 0x0000_0100_0000_01B3
        }

        /// A number, as its eight bytes, little end first.
        public mutating func add(_ number: UInt64) {
            value = (value ^ 8) &* 0x0000_0100_0000_01B3
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for shift in stride(from: UInt64(0), to: 64, by: 8) {
                hash ^= (number >> shift) & 0xFF
                hash &*= 0x0000_0100_0000_01B3
            }
            value = (value ^ hash) &* 0x0000_0100_0000_01B3
        }

        public mutating func add(bytes: [UInt8]) {
            value = (value ^ UInt64(bytes.count)) &* 0x0000_0100_0000_01B3
            value = (value ^ ContentHash.fnv1a64(bytes)) &* 0x0000_0100_0000_01B3
        }
    }
}
