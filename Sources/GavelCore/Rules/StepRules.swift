/// A step's rules after parsing and type checking, before they are specialised for a court.
public struct CheckedStep: Sendable {
    public var module: StepModule
    public var appliesIf: RuleTree
    public var doneIf: RuleTree
    /// The fact a checkbox records when `done_if` is the default.
    public var tick: String?
    public var availableFrom: RuleTree?
    public var dueBy: RuleTree?
    /// In one court's checklist: the step's own `requires` and the court's added ones.
    public var requires: [String]
    /// When the step cannot be done: its own windows and the court's.
    public var unavailable: [UnavailableWindow]
    /// Shown with its status, never counted against readiness.
    public var optional: Bool
    /// The rules that one court set for itself.
    public var courtRules: Set<RuleKind> = []
}

/// Parses and type-checks every step's rules once, and checks `requires`: unknown steps, cycles, scope.
public enum StepRuleCompiler {
    public static func compile(_ content: SiteContent, bag: inout DiagnosticBag) -> [String: CheckedStep] {
        let scopes = content.steps.mapValues(\.scope)
        var checked: [String: CheckedStep] = [:]
        for id in content.stepOrder {
            guard let step = content.steps[id] else { continue }
            let environment = RuleEnvironment(facts: content.facts, stepScopes: scopes, scope: step.scope)
            var trees: [RuleKind: RuleTree] = [:]
            var ok = true
            for kind in RuleKind.allCases {
                guard let source = step.rules[kind] else { continue }
                let expected: RuleType = (kind == .appliesIf || kind == .doneIf) ? .boolean : .instant
                switch compileRule(source, expecting: expected, role: "'\(kind.rawValue)'", environment: environment, bag: &bag) {
                case let tree?: trees[kind] = tree
                case nil: ok = false
                }
            }
            for required in step.requires {
                if required.value == id {
                    bag.error(required.location, "step '\(id)' requires itself")
                    ok = false
                } else if let other = content.steps[required.value] {
                    if step.scope == .person && other.scope == .court {
                        bag.error(required.location, "person-scoped step '\(id)' cannot require court-scoped step '\(required.value)'",
                                  hint: "make '\(id)' court-scoped, or drop the requirement")
                        ok = false
                    }
                } else {
                    bag.error(required.location, "unknown step '\(required.value)' in 'requires'",
                              hint: DidYouMean.hint(required.value, among: content.steps.keys) ?? "steps are the files in steps/")
                    ok = false
                }
            }
            guard ok else { continue }
            let tick = step.rules[.doneIf] == nil ? "done.\(id)" : nil
            checked[id] = CheckedStep(
                module: step, appliesIf: trees[.appliesIf] ?? .value(.bool(true)),
                doneIf: trees[.doneIf] ?? .fact("done.\(id)", scope: step.scope, defaultValue: .bool(false)),
                tick: tick, availableFrom: trees[.availableFrom], dueBy: trees[.dueBy],
                requires: step.requires.map(\.value), unavailable: step.unavailable, optional: step.optional?.value ?? false)
        }
        reportCycles(content, bag: &bag)
        return checked
    }

    /// Each court's steps, in checklist order, with the court's own settings applied: rules replaced
    /// (checked with the court's data in reach), `requires` added, windows added, `optional` set.
    public static func courtSteps(_ content: SiteContent, shared: [String: CheckedStep], bag: inout DiagnosticBag) -> [String: [CheckedStep]] {
        let scopes = content.steps.mapValues(\.scope)
        var out: [String: [CheckedStep]] = [:]
        // A shared rule names the same court dates for every court: lexed once, not once a court
        // (at 100 courts, a third of the validate step).
        var namesInRule: [String: [String]] = [:]
        // One table of the facts per scope, not one a step of each court.
        var environments: [Scope: RuleEnvironment] = [:]
        func dateNames(in text: String) -> [String] {
            if let known = namesInRule[text] { return known }
            let names = Self.courtDateNames(in: text)
            namesInRule[text] = names
            return names
        }
        for court in content.courts {
            let courtDates = court.dates.map(\.name)
            // Made once per court, and only for a court whose steps' titles name its data.
            var variables: CourtVariables?
            var steps: [CheckedStep] = []
            for entry in court.checklist {
                guard var step = shared[entry.step.value] else { continue }
                let module = step.module
                if CourtVariables.mayName(module.title) || CourtVariables.mayName(module.summary) {
                    let filler = variables ?? CourtVariables(court: court)
                    variables = filler
                    step.module.title = filler.fillText(module.title, file: module.file, bag: &bag)
                    step.module.summary = filler.fillText(module.summary, file: module.file, bag: &bag)
                }
                // A shared rule naming a court date this court lacks.
                for (kind, source) in module.rules.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where entry.rules[kind] == nil {
                    for name in dateNames(in: source.value) where !courtDates.contains(name) {
                        bag.error(source.location, "'\(kind.rawValue)' of step '\(module.id)' names court.dates.\(name), which court '\(court.id)' does not have",
                                  hint: DidYouMean.suggest(name, among: courtDates).map { "did you mean 'court.dates.\($0)'?" }
                                    ?? "add '\(name)' under 'dates' in \(court.file), or set '\(kind.rawValue)' in its checklist entry")
                    }
                }
                var environment = environments[module.scope] ?? RuleEnvironment(facts: content.facts, stepScopes: scopes, scope: module.scope)
                environments[module.scope] = environment
                environment.courtData = true
                environment.courtDates = courtDates
                for (kind, source) in entry.rules.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                    let expected: RuleType = (kind == .appliesIf || kind == .doneIf) ? .boolean : .instant
                    guard let tree = compileRule(source, expecting: expected, role: "'\(kind.rawValue)' for court '\(court.id)'", environment: environment, bag: &bag) else { continue }
                    switch kind {
                    case .appliesIf: step.appliesIf = tree
                    case .doneIf: step.doneIf = tree; step.tick = nil
                    case .availableFrom: step.availableFrom = tree
                    case .dueBy: step.dueBy = tree
                    }
                    step.courtRules.insert(kind)
                }
                for required in entry.requires {
                    if required.value == module.id {
                        bag.error(required.location, "step '\(module.id)' requires itself")
                    } else if let other = content.steps[required.value] {
                        if module.scope == .person && other.scope == .court {
                            bag.error(required.location, "person-scoped step '\(module.id)' cannot require court-scoped step '\(required.value)'",
                                      hint: "a person-scoped step is done once for every court")
                        } else if !step.requires.contains(required.value) {
                            step.requires.append(required.value)
                        }
                    } else {
                        bag.error(required.location, "unknown step '\(required.value)' in 'requires'",
                                  hint: DidYouMean.hint(required.value, among: content.steps.keys) ?? "steps are the files in steps/")
                    }
                }
                // The step's own windows are read in this court's zone: one in its spring-forward gap is an error here.
                for window in module.unavailable {
                    for end in [window.start, window.end] {
                        if case let .dateTime(local) = end.value, local.isSkipped(in: court.timeZone) {
                            bag.error(end.location, "\(local) does not exist in \(court.timeZone.identifier) (court '\(court.id)'): the clocks skip that hour",
                                      hint: "give a time outside the spring-forward gap")
                        }
                    }
                }
                for window in entry.unavailable {
                    let span = window.span(in: court.timeZone)
                    if let other = step.unavailable.first(where: { let o = $0.span(in: court.timeZone); return o.start < span.end && span.start < o.end }) {
                        bag.error(window.start.location, "this window overlaps the step's own, from \(other.start.value) to \(other.end.value)", hint: "join them into one window")
                        continue
                    }
                    step.unavailable.append(window)
                }
                if let optional = entry.optional { step.optional = optional.value }
                steps.append(step)
            }
            // An optional step that another step of this court requires would hold it back for good.
            for step in steps where step.optional {
                for other in steps where other.requires.contains(step.module.id) {
                    let place = court.checklist.first { $0.step.value == step.module.id }.flatMap { $0.optional?.location } ?? step.module.optional?.location
                        ?? court.checklist.first { $0.step.value == step.module.id }?.step.location ?? step.module.location
                    bag.error(place, "step '\(step.module.id)' is optional in court '\(court.id)', but '\(other.module.id)' requires it",
                              hint: "a required step cannot be optional: drop 'optional', or the requirement")
                }
            }
            reportCourtCycles(court, steps: steps, bag: &bag)
            out[court.id] = steps
        }
        return out
    }

    /// The `court.dates.<name>` names in a rule's text.
    static func courtDateNames(in text: String) -> [String] {
        guard case let .success(tokens) = RuleLexer.tokens(text) else { return [] }
        return tokens.compactMap { token in
            guard case let .name(name) = token.kind, name.hasPrefix("court.dates.") else { return nil }
            return String(name.dropFirst("court.dates.".count))
        }
    }

    /// A cycle that only a court's added `requires` make.
    static func reportCourtCycles(_ court: Court, steps: [CheckedStep], bag: inout DiagnosticBag) {
        let byID = Dictionary(steps.map { ($0.module.id, $0) }, uniquingKeysWith: { a, _ in a })
        for entry in court.checklist where !entry.requires.isEmpty {
            // Does anything the entry adds lead back to the entry's step?
            var seen = Set<String>()
            var pending = entry.requires.map(\.value)
            while let id = pending.popLast() {
                guard seen.insert(id).inserted, let step = byID[id] else { continue }
                if id == entry.step.value {
                    bag.error(entry.requires[0].location, "with this court's 'requires', '\(entry.step.value)' waits, directly or not, for itself",
                              hint: "drop the requirement that closes the cycle")
                    break
                }
                pending += step.requires
            }
        }
    }

    /// Parses and checks one rule, reporting errors at their place in the front matter.
    public static func compileRule(_ source: Located<String>, expecting: RuleType, role: String, environment: RuleEnvironment, bag: inout DiagnosticBag) -> RuleTree? {
        func at(_ offset: Int) -> SourceLocation { source.location(atOffset: offset) }
        switch RuleParser.parse(source.value) {
        case let .failure(error):
            bag.error(at(error.offset), "syntax error in \(role): \(error.message)", hint: error.hint)
            return nil
        case let .success(expr):
            var checker = RuleTypeChecker(environment: environment)
            let tree = checker.check(expr, expecting: expecting, role: role)
            for error in checker.errors { bag.error(at(error.offset), error.message, hint: error.hint) }
            return checker.errors.isEmpty ? tree : nil
        }
    }

    /// Finds each `requires` cycle once and names it: "a -> b -> a".
    static func reportCycles(_ content: SiteContent, bag: inout DiagnosticBag) {
        var state: [String: Int] = [:] // 1 = on the path, 2 = finished
        var path: [String] = []
        // An explicit stack of (step, next requirement to look at): a chain of thousands of steps
        // must not overflow the call stack.
        var stack: [(id: String, next: Int)] = []
        for root in content.stepOrder where state[root] == nil && content.steps[root] != nil {
            state[root] = 1
            path.append(root)
            stack.append((root, 0))
            while let top = stack.last {
                let requires = content.steps[top.id]?.requires ?? []
                guard top.next < requires.count else {
                    stack.removeLast()
                    path.removeLast()
                    state[top.id] = 2
                    continue
                }
                stack[stack.count - 1].next += 1
                let required = requires[top.next]
                guard content.steps[required.value] != nil, required.value != top.id else { continue }
                switch state[required.value] {
                case 1:
                    if let start = path.firstIndex(of: required.value) {
                        let cycle = path[start...] + [required.value]
                        bag.error(required.location, "'requires' forms a cycle: \(cycle.joined(separator: " -> "))",
                                  hint: "a step cannot wait, directly or not, for itself")
                    }
                case nil:
                    state[required.value] = 1
                    path.append(required.value)
                    stack.append((required.value, 0))
                default: break
                }
            }
        }
    }
}
