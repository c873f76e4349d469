import Foundation

/// How diagnostics are printed: for people, for tools reading JSON, or as GitHub Actions annotations.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case text, json, github

    public func render(_ diagnostics: [Diagnostic]) -> String {
        let sorted = diagnostics.sorted()
        switch self {
        case .text:
            return sorted.map { d in
                // One diagnostic, one line (and its hint's): a newline in a file name or a quoted
                // value must not start what reads as another diagnostic.
                let file = Self.visible(d.location.file)
                var line = "\(file):\(d.location.line):\(d.location.column): \(d.severity.rawValue): \(Self.visible(d.message))"
                if let hint = d.hint { line += "\n  hint: \(Self.visible(hint))" }
                return line
            }.joined(separator: "\n") + (sorted.isEmpty ? "" : "\n")
        case .json:
            let items: [[String: Any]] = sorted.map { d in
                var item: [String: Any] = [
                    "file": d.location.file, "line": d.location.line, "column": d.location.column,
                    "severity": d.severity.rawValue, "message": d.message,
                ]
                item["hint"] = d.hint ?? NSNull()
                return item
            }
            let data = (try? JSONSerialization.data(withJSONObject: ["diagnostics": items], options: [.sortedKeys, .prettyPrinted])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        case .github:
            return sorted.map { d in
                let message = Self.workflowData(d.hint.map { "\(d.message) (hint: \($0))" } ?? d.message)
                let file = Self.workflowProperty(d.location.file)
                return "::\(d.severity.rawValue) file=\(file),line=\(d.location.line),col=\(d.location.column)::\(message)"
            }.joined(separator: "\n") + (sorted.isEmpty ? "" : "\n")
        }
    }

    /// A workflow command's message: '%', CR and LF are escaped (GitHub's `escapeData`).
    static func workflowData(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A workflow command's property value: as a message, and ':' and ',' too (`escapeProperty`).
    static func workflowProperty(_ s: String) -> String {
        workflowData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// Text with its control characters written as escapes, so it stays on one line of a terminal.
    static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where c.value < 0x20 || c.value == 0x7F: out += "\\u{\(String(c.value, radix: 16))}"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
