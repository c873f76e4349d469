import Foundation

/// JSON with object keys kept in the order they were written, so output is byte-stable and readable.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            // Objects are equal whatever their key order, as in JSON.
            guard x.count == y.count else { return false }
            let dy = Dictionary(y, uniquingKeysWith: { first, _ in first })
            return x.allSatisfy { key, value in dy[key] == value }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case let .object(pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    // MARK: - Writing

    public func serialized(pretty: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out, pretty: pretty, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes UTF-8 bytes directly: search indexes and checklists of large sites pass through here.
    func write(into out: inout [UInt8], pretty: Bool, indent: Int) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: level * 2))
        }
        switch self {
        case .null: out.append(contentsOf: Array("null".utf8))
        case let .bool(b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case let .number(n):
            if n.rounded() == n, abs(n) < 1e15 { out.append(contentsOf: Array(String(Int64(n)).utf8)) } else { out.append(contentsOf: Array("\(n)".utf8)) }
        case let .string(s): JSONValue.writeString(s, into: &out)
        case let .array(items):
            if items.isEmpty { out.append(contentsOf: [0x5B, 0x5D]); return }
            out.append(0x5B)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(0x2C) }
                if pretty { newline(indent + 1) }
                item.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent) }
            out.append(0x5D)
        case let .object(pairs):
            if pairs.isEmpty { out.append(contentsOf: [0x7B, 0x7D]); return }
            out.append(0x7B)
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(0x2C) }
                if pretty { newline(indent + 1) }
                JSONValue.writeString(key, into: &out)
                out.append(0x3A)
                if pretty { out.append(0x20) }
                value.write(into: &out, pretty: pretty, indent: indent + 1)
            }
            if pretty { newline(indent) }
            out.append(0x7D)
        }
    }

    static func writeString(_ s: String, into out: inout String) {
        var bytes: [UInt8] = []
        writeString(s, into: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func writeString(_ s: String, into out: inout [UInt8]) {
        var text = s
        text.withUTF8 { writeString(utf8: $0, into: &out) }
    }

    /// A string given as its UTF-8 bytes (valid UTF-8, such as a String's own).
    static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(0x22)
        // Runs that need no escaping are copied whole; this writes every search entry and checklist.
        var run = 0
        var i = 0
        func flush() { if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) } }
        func escaped(_ pieces: UInt8...) { flush(); out.append(contentsOf: pieces) }
        while i < bytes.count {
            let b = bytes[i]
            guard mayNeedEscape(b) else {
                i += 1
                continue
            }
            switch b {
            case 0x22: escaped(0x5C, 0x22)
            case 0x5C: escaped(0x5C, 0x5C)
            case 0x0A: escaped(0x5C, 0x6E)
            case 0x0D: escaped(0x5C, 0x72)
            case 0x09: escaped(0x5C, 0x74)
            // Escaped so the JSON can sit inside a <script> element.
            case 0x3C, 0x3E, 0x26, 0x00..<0x20:
                escaped(0x5C, 0x75, 0x30, 0x30, hexDigits[Int(b >> 4)], hexDigits[Int(b & 0xF)])
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                // U+2028 and U+2029 end lines in older JavaScript: E2 80 A8 / E2 80 A9.
                escaped(0x5C, 0x75, 0x32, 0x30, 0x32, bytes[i + 2] == 0xA8 ? 0x38 : 0x39)
                i += 3
                run = i
                continue
            default:
                i += 1
                continue
            }
            i += 1
            run = i
        }
        flush()
        out.append(0x22)
    }

    /// Whether `byte` is one the switch above looks at (control characters, `"`, `&`, `<`, `>`, `\`,
    /// and 0xE2, which leads U+2028 and U+2029), in a test or two: below 0x40, a bit of a 64-bit set.
    /// With every byte through the switch, writing strings took 272 M instructions of a full build at
    /// 10,000 notices (2.1%), now 179 M.
    @inline(__always) static func mayNeedEscape(_ byte: UInt8) -> Bool {
        // 0x00-0x1F, 0x22, 0x26, 0x3C and 0x3E.
        byte < 0x40 ? (0x5000_0044_FFFF_FFFF as UInt64) >> UInt64(byte) & 1 != 0 : byte == 0x5C || byte == 0xE2
    }

    // MARK: - Reading

    public struct ParseError: Error, Sendable {
        public var line: Int
        public var column: Int
        public var message: String
    }

    public static func parse(_ text: String) -> Result<JSONValue, ParseError> {
        var parser = JSONParser(bytes: Array(text.utf8))
        do {
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.i == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
            return .success(value)
        } catch let e as ParseError {
            return .failure(e)
        } catch {
            return .failure(ParseError(line: 1, column: 1, message: "\(error)"))
        }
    }
}

struct JSONParser {
    var bytes: [UInt8]
    var i = 0

    func error(_ message: String) -> JSONValue.ParseError {
        var line = 1, lineStart = 0
        for k in 0..<min(i, bytes.count) where bytes[k] == 0x0A { line += 1; lineStart = k + 1 }
        let column = String(decoding: bytes[lineStart..<min(i, bytes.count)], as: UTF8.self).count + 1
        return JSONValue.ParseError(line: line, column: column, message: message)
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 200 else { throw error("JSON nested too deeply") }
        guard i < bytes.count else { throw error("unexpected end of JSON") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var pairs: [(String, JSONValue)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':'") }
                i += 1
                skipSpace()
                pairs.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of JSON") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                throw error("expected ',' or '}'")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of JSON") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try keyword("true", .bool(true))
        case UInt8(ascii: "f"): return try keyword("false", .bool(false))
        case UInt8(ascii: "n"): return try keyword("null", .null)
        default:
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            guard i > start, let n = Double(String(decoding: bytes[start..<i], as: UTF8.self)) else {
                i = start
                throw error("unexpected character")
            }
            return .number(n)
        }
    }

    mutating func keyword(_ word: String, _ value: JSONValue) throws -> JSONValue {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw error("unexpected character") }
        i += w.count
        return value
    }

    mutating func string() throws -> String {
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { break }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, var code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else { throw error("bad \\u escape") }
                    i += 4
                    if (0xD800...0xDBFF).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16), (0xDC00...0xDFFF).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    out.append(contentsOf: Array(String(Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}").utf8))
                default: out.append(e)
                }
                continue
            }
            if b < 0x20 { throw error("control character in string") }
            out.append(b)
            i += 1
        }
        throw error("string is never closed")
    }
}
