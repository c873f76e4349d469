/// A step's rules after parsing and type checking, before they are specialised for a court.
public struct CheckedStep: Sendable {
    public var module: StepModule
    public var appliesIf: RuleTree
    public var doneIf: RuleTree
    /// The fact a checkbox records when `done_if` is the default.
    public var tick: String?
    public var availableFrom: RuleTree?
    public var dueBy: RuleTree?
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
                tick: tick, availableFrom: trees[.availableFrom], dueBy: trees[.dueBy])
        }
        reportCycles(content, bag: &bag)
        return checked
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
