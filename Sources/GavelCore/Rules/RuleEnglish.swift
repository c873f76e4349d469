import Foundation

/// Renders compiled rules as plain English for pages that work without JavaScript.
public struct RuleEnglish: Sendable {
    public var facts: [String: FactDefinition]
    public var stepTitles: [String: String]
    /// The court the rules were specialised for; nil for person-scoped text shown for several courts.
    public var court: Court?

    public init(facts: [FactDefinition], stepTitles: [String: String], court: Court?) {
        self.facts = Dictionary(facts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.stepTitles = stepTitles
        self.court = court
    }

    /// `(label, text)` pairs for the rules a step has, e.g. ("Applies if", "you answered ...").
    public func lines(for step: CheckedStep) -> [(label: String, text: String)] {
        var out: [(String, String)] = []
        if case .value(.bool(true)) = step.appliesIf {} else {
            out.append(("Applies if", phrase(step.appliesIf)))
        }
        out.append(("Done when", step.tick != nil ? "you tick this step as done" : phrase(step.doneIf)))
        if let from = step.availableFrom { out.append(("Opens", "on or after " + when(from))) }
        if let due = step.dueBy { out.append(("Due by", when(due))) }
        if let court {
            for window in step.unavailable {
                let span = window.span(in: court.timeZone)
                out.append(("Not possible", "from \(PeopleTime.format(span.start, clock: court.clock)) to \(PeopleTime.format(span.end, clock: court.clock)): \(window.reason)"))
            }
        }
        if step.optional { out.append(("Optional", "not needed to be ready")) }
        return out
    }

    public func sentence(_ kind: RuleKind, _ tree: RuleTree?, tick: Bool = false) -> String? {
        switch kind {
        case .appliesIf: return tree.map { "Applies if " + phrase($0) }
        case .doneIf: return tick ? "Done when you tick this step as done" : tree.map { "Done when " + phrase($0) }
        case .availableFrom: return tree.map { "Opens on or after " + when($0) }
        case .dueBy: return tree.map { "Due by " + when($0) }
        }
    }

    func when(_ tree: RuleTree) -> String {
        switch tree {
        case .court("go_live"):
            if let court, let goLive = court.goLive { return "go-live, " + goLive.text(clock: court.clock) }
            if let court, court.live { return "go-live (the court is already live)" }
            if let note = court?.goLiveNote { return "go-live (not yet scheduled: \(note))" }
            return "go-live (not yet scheduled)"
        case let .dayStart(inner): return when(inner)
        default: return value(of: tree)
        }
    }

    func question(_ id: String) -> String {
        facts[id].map { "“\($0.question)”" } ?? id
    }

    func label(_ id: String) -> String {
        facts[id]?.label ?? id
    }

    public func phrase(_ tree: RuleTree) -> String {
        switch tree {
        case let .value(.bool(b)): return b ? "always" : "never"
        case let .fact(id, _, _) where id.hasPrefix("done."):
            return "“\(stepTitles[String(id.dropFirst(5))] ?? id)” is ticked as done"
        case let .fact(id, _, _): return "you answered yes to \(question(id))"
        case let .not(.fact(id, _, _)) where id.hasPrefix("done."):
            return "“\(stepTitles[String(id.dropFirst(5))] ?? id)” is not ticked as done"
        case let .not(.fact(id, _, _)): return "you answered no to \(question(id))"
        case let .compare(op, .fact(id, _, _), .value(.bool(b))) where facts[id]?.type == .boolean || id.hasPrefix("done."):
            return phrase((op == .equal) == b ? .fact(id, scope: .person, defaultValue: nil) : .not(.fact(id, scope: .person, defaultValue: nil)))
        case let .compare(op, a, b):
            return "\(value(of: a, choiceOf: b)) \(verb(op, ordered: isTemporal(a) || isTemporal(b))) \(value(of: b, choiceOf: a))"
        case let .member(a, values):
            let items = values.map { value(of: .value($0), choiceOf: a) }
            let list = items.count == 1 ? items[0] : items.dropLast().joined(separator: ", ") + " or " + (items.last ?? "")
            return "\(value(of: a)) is \(items.count == 1 ? "" : "one of ")\(list)"
        case let .answered(.fact(id, _, _)): return "you have answered \(question(id))"
        case let .answered(other): return "\(value(of: other)) is known"
        case let .not(.answered(.fact(id, _, _))): return "you have not answered \(question(id))"
        case let .not(.answered(other)): return "\(value(of: other)) is not known"
        case let .not(.member(a, values)): return phrase(.member(a, values)).replacingOccurrences(of: " is ", with: " is not ", options: [], range: nil)
        case let .not(inner): return "not (\(phrase(inner)))"
        case let .and(items): return items.map { grouped($0) }.joined(separator: " and ")
        case let .or(items): return items.map { grouped($0) }.joined(separator: " or ")
        default: return value(of: tree)
        }
    }

    func grouped(_ tree: RuleTree) -> String {
        switch tree {
        case .and, .or: return "(\(phrase(tree)))"
        default: return phrase(tree)
        }
    }

    func isTemporal(_ tree: RuleTree) -> Bool {
        switch tree {
        case .now, .today, .court("go_live"), .value(.date), .value(.instant), .value(.localDateTime), .value(.dayStart), .value(.pastGoLive),
             .dateOf, .dayStart: return true
        case let .court(field): return field.hasPrefix("dates.")
        case let .fact(id, _, _): return facts[id]?.type == .date
        default: return false
        }
    }

    func verb(_ op: ComparisonOperator, ordered temporal: Bool) -> String {
        switch op {
        case .equal: return temporal ? "is on" : "is"
        case .notEqual: return temporal ? "is not on" : "is not"
        case .less: return temporal ? "is before" : "is less than"
        case .lessOrEqual: return temporal ? "is on or before" : "is at most"
        case .greater: return temporal ? "is after" : "is more than"
        case .greaterOrEqual: return temporal ? "is on or after" : "is at least"
        }
    }

    /// A choice's option in words (its label) when `other` is the choice fact it is compared with.
    func value(of tree: RuleTree, choiceOf other: RuleTree) -> String {
        if case let .value(.string(s)) = tree, case let .fact(id, _, _) = other, let fact = facts[id], fact.type == .choice, fact.optionLabels[s] != nil {
            return "“\(fact.label(ofOption: s))”"
        }
        return value(of: tree)
    }

    func value(of tree: RuleTree) -> String {
        switch tree {
        case let .value(v):
            switch v {
            case let .bool(b): return b ? "yes" : "no"
            case let .number(n): return n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n)
            case let .string(s): return "“\(s.replacingOccurrences(of: "_", with: " "))”"
            case let .date(d): return d.longText
            case let .localDateTime(l): return PeopleTime.format(l, abbreviation: nil)
            case let .instant(i):
                if let court { return PeopleTime.format(i, clock: court.clock) }
                return PeopleTime.format(i, in: TimeZone(identifier: "UTC") ?? .current)
            case let .dayStart(d, _): return d.longText
            case .pastGoLive: return "go-live (already passed)"
            }
        case let .fact(id, _, _): return label(id)
        case let .court(field):
            switch field {
            case "go_live": return when(tree)
            case let name where name.hasPrefix("dates."):
                let date = String(name.dropFirst("dates.".count))
                if let court, let value = court.date(named: date) { return value.text(clock: court.clock) }
                return "the court's \(date.replacingOccurrences(of: "_", with: " ")) date"
            case "short_name": return "the court's short name"
            default: return "the court's \(field.replacingOccurrences(of: "_", with: " "))"
            }
        case .now: return "the current time"
        case .today: return "today's date"
        case let .dateOf(inner): return "the date of " + value(of: inner)
        case let .dayStart(inner): return value(of: inner)
        default: return "(\(phrase(tree)))"
        }
    }
}
