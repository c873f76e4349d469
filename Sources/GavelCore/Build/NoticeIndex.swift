import Foundation

/// What the last successful build read from each notice file, kept beside the output folder, so a
/// rebuild takes unchanged notices without reading or parsing them. A file counts as unchanged when its
/// size, modification and change times (to the nanosecond) and inode are what they were, as git's index
/// decides (the change time moves on any write, even one that puts the modification time back);
/// a file written within two seconds of being indexed is not trusted and is read again next time.
/// Only notices that loaded without any diagnostic are kept.
public struct NoticeIndex: Sendable {
    public struct Stamp: Hashable, Sendable {
        var size: Int64
        var seconds: Int64
        var nanoseconds: Int64
        var inode: UInt64
        /// The inode's change time, which no one can set back.
        var changed: Int64 = 0
        var changedNanoseconds: Int64 = 0

        public static func of(_ path: String) -> Stamp? {
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            return Stamp(info)
        }

        /// The stamp of what `info` describes, when it is a regular file.
        static func ofFile(_ info: stat) -> Stamp? {
            (info.st_mode & S_IFMT) == S_IFREG ? Stamp(info) : nil
        }
    }

    /// The content folder the paths are relative to, and how diagnostics name it.
    var contentRoot: String
    var displayRoot: String
    /// Shared, not copied: an entry passes through several tables per build, and copying a notice
    /// retains each of its dozen strings and arrays (about 11 ms of CPU per rebuild at 10,000 notices).
    final class Entry: Sendable {
        let stamp: Stamp
        let notice: Notice
        /// The entry's record in the index it was read from (its length and its bytes), written
        /// again as it is.
        let record: ArraySlice<UInt8>?

        init(stamp: Stamp, notice: Notice, record: ArraySlice<UInt8>?) {
            self.stamp = stamp
            self.notice = notice
            self.record = record
        }
    }
    /// One court's entries, by the notice's file name in the court's `notices` folder: the loader
    /// looks each notice up by the name its folder's listing gives, and made the path
    /// `courts/<folder>/notices/<name>` of each of ten thousand notices only to look it up (7 million
    /// instructions a rebuild).
    typealias Group = PathTable<Entry>
    /// The entries by court: the court's folder name. Each court's load makes its own group, on its
    /// own task; none is empty.
    private(set) var groups: [String: Group] = [:]

    /// The entries of one court's notices (see `groups`).
    func group(_ name: String) -> Group? { groups[name] }

    public init(contentRoot: String, displayRoot: String) {
        self.contentRoot = contentRoot
        self.displayRoot = displayRoot
    }

    /// Where a path under the content folder is indexed: `courts/<court>/notices/<name>`, with a
    /// court and a name that are each one name (no slash, not empty); nil for any other path, which
    /// holds no notice the index keeps.
    static func place(of relative: String) -> (court: String, name: String)? {
        var relative = relative
        return relative.withUTF8 { path in
            noticePlace(path).map { (String(decoding: path[$0.court], as: UTF8.self), String(decoding: path[$0.name], as: UTF8.self)) }
        }
    }

    /// As `place(of:)`, as ranges of the path's bytes, read as bytes: it runs for each of ten
    /// thousand records.
    static func noticePlace(_ path: UnsafeBufferPointer<UInt8>) -> (court: Range<Int>, name: Range<Int>)? {
        // "courts/" (7 bytes), the court, "/notices/" (9 bytes), the name.
        guard let base = path.baseAddress, path.count > 7, memcmp(base, "courts/", 7) == 0,
              let slash = FileIO.index(of: UInt8(ascii: "/"), in: path, from: 7), slash > 7,
              path.count - slash > 9, memcmp(base + slash, "/notices/", 9) == 0,
              FileIO.index(of: UInt8(ascii: "/"), in: path, from: slash + 9) == nil else { return nil }
        return (7..<slash, (slash + 9)..<path.count)
    }

    /// True when `bytes` are `text`'s UTF-8 bytes.
    static func same(_ bytes: UnsafeRawBufferPointer, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == bytes.count else { return false }
            guard let a = bytes.baseAddress, let b = utf8.baseAddress else { return true }
            return memcmp(a, b, bytes.count) == 0
        }
    }

    /// The path under the content folder of a court's notice (the inverse of `place(of:)`).
    static func relative(court: String, name: String) -> String {
        .concatenating("courts/", court, "/notices/", name)
    }

    /// Every entry, by its path under the content folder (all courts in one table).
    var entries: PathTable<Entry> {
        var all: PathTable<Entry> = [:]
        for (court, entries) in groups {
            for (name, entry) in entries { all[Self.relative(court: court, name: name)] = entry }
        }
        return all
    }

    /// How many files are indexed.
    var count: Int { groups.values.reduce(0) { $0 + $1.count } }

    /// The notice loaded last time from `relative`, whatever the file holds now.
    func entry(_ relative: String) -> Entry? {
        Self.place(of: relative).flatMap { groups[$0.court]?[$0.name] }
    }

    /// True when both index the same files with the same stamps (then the file need not be
    /// rewritten), for an index made by a load that was given `previous`.
    ///
    /// Such a load puts an entry it did not read afresh in under the path it had in `previous`,
    /// taken whole (with its record and stamp); an entry read afresh has no record. So when every
    /// entry has a record, every entry is one of `previous`'s, and as many entries are all of them:
    /// known without looking each of ten thousand paths up in `previous`. Where this says no
    /// while they are the same, the file is only written once more than needed: a notice re-read
    /// because a watcher named it but kept its stamp, or, in `gavel serve`'s memory, an entry
    /// taken from an index that had read it afresh (and so has no record either).
    func sameStamps(asLoadedFrom previous: NoticeIndex) -> Bool {
        guard contentRoot == previous.contentRoot, displayRoot == previous.displayRoot, groups.count == previous.groups.count else { return false }
        guard !groups.values.contains(where: { $0.values.contains { $0.record == nil } }) else { return false }
        return count == previous.count
    }

    /// Racy-clean: a file changed within two seconds of `now` (a clock tick of some file systems is
    /// that long) could change again and look unchanged; it is not indexed.
    static func isSettled(_ stamp: Stamp, now: Date) -> Bool {
        Double(stamp.changed) + Double(stamp.changedNanoseconds) / 1e9 < now.timeIntervalSince1970 - 2
    }

    /// Indexes the notice at `relative` (one at a path that holds no notice, see `place(of:)`, or of
    /// another court than its folder's, is not: the loader makes neither).
    mutating func add(_ relative: String, stamp: Stamp, notice: Notice, now: Date, record: ArraySlice<UInt8>? = nil) {
        guard Self.isSettled(stamp, now: now), let (court, name) = Self.place(of: relative), notice.court == court else { return }
        groups[court, default: [:]][name] = Entry(stamp: stamp, notice: notice, record: record)
    }

    /// Sets a court's entries, made elsewhere (its load); an empty group is left out.
    mutating func set(group: String, _ entries: Group) {
        groups[group] = entries.isEmpty ? nil : entries
    }

    public static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-notices") }

    // MARK: - File format
    //
    // A header line `gavel-notices <identity> <checksum>` (see `StateFile`), then a body of records
    // (`StateFile.Records`): the content root and display root, the number of notices, then each
    // notice's record, its length (four bytes) and then its fields: the path; the stamp's six
    // numbers; court, slug and title; the date; the summary (a byte, 1 when there is one, then it);
    // the tags (a count of four bytes, then each); the draft flag (a byte); the publish and expiry
    // dates; the events (a count, then each one's title, start and end); and where the body starts,
    // its first line and the file's hash. A date is one number, `year << 16 | month << 8 | day`, 0
    // for none; a time adds `hour << 8 | minute` below a date shifted up 16 more.
    //
    // Text is written as it is: every state file is records (`StateFile.Records`), nothing escaped.

    public func save(for output: URL) throws {
        try file(for: output).place()
    }

    /// The index's file, written beside its place (written apart: while the commit runs).
    func file(for output: URL) throws(FileIO.Failure) -> FileIO.Replacement {
        var out = StateFile.Writer(Self.location(for: output).path, kind: "gavel-notices", head: [])
        write(to: &out)
        return try out.finish()
    }

    /// The file's records: the roots, the count, then one record per notice.
    func write(to out: inout StateFile.Writer) {
        StateFile.Records.append(text: contentRoot, to: &out.bytes)
        StateFile.Records.append(text: displayRoot, to: &out.bytes)
        StateFile.Records.append(UInt64(count), to: &out.bytes)
        out.endRecord()
        var record: [UInt8] = []
        // In the tables' order: the file is read back into tables, and sorting ten thousand notices
        // would cost more than writing them.
        for (court, entries) in groups {
            for (name, entry) in entries {
                if let kept = entry.record {
                    out.bytes.append(contentsOf: kept)
                    out.endRecord()
                    continue
                }
                let n = entry.notice, s = entry.stamp
                record.removeAll(keepingCapacity: true)
                StateFile.Records.append(text: Self.relative(court: court, name: name), to: &record)
                StateFile.Records.append(UInt64(bitPattern: s.size), UInt64(bitPattern: s.seconds), UInt64(bitPattern: s.nanoseconds), to: &record)
                StateFile.Records.append(s.inode, UInt64(bitPattern: s.changed), UInt64(bitPattern: s.changedNanoseconds), to: &record)
                StateFile.Records.append(text: n.court, to: &record)
                StateFile.Records.append(text: n.slug, to: &record)
                StateFile.Records.append(text: n.title, to: &record)
                StateFile.Records.append(Self.packed(n.date), to: &record)
                if let summary = n.summary {
                    record.append(1)
                    StateFile.Records.append(text: summary, to: &record)
                } else {
                    record.append(0)
                }
                StateFile.Records.append32(UInt32(clamping: n.tags.count), to: &record)
                for tag in n.tags.prefix(Int(UInt32.max)) { StateFile.Records.append(text: tag, to: &record) }
                record.append(n.draft ? 1 : 0)
                StateFile.Records.append(n.publish.map(Self.packed) ?? 0, to: &record)
                StateFile.Records.append(n.expires.map(Self.packed) ?? 0, to: &record)
                StateFile.Records.append32(UInt32(clamping: n.events.count), to: &record)
                for event in n.events.prefix(Int(UInt32.max)) {
                    StateFile.Records.append(text: event.title, to: &record)
                    StateFile.Records.append(Self.packed(event.start), to: &record)
                    StateFile.Records.append(Self.packed(event.end), to: &record)
                }
                StateFile.Records.append(UInt64(clamping: n.body.offset), UInt64(clamping: n.body.firstLine), n.sourceHash, to: &record)
                // A record of 4 GiB or more is written with the largest length and no bytes: the file
                // then does not read.
                if let length = UInt32(exactly: record.count) {
                    StateFile.Records.append32(length, to: &out.bytes)
                    out.bytes.append(contentsOf: record)
                } else {
                    out.bytes.append(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF])
                }
                out.endRecord()
            }
        }
    }

    /// A date as one number (see the file format).
    static func packed(_ date: LocalDate) -> UInt64 {
        UInt64(clamping: date.year) << 16 | UInt64(clamping: date.month) << 8 | UInt64(clamping: date.day)
    }

    static func packed(_ time: LocalDateTime) -> UInt64 {
        packed(time.date) << 16 | UInt64(clamping: time.hour) << 8 | UInt64(clamping: time.minute)
    }

    /// The date a number packs; nil for one that packs no real date (0, stray bits, February 30).
    static func date(packed value: UInt64) -> LocalDate? {
        guard value >> 32 == 0, let year = Int(exactly: value >> 16) else { return nil }
        return LocalDate(year: year, month: Int(value >> 8 & 0xFF), day: Int(value & 0xFF))
    }

    static func time(packed value: UInt64) -> LocalDateTime? {
        date(packed: value >> 16).flatMap { LocalDateTime(date: $0, hour: Int(value >> 8 & 0xFF), minute: Int(value & 0xFF)) }
    }

    /// The index for this content folder, or nil when there is none or anything in it is off (then
    /// every notice is read, which is always correct).
    public static func load(for output: URL, contentRoot: String, displayRoot: String) -> NoticeIndex? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-notices"), head.isEmpty else { return nil }
        // Where each record is: found in one pass over their lengths, each checked against the end.
        let records = bytes.withUnsafeBytes { raw -> [Range<Int>]? in
            var reader = StateFile.Records.Reader(raw, from: body)
            guard let content = reader.textBytes(), content.elementsEqual(contentRoot.utf8),
                  let display = reader.textBytes(), display.elementsEqual(displayRoot.utf8),
                  let value = reader.number(), let count = Int(exactly: value), count <= (raw.count - reader.offset) / 4 else { return nil }
            var records: [Range<Int>] = []
            records.reserveCapacity(count)
            for _ in 0..<count {
                guard let length = reader.number32().flatMap({ Int(exactly: $0) }), raw.count - reader.offset >= length else { return nil }
                records.append(reader.offset..<(reader.offset + length))
                reader = StateFile.Records.Reader(raw, from: reader.offset + length)
            }
            return reader.atEnd ? records : nil
        }
        guard let records else { return nil }
        // Ten thousand notices: read on every core, joined in order.
        let parsed = inChunks(records.count) { range -> [Row]? in
            bytes.withUnsafeBytes { raw in
                var out: [Row] = []
                out.reserveCapacity(range.count)
                // A court's records come together: the last record's court is taken again while the
                // record names it (one comparison of bytes instead of a new string a record).
                var lastCourt = ""
                for i in range {
                    let at = records[i]
                    // The record is kept with its length, to be written again as it is.
                    guard let row = entry(UnsafeRawBufferPointer(rebasing: raw[at]), kept: bytes[(at.lowerBound - 4)..<at.upperBound],
                                          contentRoot: contentRoot, displayRoot: displayRoot, lastCourt: &lastCourt) else { return nil }
                    out.append(row)
                }
                return out
            }
        }
        // A court's records come together (the file is written a table at a time), so its table is
        // looked up once for each run of them, not for each record. Each table is made at its size:
        // grown one entry at a time, the tables moved their entries about eight times over.
        var runs: [(court: String, rows: ArraySlice<Row>)] = []
        for chunk in parsed {
            guard let chunk else { return nil }
            var start = chunk.startIndex
            while start < chunk.endIndex {
                let court = chunk[start].court
                var end = start + 1
                while end < chunk.endIndex, chunk[end].court == court { end += 1 }
                runs.append((court, chunk[start..<end]))
                start = end
            }
        }
        var sizes: [String: Int] = [:]
        for run in runs { sizes[run.court, default: 0] += run.rows.count }
        var index = NoticeIndex(contentRoot: contentRoot, displayRoot: displayRoot)
        for run in runs {
            var table = index.groups.removeValue(forKey: run.court) ?? Group(minimumCapacity: sizes[run.court] ?? run.rows.count)
            for row in run.rows { table[row.name] = row.entry }
            index.groups[run.court] = table
        }
        return index
    }

    /// A record read back: the court's folder and the notice's file name it is indexed under.
    private typealias Row = (court: String, name: String, entry: Entry)

    /// One record of the index as the notice it records, with where it is indexed, or nil when
    /// anything in it is off (a path that holds no notice, a notice of another court than its
    /// folder's) or anything is left over. `kept` is the same record as the entry keeps it.
    /// `lastCourt` is the court of the record before, taken again when it is this one's.
    private static func entry(_ record: UnsafeRawBufferPointer, kept: ArraySlice<UInt8>, contentRoot: String, displayRoot: String,
                              lastCourt: inout String) -> Row? {
        var reader = StateFile.Records.Reader(record, from: 0)
        // The title, summary and tags are kept as their bytes in `kept` (see `StoredText`): where the
        // record's bytes from `start` to the reader's offset stand there.
        let body = kept.startIndex + 4
        func stored(from start: Int) -> ArraySlice<UInt8> { kept[(body + start)..<(body + reader.offset)] }
        guard let relativeBytes = reader.textBytes(), let place = noticePlace(relativeBytes.assumingMemoryBound(to: UInt8.self)) else { return nil }
        let courtInPath = UnsafeRawBufferPointer(rebasing: relativeBytes[place.court])
        if !same(courtInPath, lastCourt) { lastCourt = String(decoding: courtInPath, as: UTF8.self) }
        let name = String(decoding: relativeBytes[place.name], as: UTF8.self)
        // A notice is its folder's court's (the loader gives it that court): the same string.
        guard let size = reader.number(), let seconds = reader.number(), let nanoseconds = reader.number(),
              let inode = reader.number(), let changed = reader.number(), let changedNanoseconds = reader.number(),
              let courtBytes = reader.textBytes(), same(courtBytes, lastCourt), let slug = reader.text() else { return nil }
        let court = lastCourt
        let titleStart = reader.offset + 4
        guard reader.textBytes() != nil else { return nil }
        let title = StoredText.utf8(stored(from: titleStart))
        guard let date = reader.number().flatMap({ Self.date(packed: $0) }) else { return nil }
        var summary: StoredText?
        switch reader.byte() {
        case 1:
            let start = reader.offset + 4
            guard reader.textBytes() != nil else { return nil }
            summary = .utf8(stored(from: start))
        case 0: break
        default: return nil
        }
        // A count is trusted only as far as the bytes left could hold that many (four bytes a tag at
        // least, twenty an event).
        guard let tagCount = reader.number32().flatMap({ Int(exactly: $0) }), tagCount <= (record.count - reader.offset) / 4 else { return nil }
        let tagsStart = reader.offset
        for _ in 0..<tagCount {
            guard reader.textBytes() != nil else { return nil }
        }
        let tags = StoredTexts.records(stored(from: tagsStart), count: tagCount)
        guard let draftByte = reader.byte(), draftByte <= 1, let publishValue = reader.number(), let expiresValue = reader.number() else { return nil }
        // 0 is no date; any other number must pack one.
        let publish = Self.date(packed: publishValue), expires = Self.date(packed: expiresValue)
        guard publish != nil || publishValue == 0, expires != nil || expiresValue == 0 else { return nil }
        guard let eventCount = reader.number32().flatMap({ Int(exactly: $0) }), eventCount <= (record.count - reader.offset) / 20 else { return nil }
        var events: [CalendarEvent] = []
        events.reserveCapacity(eventCount)
        for _ in 0..<eventCount {
            guard let t = reader.text(), let start = reader.number().flatMap({ Self.time(packed: $0) }),
                  let end = reader.number().flatMap({ Self.time(packed: $0) }) else { return nil }
            events.append(CalendarEvent(title: t, start: start, end: end))
        }
        guard let offset = reader.number().flatMap({ Int(exactly: $0) }), let firstLine = reader.number().flatMap({ Int(exactly: $0) }),
              let hash = reader.number(), reader.atEnd else { return nil }
        let notice = Notice(fields: Notice.Fields(
            court: court, slug: slug, title: title, date: date, summary: summary, tags: tags, draft: draftByte == 1,
            publish: publish, expires: expires, events: events, alsoCourts: [],
            body: NoticeBody(folder: contentRoot, court: court, name: name, offset: offset, displayFolder: displayRoot, firstLine: firstLine, sourceHash: hash),
            sourceHash: hash))
        return (court, name, Entry(stamp: Stamp(size: Int64(bitPattern: size), seconds: Int64(bitPattern: seconds), nanoseconds: Int64(bitPattern: nanoseconds), inode: inode, changed: Int64(bitPattern: changed), changedNanoseconds: Int64(bitPattern: changedNanoseconds)), notice: notice, record: kept))
    }

    public static func remove(for output: URL) {
        try? FileManager.default.removeItem(at: location(for: output))
    }
}

extension NoticeIndex.Stamp {
    /// A stamp from a file status (stat or fstat).
    init(_ info: stat) {
        self.init(size: Int64(info.st_size), seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec),
                  inode: UInt64(info.st_ino), changed: Int64(info.st_ctim.tv_sec), changedNanoseconds: Int64(info.st_ctim.tv_nsec))
    }
}
