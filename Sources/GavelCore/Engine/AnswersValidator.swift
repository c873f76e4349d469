/// Checks an answers document against the site's facts, steps and courts, for `gavel eval`.
public struct AnswersValidator {
    public var content: SiteContent
    public var file: String
    /// The text of the answers file, to point at the line of a bad answer.
    public var text: String

    public init(content: SiteContent, file: String, text: String) {
        self.content = content
        self.file = file
        self.text = text
    }

    /// Finds where `"key"` is written, so a message can name a line and column.
    func location(of key: String) -> SourceLocation {
        var quoted = ""
        JSONValue.writeString(key, into: &quoted)
        guard let range = text.range(of: quoted) else { return SourceLocation(file: file) }
        let before = text[..<range.lowerBound]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        return SourceLocation(file: file, line: line, column: column)
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
