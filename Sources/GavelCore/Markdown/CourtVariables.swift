import Foundation

/// Fills `{{court.<field>}}` in a Markdown body from court.yml, so a date or phone number has one source.
public struct CourtVariables: Sendable {
    public var court: Court

    public init(court: Court) { self.court = court }

    /// The value of a variable path such as `go_live` or `contacts.0.phone`; nil when it names nothing.
    /// An absent go-live date is a known name that reads "not yet scheduled".
    public func value(_ path: String) -> String? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "name" where parts.count == 1: return court.name
        case "short_name" where parts.count == 1: return court.shortName
        case "id" where parts.count == 1: return court.id
        case "kind" where parts.count == 1: return court.kind.rawValue
        case "timezone" where parts.count == 1: return court.timeZone.identifier
        case "go_live" where parts.count == 1:
            return court.goLiveInstant.map { PeopleTime.format($0, in: court.timeZone) } ?? "not yet scheduled"
        case "downtime" where parts.count == 3:
            guard let i = Int(parts[1]), court.downtime.indices.contains(i) else { return nil }
            let w = court.downtime[i]
            switch parts[2] {
            case "title": return w.title
            case "start": return PeopleTime.format(w.start.instant(in: court.timeZone), in: court.timeZone)
            case "end": return PeopleTime.format(w.end.instant(in: court.timeZone), in: court.timeZone)
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
        guard source.text.contains("{{") else { return source.text }
        var out = ""
        var line = source.firstLine
        var column = 1
        var rest = Substring(source.text)
        while let open = rest.range(of: "{{") {
            let before = rest[rest.startIndex..<open.lowerBound]
            out += before
            for c in before {
                if c == "\n" { line += 1; column = 1 } else { column += 1 }
            }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                rest = rest[rest.endIndex...]
                break
            }
            let inner = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            let location = SourceLocation(file: source.file, line: line, column: column)
            if inner.hasPrefix("court.") {
                let path = String(inner.dropFirst("court.".count))
                if let value = value(path) {
                    out += Self.escapeMarkdown(value)
                } else {
                    bag.error(location, "unknown court variable '\(inner)' for court '\(court.id)'",
                              hint: DidYouMean.hint(inner, among: Self.knownPaths.map { "court." + $0 }) ?? "known: court.name, court.go_live, court.contacts.0.phone, …")
                }
            } else {
                bag.error(location, "unknown variable '\(inner)'", hint: "only court data can be named, as {{court.<field>}}")
            }
            let consumed = rest[open.lowerBound..<close.upperBound]
            for c in consumed {
                if c == "\n" { line += 1; column = 1 } else { column += 1 }
            }
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
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
