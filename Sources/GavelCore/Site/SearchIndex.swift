/// The client-side search index, written as JSON and as a `.js` twin so search works from disk.
struct SearchIndex: Sendable {
    /// Each entry already serialised, with the output file of its page (the cache's key), so a reused
    /// page's entry is copied as it is.
    var entries: [(file: String, json: [UInt8])] = []
    static let files = ["search-index.json", "search-index.js"]

    @discardableResult
    mutating func add(file: String, title: String, path: String, summary: String, html: String) -> [UInt8] {
        var entry: [UInt8] = []
        JSONValue.object([
            ("t", .string(title)), ("u", .string(path)), ("s", .string(summary)),
            ("x", .string(Self.plainText(html))),
        ]).write(into: &entry, pretty: false, indent: 0)
        entries.append((file, entry))
        return entry
    }

    /// Where each page's entry stands in the JSON file: the next build reads reused pages' entries
    /// from the file itself rather than keeping a second copy.
    func ranges() -> [String: Range<Int>] {
        var out: [String: Range<Int>] = [:]
        var offset = 1
        for (i, entry) in entries.enumerated() {
            if i > 0 { offset += 1 }
            out[entry.file] = offset..<(offset + entry.json.count)
            offset += entry.json.count
        }
        return out
    }

    /// The index as JSON, or as its script twin. Made one at a time and handed on at once: on large
    /// sites the index is the biggest thing a build holds, so two copies are never alive together.
    func file(script: Bool) -> OutputFile {
        let prefix = script ? Array("globalThis.GAVEL_SEARCH_INDEX = ".utf8) : []
        var bytes = prefix
        bytes.reserveCapacity(prefix.count + entries.reduce(4) { $0 + $1.json.count + 1 })
        bytes.append(UInt8(ascii: "["))
        for (i, entry) in entries.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: entry.json)
        }
        bytes.append(UInt8(ascii: "]"))
        if script { bytes.append(UInt8(ascii: ";")) }
        bytes.append(0x0A)
        return OutputFile(path: script ? "search-index.js" : "search-index.json", bytes: bytes)
    }

    /// Strips tags and decodes the entities cmark writes, collapsing white space, up to `limit` bytes.
    /// Works on UTF-8 bytes: this runs over every page of the site.
    static func plainText(_ html: String, limit: Int = 1200) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(min(limit, html.utf8.count))
        var inTag = false
        var lastWasSpace = true
        let entities: [([UInt8], UInt8)] = [(Array("&amp;".utf8), UInt8(ascii: "&")), (Array("&lt;".utf8), UInt8(ascii: "<")),
                                            (Array("&gt;".utf8), UInt8(ascii: ">")), (Array("&quot;".utf8), UInt8(ascii: "\""))]
        html.utf8.withContiguousStorageIfAvailable { bytes in
            var i = 0
            while i < bytes.count, out.count < limit {
                let b = bytes[i]
                if b == UInt8(ascii: "<") { inTag = true; i += 1; continue }
                if b == UInt8(ascii: ">") {
                    inTag = false
                    if !lastWasSpace { out.append(0x20); lastWasSpace = true }
                    i += 1
                    continue
                }
                if inTag { i += 1; continue }
                if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D {
                    if !lastWasSpace { out.append(0x20); lastWasSpace = true }
                    i += 1
                    continue
                }
                if b == UInt8(ascii: "&"), let (entity, value) = entities.first(where: { e in
                    i + e.0.count <= bytes.count && bytes[i..<(i + e.0.count)].elementsEqual(e.0)
                }) {
                    out.append(value)
                    i += entity.count
                    lastWasSpace = false
                    continue
                }
                out.append(b)
                lastWasSpace = false
                i += 1
            }
        }
        // The limit may cut a multi-byte character: drop its partial bytes (at most three).
        while !out.isEmpty, String(validating: out, as: UTF8.self) == nil { out.removeLast() }
        while out.last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}

import Foundation
