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
        // The three optional values below, kept as plain numbers with a flag each: as optionals (and
        // the place's shard as a whole Int) an entry took 104 bytes, and a build holds tables of
        // 17,000 of them at 10,000 notices, two at a rebuild's peak. Each absent value is zero, so
        // two entries are equal exactly when their values are.
        private var dataValue: UInt64 = 0
        private var searchHashValue: UInt64 = 0
        private var placeStart = 0
        private var placeEnd = 0
        /// A shard's number is below 2^32: the cache file says no more (`Numbers.entry`), and a
        /// build with that many shards would hold eight billion entries.
        private var placeShard: UInt32 = 0
        private var present: UInt8 = 0
        private static let hasData: UInt8 = 1, hasSearchHash: UInt8 = 2, hasPlace: UInt8 = 4

        /// Which docs shard has the page's search entry, and where in the file.
        var searchPlace: SearchIndex.Place? {
            get { present & Self.hasPlace == 0 ? nil : SearchIndex.Place(shard: Int(placeShard), range: placeStart..<placeEnd) }
            set {
                if let newValue {
                    placeShard = UInt32(clamping: newValue.shard)
                    (placeStart, placeEnd) = (newValue.range.lowerBound, newValue.range.upperBound)
                    present |= Self.hasPlace
                } else {
                    (placeShard, placeStart, placeEnd) = (0, 0, 0)
                    present &= ~Self.hasPlace
                }
            }
        }
        /// The entry's hash: the index is made again only when some entry's differs. (Only the hash is
        /// kept: the entry itself is the index's, which lets it go once its docs shard is written.)
        var searchHash: UInt64? {
            get { present & Self.hasSearchHash == 0 ? nil : searchHashValue }
            set {
                searchHashValue = newValue ?? 0
                present = newValue == nil ? present & ~Self.hasSearchHash : present | Self.hasSearchHash
            }
        }
        /// For a template page, what it was made from (`PageData`): the same again, it is the same page.
        var data: UInt64? {
            get { present & Self.hasData == 0 ? nil : dataValue }
            set {
                dataValue = newValue ?? 0
                present = newValue == nil ? present & ~Self.hasData : present | Self.hasData
            }
        }

        /// `search`: the page's search entry, serialised JSON, when made this build (its hash is kept).
        init(input: UInt64, output: UInt64, size: Int, modified: Int64 = 0, inode: UInt64 = 0, search: [UInt8]? = nil,
             searchPlace: SearchIndex.Place? = nil, searchHash: UInt64? = nil, data: UInt64? = nil) {
            self.input = input
            self.output = output
            self.size = size
            self.modified = modified
            self.inode = inode
            self.data = data
            self.searchPlace = searchPlace
            self.searchHash = searchHash ?? search.map { ContentHash.of($0) }
        }
    }

    public var global: UInt64
    public var entries: PathTable<Entry>
    /// The build's plan's files in the manifest's order, as their places in the plan (see
    /// `PagePlan.sortedPaths(reusing:)`): the next build takes it when it still sorts its plan.
    public var order: [UInt32]

    public init(global: UInt64, entries: PathTable<Entry> = [:], order: [UInt32] = []) {
        self.global = global
        self.entries = entries
        self.order = order
    }

    public static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-cache") }

    /// The cache of the last build into `output`, or nil when there is none or it cannot be read
    /// (then everything is rendered, which is always correct).
    ///
    /// A header `gavel-cache <identity> <checksum> <global>`, then a body of records (see
    /// `StateFile.Records`): the number of files, then for each file eleven numbers (`Numbers`), then
    /// each file's path in the same order, then the plan's order (a count, then four bytes each).
    /// The numbers come apart from the paths so that each file's are found without reading the ones
    /// before, and the entries are made on every core. The checksum covers every byte after the
    /// header.
    public static func load(for output: URL) -> BuildCache? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-cache"),
              head.count == 1, let global = hex(ArraySlice(head[0].utf8)) else { return nil }
        guard let layout = bytes.withUnsafeBytes({ Layout($0, body: body) }) else { return nil }
        // Read on every core, joined in order.
        let parsed = inChunks(layout.count) { range -> [(String, Entry)]? in
            bytes.withUnsafeBytes { raw in
                var out: [(String, Entry)] = []
                out.reserveCapacity(range.count)
                for i in range {
                    guard let entry = Numbers(raw, at: layout.numbers + i * Numbers.size).entry else { return nil }
                    out.append((String(decoding: layout.path(i, in: raw), as: UTF8.self), entry))
                }
                return out
            }
        }
        var entries: PathTable<Entry> = [:]
        entries.reserveCapacity(parsed.reduce(0) { $0 + ($1?.count ?? 0) })
        for chunk in parsed {
            guard let chunk else { return nil }
            for (path, entry) in chunk { entries[path] = entry }
        }
        return BuildCache(global: global, entries: entries, order: layout.order)
    }

    /// Where a cache file's records are: how many files, where their numbers start, and where each
    /// path's bytes are (found in one pass over the lengths, each checked against the end; none is
    /// empty); and the plan's order, read whole.
    private struct Layout: Sendable {
        let count: Int
        let numbers: Int
        private let paths: [Range<Int>]
        let order: [UInt32]

        init?(_ raw: UnsafeRawBufferPointer, body: Int) {
            var reader = StateFile.Records.Reader(raw, from: body)
            // Trusted only as far as the bytes left could hold that many files (numbers and a length).
            guard let value = reader.number(), let count = Int(exactly: value), count <= (raw.count - reader.offset) / (Numbers.size + 4) else { return nil }
            self.count = count
            numbers = reader.offset
            reader = StateFile.Records.Reader(raw, from: numbers + count * Numbers.size)
            var paths: [Range<Int>] = []
            paths.reserveCapacity(count)
            for _ in 0..<count {
                // No file has an empty path.
                guard let path = reader.textBytes(), !path.isEmpty, let base = raw.baseAddress, let start = path.baseAddress else { return nil }
                let offset = base.distance(to: start)
                paths.append(offset..<(offset + path.count))
            }
            self.paths = paths
            guard let value = reader.number(), let places = Int(exactly: value), places <= (raw.count - reader.offset) / 4 else { return nil }
            var order: [UInt32] = []
            order.reserveCapacity(places)
            for _ in 0..<places {
                guard let place = reader.number32() else { return nil }
                order.append(place)
            }
            guard reader.atEnd else { return nil }
            self.order = order
        }

        func path(_ i: Int, in raw: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: raw[paths[i]]) }
        func pathRange(_ i: Int) -> Range<Int> { paths[i] }
    }

    /// A file's eleven numbers in the cache file: input, output, size, modification time, inode,
    /// which of the optional ones it has (1: the data fingerprint, 2: a search entry), the data
    /// fingerprint, and the search entry's docs shard, start, end and hash (zero where absent).
    private struct Numbers {
        static let count = 11, size = count * 8
        var values: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        /// Read from `raw` at `offset`, which `Layout` has checked holds them.
        init(_ raw: UnsafeRawBufferPointer, at offset: Int) {
            func at(_ k: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8 * k, as: UInt64.self)) }
            values = (at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7), at(8), at(9), at(10))
        }

        init(_ e: Entry) {
            let place = e.searchHash == nil ? nil : e.searchPlace
            let flags: UInt64 = (e.data == nil ? 0 : 1) | (place == nil ? 0 : 2)
            values = (e.input, e.output, UInt64(clamping: e.size), UInt64(bitPattern: e.modified), e.inode, flags, e.data ?? 0,
                      UInt64(clamping: place?.shard ?? 0), UInt64(clamping: place?.range.lowerBound ?? 0),
                      UInt64(clamping: place?.range.upperBound ?? 0), place == nil ? 0 : e.searchHash ?? 0)
        }

        /// The entry; nil when anything is off: a size no file has, flags beyond the two, a number
        /// given for what the flags say is absent, a search entry's place that is not one.
        var entry: Entry? {
            let (input, output, size, modified, inode, flags, data, shard, start, end, hash) = values
            guard let size = Int(exactly: size), size >= 0, flags <= 3 else { return nil }
            guard flags & 1 != 0 || data == 0 else { return nil }
            var place: SearchIndex.Place?
            if flags & 2 != 0 {
                guard shard < 1 << 32, start <= end, end < 1 << 48 else { return nil }
                place = SearchIndex.Place(shard: Int(shard), range: Int(start)..<Int(end))
            } else {
                guard shard == 0, start == 0, end == 0, hash == 0 else { return nil }
            }
            return Entry(input: input, output: output, size: size, modified: Int64(bitPattern: modified), inode: inode,
                         searchPlace: place, searchHash: place == nil ? nil : hash, data: flags & 1 != 0 ? data : nil)
        }

        var size: UInt64 { values.2 }
        var stamp: OutputWriter.FileStamp { OutputWriter.FileStamp(modified: Int64(bitPattern: values.3), inode: values.4) }

        func append(to bytes: inout [UInt8]) {
            var little = values
            little = (little.0.littleEndian, little.1.littleEndian, little.2.littleEndian, little.3.littleEndian, little.4.littleEndian,
                      little.5.littleEndian, little.6.littleEndian, little.7.littleEndian, little.8.littleEndian, little.9.littleEndian,
                      little.10.littleEndian)
            withUnsafeBytes(of: little) { bytes.append(contentsOf: $0) }
        }
    }

    /// What a build that ends on its witness needs of the cache: each file's path, size and stamp, read
    /// without making the entries (a no-op build at 10,000 notices reads 17,000 of them).
    struct FileStamps: Sendable {
        var paths: [ArraySlice<UInt8>]
        var sizes: [Int]
        var stamps: [OutputWriter.FileStamp]
    }

    static func fileStamps(for output: URL) -> FileStamps? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-cache"), head.count == 1 else { return nil }
        return bytes.withUnsafeBytes { raw -> FileStamps? in
            guard let layout = Layout(raw, body: body) else { return nil }
            var stamps = FileStamps(paths: [], sizes: [], stamps: [])
            stamps.paths.reserveCapacity(layout.count)
            stamps.sizes.reserveCapacity(layout.count)
            stamps.stamps.reserveCapacity(layout.count)
            for i in 0..<layout.count {
                let numbers = Numbers(raw, at: layout.numbers + i * Numbers.size)
                // The checks `entry` makes, of which only the path and the file's size and stamp are kept.
                guard numbers.entry != nil, let size = Int(exactly: numbers.size) else { return nil }
                stamps.paths.append(bytes[layout.pathRange(i)])
                stamps.sizes.append(size)
                stamps.stamps.append(numbers.stamp)
            }
            return stamps
        }
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

    /// The file's records: the count, every entry's numbers, then every path, in the table's order
    /// (sorting seventeen thousand entries would cost more than writing them; the file is read back
    /// into a table), then the plan's order. The table is not changed between the two passes, so
    /// they go through it in the same order.
    func write(to out: inout StateFile.Writer) {
        StateFile.Records.append(UInt64(entries.count), to: &out.bytes)
        for (_, e) in entries {
            Numbers(e).append(to: &out.bytes)
            out.endRecord()
        }
        for (path, _) in entries {
            // A path of 4 GiB or more would make a cache that does not read: everything renders again.
            StateFile.Records.append(text: path, to: &out.bytes)
            out.endRecord()
        }
        StateFile.Records.append(UInt64(order.count), to: &out.bytes)
        for place in order {
            StateFile.Records.append32(place, to: &out.bytes)
            out.endRecord()
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
        // The set of site paths, in any order (see `SitePaths.fingerprint`): no sorting of ten
        // thousand paths.
        hash.add(UInt64(plan.sitePaths.count))
        hash.add(plan.sitePaths.fingerprint())
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
