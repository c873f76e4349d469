import Foundation

/// Fills `{{court.<field>}}` in a Markdown body from court.yml, so a date or phone number has one source.
public struct CourtVariables: Sendable {
    public let court: Court
    /// Every name a body can use, with its value already escaped for Markdown: worked out once per
    /// court rather than once per `{{…}}` (a go-live date takes a time-zone conversion to format).
    private let escaped: [String: String]

    public init(court: Court) {
        self.court = court
        var names = ["name", "short_name", "id", "kind", "timezone", "go_live"]
        for i in court.downtime.indices { names += ["title", "start", "end"].map { "downtime.\(i).\($0)" } }
        for i in court.contacts.indices { names += ["label", "phone", "email", "hours"].map { "contacts.\(i).\($0)" } }
        var table: [String: String] = [:]
        for name in names {
            if let value = Self.value(name, court: court) { table[name] = Self.escapeMarkdown(value) }
        }
        escaped = table
    }

    /// The value of a variable path such as `go_live` or `contacts.0.phone`; nil when it names nothing.
    /// An absent go-live date is a known name that reads "not yet scheduled".
    static func value(_ path: String, court: Court) -> String? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "name" where parts.count == 1: return court.name
        case "short_name" where parts.count == 1: return court.shortName
        case "id" where parts.count == 1: return court.id
        case "kind" where parts.count == 1: return court.kind.rawValue
        case "timezone" where parts.count == 1: return court.timeZone.identifier
        case "go_live" where parts.count == 1:
            return court.goLiveInstant.map { PeopleTime.format($0, clock: court.clock) } ?? "not yet scheduled"
        case "downtime" where parts.count == 3:
            guard let i = Int(parts[1]), court.downtime.indices.contains(i) else { return nil }
            let w = court.downtime[i]
            switch parts[2] {
            case "title": return w.title
            case "start": return PeopleTime.format(w.start.instant(in: court.timeZone), clock: court.clock)
            case "end": return PeopleTime.format(w.end.instant(in: court.timeZone), clock: court.clock)
            default: return nil
            }
        case "contacts" where parts.count == 3:
            guard let i = Int(parts[1]), court.contacts.indices.contains(i) else { return nil }
            let c = court.contacts[i]
            switch parts[2] {
            case "label": return c.label
            case "phone": return c.phone
            case "email": return c.email
            case "hours": return c.hours
            default: return nil
            }
        default: return nil
        }
    }

    static let knownPaths = ["name", "short_name", "id", "kind", "timezone", "go_live",
                             "downtime.0.start", "downtime.0.end", "downtime.0.title",
                             "contacts.0.label", "contacts.0.phone", "contacts.0.email", "contacts.0.hours"]

    /// Replaces every `{{court.…}}` in `source`; an unknown name is reported at its line and column.
    public func fill(_ source: MarkdownSource, bag: inout DiagnosticBag) -> String {
        var text = source.text
        text.makeContiguousUTF8()
        let brace = UInt8(ascii: "{"), closing = UInt8(ascii: "}")
        return text.utf8.withContiguousStorageIfAvailable { bytes -> String in
            var out: [UInt8] = []
            var run = 0
            var cursor = BodyCursor(source: source)
            var i = 0
            while i + 1 < bytes.count {
                guard bytes[i] == brace, bytes[i + 1] == brace else { i += 1; continue }
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == closing && bytes[j + 1] == closing), bytes[j] != 0x0A { j += 1 }
                // No "}}" before the line ends: no later "{{" on this stretch can find one either, so
                // skip it (scanning again from each "{{" made a line of them quadratic).
                guard j + 1 < bytes.count, bytes[j] == closing, bytes[j + 1] == closing else { i = max(i + 1, j); continue }
                // Most bodies have no variables: the output is only built once one is found.
                if out.isEmpty { out.reserveCapacity(bytes.count + 64) }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                let inner = String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 2)..<j]), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                if inner.hasPrefix("court."), let value = escaped[String(inner.dropFirst("court.".count))] {
                    out.append(contentsOf: value.utf8)
                } else {
                    let location = cursor.location(of: i, in: bytes)
                    if inner.hasPrefix("court.") {
                        bag.error(location, "unknown court variable '\(inner)' for court '\(court.id)'",
                                  hint: DidYouMean.hint(inner, among: Self.knownPaths.map { "court." + $0 }) ?? "known: court.name, court.go_live, court.contacts.0.phone, …")
                    } else {
                        bag.error(location, "unknown variable '\(inner)'", hint: "only court data can be named, as {{court.<field>}}")
                    }
                }
                i = j + 2
                run = i
            }
            guard run > 0 else { return text }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    /// Turns byte offsets of a body into lines and columns, moving forward only: errors are found in
    /// order, so a body with thousands of them is walked once rather than once per error.
    struct BodyCursor {
        let source: MarkdownSource
        var offset = 0
        var line: Int
        var lineStart = 0
        /// The column (in characters) at `offset`, counted from `lineStart`.
        var column = 1

        init(source: MarkdownSource) {
            self.source = source
            line = source.firstLine
        }

        mutating func location(of target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceLocation {
            if target < offset { self = BodyCursor(source: source) }
            var k = offset
            while k < target {
                if bytes[k] == 0x0A {
                    line += 1
                    lineStart = k + 1
                    column = 1
                    offset = k + 1
                }
                k += 1
            }
            if offset < target {
                column += String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<target]), as: UTF8.self).count
                offset = target
            }
            return SourceLocation(file: source.file, line: line, column: column)
        }
    }

    /// Court data is plain text: keep Markdown from reading it as markup.
    static func escapeMarkdown(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\`*_[]<>#|!".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
