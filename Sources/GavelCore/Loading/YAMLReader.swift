import Foundation
import Yams

/// A value read from a content file, with where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation
    /// For text written over several lines (a rule in `>-`, `|` or a plain multi-line value): where
    /// runs of its characters stand in the file. Empty when the text is one run from `location`.
    public var pieces: [TextPiece] = []

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// Where the character at `offset` (in Characters) of the text is written.
    public func location(atOffset offset: Int) -> SourceLocation {
        guard let piece = pieces.last(where: { $0.offset <= offset }) else {
            var at = location
            at.column += offset
            return at
        }
        var at = piece.location
        at.column += offset - piece.offset
        return at
    }
}

/// A run of a text's characters that stand one after another on one line of a file.
public struct TextPiece: Hashable, Sendable {
    public var offset: Int
    public var location: SourceLocation
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

/// A YAML mapping whose keys have been checked against the fields a content type knows.
public struct YAMLMap {
    public var location: SourceLocation
    var entries: [(key: String, keyLocation: SourceLocation, value: YAMLNode)]

    public func node(_ key: String) -> YAMLNode? {
        entries.first { $0.key == key }?.value
    }
}

/// Reads YAML into located values and reports every problem into a diagnostic bag, never throwing:
/// one bad field must not hide the others.
public struct YAMLReader {
    public var file: String
    /// The file line on which the YAML text's first line stands.
    public var firstLine: Int
    /// The YAML text, when values must be traced back to it character by character (rules).
    public var text: String?

    public init(file: String, firstLine: Int = 1, text: String? = nil) {
        self.file = file
        self.firstLine = firstLine
        self.text = text
    }

    /// As `string`, with each character traceable to its line and column in the file however the
    /// value was folded over lines: a rule's error lands on the character at fault.
    public func tracedString(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> Located<String>? {
        guard var located = string(map, key, bag: &bag), let node = map.node(key) else { return nil }
        located.pieces = pieces(of: node, value: located.value)
        return located
    }

    /// Matches the value's non-blank characters, in order, against the YAML text from where the
    /// scalar starts; folding only removes indentation and turns line breaks into spaces, so they
    /// appear there in the same order. Stops at the first mismatch (an escape in a quoted value);
    /// later characters are then placed from the last run found.
    func pieces(of node: YAMLNode, value: String) -> [TextPiece] {
        guard let text, case let .scalar(_, style, mark) = node else { return [] }
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { Array($0) }
        var line = mark.line - 1
        var column: Int
        switch style {
        case .literal, .folded: line += 1; column = 0
        case .singleQuoted, .doubleQuoted: column = mark.column
        default: column = mark.column - 1
        }
        var pieces: [TextPiece] = []
        var last: (line: Int, column: Int, offset: Int) = (-1, -1, -1)
        for (offset, c) in value.enumerated() where !c.isWhitespace {
            while line < lines.count {
                if column >= lines[line].count { line += 1; column = 0; continue }
                if lines[line][column].isWhitespace { column += 1; continue }
                break
            }
            guard line < lines.count, lines[line][column] == c else { break }
            if !(line == last.line && column - last.column == offset - last.offset) {
                pieces.append(TextPiece(offset: offset, location: SourceLocation(file: file, line: line + firstLine, column: column + 1)))
            }
            last = (line, column, offset)
            column += 1
        }
        return pieces
    }

    public func location(_ mark: YAMLMark?) -> SourceLocation {
        guard let mark else { return SourceLocation(file: file, line: firstLine, column: 1) }
        return SourceLocation(file: file, line: mark.line + firstLine - 1, column: mark.column)
    }

    func location(yams mark: Mark?) -> SourceLocation { location(mark.map { YAMLMark(line: $0.line, column: $0.column) }) }

    public func location(of node: YAMLNode) -> SourceLocation { location(node.mark) }

    /// Where the text of a scalar starts (after an opening quote, or on the line after a block indicator).
    public func textLocation(of node: YAMLNode) -> SourceLocation {
        var loc = location(of: node)
        if case let .scalar(_, style, _) = node {
            switch style {
            case .singleQuoted, .doubleQuoted: loc.column += 1
            case .literal, .folded: loc.line += 1
            default: break
            }
        }
        return loc
    }

    public func parse(_ yaml: String, bag: inout DiagnosticBag) -> YAMLNode? {
        // A byte-order mark (Windows editors save one) is not YAML; notices already drop it.
        let yaml = yaml.hasPrefix("\u{FEFF}") ? String(yaml.unicodeScalars.dropFirst()) : yaml
        if let tooLarge = YAMLLimits.checkSize(yaml) {
            bag.error(location(nil), tooLarge.message, hint: tooLarge.hint)
            return nil
        }
        if let simple = SimpleYAML.parse(yaml) { return simple }
        guard let limits = YAMLLimits.check(yaml) else {
            return composed(yaml, bag: &bag)
        }
        bag.error(location(YAMLMark(line: limits.line, column: limits.column)), limits.message, hint: limits.hint)
        return nil
    }

    func composed(_ yaml: String, bag: inout DiagnosticBag) -> YAMLNode? {
        do {
            // The basic resolver leaves every scalar as text: Gavel reads dates as court-local text and
            // booleans itself, and resolving YAML 1.1 types by regular expression was a tenth of loading.
            guard let node = try Yams.compose(yaml: yaml, .basic, .default, .utf8) else { return nil }
            var budget = YAMLLimits.nodeBudget(yaml)
            guard let converted = YAMLNode.converting(node, budget: &budget) else {
                let at = YAMLLimits.firstAlias(yaml) ?? YAMLMark(line: 1, column: 1)
                bag.error(location(at), "YAML aliases expand to more than \(YAMLLimits.nodeBudget(yaml)) values",
                          hint: "an alias ('*name') repeats the value anchored with '&name'; aliases of aliases multiply: write the values out")
                return nil
            }
            return converted
        } catch let error as YamlError {
            switch error {
            case let .scanner(context, problem, mark, _):
                // An unclosed quote is found at the end of the text; where it opened is the useful place.
                let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                bag.error(location(yams: context?.mark ?? mark), "invalid YAML: \(what)",
                          hint: problem.contains("end of stream") ? "close the quote or bracket that starts here" : nil)
            case let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
                let what = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
                // An unclosed '[' or '{' is noticed at the next line; where it opens is the useful place.
                if let context, context.text.hasPrefix("while parsing a flow"), problem.hasPrefix("did not find expected") {
                    bag.error(location(yams: context.mark), "invalid YAML: \(what)", hint: "close the bracket that opens here")
                } else {
                    bag.error(location(yams: mark), "invalid YAML: \(what)")
                }
            case let .duplicatedKeysInMapping(duplicates, context):
                for key in duplicates.sorted() {
                    bag.error(secondOccurrence(of: key, in: yaml) ?? location(yams: context.mark), "duplicate field '\(key)'",
                              hint: "each field may appear once; remove one of them")
                }
            case let .reader(problem, _, value, _):
                // libyaml names the character (a control character pasted from a word processor);
                // find where it is rather than pointing at the first line.
                if value >= 0, let at = YAMLLimits.firstScalar(UInt32(value), in: yaml) {
                    let code = String(value, radix: 16, uppercase: true)
                    bag.error(location(at), "invalid YAML: the invisible character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code) is not allowed",
                              hint: "delete it; such characters come from pasting out of a word processor")
                } else {
                    bag.error(location(nil), "invalid YAML: \(problem)")
                }
            default:
                bag.error(location(nil), "invalid YAML: \(error)")
            }
            return nil
        } catch {
            bag.error(location(nil), "invalid YAML: \(error)")
            return nil
        }
    }

    /// Where a key is written for the second time, found in the text (Yams reports duplicates without a place).
    func secondOccurrence(of key: String, in yaml: String) -> SourceLocation? {
        var seen = 0
        for (index, line) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "-" }
            guard trimmed.hasPrefix(key), trimmed.dropFirst(key.count).drop(while: { $0 == " " }).first == ":" else { continue }
            seen += 1
            if seen == 2 {
                return SourceLocation(file: file, line: firstLine + index, column: line.count - trimmed.count + 1)
            }
        }
        return nil
    }

    /// Checks that `node` is a mapping with only `known` keys and every `required` key.
    public func map(_ node: YAMLNode?, what: String, known: [String], required: [String] = [], allowingAny: Bool = false, at fallback: SourceLocation? = nil, bag: inout DiagnosticBag) -> YAMLMap? {
        guard let node else {
            if !required.isEmpty {
                bag.error(fallback ?? location(nil), "\(what) is empty", hint: "required fields: \(required.joined(separator: ", "))")
            }
            return required.isEmpty ? YAMLMap(location: fallback ?? location(nil), entries: []) : nil
        }
        guard case let .mapping(mapping, _) = node else {
            bag.error(location(of: node), "\(what) must be a mapping of fields")
            return nil
        }
        var entries: [(String, SourceLocation, YAMLNode)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            let keyLoc = location(of: keyNode)
            guard let key = keyNode.string else {
                bag.error(keyLoc, "a field name must be plain text")
                continue
            }
            if !seen.insert(key).inserted {
                bag.error(keyLoc, "duplicate field '\(key)' in \(what)")
                continue
            }
            if !allowingAny && !known.contains(key) {
                bag.error(keyLoc, "unknown field '\(key)' in \(what)",
                          hint: DidYouMean.hint(key, among: known) ?? "known fields: \(known.joined(separator: ", "))")
                continue
            }
            entries.append((key, keyLoc, value))
        }
        let result = YAMLMap(location: location(of: node), entries: entries)
        for key in required where result.node(key) == nil || result.node(key)?.isNullScalar == true {
            bag.error(result.location, "missing required field '\(key)' in \(what)")
        }
        return result
    }

    public func string(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> Located<String>? {
        guard let node = map.node(key), !node.isNullScalar else { return nil }
        guard let text = node.string else {
            bag.error(location(of: node), "'\(key)' must be text")
            return nil
        }
        return printable(Located(text, at: textLocation(of: node)), key: key, bag: &bag)
    }

    /// The text, or nil with an error at the character when it holds one no page, feed or calendar
    /// may carry: a control character other than tab and line feed (NUL, a vertical tab, a CR pasted
    /// from a word processor) or the noncharacters U+FFFE and U+FFFF.
    func printable(_ text: Located<String>, key: String, bag: inout DiagnosticBag) -> Located<String>? {
        var loc = text.location
        for c in text.value.unicodeScalars {
            let v = c.value
            if (v < 0x20 && c != "\t" && c != "\n") || v == 0x7F || v == 0xFFFE || v == 0xFFFF {
                let code = String(v, radix: 16, uppercase: true)
                bag.error(loc, "'\(key)' contains the invisible character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)",
                          hint: "delete it; such characters come from pasting out of a word processor, and are not allowed in a page or feed")
                return nil
            }
            if c == "\n" { loc.line += 1; loc.column = 1 } else if !(v >= 0x300 && v < 0x370) { loc.column += 1 }
        }
        return text
    }

    public func bool(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> Bool? {
        guard let node = map.node(key), !node.isNullScalar else { return nil }
        guard case let .scalar(text, .plain, _) = node,
              let value = ["true": true, "yes": true, "on": true, "false": false, "no": false, "off": false][text.lowercased()] else {
            bag.error(location(of: node), "'\(key)' must be true or false")
            return nil
        }
        return value
    }

    public func list(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> [YAMLNode] {
        guard let node = map.node(key), !node.isNullScalar else { return [] }
        guard case let .sequence(sequence, _) = node else {
            bag.error(location(of: node), "'\(key)' must be a list")
            return []
        }
        return Array(sequence)
    }

    public func stringList(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> [Located<String>] {
        list(map, key, bag: &bag).compactMap { item in
            guard let text = item.string else {
                bag.error(location(of: item), "each item of '\(key)' must be text")
                return nil
            }
            return printable(Located(text, at: textLocation(of: item)), key: key, bag: &bag)
        }
    }

    public func localDate(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> Located<LocalDate>? {
        guard let text = string(map, key, bag: &bag) else { return nil }
        guard let date = LocalDate(parsing: text.value) else {
            bag.error(text.location, "'\(text.value)' is not a valid date for '\(key)'", hint: "write a real date as YYYY-MM-DD, in the years 1000 to 9999")
            return nil
        }
        return Located(date, at: text.location)
    }

    public func localDateTime(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> Located<LocalDateTime>? {
        guard let text = string(map, key, bag: &bag) else { return nil }
        guard let value = LocalDateTime(parsing: text.value) else {
            bag.error(text.location, "'\(text.value)' is not a valid local date-time for '\(key)'", hint: "write a real date and time as YYYY-MM-DDTHH:MM, in the court's local time, from \(LocalDateTime.range)")
            return nil
        }
        return Located(value, at: text.location)
    }

    /// A date-time or a day alone, as the court stated it.
    public func statedTime(_ map: YAMLMap, _ key: String, bag: inout DiagnosticBag) -> Located<StatedTime>? {
        guard let text = string(map, key, bag: &bag) else { return nil }
        guard let value = StatedTime(parsing: text.value) else {
            bag.error(text.location, "'\(text.value)' is not a valid date or date-time for '\(key)'",
                      hint: "write a date as YYYY-MM-DD, or a date and local time as YYYY-MM-DDTHH:MM")
            return nil
        }
        return Located(value, at: text.location)
    }

    /// A local date-time that exists in `zone`: one in the spring-forward gap is an error.
    public func existing(_ value: Located<LocalDateTime>?, in zone: TimeZone, bag: inout DiagnosticBag) -> Located<LocalDateTime>? {
        guard let value else { return nil }
        guard !value.value.isSkipped(in: zone) else {
            bag.error(value.location, "\(value.value) does not exist in \(zone.identifier): the clocks skip that hour",
                      hint: "give a time outside the spring-forward gap, such as \(LocalDateTime(date: value.value.date, hour: value.value.hour + 1, minute: value.value.minute)?.description ?? "an hour later")")
            return nil
        }
        return value
    }

    public func existing(_ value: Located<StatedTime>?, in zone: TimeZone, bag: inout DiagnosticBag) -> Located<StatedTime>? {
        guard let value else { return nil }
        if case let .dateTime(local) = value.value, existing(Located(local, at: value.location), in: zone, bag: &bag) == nil { return nil }
        return value
    }
}
