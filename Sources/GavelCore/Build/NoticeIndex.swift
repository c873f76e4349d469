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
        /// The entry's line in the index it was read from, written again as it is.
        let line: ArraySlice<UInt8>?

        init(stamp: Stamp, notice: Notice, line: ArraySlice<UInt8>?) {
            self.stamp = stamp
            self.notice = notice
            self.line = line
        }
    }
    /// One group's entries, by path under the content folder.
    typealias Group = [String: Entry]
    /// The entries by group: a court's folder name for its notices (`courts/<folder>/notices/…`), ""
    /// for any other path. Each court's load makes its own group, on its own task; none is empty.
    private(set) var groups: [String: Group] = [:]

    /// The entries of one group (see `groups`).
    func group(_ name: String) -> Group? { groups[name] }

    public init(contentRoot: String, displayRoot: String) {
        self.contentRoot = contentRoot
        self.displayRoot = displayRoot
    }

    /// The group of a path under the content folder (see `groups`).
    static func group(of relative: String) -> String {
        // `courts/<folder>/…`: read as bytes, since it runs for each of ten thousand entries.
        let utf8 = relative.utf8
        guard utf8.starts(with: "courts/".utf8) else { return "" }
        let start = utf8.index(utf8.startIndex, offsetBy: 7)
        guard let slash = utf8[start...].firstIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(relative[start..<slash])
    }

    /// True when `group` is `relative`'s group and not "" (see `groups`), as `group(of:)` would say.
    static func isInCourtFolder(_ relative: String, _ group: String) -> Bool {
        guard !group.isEmpty else { return false }
        var relative = relative, group = group
        return relative.withUTF8 { path in
            group.withUTF8 { name in
                let prefix = 7  // "courts/"
                guard path.count > prefix + name.count, path[prefix + name.count] == UInt8(ascii: "/"),
                      let pathBytes = path.baseAddress, let nameBytes = name.baseAddress else { return false }
                return memcmp(pathBytes, "courts/", prefix) == 0 && memcmp(pathBytes + prefix, nameBytes, name.count) == 0
                    && memchr(nameBytes, Int32(UInt8(ascii: "/")), name.count) == nil
            }
        }
    }

    /// Every entry, by its path under the content folder (all groups in one table).
    var entries: [String: Entry] {
        var all: [String: Entry] = [:]
        for entries in groups.values { all.merge(entries) { a, _ in a } }
        return all
    }

    /// How many files are indexed.
    var count: Int { groups.values.reduce(0) { $0 + $1.count } }

    /// The notice loaded last time from `relative`, whatever the file holds now.
    func entry(_ relative: String) -> Entry? {
        groups[Self.group(of: relative)]?[relative]
    }

    /// The stamp recorded for each of `files` (paths under the content folder), nil where there is
    /// none. A path's group follows from its folder, so it is worked out again, and its table looked
    /// up, only where a path is in another folder than the one before: a walk lists a folder's
    /// files together, and making the group's name took more than looking the path up.
    func stamps(of files: [String]) -> [Stamp?] {
        var stamps: [Stamp?] = []
        stamps.reserveCapacity(files.count)
        var folder: Substring?, table: [String: Entry]?
        for file in files {
            let parent = file.utf8.lastIndex(of: UInt8(ascii: "/")).map { file[..<$0] } ?? ""
            if parent != folder {
                folder = parent
                table = groups[Self.group(of: file)]
            }
            stamps.append(table?[file]?.stamp)
        }
        return stamps
    }

    /// True when both index the same files with the same stamps (then the file need not be
    /// rewritten), for an index made by a load that was given `previous`.
    ///
    /// Such a load puts an entry it did not read afresh in under the path it had in `previous`,
    /// taken whole (with its line and stamp); an entry read afresh has no line. So when every
    /// entry has a line, every entry is one of `previous`'s, and as many entries are all of them:
    /// known without looking each of ten thousand paths up in `previous`. Where this says no
    /// while they are the same, the file is only written once more than needed: a notice re-read
    /// because a watcher named it but kept its stamp, or, in `gavel serve`'s memory, an entry
    /// taken from an index that had read it afresh (and so has no line either).
    func sameStamps(asLoadedFrom previous: NoticeIndex) -> Bool {
        guard contentRoot == previous.contentRoot, displayRoot == previous.displayRoot, groups.count == previous.groups.count else { return false }
        guard !groups.values.contains(where: { $0.values.contains { $0.line == nil } }) else { return false }
        return count == previous.count
    }

    /// Racy-clean: a file changed within two seconds of `now` (a clock tick of some file systems is
    /// that long) could change again and look unchanged; it is not indexed.
    static func isSettled(_ stamp: Stamp, now: Date) -> Bool {
        Double(stamp.changed) + Double(stamp.changedNanoseconds) / 1e9 < now.timeIntervalSince1970 - 2
    }

    mutating func add(_ relative: String, stamp: Stamp, notice: Notice, now: Date, line: ArraySlice<UInt8>? = nil) {
        guard Self.isSettled(stamp, now: now) else { return }
        groups[Self.group(of: relative), default: [:]][relative] = Entry(stamp: stamp, notice: notice, line: line)
    }

    /// Sets a group's entries, made elsewhere (a court's load); an empty group is left out.
    mutating func set(group: String, _ entries: [String: Entry]) {
        groups[group] = entries.isEmpty ? nil : entries
    }

    public static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-notices") }

    // MARK: - File format
    //
    // A header line `gavel-notices <identity> <checksum>` (see `StateFile`), a line with the content root and display root, then one
    // line per notice of tab-separated fields. Text is escaped (`\\`, `\t`, `\n`, `\r`, and `\e`, `\u`
    // for the separators of lists: U+001E between events, U+001F between items); `\0` is an absent value.

    static func escape(_ text: String?, into out: inout [UInt8]) {
        guard let text else { out.append(contentsOf: [0x5C, 0x30]); return }
        // Most text has nothing to escape (every path of the trees' record and the witness: tens of
        // thousands a build): its bytes are copied in one go.
        let copied = text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            guard !buffer.contains(where: needsEscape) else { return false }
            out.append(contentsOf: buffer)
            return true
        }
        if copied == true { return }
        for b in text.utf8 {
            switch b {
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x1E: out.append(contentsOf: [0x5C, UInt8(ascii: "e")])
            case 0x1F: out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
            default: out.append(b)
            }
        }
    }

    static func needsEscape(_ byte: UInt8) -> Bool {
        byte == 0x5C || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x1E || byte == 0x1F
    }

    /// The text of an escaped field; `.some(nil)` for an absent value, nil when the field is malformed.
    static func unescape(_ field: ArraySlice<UInt8>) -> String?? {
        field.withUnsafeBufferPointer { unescape($0) }
    }

    /// The same, where the bytes are.
    static func unescape(_ field: StateFile.Bytes) -> String?? {
        // Most fields have no escape: one memchr, one String made from the bytes (ten thousand
        // notices of a dozen fields each, on every rebuild).
        guard let base = field.baseAddress else { return .some(.some("")) }
        if field.count == 2, base[0] == 0x5C, base[1] == 0x30 { return .some(nil) }
        guard FileIO.index(of: 0x5C, in: field, from: 0) != nil else { return .some(.some(String(decoding: field, as: UTF8.self))) }
        var out: [UInt8] = []
        out.reserveCapacity(field.count)
        var i = 0
        while i < field.count {
            let b = field[i]
            guard b == 0x5C else { out.append(b); i += 1; continue }
            guard i + 1 < field.count else { return nil }
            switch field[i + 1] {
            case 0x5C: out.append(0x5C)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "e"): out.append(0x1E)
            case UInt8(ascii: "u"): out.append(0x1F)
            default: return nil
            }
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    public func save(for output: URL) throws {
        try file(for: output).place()
    }

    /// The index's file, written beside its place (written apart: while the commit runs).
    func file(for output: URL) throws(FileIO.Failure) -> FileIO.Replacement {
        var out = StateFile.Writer(Self.location(for: output).path, kind: "gavel-notices", head: [])
        write(to: &out)
        return try out.finish()
    }

    /// The file's roots line and its lines, one per notice.
    func write(to out: inout StateFile.Writer) {
        Self.escape(contentRoot, into: &out.bytes)
        out.bytes.append(0x09)
        Self.escape(displayRoot, into: &out.bytes)
        out.endLine()
        // In the tables' order: the file is read back into tables, and sorting ten thousand notices
        // would cost more than writing them.
        for (relative, entry) in groups.values.joined() {
            if let line = entry.line {
                out.bytes.append(contentsOf: line)
                out.endLine()
                continue
            }
            let n = entry.notice, s = entry.stamp
            let fields: [String?] = [
                relative, String(s.size, radix: 16), String(s.seconds, radix: 16), String(s.nanoseconds, radix: 16), String(s.inode, radix: 16),
                String(s.changed, radix: 16), String(s.changedNanoseconds, radix: 16), n.court, n.slug, n.title, n.date.description, n.summary,
            ]
            for field in fields {
                Self.escape(field, into: &out.bytes)
                out.bytes.append(0x09)
            }
            // Lists: each item escaped on its own, so the separators between them stay unambiguous.
            for (i, tag) in n.tags.enumerated() {
                if i > 0 { out.bytes.append(0x1F) }
                Self.escape(tag, into: &out.bytes)
            }
            out.bytes.append(0x09)
            for field in [n.draft ? "1" : "0", n.publish?.description, n.expires?.description] {
                Self.escape(field, into: &out.bytes)
                out.bytes.append(0x09)
            }
            for (i, event) in n.events.enumerated() {
                if i > 0 { out.bytes.append(0x1E) }
                Self.escape(event.title, into: &out.bytes)
                out.bytes.append(0x1F)
                Self.escape(event.start.description, into: &out.bytes)
                out.bytes.append(0x1F)
                Self.escape(event.end.description, into: &out.bytes)
            }
            for number in [UInt64(n.body.offset), UInt64(n.body.firstLine), n.sourceHash] {
                out.bytes.append(0x09)
                StateFile.appendHex(number, to: &out.bytes)
            }
            out.endLine()
        }
    }

    /// The items of a list field, still escaped.
    static func list(_ field: StateFile.Bytes, separator: UInt8) -> [StateFile.Bytes] {
        field.isEmpty ? [] : StateFile.cells(field, separator: separator, expected: 4)
    }

    /// The index for this content folder, or nil when there is none or anything in it is off (then
    /// every notice is read, which is always correct).
    public static func load(for output: URL, contentRoot: String, displayRoot: String) -> NoticeIndex? {
        guard let (head, lines) = StateFile.read(location(for: output).path, kind: "gavel-notices"), head.isEmpty, lines.count > 0 else { return nil }
        let rootsHold = lines.withLines { line -> Bool in
            let roots = StateFile.cells(line(0))
            return roots.count == 2 && unescape(roots[0]) == .some(contentRoot) && unescape(roots[1]) == .some(displayRoot)
        }
        guard rootsHold else { return nil }
        // Ten thousand lines of notices: read on every core, joined in order.
        let parsed = inChunks(lines.count - 1) { range -> [(group: String, relative: String, entry: Entry)]? in
            lines.withLines { line in
                var out: [(group: String, relative: String, entry: Entry)] = []
                out.reserveCapacity(range.count)
                var cells: [StateFile.Bytes] = []
                cells.reserveCapacity(20)
                // A group's lines come together: the last line's group is taken again while the path
                // is in its folder (one comparison of bytes instead of a new string a line).
                var lastGroup = ""
                for i in range {
                    guard let (relative, entry) = entry(line(i + 1), kept: lines[i + 1], cells: &cells, contentRoot: contentRoot, displayRoot: displayRoot) else { return nil }
                    if !isInCourtFolder(relative, lastGroup) { lastGroup = group(of: relative) }
                    out.append((lastGroup, relative, entry))
                }
                return out
            }
        }
        // A group's lines come together (the file is written a table at a time), so its table is
        // looked up once for each run of them, not for each line. Each table is made at its size:
        // grown one entry at a time, the tables moved their entries about eight times over.
        var runs: [(group: String, rows: ArraySlice<(group: String, relative: String, entry: Entry)>)] = []
        for chunk in parsed {
            guard let chunk else { return nil }
            var start = chunk.startIndex
            while start < chunk.endIndex {
                let group = chunk[start].group
                var end = start + 1
                while end < chunk.endIndex, chunk[end].group == group { end += 1 }
                runs.append((group, chunk[start..<end]))
                start = end
            }
        }
        var sizes: [String: Int] = [:]
        for run in runs { sizes[run.group, default: 0] += run.rows.count }
        var index = NoticeIndex(contentRoot: contentRoot, displayRoot: displayRoot)
        for run in runs {
            var table = index.groups.removeValue(forKey: run.group) ?? Dictionary(minimumCapacity: sizes[run.group] ?? run.rows.count)
            for row in run.rows { table[row.relative] = row.entry }
            index.groups[run.group] = table
        }
        return index
    }

    /// One line of the index as the notice it records, or nil when anything in it is off. `kept` is
    /// the same line as the entry keeps it, `cells` room to cut it in.
    private static func entry(_ line: StateFile.Bytes, kept: ArraySlice<UInt8>, cells: inout [StateFile.Bytes],
                              contentRoot: String, displayRoot: String) -> (String, Entry)? {
        StateFile.cells(line, into: &cells)
        guard cells.count == 20 else { return nil }
        let cells = cells  // a copy the functions below can capture (an inout parameter cannot be)
        func text(_ i: Int) -> String? { unescape(cells[i]) ?? nil }
        func hex(_ i: Int) -> UInt64? { BuildCache.hex(cells[i]) }
        guard let relative = text(0), let size = hex(1), let seconds = hex(2), let nanoseconds = hex(3), let inode = hex(4), let changed = hex(5), let changedNanoseconds = hex(6),
              let court = text(7), let slug = text(8), let title = text(9), let date = LocalDate(utf8: cells[10]),
              case let .some(summary) = unescape(cells[11]),
              let offset = hex(17).flatMap({ Int(exactly: $0) }), let firstLine = hex(18).flatMap({ Int(exactly: $0) }),
              let hash = hex(19) else { return nil }
        let tagItems = list(cells[12], separator: 0x1F)
        var tags: [String] = []
        tags.reserveCapacity(tagItems.count)
        for item in tagItems {
            guard let tag = unescape(item) ?? nil else { return nil }
            tags.append(tag)
        }
        var events: [CalendarEvent] = []
        for item in list(cells[16], separator: 0x1E) {
            let parts = StateFile.cells(item, separator: 0x1F, expected: 3)
            guard parts.count == 3, let t = unescape(parts[0]) ?? nil,
                  let start = (unescape(parts[1]) ?? nil).flatMap({ LocalDateTime(parsing: $0) }),
                  let end = (unescape(parts[2]) ?? nil).flatMap({ LocalDateTime(parsing: $0) }) else { return nil }
            events.append(CalendarEvent(title: t, start: start, end: end))
        }
        let display = displayRoot.isEmpty ? relative : (displayRoot.hasSuffix("/") ? .concatenating(displayRoot, relative) : .path(displayRoot, relative))
        let notice = Notice(
            // Dates and the draft flag are read from their bytes: none is written with an escape, and
            // absent ones (`\0`) are no date either way.
            court: court, slug: slug, title: title, date: date, summary: summary, tags: tags, draft: StateFile.isByte(cells[13], UInt8(ascii: "1")),
            publish: LocalDate(utf8: cells[14]), expires: LocalDate(utf8: cells[15]),
            events: events,
            body: NoticeBody(folder: contentRoot, relative: relative, offset: offset, file: display, firstLine: firstLine, sourceHash: hash),
            file: display, sourceHash: hash)
        return (relative, Entry(stamp: Stamp(size: Int64(bitPattern: size), seconds: Int64(bitPattern: seconds), nanoseconds: Int64(bitPattern: nanoseconds), inode: inode, changed: Int64(bitPattern: changed), changedNanoseconds: Int64(bitPattern: changedNanoseconds)), notice: notice, line: kept))
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
