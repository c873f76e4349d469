/// The default theme, carried inside the binary. `BuiltInThemeFiles.swift`, which fills in
/// `BuiltInTheme.entries`, is generated from the repository's `Templates/` by the EmbedTheme build
/// plugin at every build; it is never committed.
public enum BuiltInTheme {
    /// One theme file as the generator wrote it: text files as they are (escaped into a literal),
    /// anything that is not UTF-8 as base64.
    struct Entry {
        enum Encoding { case text, base64 }
        var path: StaticString
        var encoding: Encoding
        var contents: StaticString
    }

    /// Every file of the default theme, by its path inside `Templates/`, sorted by path.
    public static var files: [(path: String, bytes: [UInt8])] {
        entries.map { entry in
            let path = entry.path.withUTF8Buffer { String(decoding: $0, as: UTF8.self) }
            let raw = entry.contents.withUTF8Buffer { Array($0) }
            switch entry.encoding {
            case .text: return (path, raw)
            case .base64: return (path, Base64.decode(raw))
            }
        }
    }
}

/// Base64 decoding for the generator's own output, which is always well formed: Foundation is kept
/// out of this target so that it stays quick to compile.
enum Base64 {
    static func decode(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var buffer: UInt32 = 0, bits = 0
        for c in text {
            let value: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: continue
            }
            buffer = buffer << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
