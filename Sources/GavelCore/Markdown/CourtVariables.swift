import Foundation

/// Fills `{{court.<field>}}` in a Markdown body from court.yml, so a date or phone number has one source.
public struct CourtVariables: Sendable {
    public let court: Court
    /// Every name a body can use, with its value already escaped for Markdown: worked out once per
    /// court rather than once per `{{…}}` (a go-live date takes a time-zone conversion to format).
    private let escaped: [String: String]

    public init(court: Court) {
        self.court = court
        var names = ["name", "short_name", "id", "kind", "timezone", "go_live"] + court.dates.map { "dates." + $0.name }
        for i in court.downtime.indices { names += ["title", "start", "end"].map { "downtime.\(i).\($0)" } }
        for i in court.contacts.indices { names += ["label", "phone", "email", "hours"].map { "contacts.\(i).\($0)" } }
        var table: [String: String] = [:]
        for name in names {
            if let value = Self.value(name, court: court) { table[name] = Self.escapeMarkdown(value) }
        }
        escaped = table
    }

    /// `trimmingCharacters(in: .whitespaces)` (Unicode's spaces and the tab), done on the bytes where the
    /// text is ASCII, as a tag's name is: the only such spaces there are the space and the tab, and
    /// Foundation's way took 2% of a full build's CPU at 10,000 notices.
    static func trimmingSpaces(_ text: String) -> String {
        var text = text
        let kept: Range<Int>? = text.withUTF8 { bytes in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var start = 0, end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return start..<end
        }
        guard let kept else { return text.trimmingCharacters(in: .whitespaces) }
        guard kept.count < text.utf8.count else { return text }
        return text.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[kept]), as: UTF8.self) }
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
            return court.goLive.map { $0.text(clock: court.clock) } ?? (court.live ? "already live" : court.goLiveNote ?? "not yet scheduled")
        case "dates" where parts.count == 2:
            return court.date(named: parts[1]).map { $0.text(clock: court.clock) }
        case "downtime" where parts.count == 3:
            guard let i = Int(parts[1]), court.downtime.indices.contains(i) else { return nil }
            let w = court.downtime[i]
            switch parts[2] {
            case "title": return w.title
            case "start": return PeopleTime.format(w.start.instant(in: court.timeZone), clock: court.clock)
            case "end": return w.end.map { $0.text(clock: court.clock) } ?? w.endNote
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

    /// True when `path` is a name court data can have, whether or not this court has it.
    static func isName(_ path: String) -> Bool {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("name", 1), ("short_name", 1), ("id", 1), ("kind", 1), ("timezone", 1), ("go_live", 1): return true
        case ("dates", 2): return ContentLoader.isDateName(parts[1])
        case ("downtime", 2), ("contacts", 2): return Int(parts[1]) != nil
        case ("downtime", 3): return Int(parts[1]) != nil && ["title", "start", "end"].contains(parts[2])
        case ("contacts", 3): return Int(parts[1]) != nil && ["label", "phone", "email", "hours"].contains(parts[2])
        default: return false
        }
    }

    /// Whether this court has `path`, for a section: `{{#court.contacts.0}}` shows its text when the
    /// court has a first contact, `{{^court.go_live}}` when it gives no go-live date.
    func has(_ path: String) -> Bool {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("go_live", 1): return court.goLive != nil
        case ("downtime", 2): return Int(parts[1]).map { court.downtime.indices.contains($0) } ?? false
        case ("contacts", 2): return Int(parts[1]).map { court.contacts.indices.contains($0) } ?? false
        default: return escaped[path] != nil
        }
    }

    /// Replaces every `{{court.…}}` in `source`, and keeps the text of a section (`{{#court.x}}…{{/court.x}}`,
    /// `{{^court.x}}…{{/court.x}}`) only when the court has (or lacks) `x`. An unknown name, a name this
    /// court lacks outside a section, and a section never closed are reported at their line and column.
    /// `markdown: false` fills plain text (titles and summaries), unescaped.
    public func fill(_ source: MarkdownSource, markdown: Bool = true, bag: inout DiagnosticBag) -> String {
        var text = source.text
        text.makeContiguousUTF8()
        let brace = UInt8(ascii: "{"), closing = UInt8(ascii: "}")
        return text.utf8.withContiguousStorageIfAvailable { bytes -> String in
            var out: [UInt8] = []
            var run = 0
            var cursor = BodyCursor(source: source)
            var i = 0
            var changed = false
            // Open sections: name, where it opened, and whether its text is kept.
            var open: [(name: String, at: Int, keep: Bool)] = []
            var dropping: Int { open.lastIndex { !$0.keep }.map { _ in 1 } ?? 0 }
            func flush(to end: Int) {
                if dropping == 0 { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<end])) }
            }
            while i + 1 < bytes.count {
                // To the next "{" (memchr: most of a body has none; a byte at a time, the scan was about
                // 1% of a full build's CPU), then a look at the byte after it.
                guard let found = FileIO.index(of: brace, in: bytes, from: i, to: bytes.count - 1) else { break }
                i = found
                guard bytes[i + 1] == brace else { i += 1; continue }
                var j = i + 2
                while j + 1 < bytes.count, !(bytes[j] == closing && bytes[j + 1] == closing), bytes[j] != 0x0A { j += 1 }
                // No "}}" before the line ends: no later "{{" on this stretch can find one either, so
                // skip it (scanning again from each "{{" made a line of them quadratic).
                guard j + 1 < bytes.count, bytes[j] == closing, bytes[j + 1] == closing else { i = max(i + 1, j); continue }
                // Most bodies have no variables: the output is only built once one is found.
                if !changed { out.reserveCapacity(bytes.count + 64); changed = true }
                flush(to: i)
                let inner = Self.trimmingSpaces(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 2)..<j]), as: UTF8.self))
                let marker = inner.first
                let name = marker == "#" || marker == "^" || marker == "/" ? Self.trimmingSpaces(String(inner.dropFirst())) : inner
                let path = name.hasPrefix("court.") ? String(name.dropFirst("court.".count)) : nil
                switch marker {
                case "#", "^":
                    if let path, Self.isName(path) {
                        open.append((name, i, (marker == "#") == has(path)))
                    } else {
                        report(name, at: i, bytes: bytes, cursor: &cursor, bag: &bag)
                        open.append((name, i, false))
                    }
                case "/":
                    if let last = open.last, last.name == name {
                        open.removeLast()
                    } else {
                        bag.error(cursor.location(of: i, in: bytes), "'{{/\(name)}}' closes no open section",
                                  hint: open.last.map { "the open section is '{{#\($0.name)}}': close it with {{/\($0.name)}}" } ?? "open it first with {{#\(name)}}")
                    }
                default:
                    if dropping == 0 {
                        if let path, let value = escaped[path] {
                            out.append(contentsOf: (markdown ? value : (Self.value(path, court: court) ?? value)).utf8)
                        } else {
                            report(name, at: i, bytes: bytes, cursor: &cursor, bag: &bag)
                        }
                    } else if !(path.map(Self.isName) ?? false) {
                        // Inside a section left out, a name the court lacks is fine; a misspelt one is not.
                        report(name, at: i, bytes: bytes, cursor: &cursor, bag: &bag)
                    }
                }
                i = j + 2
                run = i
            }
            for section in open {
                bag.error(cursor.location(of: section.at, in: bytes), "section '{{#\(section.name)}}' is never closed",
                          hint: "end it with {{/\(section.name)}}")
            }
            guard changed else { return text }
            flush(to: bytes.count)
            return String(decoding: out, as: UTF8.self)
        } ?? text
    }

    /// True when `text` has `{{`, looked for in its bytes (Foundation's `contains` goes through
    /// CFString, a measurable cost over ten thousand notices' titles and summaries).
    static func mayName(_ text: String) -> Bool {
        // Every title and summary is asked on every build: searched in place when the text is contiguous.
        if let found = text.utf8.withContiguousStorageIfAvailable({ mayName(utf8: $0) }) {
            return found
        }
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{"), previous == byte { return true }
            previous = byte
        }
        return false
    }

    /// The same, for text as UTF-8 bytes (as the notice index keeps a title: a byte the decoding would
    /// replace is never a `{`, so the bytes have `{{` exactly when the text does).
    static func mayName(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var from = 0
        // memchr to each "{", then a look at the byte after it.
        while let at = FileIO.index(of: UInt8(ascii: "{"), in: bytes, from: from, to: bytes.count - 1) {
            if bytes[at + 1] == UInt8(ascii: "{") { return true }
            from = at + 1
        }
        return false
    }

    /// A title or summary with court data filled in, as plain text.
    public func fillText(_ text: String, file: String, bag: inout DiagnosticBag) -> String {
        guard Self.mayName(text) else { return text }
        return fill(MarkdownSource(text: text, file: file, firstLine: 1), markdown: false, bag: &bag)
    }

    func report(_ name: String, at offset: Int, bytes: UnsafeBufferPointer<UInt8>, cursor: inout BodyCursor, bag: inout DiagnosticBag) {
        let location = cursor.location(of: offset, in: bytes)
        guard name.hasPrefix("court.") else {
            bag.error(location, "unknown variable '\(name)'", hint: "only court data can be named, as {{court.<field>}}")
            return
        }
        let path = String(name.dropFirst("court.".count))
        if Self.isName(path) {
            let holder = path.split(separator: ".").prefix(2).joined(separator: ".")
            bag.error(location, "court '\(court.id)' has no '\(name)'",
                      hint: "show it only where there is one: {{#court.\(holder)}}…{{/court.\(holder)}}")
        } else {
            bag.error(location, "unknown court variable '\(name)' for court '\(court.id)'",
                      hint: DidYouMean.hint(name, among: Self.knownPaths.map { "court." + $0 }) ?? "known: court.name, court.go_live, court.contacts.0.phone, …")
        }
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
        @inline(__always) func special(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x5C, 0x60, 0x2A, 0x5F, 0x5B, 0x5D, 0x3C, 0x3E, 0x23, 0x7C, 0x21: true
            default: false
            }
        }
        // On the bytes where they are the Characters (see `CharacterBytes`): every court's values are
        // escaped for each page of it that fills them (1.5% of a full build's instructions, a
        // Character at a time).
        var text = s
        let escaped = text.withUTF8 { bytes -> String? in
            guard bytes.contains(where: special) else { return s }
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 8)
            guard CharacterBytes.replacing(bytes, where: special, into: &out, by: { byte, out in out += [0x5C, byte] }) else { return nil }
            return String(decoding: out, as: UTF8.self)
        }
        if let escaped { return escaped }
        var out = ""
        for c in s {
            if "\\`*_[]<>#|!".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}
