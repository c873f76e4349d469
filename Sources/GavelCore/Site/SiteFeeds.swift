/// Atom feeds and the sitemap.
enum SiteFeeds {
    static let entryLimit = 50

    /// The newest `limit` notices, newest first (then by court and slug). Sorts small keys, not the
    /// notices themselves: on a 10,000-notice site moving whole notices about was most of the sort.
    static func newest(_ notices: [(Court, Notice)], limit: Int) -> [(Court, Notice)] {
        newestFirst(notices.map { ($0.1.date, $0.1.court, $0.1.slug) }, limit: limit).map { notices[$0] }
    }

    /// The places in `m.notices` of the court's feed's notices, newest first. A court's notices
    /// already come newest first (`ContentLoader.newestFirst`), and then the feed's are its first
    /// current ones: only checked, not sorted again (sorting them for each court, as a rebuild works
    /// out every court's feed input, took about 1% of its instructions). Sorted when they do not.
    static func newestPlaces(of m: SiteModel.CourtModel) -> [Int] {
        let current = m.notices.indices.filter { !m.notices[$0].isArchived(now: m.today) }
        func key(_ n: Int) -> (LocalDate, String, String) { (m.notices[n].date, m.notices[n].court, m.notices[n].slug) }
        if zip(current, current.dropFirst()).allSatisfy({ key($0) > key($1) }) { return Array(current.prefix(entryLimit)) }
        return newestFirst(current.map(key), limit: entryLimit).map { current[$0] }
    }

    /// The places of the newest `limit` of notices by their keys (date, court, slug), newest first.
    private static func newestFirst(_ keys: [(LocalDate, String, String)], limit: Int) -> ArraySlice<Int> {
        keys.indices.sorted { keys[$0] > keys[$1] }.prefix(limit)
    }

    static func atom(title: String, selfPath: String, site: SiteConfig, linker: SiteLinker,
                     notices: [(Court, Notice)], renderBody: (Court, Notice) -> String) -> OutputFile {
        // Feed readers want the latest entries, not the archive: the newest 50.
        let sorted = newest(notices, limit: entryLimit)
        func instant(_ court: Court, _ notice: Notice) -> Instant {
            LocalDateTime(unchecked: notice.date, hour: 0, minute: 0).instant(in: court.timeZone)
        }
        let updated = sorted.map { instant($0.0, $0.1) }.max() ?? Instant(secondsSinceEpoch: 0)
        // Bytes, not a String: each entry's body is escaped straight into them (as Strings, the bodies
        // were made, checked and copied twice more, a third of making the feeds).
        let head = """
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(escape(site.language))">
          <title>\(escape(title))</title>
          <id>\(escape(site.baseURL + selfPath))</id>
          <link rel="self" type="application/atom+xml" href="\(escape(site.baseURL + selfPath))"/>
          <link rel="alternate" type="text/html" href="\(escape(site.baseURL))"/>
          <updated>\(updated)</updated>
          <author><name>\(escape(site.title))</name></author>

        """
        var xml = Array(head.utf8)
        for (court, notice) in sorted {
            let url = site.baseURL + notice.sitePath
            xml += """
              <entry>
                <title>\(escape(notice.title))</title>
                <id>\(escape(url))</id>
                <link rel="alternate" type="text/html" href="\(escape(url))"/>
                <updated>\(instant(court, notice))</updated>
                <category term="\(escape(court.id))" label="\(escape(court.name))"/>

            """.utf8
            if let summary = notice.summary { xml += "    <summary>\(escape(summary))</summary>\n".utf8 }
            xml += "    <content type=\"html\" xml:base=\"\(escape(url))\">".utf8
            escape(renderBody(court, notice), into: &xml)
            xml += "</content>\n  </entry>\n".utf8
        }
        xml += "</feed>\n".utf8
        return OutputFile(path: selfPath, bytes: xml)
    }

    static func sitemap(paths: [String], site: SiteConfig) -> OutputFile {
        // Pages as views of their paths, and the file made once as bytes in room reserved for it: the
        // page strings, the text grown by doubling and its copy into bytes were 13.5 MB at 50,000
        // notices, at the full build's peak, for a file of 4 MB.
        let pages = paths.filter { $0.hasSuffix("index.html") }.map { $0.dropLast("index.html".count) }.sorted()
        let head = Array("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n".utf8)
        let open = Array("  <url><loc>".utf8), close = Array("</loc></url>\n".utf8), end = Array("</urlset>\n".utf8)
        var bytes = head
        bytes.reserveCapacity(pages.reduce(head.count + end.count) { $0 + open.count + site.baseURL.utf8.count + $1.utf8.count + close.count })
        for page in pages {
            bytes.append(contentsOf: open)
            escape(site.baseURL + page, into: &bytes)
            bytes.append(contentsOf: close)
        }
        bytes.append(contentsOf: end)
        return OutputFile(path: "sitemap.xml", bytes: bytes)
    }

    /// The bytes `escape` looks at: those it replaces, and the first byte of U+FFFE and U+FFFF.
    private static let mayEscape: [Bool] = (0...255).map { (byte: Int) -> Bool in
        switch byte {
        case 0x26, 0x3C, 0x3E, 0x22, 0xEF, 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F: return true
        default: return false
        }
    }

    /// XML text and attribute escaping over UTF-8 bytes.
    static func escape(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + s.utf8.count / 8)
        escape(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `escape`, appended to `out` (whole notice bodies pass through here, into their feed's bytes).
    static func escape(_ s: String, into out: inout [UInt8]) {
        var text = s
        text.makeContiguousUTF8()
        if text.utf8.withContiguousStorageIfAvailable({ escape(bytes: $0, into: &out) }) == nil {
            Array(text.utf8).withUnsafeBufferPointer { escape(bytes: $0, into: &out) }
        }
    }

    private static func escape(bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Feeds carry whole notice bodies: copy the runs between escapes rather than byte by byte.
        // (No room is reserved here: `out` is a whole feed, which reserving for each body would copy
        // each time; it grows by doubling.)
        Self.mayEscape.withUnsafeBufferPointer { mayEscape in
            var run = 0
            var i = 0
            while i < bytes.count {
                // Past the bytes that are never escaped, by table: a switch on every byte of every body
                // was 3% of a full build's instructions at 10,000 notices.
                guard mayEscape[Int(bytes[i])] else {
                    i += 1
                    continue
                }
                let replacement: StaticString
                var length = 1
                switch bytes[i] {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "\""): replacement = "&quot;"
                // Characters XML 1.0 forbids even escaped (C0 controls but tab and line breaks, U+FFFE,
                // U+FFFF) would make the whole feed unreadable: each becomes U+FFFD.
                case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F: replacement = "\u{FFFD}"
                case 0xEF where i + 2 < bytes.count && bytes[i + 1] == 0xBF && (bytes[i + 2] == 0xBE || bytes[i + 2] == 0xBF):
                    replacement = "\u{FFFD}"
                    length = 3
                default: i += 1; continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                out.append(contentsOf: UnsafeBufferPointer(start: replacement.utf8Start, count: replacement.utf8CodeUnitCount))
                i += length
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
        }
    }
}
