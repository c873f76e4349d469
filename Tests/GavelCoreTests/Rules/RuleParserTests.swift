import Foundation
import Testing
@testable import GavelCore

@Suite struct RuleParserTests {
    func tree(_ text: String, facts: [FactDefinition] = RuleFixtures.facts, scope: Scope = .court) -> RuleTree? {
        var bag = DiagnosticBag()
        let env = RuleEnvironment(facts: facts, stepScopes: ["link-accounts": .court, "upgrade": .person], scope: scope)
        return StepRuleCompiler.compileRule(Located(text, at: SourceLocation(file: "s.md", line: 7, column: 11)), expecting: .boolean, role: "'applies_if'", environment: env, bag: &bag)
    }

    func errors(_ text: String, scope: Scope = .court, expecting: RuleType = .boolean) -> [Diagnostic] {
        var bag = DiagnosticBag()
        let env = RuleEnvironment(facts: RuleFixtures.facts, stepScopes: ["link-accounts": .court, "upgrade": .person], scope: scope)
        _ = StepRuleCompiler.compileRule(Located(text, at: SourceLocation(file: "s.md", line: 7, column: 11)), expecting: expecting, role: "'applies_if'", environment: env, bag: &bag)
        return bag.all
    }

    @Test func precedenceOrBindsLoosest() {
        #expect(tree("pacer.upgraded or pacer.individual and not pacer.shared") ==
            .or([.fact("pacer.upgraded", scope: .person, defaultValue: nil),
                 .and([.fact("pacer.individual", scope: .person, defaultValue: nil), .not(.fact("pacer.shared", scope: .person, defaultValue: nil))])]))
    }

    @Test func parenthesesOverridePrecedence() {
        #expect(tree("(pacer.upgraded or pacer.individual) and pacer.shared") ==
            .and([.or([.fact("pacer.upgraded", scope: .person, defaultValue: nil), .fact("pacer.individual", scope: .person, defaultValue: nil)]),
                  .fact("pacer.shared", scope: .person, defaultValue: nil)]))
    }

    @Test func literalsAndComparisons() throws {
        let d = try #require(LocalDate(parsing: "2014-08-11"))
        #expect(tree("pacer.created < 2014-08-11") == .compare(.less, .fact("pacer.created", scope: .person, defaultValue: nil), .value(.date(d))))
        #expect(tree("pacer.count >= 3") == .compare(.greaterOrEqual, .fact("pacer.count", scope: .person, defaultValue: nil), .value(.number(3))))
        #expect(tree("role in [\"pro_hac_vice\", \"filing_agent\"]") == .member(.fact("role", scope: .person, defaultValue: nil), [.string("pro_hac_vice"), .string("filing_agent")]))
        #expect(tree("role not in [\"attorney\"]") == .not(.member(.fact("role", scope: .person, defaultValue: nil), [.string("attorney")])))
        #expect(tree("cmecf.knows_login is answered") == .answered(.fact("cmecf.knows_login", scope: .court, defaultValue: nil)))
        #expect(tree("cmecf.knows_login is not answered") == .not(.answered(.fact("cmecf.knows_login", scope: .court, defaultValue: nil))))
        #expect(tree("now >= court.go_live") == .compare(.greaterOrEqual, .now, .court("go_live")))
        #expect(tree("today < 2020-03-30") == .compare(.less, .today, .value(.date(try #require(LocalDate(parsing: "2020-03-30"))))))
        #expect(tree("court.kind == \"appellate\"") == .compare(.equal, .court("kind"), .value(.string("appellate"))))
        #expect(tree("done.link-accounts") == .fact("done.link-accounts", scope: .court, defaultValue: .bool(false)))
        #expect(tree("now < 2020-03-30T08:00") == .compare(.less, .now, .value(.localDateTime(try #require(LocalDateTime(parsing: "2020-03-30T08:00"))))))
    }

    @Test func localDateTimeIsSpecialisedPerCourtZone() throws {
        let t = try #require(tree("now < 2020-03-30T08:00"))
        let chicago = try #require(TimeZone(identifier: "America/Chicago"))
        #expect(t.specialised(for: chicago) == .compare(.less, .now, .value(.instant(try #require(Instant(parsing: "2020-03-30T13:00:00Z"))))))
    }

    @Test(arguments: [
        ("pacer.creatd < 2014-08-11", 11, "unknown fact 'pacer.creatd'", "did you mean 'pacer.created'?"),
        ("pacer.created == true", 28, "cannot compare a date with true/false", nil),
        ("role == \"judge\"", 19, "\"judge\" is not an option of 'role'", nil),
        ("role == \"atorney\"", 19, "\"atorney\" is not an option of 'role'", "did you mean \"attorney\"?"),
        ("pacer.upgraded and", 29, "expected a fact, a value or '('", nil),
        ("pacer.upgraded = true", 26, "unexpected character '='", "compare with '=='"),
        ("(pacer.upgraded", 11, "this '(' is never closed", "add ')'"),
        ("pacer.kind in [\"none\"", 25, "this '[' is never closed", "end the list with ']'"),
        ("pacer.created < 2014-02-30", 27, "'2014-02-30' is not a valid date", nil),
        ("court.go_lve < now", 11, "unknown court field 'court.go_lve'", "did you mean 'court.go_live'?"),
        ("pacer.created < now", 27, "cannot compare a date with a date-time", nil),
        ("pacer.created", 11, "must be true or false, but this is a date", nil),
        ("role < \"attorney\"", 11, "'<' needs numbers, dates or date-times", nil),
        ("done.link-acounts", 11, "unknown step 'link-acounts'", "did you mean 'done.link-accounts'?"),
        ("\"x\" == \"y\"", 11, "comparing two fixed values", nil),
        ("", 11, "the rule is empty", nil),
    ] as [(String, Int, String, String?)])
    func typeAndSyntaxErrorsAreLocated(_ text: String, column: Int, message: String, hint: String?) throws {
        let found = errors(text)
        let first = try #require(found.first, "expected an error for \(text)")
        #expect(first.location == SourceLocation(file: "s.md", line: 7, column: column))
        #expect(first.message.contains(message), "\(first.message)")
        if let hint { #expect(first.hint?.contains(hint) == true, "\(String(describing: first.hint))") }
    }

    @Test func personScopedStepsCannotNameCourtData() {
        #expect(errors("now > court.go_live", scope: .person).first?.message.contains("person-scoped step cannot name 'court.go_live'") == true)
        #expect(errors("cmecf.knows_login", scope: .person).first?.message.contains("court-scoped fact 'cmecf.knows_login'") == true)
        #expect(errors("today > 2020-01-01", scope: .person).first?.message.contains("cannot use 'today'") == true)
        #expect(errors("done.link-accounts", scope: .person).first?.message.contains("ticked per court") == true)
    }

    @Test func availableFromIsADateTimeOrADay() {
        #expect(errors("court.go_live", expecting: .instant).isEmpty)
        #expect(errors("true", expecting: .instant).first?.message.contains("must be a date-time") == true)
        // A day stands for its start in the court's zone, which a person-scoped step has not.
        #expect(errors("2020-03-30", expecting: .instant).isEmpty)
        #expect(errors("2020-03-30", scope: .person, expecting: .instant).first?.message.contains("needs a court's time zone") == true)
        // An instant with its offset needs no court.
        #expect(errors("2025-05-11T00:00-05:00", scope: .person, expecting: .instant).isEmpty)
        #expect(errors("now >= 2025-05-11T05:00Z", scope: .person).isEmpty)
    }

    @Test func datesOfDateTimesAndCourtDates() {
        #expect(errors("pacer.created < date(court.go_live)").isEmpty)
        let mixed = errors("pacer.created < court.go_live")
        #expect(mixed.first?.hint?.contains("date(...)") == true, "\(mixed)")
        #expect(errors("date(pacer.created) < today").first?.message.contains("takes a date-time") == true)
        #expect(errors("pacer.created < date(court.go_live)", scope: .person).first?.message.contains("needs a court's time zone") == true)
        #expect(errors("now > court.dates.freeze", expecting: .boolean).isEmpty, "a shared step's court dates are checked per court")
        #expect(tree("date(court.go_live) > 2020-01-01") == .compare(.greater, .dateOf(.court("go_live")), .value(.date(LocalDate(year: 2020, month: 1, day: 1)!))))
    }

    /// Thousands of generated and mutated rules: the parser never crashes and always gives a tree or a
    /// located error inside the rule.
    @Test func fuzzedRulesGiveATreeOrALocatedError() {
        var rng = SplitMix(seed: 0x6A7E1)
        let pieces = ["pacer.created", "pacer.upgraded", "role", "court.go_live", "now", "today", "and", "or", "not", "(", ")", "[", "]", ",",
                      "==", "!=", "<", "<=", ">", ">=", "in", "is", "answered", "true", "false", "2014-08-11", "2020-03-30T08:00", "3", "-4.5",
                      "\"attorney\"", "\"", "done.link-accounts", "=", "&", "2020-13-40", "é", " ", "..", "court.", "x-y"]
        var seeds = ["pacer.created < 2014-08-11 and not pacer.upgraded", "role in [\"attorney\", \"filing_agent\"] or cmecf.knows_login is answered",
                     "(now >= court.go_live) and done.link-accounts == false"]
        var parsed = 0, rejected = 0
        for i in 0..<6000 {
            var text: String
            if i % 2 == 0 {
                text = (0..<Int(rng.next() % 9 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined(separator: " ")
            } else {
                var chars = Array(seeds[Int(rng.next() % UInt64(seeds.count))])
                for _ in 0..<Int(rng.next() % 4 + 1) where !chars.isEmpty {
                    let at = Int(rng.next() % UInt64(chars.count))
                    switch rng.next() % 3 {
                    case 0: chars.remove(at: at)
                    case 1: chars.insert(Array("()\"[]=<>, .-")[Int(rng.next() % 12)], at: at)
                    default: chars.swapAt(at, Int(rng.next() % UInt64(chars.count)))
                    }
                }
                text = String(chars)
                if i % 50 == 1 { seeds.append(text) }
            }
            switch RuleParser.parse(text) {
            case .success: parsed += 1
            case let .failure(error):
                rejected += 1
                #expect(error.offset >= 0 && error.offset <= text.count, "offset \(error.offset) outside '\(text)'")
                #expect(!error.message.isEmpty)
            }
            let diagnostics = errors(text)
            for d in diagnostics {
                #expect(d.location.line == 7 && d.location.column >= 11 && d.location.column <= 11 + text.count, "\(d) for '\(text)'")
            }
        }
        #expect(parsed > 100 && rejected > 100)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "(", count: 5000) + "pacer.upgraded" + String(repeating: ")", count: 5000)
        guard case let .failure(error) = RuleParser.parse(text) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.contains("nested too deeply"))
    }
}

/// A small deterministic generator so fuzz runs are repeatable.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RuleFixtures {
    static func fact(_ id: String, _ type: FactType, options: [String] = [], scope: Scope = .person) -> FactDefinition {
        FactDefinition(id: id, type: type, question: "Question about \(id)?", help: "", label: "the \(id)", options: options, scope: scope,
                       location: SourceLocation(file: "facts.yml"))
    }

    static let facts = [
        fact("pacer.created", .date), fact("pacer.upgraded", .boolean), fact("pacer.individual", .boolean), fact("pacer.shared", .boolean),
        fact("pacer.count", .number), fact("role", .choice, options: ["attorney", "pro_hac_vice", "filing_agent"]),
        fact("cmecf.knows_login", .boolean, scope: .court),
    ]
}
