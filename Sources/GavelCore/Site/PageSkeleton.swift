/// Every notice page of a court is the same template around different values. Mustache renders the
/// page once per court and shape with a marker in place of each value; the output, cut at the markers,
/// is a skeleton that each notice's values are spliced into. That gives the bytes Mustache would give
/// for a small fraction of the work, which is most of a large build.
///
/// Safety: a skeleton is used only if every marker came back intact (a template that transforms a
/// value, such as `{{uppercased(title)}}`, breaks its marker), and only after the first page made from
/// it matched a real Mustache render byte for byte. Anything else falls back to Mustache.
struct PageSkeleton: Sendable {
    enum Part: Sendable {
        case text([UInt8])
        case value(Int, escaped: Bool)
    }
    var parts: [Part]

    /// Cuts a render made with `ValueSlots.marker(_:)` values into parts, or nil if any marker was
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

/// Stands in for the values of one page while its context is built: records each value and hands back
/// either the value itself or a marker, so the same context code serves the real render and the
/// skeleton. The shape records what Mustache can branch on (which values are empty or span lines, and
/// whatever the caller adds, such as list lengths); pages of one shape share a skeleton.
final class ValueSlots {
    let markers: Bool
    private(set) var values: [String] = []
    private(set) var shape: [UInt8] = []

    init(markers: Bool) { self.markers = markers }

    func callAsFunction(_ value: String) -> String {
        // An empty value is falsy to Mustache and a multi-line one can be indented by a partial, so
        // both are part of the shape; the value then stands as it is.
        let multiline = value.utf8.contains(0x0A)
        shape.append(value.isEmpty ? 0 : multiline ? 2 : 1)
        values.append(value)
        guard markers, !value.isEmpty else { return value }
        return Self.marker(values.count - 1)
    }

    /// Adds something else the template may branch on (a flag, a list's length) to the shape.
    func shape(_ tag: Int) {
        shape.append(0xFF)
        withUnsafeBytes(of: tag.littleEndian) { shape.append(contentsOf: $0) }
    }

    static func marker(_ index: Int) -> String { "\u{E000}gV\(index)&\u{E001}" }
}

/// HTML escaping exactly as swift-mustache does it (per Character: `<`, `>`, `&`, `"` and `'`), with a
/// byte-level fast path for the common value that has none of them.
enum HTMLEscape {
    static func append(_ value: String, to out: inout [UInt8]) {
        let needs = value.utf8.contains { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 || $0 == 0x22 || $0 == 0x27 }
        guard needs else {
            out.append(contentsOf: value.utf8)
            return
        }
        // Per Character, so a combining mark after `&` keeps the pair unescaped, as Mustache does.
        for c in value {
            switch c {
            case "<": out.append(contentsOf: "&lt;".utf8)
            case ">": out.append(contentsOf: "&gt;".utf8)
            case "&": out.append(contentsOf: "&amp;".utf8)
            case "\"": out.append(contentsOf: "&quot;".utf8)
            case "'": out.append(contentsOf: "&#39;".utf8)
            default: out.append(contentsOf: String(c).utf8)
            }
        }
    }
}
