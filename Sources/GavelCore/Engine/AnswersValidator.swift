/// Checks an answers document against the site's facts, steps and courts, for `gavel eval`.
public struct AnswersValidator {
    public var content: SiteContent
    public var file: String
    /// The text of the answers file, to point at the line of a bad answer.
    public var text: String

    /// Where each JSON string of the file is first written, keyed by its text as written with its
    /// quotes: found in one pass, so thousands of bad answers cost no more than reading the file.
    let written: [String: SourceLocation]

    public init(content: SiteContent, file: String, text: String) {
        self.content = content
        self.file = file
        self.text = text
        written = Self.strings(in: text, file: file)
    }

    /// Finds where `"key"` is written, so a message can name a line and column.
    func location(of key: String) -> SourceLocation {
        var quoted = ""
        JSONValue.writeString(key, into: &quoted)
        return written[quoted] ?? SourceLocation(file: file)
    }

    static func strings(in text: String, file: String) -> [String: SourceLocation] {
        var found: [String: SourceLocation] = [:]
        var line = 1, column = 1
        var current: String?
        var escaped = false
        var start = SourceLocation(file: file)
        for c in text {
            if current != nil {
                // Appended in place: copying the text so far for each character was quadratic.
                current?.append(c)
                if escaped {
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"", let s = current {
                    if found[s] == nil { found[s] = start }
                    current = nil
                }
            } else if c == "\"" {
                current = "\""
                start = SourceLocation(file: file, line: line, column: column)
            }
            if c.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return found
    }

    public func validate(_ answers: Answers, bag: inout DiagnosticBag) {
        for court in answers.courts where !content.courts.contains(where: { $0.id == court }) {
            bag.error(location(of: court), "unknown court '\(court)'", hint: DidYouMean.hint(court, among: content.courts.map(\.id)))
        }
        for (fact, value) in answers.person.sorted(by: { $0.key < $1.key }) {
            check(fact, value, expectedScope: .person, court: nil, bag: &bag)
        }
        for (court, map) in answers.perCourt.sorted(by: { $0.key < $1.key }) {
            guard content.courts.contains(where: { $0.id == court }) else {
                bag.error(location(of: court), "unknown court '\(court)' in 'court_answers'", hint: DidYouMean.hint(court, among: content.courts.map(\.id)))
                continue
            }
            for (fact, value) in map.sorted(by: { $0.key < $1.key }) {
                check(fact, value, expectedScope: .court, court: court, bag: &bag)
            }
        }
    }

    func check(_ fact: String, _ value: JSONValue, expectedScope: Scope, court: String?, bag: inout DiagnosticBag) {
        let at = location(of: fact)
        let type: FactType
        let scope: Scope
        var options: [String] = []
        if fact.hasPrefix("done.") {
            let step = String(fact.dropFirst(5))
            guard let module = content.steps[step] else {
                bag.error(at, "unknown step '\(step)' in '\(fact)'", hint: DidYouMean.hint(step, among: content.steps.keys).map { "did you mean 'done.\($0)'?" })
                return
            }
            // Only a step without done_if has a checkbox to record; the others are done by their rule.
            if let rule = module.rules[.doneIf] {
                bag.error(at, "step '\(step)' has no checkbox, so '\(fact)' is not an answer",
                          hint: "it is done when \(rule.value); answer the facts that rule names instead")
                return
            }
            type = .boolean
            scope = module.scope
        } else {
            guard let definition = content.fact(fact) else {
                bag.error(at, "unknown fact '\(fact)'", hint: DidYouMean.hint(fact, among: content.facts.map(\.id)))
                return
            }
            type = definition.type
            scope = definition.scope
            options = definition.options
        }
        if scope != expectedScope {
            bag.error(at, scope == .court ? "'\(fact)' is asked per court: put it in 'court_answers'" : "'\(fact)' is asked once: put it in 'answers', not 'court_answers'")
            return
        }
        let ok: Bool
        switch (type, value) {
        case (.boolean, .bool), (.number, .number), (.text, .string): ok = true
        case let (.date, .string(s)): ok = LocalDate(parsing: s) != nil
        case let (.choice, .string(s)):
            if !options.contains(s) {
                bag.error(at, "\"\(s)\" is not an option of '\(fact)'",
                          hint: DidYouMean.suggest(s, among: options).map { "did you mean \"\($0)\"?" } ?? "options: \(options.joined(separator: ", "))")
                return
            }
            ok = true
        default: ok = false
        }
        if !ok {
            let expected: String
            switch type {
            case .boolean: expected = "true or false"
            case .number: expected = "a number"
            case .text: expected = "text"
            case .date: expected = "a date written \"YYYY-MM-DD\""
            case .choice: expected = "one of its options"
            }
            bag.error(at, "the answer for '\(fact)' must be \(expected)")
        }
    }
}
