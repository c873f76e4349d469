import Foundation

/// A type-checked rule, the form both engines evaluate (see docs/checklist-format.md).
public indirect enum RuleTree: Sendable, Equatable {
    /// A literal. Local date-times only appear before a tree is specialised for a court.
    case value(RuleValue)
    case fact(String, scope: Scope, defaultValue: RuleValue?)
    case court(String)
    case now
    case today
    case compare(ComparisonOperator, RuleTree, RuleTree)
    case member(RuleTree, [RuleValue])
    case answered(RuleTree)
    case not(RuleTree)
    case and([RuleTree])
    case or([RuleTree])
    /// The court-local date of a date-time (`date(x)`).
    case dateOf(RuleTree)
    /// The start of a date in the court's zone: a date standing where a date-time is expected
    /// (`available_from: 2021-04-05`).
    case dayStart(RuleTree)

    /// Turns local date-time literals into instants in the court's time zone, and a literal day
    /// standing for a date-time into the start of that day.
    public func specialised(for zone: TimeZone) -> RuleTree {
        switch self {
        case let .value(.localDateTime(local)): return .value(.instant(local.instant(in: zone)))
        case let .dayStart(.value(.date(day))): return .value(.dayStart(day, day.start(in: zone)))
        case let .dateOf(a): return .dateOf(a.specialised(for: zone))
        case let .dayStart(a): return .dayStart(a.specialised(for: zone))
        case .value, .fact, .court, .now, .today: return self
        case let .compare(op, a, b): return .compare(op, a.specialised(for: zone), b.specialised(for: zone))
        case let .member(a, values):
            return .member(a.specialised(for: zone), values.map {
                if case let .localDateTime(l) = $0 { return .instant(l.instant(in: zone)) }
                return $0
            })
        case let .answered(a): return .answered(a.specialised(for: zone))
        case let .not(a): return .not(a.specialised(for: zone))
        case let .and(items): return .and(items.map { $0.specialised(for: zone) })
        case let .or(items): return .or(items.map { $0.specialised(for: zone) })
        }
    }

    /// The facts without a default that this rule names, for `missing`.
    public var namedFacts: Set<String> {
        switch self {
        case let .fact(id, _, nil): return [id]
        case .fact, .value, .court, .now, .today: return []
        case let .compare(_, a, b): return a.namedFacts.union(b.namedFacts)
        case let .member(a, _), let .answered(a), let .not(a), let .dateOf(a), let .dayStart(a): return a.namedFacts
        case let .and(items), let .or(items): return items.reduce(into: Set()) { $0.formUnion($1.namedFacts) }
        }
    }
}

extension RuleValue {
    public var json: JSONValue {
        switch self {
        case let .bool(b): return .object([("bool", .bool(b))])
        case let .number(n): return .object([("num", .number(n))])
        case let .string(s): return .object([("str", .string(s))])
        case let .date(d): return .object([("date", .string(d.description))])
        case let .localDateTime(l): return .object([("local", .string(l.description))])
        case let .instant(i): return .object([("instant", .string(i.description))])
        case let .dayStart(d, i): return .object([("instant", .string(i.description)), ("day", .string(d.description))])
        case .pastGoLive: return .object([("live", .bool(true))])
        }
    }

    public init?(json: JSONValue) {
        guard case let .object(pairs) = json else { return nil }
        if pairs.count == 2, pairs[0].0 == "instant", pairs[1].0 == "day", case let .string(i) = pairs[0].1, case let .string(d) = pairs[1].1,
           let instant = Instant(parsing: i), let day = LocalDate(parsing: d) {
            self = .dayStart(day, instant)
            return
        }
        guard pairs.count == 1 else { return nil }
        let (key, value) = pairs[0]
        switch (key, value) {
        case let ("bool", .bool(b)): self = .bool(b)
        case let ("num", .number(n)): self = .number(n)
        case let ("str", .string(s)): self = .string(s)
        case let ("date", .string(s)):
            guard let d = LocalDate(parsing: s) else { return nil }
            self = .date(d)
        case let ("instant", .string(s)):
            guard let i = Instant(parsing: s) else { return nil }
            self = .instant(i)
        case ("live", .bool(true)): self = .pastGoLive
        default: return nil
        }
    }
}

extension RuleTree {
    public var json: JSONValue {
        switch self {
        case let .value(v): return v.json
        case let .fact(id, scope, d):
            var pairs: [(String, JSONValue)] = [("fact", .string(id)), ("scope", .string(scope.rawValue))]
            if let d { pairs.append(("default", d.json)) }
            return .object(pairs)
        case let .court(field): return .object([("court", .string(field))])
        case .now: return .object([("var", .string("now"))])
        case .today: return .object([("var", .string("today"))])
        case let .compare(op, a, b): return .object([("op", .string(op.rawValue)), ("args", .array([a.json, b.json]))])
        case let .member(a, values): return .object([("op", .string("in")), ("args", .array([a.json])), ("list", .array(values.map(\.json)))])
        case let .answered(a): return .object([("op", .string("answered")), ("args", .array([a.json]))])
        case let .not(a): return .object([("op", .string("not")), ("args", .array([a.json]))])
        case let .and(items): return .object([("op", .string("and")), ("args", .array(items.map(\.json)))])
        case let .or(items): return .object([("op", .string("or")), ("args", .array(items.map(\.json)))])
        case let .dateOf(a): return .object([("op", .string("date")), ("args", .array([a.json]))])
        case let .dayStart(a): return .object([("op", .string("day_start")), ("args", .array([a.json]))])
        }
    }

    /// Reads a compiled tree back (test vectors, and checklists written by an earlier build).
    public init?(json: JSONValue) {
        if let value = RuleValue(json: json) { self = .value(value); return }
        guard case .object = json else { return nil }
        if case let .string(id)? = json["fact"] {
            let scope = json["scope"]?.stringValue.flatMap(Scope.init(rawValue:)) ?? .person
            let d = json["default"].flatMap(RuleValue.init(json:))
            self = .fact(id, scope: scope, defaultValue: d)
            return
        }
        if case let .string(field)? = json["court"] { self = .court(field); return }
        if case let .string(v)? = json["var"] {
            switch v {
            case "now": self = .now
            case "today": self = .today
            default: return nil
            }
            return
        }
        guard case let .string(op)? = json["op"], case let .array(argsJSON)? = json["args"] else { return nil }
        let args = argsJSON.compactMap(RuleTree.init(json:))
        guard args.count == argsJSON.count, !args.isEmpty else { return nil }
        switch op {
        case "in":
            guard case let .array(list)? = json["list"] else { return nil }
            let values = list.compactMap(RuleValue.init(json:))
            guard values.count == list.count else { return nil }
            self = .member(args[0], values)
        case "answered": self = .answered(args[0])
        case "not": self = .not(args[0])
        case "date": self = .dateOf(args[0])
        case "day_start": self = .dayStart(args[0])
        case "and": self = .and(args)
        case "or": self = .or(args)
        default:
            guard let cmp = ComparisonOperator(rawValue: op), args.count == 2 else { return nil }
            self = .compare(cmp, args[0], args[1])
        }
    }
}
