import Foundation

public enum StepStatus: String, Sendable, CaseIterable {
    case notApplicable = "not-applicable", done, needsAnswers = "needs-answers", blocked, notYet = "not-yet", todo
}

public enum Readiness: String, Sendable {
    case actionNeeded = "action-needed", needsAnswers = "needs-answers", ready
}

public struct StepResult: Sendable, Equatable {
    public var id: String
    public var status: StepStatus
    public var opensAt: Instant?
    /// The day a step opens when the court gave a day without a time (pages show it without one).
    public var opensOn: LocalDate? = nil
    public var overdue: Bool
    public var missing: [String]
}

public struct CourtResult: Sendable, Equatable {
    public var id: String
    public var readiness: Readiness
    public var steps: [StepResult]
}

public struct EvaluationResult: Sendable, Equatable {
    public var courts: [CourtResult]

    public var json: JSONValue {
        .object([("courts", .array(courts.map { court in
            .object([
                ("id", .string(court.id)),
                ("readiness", .string(court.readiness.rawValue)),
                ("steps", .array(court.steps.map { step in
                    .object([
                        ("id", .string(step.id)),
                        ("status", .string(step.status.rawValue)),
                        ("opens_at", step.opensAt.map { .string($0.description) } ?? .null),
                    ] + (step.opensOn.map { [("opens_on", JSONValue.string($0.description))] } ?? []) + [
                        ("overdue", .bool(step.overdue)),
                        ("missing", .array(step.missing.map { .string($0) })),
                    ])
                })),
            ])
        }))])
    }
}

/// The Swift engine: evaluates compiled checklists against answers at an instant, with three-valued logic.
/// It must agree with Templates/assets/checklist-engine.js on every test vector.
public struct ChecklistEngine: Sendable {
    public init() {}

    public func evaluate(_ checklists: [CompiledChecklist], answers: Answers, now: Instant) -> EvaluationResult {
        EvaluationResult(courts: checklists.map { evaluate($0, answers: answers, now: now) })
    }

    func evaluate(_ checklist: CompiledChecklist, answers: Answers, now: Instant) -> CourtResult {
        let context = EvaluationContext(checklist: checklist, answers: answers, now: now)
        var statuses: [String: StepStatus] = [:]
        var results: [StepResult] = []
        for step in checklist.steps {
            let result = evaluate(step, context: context, statuses: statuses)
            statuses[step.id] = result.status
            results.append(result)
        }
        // Optional steps are shown with their status but never count toward readiness.
        let counted = zip(checklist.steps, results).filter { !$0.0.optional }.map(\.1)
        let readiness: Readiness
        if counted.contains(where: { $0.status == .todo || $0.status == .blocked }) {
            readiness = .actionNeeded
        } else if counted.contains(where: { $0.status == .needsAnswers }) {
            readiness = .needsAnswers
        } else {
            readiness = .ready
        }
        return CourtResult(id: checklist.courtID, readiness: readiness, steps: results)
    }

    func evaluate(_ step: CompiledChecklist.Step, context: EvaluationContext, statuses: [String: StepStatus]) -> StepResult {
        func result(_ status: StepStatus, opensAt: Instant? = nil, opensOn: LocalDate? = nil, overdue: Bool = false, missing: [String] = []) -> StepResult {
            StepResult(id: step.id, status: status, opensAt: opensAt, opensOn: opensOn, overdue: overdue, missing: missing)
        }
        let applies = context.truth(step.appliesIf)
        if applies == false { return result(.notApplicable) }
        let done = context.truth(step.doneIf)
        if done == true { return result(.done) }
        if applies == nil || done == nil {
            var missing = Set<String>()
            if applies == nil { missing.formUnion(context.unanswered(in: step.appliesIf)) }
            if done == nil { missing.formUnion(context.unanswered(in: step.doneIf)) }
            return result(.needsAnswers, missing: missing.sorted())
        }
        for required in step.requires {
            let status = statuses[required]
            if status != .done && status != .notApplicable { return result(.blocked) }
        }
        if let from = step.availableFrom {
            switch context.value(from) {
            case let .instant(opens)? where opens > context.now: return result(.notYet, opensAt: opens)
            case let .dayStart(day, opens)? where opens > context.now: return result(.notYet, opensAt: opens, opensOn: day)
            case .instant?, .dayStart?, .pastGoLive?: break
            default: return result(.notYet)
            }
        }
        // Inside a window when the step cannot be done: it opens when the window (and any that
        // follows on from it) ends.
        var opens = context.now
        while let window = step.unavailable.first(where: { $0.start <= opens && opens < $0.end }) { opens = window.end }
        if opens > context.now { return result(.notYet, opensAt: opens) }
        var overdue = false
        if let due = step.dueBy {
            switch context.value(due) {
            case let .instant(deadline)?, let .dayStart(_, deadline)?: overdue = context.now > deadline
            case .pastGoLive?: overdue = true
            default: break
            }
        }
        return result(.todo, overdue: overdue)
    }
}

/// One court's answers and clock while its steps are evaluated. `nil` is unknown.
struct EvaluationContext {
    var checklist: CompiledChecklist
    var answers: Answers
    var now: Instant
    var today: LocalDate

    init(checklist: CompiledChecklist, answers: Answers, now: Instant) {
        self.checklist = checklist
        self.answers = answers
        self.now = now
        today = now.local(in: checklist.timeZone).date
    }

    func answer(_ fact: String, scope: Scope) -> JSONValue? {
        answers.value(of: fact, scope: scope, court: checklist.courtID)
    }

    func unanswered(in tree: RuleTree) -> Set<String> {
        var out = Set<String>()
        func walk(_ t: RuleTree) {
            switch t {
            case let .fact(id, scope, nil): if answer(id, scope: scope) == nil { out.insert(id) }
            case .fact, .value, .court, .now, .today: break
            case let .compare(_, a, b): walk(a); walk(b)
            case let .member(a, _), let .answered(a), let .not(a), let .dateOf(a), let .dayStart(a): walk(a)
            case let .and(items), let .or(items): items.forEach(walk)
            }
        }
        walk(tree)
        return out
    }

    /// The value of a tree, or nil when it is unknown.
    func value(_ tree: RuleTree) -> RuleValue? {
        switch tree {
        case let .value(v): return v
        case let .fact(id, scope, defaultValue):
            guard let json = answer(id, scope: scope) else { return defaultValue }
            return Self.ruleValue(json) ?? defaultValue
        case let .court(field): return checklist.fields[field]
        case .now: return .instant(now)
        case .today: return .date(today)
        case let .dateOf(a):
            switch value(a) {
            case let .instant(i)?: return .date(i.local(in: checklist.timeZone).date)
            case let .dayStart(day, _)?: return .date(day)
            default: return nil
            }
        case let .dayStart(a):
            guard case let .date(day)? = value(a) else { return nil }
            return .dayStart(day, day.start(in: checklist.timeZone))
        default: return truth(tree).map(RuleValue.bool)
        }
    }

    static func ruleValue(_ json: JSONValue) -> RuleValue? {
        switch json {
        case let .bool(b): return .bool(b)
        case let .number(n): return .number(n)
        case let .string(s): return .string(s)
        default: return nil
        }
    }

    /// Kleene three-valued truth of a boolean tree.
    func truth(_ tree: RuleTree) -> Bool? {
        switch tree {
        case let .compare(op, a, b):
            guard let x = value(a), let y = value(b) else { return nil }
            // A go-live that has passed with no date given is before `now`, and nothing else is known of it.
            let order: Int
            switch (x, a, y, b) {
            case (.pastGoLive, _, _, .now): order = -1
            case (_, .now, .pastGoLive, _): order = 1
            default:
                guard let known = Self.compare(x, y) else { return nil }
                order = known
            }
            switch op {
            case .equal: return order == 0
            case .notEqual: return order != 0
            case .less: return order < 0
            case .lessOrEqual: return order <= 0
            case .greater: return order > 0
            case .greaterOrEqual: return order >= 0
            }
        case let .member(a, list):
            guard let x = value(a) else { return nil }
            var sawUnknown = false
            for item in list {
                switch Self.compare(x, item) {
                case 0?: return true
                case nil: sawUnknown = true
                default: break
                }
            }
            return sawUnknown ? nil : false
        case let .answered(.fact(id, scope, _)): return answer(id, scope: scope) != nil
        case let .answered(.court(field)): return checklist.fields[field] != nil
        case .answered: return true
        case let .not(a): return truth(a).map { !$0 }
        case let .and(items):
            var unknown = false
            for item in items {
                switch truth(item) {
                case false?: return false
                case nil: unknown = true
                default: break
                }
            }
            return unknown ? nil : true
        case let .or(items):
            var unknown = false
            for item in items {
                switch truth(item) {
                case true?: return true
                case nil: unknown = true
                default: break
                }
            }
            return unknown ? nil : false
        default:
            if case let .bool(b)? = value(tree) { return b }
            return nil
        }
    }

    /// -1, 0 or 1; nil when the two values cannot be compared (a wrongly typed answer is unknown).
    /// A text answer is read as a date when compared with a date.
    static func compare(_ a: RuleValue, _ b: RuleValue) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
        switch (a, b) {
        case let (.bool(x), .bool(y)): return x == y ? 0 : (x ? 1 : -1)
        case let (.number(x), .number(y)): return sign(x, y)
        case let (.string(x), .string(y)): return x == y ? 0 : (x < y ? -1 : 1)
        case let (.date(x), .date(y)): return sign(x, y)
        case let (.instant(x), .instant(y)), let (.dayStart(_, x), .instant(y)), let (.instant(x), .dayStart(_, y)), let (.dayStart(_, x), .dayStart(_, y)):
            return sign(x, y)
        case let (.string(s), .date(y)): return LocalDate(parsing: s).map { sign($0, y) }
        case let (.date(x), .string(s)): return LocalDate(parsing: s).map { sign(x, $0) }
        default: return nil
        }
    }
}
