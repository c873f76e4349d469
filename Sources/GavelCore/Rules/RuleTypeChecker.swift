/// The types of the rule language. A choice carries its options so comparisons can be checked.
public enum RuleType: Equatable, Sendable {
    case boolean, number, text, date, instant
    case choice(name: String, options: [String])

    var words: String {
        switch self {
        case .boolean: return "true/false"
        case .number: return "a number"
        case .text: return "text"
        case .date: return "a date"
        case .instant: return "a date-time"
        case let .choice(name, _): return "a choice of '\(name)'"
        }
    }

    var isOrdered: Bool { self == .number || self == .date || self == .instant }
}

/// What a rule may name: the facts, the steps (for `done.<step>`), and the scope of the step it sits in.
public struct RuleEnvironment: Sendable {
    public var facts: [String: FactDefinition]
    public var stepScopes: [String: Scope]
    public var scope: Scope
    /// Rules that belong to one court (its checklist settings) may name court data even on a
    /// person-scoped step.
    public var courtData = false
    /// The court's date names, for a rule of one court; nil for a shared step's rules, whose
    /// `court.dates.<name>` are checked against each court that lists the step.
    public var courtDates: [String]?

    public init(facts: [FactDefinition], stepScopes: [String: Scope], scope: Scope) {
        self.facts = Dictionary(facts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.stepScopes = stepScopes
        self.scope = scope
    }

    /// No court is known: a person-scoped step's own rules.
    var withoutCourt: Bool { scope == .person && !courtData }

    /// Court fields a rule may name, with their types.
    public static let courtFields: [String: RuleType] = [
        "id": .text, "name": .text, "short_name": .text, "timezone": .text, "go_live": .instant,
        "kind": .choice(name: "court.kind", options: CourtKind.allCases.map(\.rawValue)),
    ]

    var allNames: [String] {
        Array(facts.keys) + stepScopes.keys.map { "done." + $0 } + Self.courtFields.keys.map { "court." + $0 }
            + (courtDates ?? []).map { "court.dates." + $0 } + ["today", "now"]
    }
}

/// A type error at a character offset of the rule text.
public struct RuleTypeError: Sendable {
    public var offset: Int
    public var message: String
    public var hint: String?
}

/// Resolves names and checks types, turning a parsed rule into a `RuleTree`. Reports every error it finds.
public struct RuleTypeChecker {
    public var environment: RuleEnvironment
    public private(set) var errors: [RuleTypeError] = []

    public init(environment: RuleEnvironment) {
        self.environment = environment
    }

    mutating func fail(_ offset: Int, _ message: String, hint: String? = nil) {
        errors.append(RuleTypeError(offset: offset, message: message, hint: hint))
    }

    /// Checks `expr` and that its type is `expected`. Returns nil when any error was found.
    public mutating func check(_ expr: RuleExpr, expecting expected: RuleType, role: String) -> RuleTree? {
        let before = errors.count
        guard let (tree, type) = infer(expr) else { return nil }
        // A date where a date-time is expected is the start of that day in the court's zone.
        if expected == .instant && type == .date {
            if environment.withoutCourt {
                fail(expr.offset, "\(role) is a date, which needs a court's time zone to become a date-time",
                     hint: "give an instant with its offset, such as 2025-05-11T00:00-05:00, or set it in a court's checklist entry")
                return nil
            }
            return errors.count == before ? .dayStart(tree) : nil
        }
        if !Self.compatible(type, expected) {
            switch expected {
            case .boolean:
                fail(expr.offset, "\(role) must be true or false, but this is \(type.words)",
                     hint: type.isOrdered ? "compare it, for example '< 2014-08-11'" : "compare it with '==' or use 'is answered'")
            case .instant:
                fail(expr.offset, "\(role) must be a date-time, but this is \(type.words)",
                     hint: type == .date ? "write a date-time such as 2020-03-30T08:00, local to the court" : "use court.go_live or a date-time such as 2020-03-30T08:00")
            default:
                fail(expr.offset, "\(role) must be \(expected.words), but this is \(type.words)")
            }
        }
        return errors.count == before ? tree : nil
    }

    static func compatible(_ a: RuleType, _ b: RuleType) -> Bool {
        switch (a, b) {
        case (.choice, .choice): return true
        default: return a == b
        }
    }

    func literalType(_ value: RuleValue) -> RuleType {
        switch value {
        case .bool: return .boolean
        case .number: return .number
        case .string: return .text
        case .date: return .date
        case .localDateTime, .instant, .dayStart, .pastGoLive: return .instant
        }
    }

    mutating func resolve(_ name: String, offset: Int) -> (RuleTree, RuleType)? {
        switch name {
        case "now": return (.now, .instant)
        case "today":
            if environment.withoutCourt {
                fail(offset, "a person-scoped step cannot use 'today': it has no court time zone", hint: "compare 'now' with a date-time, or make the step court-scoped")
                return nil
            }
            return (.today, .date)
        default: break
        }
        if name.hasPrefix("court.dates.") {
            let date = String(name.dropFirst("court.dates.".count))
            if environment.withoutCourt {
                fail(offset, "a person-scoped step cannot name '\(name)'", hint: "set it in the checklist entry of each court, where court data may be named")
                return nil
            }
            if let known = environment.courtDates, !known.contains(date) {
                fail(offset, "this court has no date named '\(date)'",
                     hint: DidYouMean.suggest(date, among: known).map { "did you mean 'court.dates.\($0)'?" }
                        ?? (known.isEmpty ? "add it under 'dates' in the court's court.yml" : "its dates: \(known.joined(separator: ", "))"))
                return nil
            }
            return (.court("dates." + date), .instant)
        }
        if name.hasPrefix("court.") {
            let field = String(name.dropFirst("court.".count))
            guard let type = RuleEnvironment.courtFields[field] else {
                fail(offset, "unknown court field '\(name)'",
                     hint: DidYouMean.hint(name, among: RuleEnvironment.courtFields.keys.map { "court." + $0 }) ?? "court fields: \(RuleEnvironment.courtFields.keys.sorted().joined(separator: ", "))")
                return nil
            }
            if environment.withoutCourt {
                fail(offset, "a person-scoped step cannot name '\(name)'",
                     hint: "make the step 'scope: court', set the rule in a court's checklist entry, or leave the court out of its rules")
                return nil
            }
            return (.court(field), type)
        }
        if name.hasPrefix("done.") {
            let step = String(name.dropFirst("done.".count))
            guard let scope = environment.stepScopes[step] else {
                fail(offset, "unknown step '\(step)' in '\(name)'", hint: DidYouMean.suggest(step, among: environment.stepScopes.keys).map { "did you mean 'done.\($0)'?" })
                return nil
            }
            if environment.scope == .person && scope == .court {
                fail(offset, "a person-scoped step cannot name '\(name)', which is ticked per court")
                return nil
            }
            return (.fact(name, scope: scope, defaultValue: .bool(false)), .boolean)
        }
        guard let fact = environment.facts[name] else {
            fail(offset, "unknown fact '\(name)'", hint: DidYouMean.hint(name, among: environment.allNames) ?? "facts are defined in facts.yml")
            return nil
        }
        if environment.scope == .person && fact.scope == .court {
            fail(offset, "a person-scoped step cannot name the court-scoped fact '\(name)'", hint: "make the step 'scope: court'")
            return nil
        }
        let type: RuleType
        switch fact.type {
        case .boolean: type = .boolean
        case .number: type = .number
        case .text: type = .text
        case .date: type = .date
        case .choice: type = .choice(name: name, options: fact.options)
        }
        return (.fact(name, scope: fact.scope, defaultValue: nil), type)
    }

    mutating func checkLiteral(_ value: RuleValue, offset: Int, against type: RuleType) {
        if case .localDateTime = value, environment.withoutCourt {
            fail(offset, "a person-scoped step cannot use a local date-time: it has no court time zone", hint: "make the step 'scope: court'")
            return
        }
        let valueType = literalType(value)
        if case let .choice(name, options) = type {
            guard case let .string(s) = value else {
                fail(offset, "'\(name)' is a choice, so compare it with one of its options in double quotes",
                     hint: "options: \(options.map { "\"\($0)\"" }.joined(separator: ", "))")
                return
            }
            if !options.contains(s) {
                fail(offset, "\"\(s)\" is not an option of '\(name)'",
                     hint: DidYouMean.suggest(s, among: options).map { "did you mean \"\($0)\"?" } ?? "options: \(options.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            return
        }
        if valueType != type {
            fail(offset, "cannot compare \(type.words) with \(valueType.words)",
                 hint: RuleHints.quotedLiteral(.literal(value, offset: offset), comparedWith: type) ?? Self.mismatchHint(type, valueType))
        }
    }

    static func mismatchHint(_ a: RuleType, _ b: RuleType) -> String? {
        switch (a, b) {
        case (.date, .instant), (.instant, .date):
            return "take the date of a date-time with date(...), as in 'cmecf.registered < date(court.go_live)'; dates compare with dates (YYYY-MM-DD, today), date-times with date-times (YYYY-MM-DDTHH:MM, now, court.go_live)"
        case (.boolean, _), (_, .boolean): return "a true/false fact is compared with true or false"
        default: return nil
        }
    }

    mutating func infer(_ expr: RuleExpr) -> (RuleTree, RuleType)? {
        switch expr {
        case let .dateOf(inner, offset):
            if environment.withoutCourt {
                fail(offset, "'date(...)' needs a court's time zone, which a person-scoped step has not",
                     hint: "make the step 'scope: court', or set the rule in a court's checklist entry")
                return nil
            }
            guard let (tree, type) = infer(inner) else { return nil }
            guard type == .instant else {
                fail(inner.offset, "'date(...)' takes a date-time, but this is \(type.words)", hint: type == .date ? "it is a date already: drop 'date(...)'" : nil)
                return nil
            }
            return (.dateOf(tree), .date)
        case let .literal(value, offset):
            if case .localDateTime = value, environment.withoutCourt {
                fail(offset, "a person-scoped step cannot use a local date-time: it has no court time zone", hint: "make the step 'scope: court'")
                return nil
            }
            return (.value(value), literalType(value))
        case let .name(name, offset):
            return resolve(name, offset: offset)
        case let .compare(op, lhs, rhs, _):
            // A literal on either side is checked against the other side's type, so choices get their options checked.
            switch (lhs, rhs) {
            case let (.literal(value, offset), other), let (other, .literal(value, offset)):
                if case .literal = other {
                    fail(expr.offset, "comparing two fixed values is always the same", hint: "compare a fact or court field with a value")
                    return nil
                }
                guard let (tree, type) = infer(other) else { return nil }
                let before = errors.count
                checkLiteral(value, offset: offset, against: type)
                guard errors.count == before else { return nil }
                if op.isOrdering && !type.isOrdered {
                    fail(other.offset, "'\(op.rawValue)' needs numbers, dates or date-times, but this is \(type.words)", hint: "use '==' or '!='")
                    return nil
                }
                let literalFirst: Bool
                if case .literal = lhs { literalFirst = true } else { literalFirst = false }
                return (literalFirst ? .compare(op, .value(value), tree) : .compare(op, tree, .value(value)), .boolean)
            default:
                let a = infer(lhs), b = infer(rhs)
                guard let (ta, typeA) = a, let (tb, typeB) = b else { return nil }
                if typeA != typeB {
                    if case .choice = typeA, case .choice = typeB {
                        fail(rhs.offset, "cannot compare \(typeA.words) with \(typeB.words)")
                    } else {
                        fail(rhs.offset, "cannot compare \(typeA.words) with \(typeB.words)",
                             hint: RuleHints.quotedLiteral(rhs, comparedWith: typeA) ?? Self.mismatchHint(typeA, typeB))
                    }
                    return nil
                }
                if op.isOrdering && !typeA.isOrdered {
                    fail(lhs.offset, "'\(op.rawValue)' needs numbers, dates or date-times, but this is \(typeA.words)", hint: "use '==' or '!='")
                    return nil
                }
                return (.compare(op, ta, tb), .boolean)
            }
        case let .membership(subject, values, negated, _):
            guard let (tree, type) = infer(subject) else { return nil }
            let before = errors.count
            for (value, offset) in values { checkLiteral(value, offset: offset, against: type) }
            guard errors.count == before else { return nil }
            let member = RuleTree.member(tree, values.map(\.0))
            return (negated ? .not(member) : member, .boolean)
        case let .answered(subject, negated, offset):
            guard case .name = subject else {
                fail(offset, "'is answered' follows a fact or a court field")
                return nil
            }
            guard let (tree, _) = infer(subject) else { return nil }
            if case .fact(_, _, .some) = tree {
                fail(offset, "a step's tick is never unanswered", hint: "use 'done.<step> == true' instead")
                return nil
            }
            return (negated ? .not(.answered(tree)) : .answered(tree), .boolean)
        case let .not(inner, _):
            guard let tree = check(inner, expecting: .boolean, role: "the operand of 'not'") else { return nil }
            return (.not(tree), .boolean)
        case let .and(items, _), let .or(items, _):
            let word: String
            if case .and = expr { word = "and" } else { word = "or" }
            var trees: [RuleTree] = []
            var ok = true
            for item in items {
                if let t = check(item, expecting: .boolean, role: "each side of '\(word)'") { trees.append(t) } else { ok = false }
            }
            guard ok else { return nil }
            return (word == "and" ? .and(trees) : .or(trees), .boolean)
        }
    }
}
