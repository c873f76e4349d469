/// A fast path for the YAML that front matter almost always is: `key: value` lines, lists of values,
/// and lists of small mappings (events), with plain or simply quoted values. It gives exactly the tree
/// libyaml gives (text, style and position, checked against Yams by the tests) and returns nil for
/// anything else, which then goes to Yams, errors and all. Parsing 10,000 notices through libyaml's
/// event stream was most of loading them.
///
/// Lines are read where they lie in the text's bytes, not copied out one by one: with a copy per
/// line, a set of copied keys per mapping and a list of indicators made for each value, a court.yml
/// of 951 bytes took about 118,000 instructions (13.6 M of a one-notice rebuild at 100 courts).
enum SimpleYAML {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    static func parse(_ text: String) -> YAMLNode? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    private static func parse(_ bytes: Bytes) -> YAMLNode? {
        var lines: [Line] = []
        var number = 0
        var start = 0
        while start < bytes.count {
            number += 1
            let end = FileIO.index(of: 0x0A, in: bytes, from: start) ?? bytes.count
            let line = Bytes(rebasing: bytes[start..<end])
            start = end + 1
            // Tabs, carriage returns and the characters YAML does not allow in a stream (C0 and C1
            // controls, DEL, U+FFFE and U+FFFF) are left to libyaml, which refuses or reads them.
            if hasUnprintable(line) { return nil }
            var indent = 0
            while indent < line.count, line[indent] == 0x20 { indent += 1 }
            // Blank lines and whole-line comments carry nothing.
            if indent == line.count || line[indent] == UInt8(ascii: "#") { continue }
            var count = line.count
            while line[count - 1] == 0x20 { count -= 1 }
            lines.append(Line(number: number, indent: indent, bytes: Bytes(rebasing: line[..<count])))
        }
        guard !lines.isEmpty else { return nil }
        var parser = Parser(lines: lines)
        guard let node = parser.mapping(indent: 0), parser.index == lines.count else { return nil }
        return node
    }

    static func hasUnprintable(_ b: Bytes) -> Bool {
        for i in b.indices {
            let c = b[i]
            if c < 0x20 || c == 0x7F { return true }
            if c == 0xC2, i + 1 < b.count, b[i + 1] >= 0x80, b[i + 1] <= 0x9F, b[i + 1] != 0x85 { return true }
            if c == 0xEF, i + 2 < b.count, b[i + 1] == 0xBF, b[i + 2] >= 0xBE { return true }
        }
        return false
    }

    /// A line with something on it: its number, its leading spaces, and its bytes without trailing
    /// spaces (within the text being parsed, which outlives the parser).
    struct Line {
        var number: Int
        var indent: Int
        var bytes: Bytes
    }

    /// The keys of one mapping, to refuse a duplicate: compared one by one while they are few (a
    /// notice's front matter has a handful), through a set once there are many, so a mapping of
    /// many keys still costs time in proportion to them.
    struct Keys {
        private var few: [Bytes] = []
        private var many: Set<[UInt8]> = []
        /// Past this many keys a mapping's keys go into the set.
        private static let comparedOneByOne = 16

        /// False when `key` is already there.
        mutating func insert(_ key: Bytes) -> Bool {
            if few.count < Self.comparedOneByOne {
                if few.contains(where: { $0.elementsEqual(key) }) { return false }
                few.append(key)
                if few.count == Self.comparedOneByOne { many = Set(few.map { Array($0) }) }
                return true
            }
            return many.insert(Array(key)).inserted
        }
    }

    struct Parser {
        let lines: [Line]
        var index = 0

        /// A block mapping whose keys stand at column `indent` + 1. `firstKeyAt` is set when the first
        /// key follows a list's "- " on the same line.
        mutating func mapping(indent: Int, firstKeyAt first: Int? = nil) -> YAMLNode? {
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var seen = Keys()
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
                guard let afterColon = Self.key(line.bytes, from: keyStart),
                      seen.insert(Bytes(rebasing: line.bytes[keyStart..<(afterColon - 1)])) else { return nil }
                let keyNode = YAMLNode.scalar(String(decoding: line.bytes[keyStart..<(afterColon - 1)], as: UTF8.self), .plain,
                                              YAMLMark(line: line.number, column: keyStart + 1))
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

        /// Where a plain key of letters, digits, `_` and `-` starting at `start` is followed by `:`:
        /// the index after the colon (the key runs to just before it).
        static func key(_ b: Bytes, from start: Int) -> Int? {
            var i = start
            while i < b.count, isKeyByte(b[i]) { i += 1 }
            guard i > start, i < b.count, b[i] == UInt8(ascii: ":"), b[start] != UInt8(ascii: "-") else { return nil }
            guard i + 1 == b.count || b[i + 1] == 0x20 else { return nil }
            return i + 1
        }

        static func isKeyByte(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F || c == 0x2D
        }

        /// Whether a plain scalar cannot start with `c` (a YAML indicator): -?:,[]{}#&*!|>%@`
        static func isIndicator(_ c: UInt8) -> Bool {
            switch c {
            case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"), UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"),
                 UInt8(ascii: "|"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "@"), UInt8(ascii: "`"):
                return true
            default:
                return false
            }
        }

        /// A one-line scalar running to the end of the line: plain, or quoted without escapes.
        static func scalar(_ b: Bytes, from start: Int, line: Int) -> YAMLNode? {
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
            guard !isIndicator(first) else { return nil }
            for i in start..<(b.count - 1) {
                if b[i] == UInt8(ascii: ":") && b[i + 1] == 0x20 { return nil }
                if b[i] == 0x20 && b[i + 1] == UInt8(ascii: "#") { return nil }
            }
            guard b[b.count - 1] != UInt8(ascii: ":") else { return nil }
            return .scalar(String(decoding: b[start...], as: UTF8.self), .plain, mark)
        }

        /// libyaml counts columns in Unicode scalars: every byte but UTF-8 continuation bytes.
        static func columns(_ b: Bytes, upTo end: Int) -> Int {
            var n = 0
            for i in 0..<end where b[i] & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }
}
