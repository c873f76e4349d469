import Foundation

/// How diagnostics are printed: for people, for tools reading JSON, or as GitHub Actions annotations.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case text, json, github

    public func render(_ diagnostics: [Diagnostic]) -> String {
        let sorted = diagnostics.sorted()
        switch self {
        case .text:
            return sorted.map { d in
                var line = "\(d.location.file):\(d.location.line):\(d.location.column): \(d.severity.rawValue): \(d.message)"
                if let hint = d.hint { line += "\n  hint: \(hint)" }
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
                let message = (d.hint.map { "\(d.message) (hint: \($0))" } ?? d.message)
                    .replacingOccurrences(of: "%", with: "%25")
                    .replacingOccurrences(of: "\n", with: "%0A")
                return "::\(d.severity.rawValue) file=\(d.location.file),line=\(d.location.line),col=\(d.location.column)::\(message)"
            }.joined(separator: "\n") + (sorted.isEmpty ? "" : "\n")
        }
    }
}
