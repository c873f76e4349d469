/// Addresses of the site. A site path has no leading slash: "" is home, "courts/wiwb/" a folder page,
/// "feed.xml" a file. Pages are written to `<path>index.html`.
public struct SiteLinker: Sendable {
    /// Builds for disk point folder links at their index.html.
    public var offline: Bool
    /// The site's own path on its server ("/" or "/nextgen/"), for pages served at any address (404).
    public var basePath: String

    public init(offline: Bool, basePath: String = "/") {
        self.offline = offline
        self.basePath = basePath.hasSuffix("/") ? basePath : basePath + "/"
    }

    /// The output file of a site path.
    public static func file(for path: String) -> String {
        path.isEmpty || path.hasSuffix("/") ? .concatenating(path, "index.html") : path
    }

    /// A link from the page at `from` to `to` (both site paths, `to` may carry #fragment or ?query),
    /// relative so the site works under any base URL and from disk.
    public func href(from: String, to target: String) -> String {
        var path = target
        var suffix = ""
        if let i = Self.suffixStart(target) {
            suffix = String(target[i...])
            path = String(target[..<i])
        }
        if offline && (path.isEmpty || path.hasSuffix("/")) { path += "index.html" }
        if from == "404.html" { return basePath + path + suffix }
        return (Self.relative(from: from, to: path) ?? Self.generalRelative(from: from, to: path)) + suffix
    }

    /// Where a `#fragment` or `?query` starts: the first Character that is `#` or `?`. Found on the
    /// bytes where they are the Characters (see `CharacterBytes`): a link is made hundreds of
    /// thousands of times a build, and a Character at a time this was most of the cost of each.
    static func suffixStart(_ target: String) -> String.Index? {
        let utf8 = target.utf8
        // -1: none; nil: the Characters must decide.
        let found = utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard let i = bytes.firstIndex(where: { $0 == 0x23 || $0 == 0x3F }) else { return -1 }
            return CharacterBytes.standsAlone(bytes, at: i) ? i : nil
        } ?? nil
        if let found { return found < 0 ? nil : utf8.index(utf8.startIndex, offsetBy: found) }
        return target.firstIndex { $0 == "#" || $0 == "?" }
    }

    /// The relative link between any two site paths, by their components.
    static func generalRelative(from: String, to path: String) -> String {
        let fromDir = from.split(separator: "/", omittingEmptySubsequences: true).dropLast(from.hasSuffix("/") || from.isEmpty ? 0 : 1)
        let targetParts = path.split(separator: "/", omittingEmptySubsequences: true)
        let targetIsDir = path.isEmpty || path.hasSuffix("/")
        let targetDir = targetIsDir ? targetParts : targetParts.dropLast()
        var common = 0
        while common < fromDir.count, common < targetDir.count, fromDir[fromDir.startIndex + common] == targetDir[targetDir.startIndex + common] {
            common += 1
        }
        let ups = Array(repeating: "..", count: fromDir.count - common)
        var rest = Array(targetParts.dropFirst(common)).map(String.init)
        if targetIsDir && !rest.isEmpty { rest[rest.count - 1] += "/" }
        let result = (ups.isEmpty ? "" : ups.joined(separator: "/") + "/") + rest.joined(separator: "/")
        return result.isEmpty ? "./" : result
    }

    /// The relative link between two normalised site paths (no leading or doubled slash), worked out
    /// on their bytes: every page links to dozens of others, so this runs hundreds of thousands of
    /// times. Nil for anything else, which the general code handles.
    static func relative(from: String, to path: String) -> String? {
        var from = from, path = path
        return from.withUTF8 { f in path.withUTF8 { t in relative(f, t) } }
    }

    /// `relative` on the paths' bytes (read in place, and the link written straight into its String).
    private static func relative(_ f: UnsafeBufferPointer<UInt8>, _ t: UnsafeBufferPointer<UInt8>) -> String? {
        let slash = UInt8(ascii: "/")
        func normalised(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            guard b.first != slash else { return false }
            var previous: UInt8 = 0
            for byte in b {
                if byte == slash && previous == slash { return false }
                previous = byte
            }
            return true
        }
        guard normalised(f), normalised(t) else { return nil }
        // A page's folder: everything up to its last slash (a folder page ends in one).
        let fromDir = f.lastIndex(of: slash).map { $0 + 1 } ?? 0
        let targetDir = t.lastIndex(of: slash).map { $0 + 1 } ?? 0
        // The longest shared run of whole folders.
        var common = 0
        var i = 0
        while i < fromDir, i < targetDir, f[i] == t[i] {
            if f[i] == slash { common = i + 1 }
            i += 1
        }
        var ups = 0
        for k in common..<fromDir where f[k] == slash { ups += 1 }
        let count = ups * 3 + t.count - common
        guard count > 0 else { return "./" }
        return String(unsafeUninitializedCapacity: count) { out in
            var k = 0
            for _ in 0..<ups {
                out[k] = 0x2E
                out[k + 1] = 0x2E
                out[k + 2] = slash
                k += 3
            }
            for j in common..<t.count {
                out[k] = t[j]
                k += 1
            }
            return k
        }
    }

    /// Resolves a link an author wrote in a page at `from` to a site path, or nil if it leaves the site.
    /// Site paths start with "/"; other relative links are resolved against the page.
    public static func resolve(_ destination: String, from: String) -> String? {
        if let quick = quickResolve(destination) { return quick }
        return generalResolve(destination, from: from)
    }

    /// The two kinds of link most bodies hold, decided on bytes: an address with a scheme
    /// ("https:…", "mailto:…") leaves the site; a plain site path ("/courts/wiwb/") is itself. `.some`
    /// wraps the answer; nil means the general way must decide.
    static func quickResolve(_ destination: String) -> String?? {
        let bytes = Array(destination.utf8)
        guard let first = bytes.first else { return nil }
        let isLetter = (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A
        if isLetter, let colon = bytes.firstIndex(of: 0x3A), !bytes[..<colon].contains(0x2F) { return .some(nil) }
        guard first == 0x2F, bytes.count < 2 || bytes[1] != 0x2F else { return nil }
        let end = bytes.firstIndex { $0 == 0x23 || $0 == 0x3F } ?? bytes.count
        let path = bytes[1..<end]
        // Dot segments and doubled slashes are left to the general way.
        var previous: UInt8 = 0x2F
        for b in path {
            if b == 0x2F && previous == 0x2F { return nil }
            if b == 0x2E && previous == 0x2F { return nil }
            previous = b
        }
        var result = String(decoding: path, as: UTF8.self)
        if result.hasSuffix("index.html") && (result.count == 10 || result.hasSuffix("/index.html")) { result.removeLast(10) }
        return .some(result + String(decoding: bytes[end...], as: UTF8.self))
    }

    static func generalResolve(_ destination: String, from: String) -> String? {
        if destination.isEmpty || destination.hasPrefix("#") { return nil }
        let lower = destination.lowercased()
        if lower.hasPrefix("//") || lower.contains(":") && !lower.hasPrefix("/") && lower.split(separator: "/").first?.contains(":") == true {
            return nil
        }
        var path = destination
        var suffix = ""
        if let i = path.firstIndex(where: { $0 == "#" || $0 == "?" }) {
            suffix = String(path[i...])
            path = String(path[..<i])
        }
        var parts: [Substring]
        if path.hasPrefix("/") {
            parts = []
        } else {
            parts = Array(from.split(separator: "/").dropLast(from.hasSuffix("/") || from.isEmpty ? 0 : 1))
        }
        let isDir = path.hasSuffix("/") || path.isEmpty
        for piece in path.split(separator: "/") {
            switch piece {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(piece)
            }
        }
        var result = parts.joined(separator: "/")
        if isDir && !result.isEmpty { result += "/" }
        if result == "index.html" || result.hasSuffix("/index.html") { result.removeLast("index.html".count) }
        return result + suffix
    }
}
