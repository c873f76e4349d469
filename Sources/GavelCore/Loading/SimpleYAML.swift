/// A fast path for the YAML that front matter almost always is: `key: value` lines, lists of values,
/// and lists of small mappings (events), with plain or simply quoted values. It gives exactly the tree
/// libyaml gives (text, style and position, checked against Yams by the tests) and returns nil for
/// anything else, which then goes to Yams, errors and all. Parsing 10,000 notices through libyaml's
/// event stream was most of loading them.
enum SimpleYAML {
    static func parse(_ text: String) -> YAMLNode? {
        var lines: [Line] = []
        var number = 0
        var failed = false
        text.utf8.withContiguousStorageIfAvailable { bytes in
            var start = 0
            while start <= bytes.count {
                number += 1
                var end = start
                while end < bytes.count, bytes[end] != 0x0A { end += 1 }
                if start == bytes.count { break }
                var slice = Array(bytes[start..<end])
                if slice.last == 0x0D { failed = true }
                if slice.contains(0x09) { failed = true }  // tabs: leave them to libyaml
                // Characters YAML does not allow in a stream (C0 and C1 controls, DEL, U+FFFE and
                // U+FFFF): libyaml refuses them, so must the fast path.
                if Self.hasUnprintable(slice) { failed = true }
                var indent = 0
                while indent < slice.count, slice[indent] == 0x20 { indent += 1 }
                // Blank lines and whole-line comments carry nothing.
                if indent == slice.count || slice[indent] == UInt8(ascii: "#") {
                    start = end + 1
                    continue
                }
                while slice.last == 0x20 { slice.removeLast() }
                lines.append(Line(number: number, indent: indent, bytes: slice))
                start = end + 1
            }
        } ?? { failed = true }()
        guard !failed, !lines.isEmpty else { return nil }
        var parser = Parser(lines: lines)
        guard let node = parser.mapping(indent: 0), parser.index == lines.count else { return nil }
        return node
    }

    static func hasUnprintable(_ b: [UInt8]) -> Bool {
        for i in b.indices {
            let c = b[i]
            if c < 0x20 || c == 0x7F { return true }
            if c == 0xC2, i + 1 < b.count, b[i + 1] >= 0x80, b[i + 1] <= 0x9F, b[i + 1] != 0x85 { return true }
            if c == 0xEF, i + 2 < b.count, b[i + 1] == 0xBF, b[i + 2] >= 0xBE { return true }
        }
        return false
    }

    struct Line {
        var number: Int
        var indent: Int
        var bytes: [UInt8]
    }

    struct Parser {
        let lines: [Line]
        var index = 0

        /// A block mapping whose keys stand at column `indent` + 1. `firstKeyAt` is set when the first
        /// key follows a list's "- " on the same line.
        mutating func mapping(indent: Int, firstKeyAt first: Int? = nil) -> YAMLNode? {
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var seen = Set<[UInt8]>()
            while index < lines.count {
                let line = lines[index]
                let keyStart: Int
                if pairs.isEmpty, let first {
                    keyStart = first
                } else {
                    if line.indent < indent { break }
                    guard line.indent == indent else { return nil }
                    keyStart = indent
                }
                // Duplicate keys go to Yams, which reports them.
                guard let (key, afterColon) = Self.key(line.bytes, from: keyStart), seen.insert(key).inserted else { return nil }
                let keyNode = YAMLNode.scalar(String(decoding: key, as: UTF8.self), .plain, YAMLMark(line: line.number, column: keyStart + 1))
                index += 1
                if afterColon == line.bytes.count {
                    // `key:` with a list below it, at this indent or deeper.
                    guard index < lines.count, lines[index].indent >= indent, Self.isListItem(lines[index]),
                          let list = sequence(indent: lines[index].indent) else { return nil }
                    pairs.append((keyNode, list))
                } else {
                    guard line.bytes[afterColon] == 0x20 else { return nil }
                    var valueStart = afterColon
                    while valueStart < line.bytes.count, line.bytes[valueStart] == 0x20 { valueStart += 1 }
                    guard let value = Self.scalar(line.bytes, from: valueStart, line: line.number) else { return nil }
                    pairs.append((keyNode, value))
                    // A deeper line after a one-line value would continue it (a multi-line scalar): not ours.
                    if index < lines.count, lines[index].indent > indent { return nil }
                }
            }
            guard case let .scalar(_, _, mark)? = pairs.first?.key else { return nil }
            return .mapping(pairs, mark)
        }

        /// A block list whose "- " stands at column `indent` + 1.
        mutating func sequence(indent: Int) -> YAMLNode? {
            var items: [YAMLNode] = []
            let mark = YAMLMark(line: lines[index].number, column: indent + 1)
            while index < lines.count, lines[index].indent == indent, Self.isListItem(lines[index]) {
                let line = lines[index]
                var start = indent + 2
                while start < line.bytes.count, line.bytes[start] == 0x20 { start += 1 }
                guard start < line.bytes.count else { return nil }
                if Self.key(line.bytes, from: start) != nil {
                    // "- key: value" opens a mapping whose later keys line up with the first.
                    guard let item = mapping(indent: start, firstKeyAt: start) else { return nil }
                    items.append(item)
                } else {
                    guard let item = Self.scalar(line.bytes, from: start, line: line.number) else { return nil }
                    items.append(item)
                    index += 1
                }
            }
            if index < lines.count, lines[index].indent > indent { return nil }
            return .sequence(items, mark)
        }

        static func isListItem(_ line: Line) -> Bool {
            let b = line.bytes, i = line.indent
            return i < b.count && b[i] == UInt8(ascii: "-") && (i + 1 == b.count || b[i + 1] == 0x20)
        }

        /// A plain key of letters, digits, `_` and `-` followed by `:`; the key and the index after the colon.
        static func key(_ b: [UInt8], from start: Int) -> ([UInt8], Int)? {
            var i = start
            while i < b.count, isKeyByte(b[i]) { i += 1 }
            guard i > start, i < b.count, b[i] == UInt8(ascii: ":"), b[start] != UInt8(ascii: "-") else { return nil }
            guard i + 1 == b.count || b[i + 1] == 0x20 else { return nil }
            return (Array(b[start..<i]), i + 1)
        }

        static func isKeyByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
        }

        /// A one-line scalar running to the end of the line: plain, or quoted without escapes.
        static func scalar(_ b: [UInt8], from start: Int, line: Int) -> YAMLNode? {
            guard start < b.count else { return nil }
            let mark = YAMLMark(line: line, column: columns(b, upTo: start) + 1)
            let first = b[start]
            if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
                // The closing quote must end the line; no escapes, no doubled quotes.
                guard b.count - start >= 2, b[b.count - 1] == first else { return nil }
                let inner = b[(start + 1)..<(b.count - 1)]
                guard !inner.contains(first), first == UInt8(ascii: "'") || !inner.contains(UInt8(ascii: "\\")) else { return nil }
                return .scalar(String(decoding: inner, as: UTF8.self), first == UInt8(ascii: "'") ? .singleQuoted : .doubleQuoted, mark)
            }
            // Plain: no indicator first, no ": " or " #" inside, not ending in ":".
            guard !Array("-?:,[]{}#&*!|>%@`".utf8).contains(first) else { return nil }
            let value = b[start...]
            for i in value.indices.dropLast() {
                if value[i] == UInt8(ascii: ":") && value[i + 1] == 0x20 { return nil }
                if value[i] == 0x20 && value[i + 1] == UInt8(ascii: "#") { return nil }
            }
            guard value.last != UInt8(ascii: ":") else { return nil }
            return .scalar(String(decoding: value, as: UTF8.self), .plain, mark)
        }

        /// libyaml counts columns in Unicode scalars: every byte but UTF-8 continuation bytes.
        static func columns(_ b: [UInt8], upTo end: Int) -> Int {
            var n = 0
            for i in 0..<end where b[i] & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }
}
