/// A literal value of the rule language, also the value type the engine computes with.
public enum RuleValue: Hashable, Sendable {
    case bool(Bool)
    case number(Double)
    case string(String)
    case date(LocalDate)
    case localDateTime(LocalDateTime)
    case instant(Instant)
    /// The start of a day the court gave without a time: an instant that pages show as the day alone.
    case dayStart(LocalDate, Instant)
    /// A go-live that has passed though the court gives no date (`live: true`): before any `now`, and
    /// not comparable with anything else.
    case pastGoLive
}

public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    var isOrdering: Bool { self != .equal && self != .notEqual }
}

/// A parsed rule. `offset` is the character offset of the node's first token in the rule text.
public indirect enum RuleExpr: Sendable {
    case literal(RuleValue, offset: Int)
    /// A dotted name: a fact, `court.<field>`, `today` or `now`; resolved by the type checker.
    case name(String, offset: Int)
    case compare(ComparisonOperator, RuleExpr, RuleExpr, offset: Int)
    case membership(RuleExpr, [(RuleValue, Int)], negated: Bool, offset: Int)
    case answered(RuleExpr, negated: Bool, offset: Int)
    case not(RuleExpr, offset: Int)
    case and([RuleExpr], offset: Int)
    case or([RuleExpr], offset: Int)
    /// `date(x)`: the court-local date of a date-time.
    case dateOf(RuleExpr, offset: Int)

    public var offset: Int {
        switch self {
        case let .literal(_, o), let .name(_, o), let .compare(_, _, _, o), let .membership(_, _, _, o),
             let .answered(_, _, o), let .not(_, o), let .and(_, o), let .or(_, o), let .dateOf(_, o):
            return o
        }
    }
}

/// A syntax error inside a rule, at a character offset of the rule text.
public struct RuleSyntaxError: Error, Sendable, Equatable {
    public var offset: Int
    public var message: String
    public var hint: String?
}
