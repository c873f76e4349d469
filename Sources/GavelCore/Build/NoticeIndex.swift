import Foundation

/// What the last successful build read from each notice file, kept beside the output folder, so a
/// rebuild takes unchanged notices without reading or parsing them. A file counts as unchanged when its
/// size, modification time (to the nanosecond) and inode are what they were, as git's index decides;
/// a file written within two seconds of being indexed is not trusted and is read again next time.
/// Only notices that loaded without any diagnostic are kept.
public struct NoticeIndex: Sendable {
    public struct Stamp: Hashable, Sendable {
        var size: Int64
        var seconds: Int64
        var nanoseconds: Int64
        var inode: UInt64

        public static func of(_ path: String) -> Stamp? {
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
            return Stamp(size: Int64(info.st_size), seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec),
                         inode: UInt64(info.st_ino))
        }
    }

    static let version = 2
    /// The content folder the paths are relative to, and how diagnostics name it.
    var contentRoot: String
    var displayRoot: String
    var entries: [String: (stamp: Stamp, notice: Notice)] = [:]

    public init(contentRoot: String, displayRoot: String) {
        self.contentRoot = contentRoot
        self.displayRoot = displayRoot
    }

    /// The notice loaded last time from `relative`, if the file is as it was.
    func notice(_ relative: String, stamp: Stamp) -> Notice? {
        guard let entry = entries[relative], entry.stamp == stamp else { return nil }
        return entry.notice
    }

    /// True when both index the same files with the same stamps (then the file need not be rewritten).
    func sameStamps(as other: NoticeIndex) -> Bool {
        contentRoot == other.contentRoot && displayRoot == other.displayRoot && entries.count == other.entries.count
            && entries.allSatisfy { other.entries[$0.key]?.stamp == $0.value.stamp }
    }

    mutating func add(_ relative: String, stamp: Stamp, notice: Notice, now: Date) {
        // Racy-clean: a file changed again within the same clock tick would look unchanged.
        guard Double(stamp.seconds) + Double(stamp.nanoseconds) / 1e9 < now.timeIntervalSince1970 - 2 else { return }
        entries[relative] = (stamp, notice)
    }

    public static func location(for output: URL) -> URL {
        let output = output.standardizedFileURL
        return output.deletingLastPathComponent().appendingPathComponent("." + output.lastPathComponent + ".gavel-notices")
    }

    // MARK: - File format: a header line, then one JSON array per notice.

    public func save(for output: URL) throws {
        var bytes = Array("gavel-notices \(Self.version)\n".utf8)
        JSONValue.array([.string(contentRoot), .string(displayRoot)]).write(into: &bytes, pretty: false, indent: 0)
        bytes.append(0x0A)
        for (relative, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let n = entry.notice, s = entry.stamp
            func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
            JSONValue.array([
                .string(relative), .string(String(s.size, radix: 16)), .string(String(s.seconds, radix: 16)),
                .string(String(s.nanoseconds, radix: 16)), .string(String(s.inode, radix: 16)),
                .string(n.court), .string(n.slug), .string(n.title), .string(n.date.description), text(n.summary),
                .array(n.tags.map { .string($0) }), .bool(n.draft), text(n.publish?.description), text(n.expires?.description),
                .array(n.events.map { .array([.string($0.title), .string($0.start.description), .string($0.end.description)]) }),
                .string(String(n.body.offset, radix: 16)), .string(String(n.body.firstLine, radix: 16)), .string(String(n.sourceHash, radix: 16)),
            ]).write(into: &bytes, pretty: false, indent: 0)
            bytes.append(0x0A)
        }
        let url = Self.location(for: output)
        let temporary = url.path + ".tmp"
        try FileIO.write(bytes, to: temporary)
        guard rename(temporary, url.path) == 0 else { throw FileIO.Failure(path: url.path, code: errno) }
    }

    /// The index for this content folder, or nil when there is none or anything in it is off (then
    /// every notice is read, which is always correct).
    public static func load(for output: URL, contentRoot: String, displayRoot: String) -> NoticeIndex? {
        guard let bytes = FileIO.read(location(for: output).path) else { return nil }
        var lines = FileIO.lines(bytes)[...]
        guard let header = lines.popFirst(), String(decoding: header, as: UTF8.self) == "gavel-notices \(version)",
              let roots = lines.popFirst().flatMap({ try? JSONValue.parse(String(decoding: $0, as: UTF8.self)).get().arrayValue }),
              roots.count == 2, roots[0].stringValue == contentRoot, roots[1].stringValue == displayRoot else { return nil }
        var index = NoticeIndex(contentRoot: contentRoot, displayRoot: displayRoot)
        index.entries.reserveCapacity(lines.count)
        for line in lines {
            guard let cells = try? JSONValue.parse(String(decoding: line, as: UTF8.self)).get().arrayValue, cells.count == 18,
                  let relative = cells[0].stringValue,
                  let size = cells[1].stringValue.flatMap({ Int64($0, radix: 16) }),
                  let seconds = cells[2].stringValue.flatMap({ Int64($0, radix: 16) }),
                  let nanoseconds = cells[3].stringValue.flatMap({ Int64($0, radix: 16) }),
                  let inode = cells[4].stringValue.flatMap({ UInt64($0, radix: 16) }),
                  let court = cells[5].stringValue, let slug = cells[6].stringValue, let title = cells[7].stringValue,
                  let date = cells[8].stringValue.flatMap({ LocalDate(parsing: $0) }),
                  let tags = cells[10].arrayValue?.compactMap(\.stringValue),
                  case let .bool(draft) = cells[11],
                  let events = cells[14].arrayValue,
                  let offset = cells[15].stringValue.flatMap({ Int($0, radix: 16) }),
                  let firstLine = cells[16].stringValue.flatMap({ Int($0, radix: 16) }),
                  let hash = cells[17].stringValue.flatMap({ UInt64($0, radix: 16) }) else { return nil }
            var calendar: [CalendarEvent] = []
            for event in events {
                guard let parts = event.arrayValue, parts.count == 3, let t = parts[0].stringValue,
                      let start = parts[1].stringValue.flatMap({ LocalDateTime(parsing: $0) }),
                      let end = parts[2].stringValue.flatMap({ LocalDateTime(parsing: $0) }) else { return nil }
                calendar.append(CalendarEvent(title: t, start: start, end: end))
            }
            let display = displayRoot.isEmpty ? relative : (displayRoot.hasSuffix("/") ? displayRoot + relative : displayRoot + "/" + relative)
            let notice = Notice(
                court: court, slug: slug, title: title, date: date, summary: cells[9].stringValue, tags: tags, draft: draft,
                publish: cells[12].stringValue.flatMap { LocalDate(parsing: $0) }, expires: cells[13].stringValue.flatMap { LocalDate(parsing: $0) },
                events: calendar,
                body: NoticeBody(diskPath: contentRoot + "/" + relative, offset: offset, file: display, firstLine: firstLine, sourceHash: hash),
                file: display, sourceHash: hash)
            index.entries[relative] = (Stamp(size: size, seconds: seconds, nanoseconds: nanoseconds, inode: inode), notice)
        }
        return index
    }

    public static func remove(for output: URL) {
        try? FileManager.default.removeItem(at: location(for: output))
    }
}
