import Foundation

/// A request's path, decoded strictly: anything that could name a file outside the site is refused
/// before the file system is asked.
struct RequestPath: Equatable, Sendable {
    /// Decoded segments, none empty, none `.` or `..`, none holding `/`, `\` or a control character.
    var segments: [String]
    /// `/courts/wiwb/` (a folder's index) rather than `/courts/wiwb`.
    var trailingSlash: Bool

    enum Rejection: Error, Equatable {
        /// `..`, `.`, an encoded slash or backslash, a NUL or another control character, bad percent-encoding.
        case unsafe
        /// A segment that starts with a dot, such as the output's `.gavel-output` marker: never served.
        case hidden
    }

    /// The path part of a request target (`/a/b?x=1` gives `/a/b`).
    static func pathPart(of target: String) -> Substring {
        let end = target.firstIndex { $0 == "?" || $0 == "#" } ?? target.endIndex
        return target[..<end]
    }

    static func parse(_ raw: Substring) -> Result<RequestPath, Rejection> {
        let bytes = Array(raw.utf8)
        guard bytes.first == UInt8(ascii: "/") else { return .failure(.unsafe) }
        // A raw backslash or NUL is refused whatever follows: some systems read `\` as a separator.
        if bytes.contains(UInt8(ascii: "\\")) || bytes.contains(0) { return .failure(.unsafe) }
        var segments: [String] = []
        var hidden = false
        for rawSegment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let decoded = percentDecode(rawSegment) else { return .failure(.unsafe) }
            if decoded.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 == 0x7F }) {
                return .failure(.unsafe)
            }
            guard let segment = String(validating: decoded, as: UTF8.self) else { return .failure(.unsafe) }
            if segment == "." || segment == ".." { return .failure(.unsafe) }
            if segment.hasPrefix(".") { hidden = true }
            segments.append(segment)
        }
        if hidden { return .failure(.hidden) }
        return .success(RequestPath(segments: segments, trailingSlash: bytes.last == UInt8(ascii: "/")))
    }

    /// `%XX` decoding that fails on a stray `%` rather than guessing.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex,
                      let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(b)
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The canonical address of this path as a folder, percent-encoded: the target of a 301.
    var folderAddress: String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%;")
        let encoded = segments.map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }
        return "/" + encoded.map { $0 + "/" }.joined()
    }
}
