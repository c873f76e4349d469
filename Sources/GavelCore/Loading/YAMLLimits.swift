/// Bounds on YAML that Yams (and libyaml under it) would otherwise spend without limit on: text
/// larger than any front matter or court.yml, brackets nested deep enough to overflow the stack of
/// Yams' recursive composer, and aliases that expand exponentially.
enum YAMLLimits {
    /// The largest YAML text read: front matter and court.yml are a few kilobytes.
    static let maxBytes = 1 << 20
    /// The deepest nesting of flow collections (`[` and `{`).
    static let maxFlowDepth = 100

    struct Violation {
        var line: Int
        var column: Int
        var message: String
        var hint: String?
    }

    /// A text too large to be read, located at its start.
    static func checkSize(_ yaml: String) -> Violation? {
        guard yaml.utf8.count > maxBytes else { return nil }
        return Violation(line: 1, column: 1, message: "YAML is larger than \(maxBytes / 1024) KiB (\(yaml.utf8.count / 1024) KiB)",
                         hint: "front matter and court.yml hold short fields; put long text in the body")
    }

    /// Nesting deeper than the limit, at the bracket that passes it.
    static func check(_ yaml: String) -> Violation? {
        // Brackets inside quotes or comments are skipped, roughly as the scanner would: a plain
        // scalar holding a "[" only makes this count higher, never lower, and the limit is generous.
        var depth = 0, line = 1, column = 0
        var quote: Unicode.Scalar?
        var comment = false
        var previous: Unicode.Scalar = "\n"
        for c in yaml.unicodeScalars {
            column += 1
            defer { previous = c }
            if c == "\n" {
                line += 1
                column = 0
                comment = false
                continue
            }
            if comment { continue }
            if let q = quote {
                if c == q { quote = nil }
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "#" where previous == " " || previous == "\t" || previous == "\n": comment = true
            case "[", "{":
                depth += 1
                if depth > maxFlowDepth {
                    return Violation(line: line, column: column, message: "YAML nests lists or mappings more than \(maxFlowDepth) deep",
                                     hint: "content fields are never nested this deep")
                }
            case "]", "}": depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }

    /// How many nodes a tree of `yaml` may hold: more than text without aliases can make (a node
    /// takes at least one character, or two for an implicit null), so only aliases reach it.
    static func nodeBudget(_ yaml: String) -> Int { 2 * yaml.utf8.count + 64 }

    /// Where the first `value` scalar is written (columns count scalars, as libyaml's do).
    static func firstScalar(_ value: UInt32, in yaml: String) -> YAMLMark? {
        var line = 1, column = 0
        for c in yaml.unicodeScalars {
            column += 1
            if c.value == value { return YAMLMark(line: line, column: column) }
            if c == "\n" { line += 1; column = 0 }
        }
        return nil
    }

    /// Where the first alias (`*name` after a space, bracket, comma or line start) is written.
    static func firstAlias(_ yaml: String) -> YAMLMark? {
        var line = 1, column = 0
        var previous: Unicode.Scalar = "\n"
        for c in yaml.unicodeScalars {
            column += 1
            if c == "*", [" ", "[", "{", ",", "\n", "\t"].contains(previous) { return YAMLMark(line: line, column: column) }
            if c == "\n" { line += 1; column = 0 }
            previous = c
        }
        return nil
    }
}
