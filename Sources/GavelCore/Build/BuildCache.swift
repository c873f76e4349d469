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
        public var search: JSONValue?
    }

    static let version = 1
    public var global: UInt64
    public var entries: [String: Entry]

    public init(global: UInt64, entries: [String: Entry] = [:]) {
        self.global = global
        self.entries = entries
    }

    public static func location(for output: URL) -> URL {
        let output = output.standardizedFileURL
        return output.deletingLastPathComponent().appendingPathComponent("." + output.lastPathComponent + ".gavel-cache.json")
    }

    /// The cache of the last build into `output`, or nil when there is none or it cannot be read
    /// (then everything is rendered, which is always correct).
    public static func load(for output: URL) -> BuildCache? {
        guard let data = FileManager.default.contents(atPath: location(for: output).path),
              case let .success(json) = JSONValue.parse(String(decoding: data, as: UTF8.self)),
              json["version"] == .number(Double(version)),
              let global = json["global"]?.stringValue.flatMap({ UInt64($0, radix: 16) }),
              let rows = json["entries"]?.arrayValue else { return nil }
        var entries: [String: Entry] = [:]
        for row in rows {
            guard let cells = row.arrayValue, cells.count == 5, let path = cells[0].stringValue,
                  let input = cells[1].stringValue.flatMap({ UInt64($0, radix: 16) }),
                  let outputHash = cells[2].stringValue.flatMap({ UInt64($0, radix: 16) }),
                  case let .number(size) = cells[3] else { return nil }
            entries[path] = Entry(input: input, output: outputHash, size: Int(size), search: cells[4] == .null ? nil : cells[4])
        }
        return BuildCache(global: global, entries: entries)
    }

    public func save(for output: URL) throws {
        let rows: [JSONValue] = entries.sorted { $0.key < $1.key }.map { path, e in
            .array([.string(path), .string(String(e.input, radix: 16)), .string(String(e.output, radix: 16)),
                    .number(Double(e.size)), e.search ?? .null])
        }
        let json = JSONValue.object([("version", .number(Double(Self.version))), ("global", .string(String(global, radix: 16))), ("entries", .array(rows))])
        let url = Self.location(for: output)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".tmp")
        var bytes: [UInt8] = []
        json.write(into: &bytes, pretty: false, indent: 0)
        try FileIO.write(bytes, to: temporary.path)
        guard rename(temporary.path, url.path) == 0 else { throw FileIO.Failure(path: url.path, code: errno) }
    }

    public static func remove(for output: URL) {
        try? FileManager.default.removeItem(at: location(for: output))
    }

    /// Everything a notice page can depend on besides the notice's own file.
    public static func globalFingerprint(options: BuildOptions, model: SiteModel) -> UInt64 {
        var hash = ContentHash.Accumulator()
        hash.add("gavel-cache-\(version)")
        hash.add("\(options.offline) \(options.includeDrafts) \(model.content.site.baseURL)")
        for root in [options.content, options.templates] {
            for relative in FileIO.walk(root.path).files.sorted() where !(relative.hasPrefix("courts/") && relative.contains("/notices/")) {
                hash.add(relative)
                if let data = FileManager.default.contents(atPath: root.path + "/" + relative) { hash.add(bytes: [UInt8](data)) }
            }
        }
        for path in model.sitePaths.sorted() { hash.add(path) }
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
        for notice in m.notices { hash.add("\(notice.slug) \(notice.sourceHash) \(notice.isArchived(now: m.today))") }
        return hash.value
    }

    /// A notice page's own input: its file and whether it is archived today.
    public static func input(global: UInt64, notice: Notice, archived: Bool) -> UInt64 {
        var hash = ContentHash.Accumulator()
        hash.add("\(global) \(notice.sourceHash) \(archived)")
        return hash.value
    }
}

extension ContentHash {
    /// Folds many pieces into one fingerprint; each piece is length-prefixed so boundaries count.
    public struct Accumulator {
        public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
        public init() {}

        public mutating func add(_ text: String) { add(bytes: Array(text.utf8)) }

        public mutating func add(bytes: [UInt8]) {
            value = (value ^ UInt64(bytes.count)) &* 0x0000_0100_0000_01B3
            value = (value ^ ContentHash.fnv1a64(bytes)) &* 0x0000_0100_0000_01B3
        }
    }
}

extension FileIO {
    /// The size of a file, or nil when it does not exist.
    static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }
}
