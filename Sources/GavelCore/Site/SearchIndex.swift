/// The client-side search index, written as JSON and as a `.js` twin so search works from disk.
struct SearchIndex {
    var entries: [JSONValue] = []

    mutating func add(title: String, path: String, summary: String, html: String) {
        let text = Self.plainText(html)
        entries.append(.object([
            ("t", .string(title)), ("u", .string(path)), ("s", .string(summary)),
            ("x", .string(String(text.prefix(4000)))),
        ]))
    }

    func files() -> [OutputFile] {
        let json = JSONValue.array(entries).serialized()
        return [
            OutputFile(path: "search-index.json", text: json + "\n"),
            OutputFile(path: "search-index.js", text: "globalThis.GAVEL_SEARCH_INDEX = \(json);\n"),
        ]
    }

    /// Strips tags and decodes the few entities cmark writes, collapsing white space.
    static func plainText(_ html: String) -> String {
        var out = ""
        var inTag = false
        var lastWasSpace = true
        for c in html {
            if c == "<" { inTag = true; continue }
            if c == ">" { inTag = false; if !lastWasSpace { out.append(" "); lastWasSpace = true }; continue }
            if inTag { continue }
            if c.isWhitespace {
                if !lastWasSpace { out.append(" "); lastWasSpace = true }
            } else {
                out.append(c)
                lastWasSpace = false
            }
        }
        return out.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
            .trimmingCharacters(in: .whitespaces)
    }
}

import Foundation
