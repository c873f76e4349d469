/// A Markdown file split into its YAML front matter and its body, keeping line numbers.
public struct FrontMatterDocument: Sendable {
    /// The YAML between the `---` fences.
    public var yaml: String
    /// The line of the file on which the YAML's first line stands.
    public var yamlFirstLine: Int
    public var body: String
    /// The line of the file on which the body's first line stands.
    public var bodyFirstLine: Int

    public static func split(_ file: SourceFile) -> Result<FrontMatterDocument, Diagnostic> {
        var lines = file.text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.last == "\r" ? line.dropLast() : line
        }
        let hasBOM = lines.first?.hasPrefix("\u{FEFF}") ?? false
        if hasBOM, let first = lines.first { lines[0] = first.dropFirst() }
        guard lines.first.map({ $0.trimmingTrailingSpaces() == "---" }) == true else {
            return .failure(.error(SourceLocation(file: file.path), "missing front matter",
                                   hint: "start the file with a line '---', the YAML fields, and another line '---'"))
        }
        guard let close = lines.indices.dropFirst().first(where: { lines[$0].trimmingTrailingSpaces() == "---" || lines[$0].trimmingTrailingSpaces() == "..." }) else {
            return .failure(.error(SourceLocation(file: file.path), "front matter is never closed",
                                   hint: "add a line '---' after the last front matter field"))
        }
        let yaml = lines[1..<close].joined(separator: "\n")
        let body = lines[(close + 1)...].joined(separator: "\n")
        return .success(FrontMatterDocument(yaml: yaml, yamlFirstLine: 2, body: body, bodyFirstLine: close + 2))
    }
}

extension Substring {
    func trimmingTrailingSpaces() -> Substring {
        var s = self
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}
