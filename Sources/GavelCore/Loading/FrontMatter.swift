/// A Markdown file split into its YAML front matter and its body, keeping line numbers.
public struct FrontMatterDocument: Sendable {
    /// The YAML between the `---` fences.
    public var yaml: String
    /// The line of the file on which the YAML's first line stands.
    public var yamlFirstLine: Int
    public var body: String
    /// The line of the file on which the body's first line stands.
    public var bodyFirstLine: Int
    /// Where the body starts in the file's bytes, so it can be read again later.
    public var bodyOffset: Int = 0

    /// Finds the fences in the file's UTF-8 bytes: this runs once per notice, tens of thousands of times.
    public static func split(_ file: SourceFile) -> Result<FrontMatterDocument, Diagnostic> {
        var text = file.text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Result<FrontMatterDocument, Diagnostic> in
            var start = 0
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
            // A line [from, to) without its line break, and where the next line starts.
            func line(at from: Int) -> (end: Int, next: Int) {
                var i = from
                while i < bytes.count, bytes[i] != 0x0A { i += 1 }
                let end = i > from && bytes[i - 1] == 0x0D ? i - 1 : i
                return (end, min(i + 1, bytes.count))
            }
            func isFence(_ from: Int, _ end: Int) -> Bool {
                var e = end
                while e > from, bytes[e - 1] == 0x20 || bytes[e - 1] == 0x09 { e -= 1 }
                guard e - from == 3 else { return false }
                let dash = UInt8(ascii: "-"), dot = UInt8(ascii: ".")
                return (bytes[from] == dash && bytes[from + 1] == dash && bytes[from + 2] == dash)
                    || (from != start && bytes[from] == dot && bytes[from + 1] == dot && bytes[from + 2] == dot)
            }
            let first = line(at: start)
            guard isFence(start, first.end) else {
                return .failure(.error(SourceLocation(file: file.path), "missing front matter",
                                       hint: "start the file with a line '---', the YAML fields, and another line '---'"))
            }
            var lineNumber = 2
            var cursor = first.next
            let yamlStart = cursor
            while cursor < bytes.count {
                let current = line(at: cursor)
                if isFence(cursor, current.end) {
                    let yaml = String(decoding: UnsafeBufferPointer(rebasing: bytes[yamlStart..<cursor]), as: UTF8.self)
                    let body = String(decoding: UnsafeBufferPointer(rebasing: bytes[current.next..<bytes.count]), as: UTF8.self)
                    return .success(FrontMatterDocument(yaml: yaml, yamlFirstLine: 2, body: body, bodyFirstLine: lineNumber + 1, bodyOffset: current.next))
                }
                if current.next == cursor { break }
                cursor = current.next
                lineNumber += 1
            }
            return .failure(.error(SourceLocation(file: file.path), "front matter is never closed",
                                   hint: "add a line '---' after the last front matter field"))
        } ?? .failure(.error(SourceLocation(file: file.path), "cannot read file"))
    }
}
