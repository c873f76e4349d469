/// Pages made from one template differ in their values far more than in their structure: ten thousand
/// notice pages, a hundred court pages. Mustache renders a page once per template and shape with a
/// marker in place of every text value of its context; the output, cut at the markers, is a skeleton
/// that each page of that shape has its values spliced into (see `SkeletonCache`).
struct PageSkeleton: Sendable {
    enum Part: Sendable {
        case text([UInt8])
        case value(Int, escaped: Bool)
    }
    var parts: [Part]

    /// A skeleton as it was made before (see `SkeletonFile`).
    init(parts: [Part]) {
        self.parts = parts
    }

    /// Cuts a render made with `SlottedContext.marker(_:)` values into parts, or nil if any marker was
    /// altered on the way.
    init?(rendered: String) {
        let bytes = Array(rendered.utf8)
        var parts: [Part] = []
        var literalStart = 0
        var i = 0
        let count = bytes.count
        while i < count {
            // The marker starts with U+E000, which UTF-8 writes as EE 80 80.
            guard bytes[i] == 0xEE, i + 2 < count, bytes[i + 1] == 0x80, bytes[i + 2] == 0x80 else {
                i += 1
                continue
            }
            guard let (index, escaped, end) = Self.marker(in: bytes, at: i + 3) else { return nil }
            if literalStart < i { parts.append(.text(Array(bytes[literalStart..<i]))) }
            parts.append(.value(index, escaped: escaped))
            i = end
            literalStart = end
        }
        if literalStart < count { parts.append(.text(Array(bytes[literalStart..<count]))) }
        self.parts = parts
    }

    /// Reads `gV<digits>&\u{E001}` (unescaped) or `gV<digits>&amp;\u{E001}` (escaped) from `start`.
    /// The mixed-case letters change under any case transform, so a transformed marker is noticed.
    private static func marker(in bytes: [UInt8], at start: Int) -> (Int, Bool, Int)? {
        var i = start
        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "g"), bytes[i + 1] == UInt8(ascii: "V") else { return nil }
        i += 2
        var index = 0
        let digitsStart = i
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, i - digitsStart < 6 {
            index = index * 10 + Int(bytes[i] - 0x30)
            i += 1
        }
        guard i > digitsStart else { return nil }
        let close: [UInt8] = [0xEE, 0x80, 0x81]  // U+E001
        let raw: [UInt8] = [UInt8(ascii: "&")] + close
        let escaped: [UInt8] = Array("&amp;".utf8) + close
        if bytes[i...].starts(with: raw) { return (index, false, i + raw.count) }
        if bytes[i...].starts(with: escaped) { return (index, true, i + escaped.count) }
        return nil
    }

    /// The page for these values, escaped where the template escaped the marker.
    func fill(_ values: [String]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(0) { total, part in
            if case let .text(t) = part { return total + t.count }
            return total + 64
        } + values.reduce(0) { $0 + $1.utf8.count })
        for part in parts {
            switch part {
            case let .text(t):
                out.append(contentsOf: t)
            case let .value(index, escaped):
                guard index < values.count else { return nil }
                if escaped { HTMLEscape.append(values[index], to: &out) } else { out.append(contentsOf: values[index].utf8) }
            }
        }
        return out
    }
}

/// HTML escaping exactly as swift-mustache does it (per Character: `<`, `>`, `&`, `"` and `'`), with a
/// byte-level fast path for the common value that has none of them.
enum HTMLEscape {
    static func append(_ value: String, to out: inout [UInt8]) {
        @inline(__always) func special(_ byte: UInt8) -> Bool { byte == 0x3C || byte == 0x3E || byte == 0x26 || byte == 0x22 || byte == 0x27 }
        // On the string's own bytes where it has them: the view's iterator was about 1% of a full
        // build's CPU at 10,000 notices, and a value with an apostrophe taken a Character at a time
        // (a String made for each) about 1.5% of its instructions.
        let escaped = value.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.contains(where: special) else {
                out.append(contentsOf: bytes)
                return true
            }
            // Mustache escapes by Characters: the bytes do only where they are the same (see `CharacterBytes`).
            return CharacterBytes.replacing(bytes, where: special, into: &out) { byte, out in out.append(contentsOf: replacement(byte).utf8) }
        }
        if escaped == true { return }
        // Per Character, so a combining mark after `&` keeps the pair unescaped, as Mustache does.
        for c in value {
            switch c {
            case "<", ">", "&", "\"", "'": out.append(contentsOf: replacement(c.asciiValue ?? 0).utf8)
            default: out.append(contentsOf: c.utf8)
            }
        }
    }

    private static func replacement(_ byte: UInt8) -> String {
        switch byte {
        case 0x3C: "&lt;"
        case 0x3E: "&gt;"
        case 0x26: "&amp;"
        case 0x22: "&quot;"
        default: "&#39;"
        }
    }
}
