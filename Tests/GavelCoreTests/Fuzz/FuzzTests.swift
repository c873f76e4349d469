import Foundation
import Testing
@testable import GavelCore

/// A seeded fuzz harness for what reads user text: the rule parser and checker, front matter and
/// the YAML reader, the answers reader, and a Markdown body's court variables and rendering. Each
/// target mutates the files of `Fixtures/fuzz/<target>/` (the corpus, kept in the repository) with
/// a fixed seed, so a run is the same everywhere and a failure names the input that made it.
///
/// The claim is "no crash, no hang, and every error located inside the text": a crash fails the
/// whole run, a hang trips the time limit, and the invariants are checked on every input. The
/// iterations per target default to `defaultIterations` (a few seconds in a debug build, for CI);
/// `GAVEL_FUZZ_ITERATIONS=200000 swift test --filter FuzzTests` runs longer, with the same seeds.
@Suite("Fuzz", .timeLimit(.minutes(2)))
struct FuzzTests {
    static let defaultIterations = 5000
    static var iterations: Int {
        ProcessInfo.processInfo.environment["GAVEL_FUZZ_ITERATIONS"].flatMap(Int.init) ?? defaultIterations
    }

    static let corpus: URL = InvalidContentTests.Sandbox.fixtures.appendingPathComponent("fuzz")

    static func seeds(_ target: String) throws -> [String] {
        let folder = corpus.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { !$0.hasPrefix(".") }.sorted()
        let texts = try names.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
        // rules.txt holds one rule per line.
        return target == "rules" ? texts.flatMap { $0.split(separator: "\n").map(String.init) } : texts
    }

    /// The base fixture's content, loaded once per test: facts, steps and a court to check against.
    static func baseContent() async throws -> SiteContent {
        var bag = DiagnosticBag()
        let content = await ContentLoader(root: InvalidContentTests.Sandbox.fixtures.appendingPathComponent("base"), displayRoot: "Content").load(bag: &bag)
        return try #require(content, "\(DiagnosticFormat.text.render(bag.all))")
    }

    /// Mutations that reach the places parsers get wrong: brackets, quotes, escapes, line breaks and
    /// indentation, YAML anchors and aliases, court variables, and characters pasted from elsewhere.
    struct Mutator {
        var rng: SplitMix
        let tokens: [String] = [
            "(", ")", "[", "]", "{", "}", "{{", "}}", "\"", "'", "\\", ",", ":", ": ", "- ", "#", " #", "\n", "\n  ", "\n    ", "\r\n", "\t",
            "---", "...", "&a ", "*a", "!!str ", "|", ">-", "? ", "%YAML 1.2\n", "and", "or", "not", "in", "is answered", "==", "<=", "!=",
            "court.", "court.go_live", "done.", "pacer.created", "today", "now", "2014-08-11", "0012-05-01", "9999-12-31T23:59", "-4",
            "1e308", "\u{201C}", "\u{201D}", "\u{FEFF}", "\u{FFFE}", "\u{0}", "\u{1}", "\u{0B}", "\u{85}", "\u{2028}", "é", "e\u{301}",
            "👩‍⚖️", "[x]()", "](", "<b>", "&amp;", "null", "true", "~", "\"\\u0000\"", "{\"a\": [", "]}",
        ]

        mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.next() % UInt64(n)) }

        /// One to four edits of `text`, spliced now and then with another seed; capped at 8 KB.
        mutating func mutate(_ text: String, others: [String]) -> String {
            var s = Array(text.unicodeScalars)
            for _ in 0...below(4) {
                let at = below(s.count + 1)
                switch below(7) {
                case 0 where !s.isEmpty: s.removeSubrange(at..<min(s.count, at + 1 + below(8)))
                case 1, 2: s.insert(contentsOf: Array(pick(tokens).unicodeScalars), at: at)
                case 3 where !s.isEmpty:
                    let end = min(s.count, at + below(40))
                    if at < end { s.insert(contentsOf: Array(s[at..<end]), at: below(s.count + 1)) }
                case 4 where !s.isEmpty: s.swapAt(below(s.count), below(s.count))
                case 5:
                    let other = Array(pick(others).unicodeScalars)
                    let cut = below(other.count + 1)
                    s = Array(s[..<min(at, s.count)]) + Array(other[cut...])
                default: s.insert(Unicode.Scalar(UInt8(below(128))), at: at)
                }
            }
            if s.count > 8192 { s.removeSubrange(8192...) }
            var out = ""
            out.unicodeScalars.append(contentsOf: s)
            return out
        }
    }

    /// Every diagnostic inside the text it is about: lines from `firstLine` to its last line + 1 (an
    /// end-of-text error), columns from 1.
    static func located(_ diagnostics: [Diagnostic], file: String, firstLine: Int, text: String, input: String) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).count
        for d in diagnostics where d.location.file == file {
            #expect(d.location.line >= 1 && d.location.line <= firstLine + lines, "line \(d.location.line) outside the text:\n\(input.debugDescription)")
            #expect(d.location.column >= 1, "column \(d.location.column):\n\(input.debugDescription)")
            #expect(!d.message.isEmpty)
        }
    }

    @Test("rules: parsed and checked, or errors inside the rule")
    func rules() async throws {
        let content = try await Self.baseContent()
        let seeds = try Self.seeds("rules")
        var mutator = Mutator(rng: SplitMix(seed: 0x5EED_0001))
        let environment = RuleEnvironment(facts: content.facts, stepScopes: content.steps.mapValues(\.scope), scope: .court)
        var accepted = 0, rejected = 0
        defer { #expect(accepted > 0 && rejected > 0, "the mutations reach both outcomes: \(accepted) accepted, \(rejected) rejected") }
        for i in 0..<Self.iterations {
            let text = i < seeds.count ? seeds[i] : mutator.mutate(mutator.pick(seeds), others: seeds)
            var bag = DiagnosticBag()
            let source = Located(text, at: SourceLocation(file: "f.md", line: 3, column: 10))
            let tree = StepRuleCompiler.compileRule(source, expecting: i % 2 == 0 ? .boolean : .instant, role: "'applies_if'",
                                                    environment: environment, bag: &bag)
            #expect((tree == nil) == bag.hasErrors, "a rule is either a tree or errors:\n\(text.debugDescription)")
            if tree == nil { rejected += 1 } else { accepted += 1 }
            for d in bag.all {
                // A one-line rule: its errors stand on its line, between its start and one past its end.
                #expect(d.location.line >= 3 && d.location.column >= 10, "\(d) for \(text.debugDescription)")
                if !text.contains(where: \.isNewline) {
                    #expect(d.location.line == 3 && d.location.column <= 10 + text.count, "\(d) for \(text.debugDescription)")
                }
            }
        }
    }

    @Test("front matter and YAML: a map or located errors, with rules traced to their lines")
    func frontMatter() throws {
        let seeds = try Self.seeds("front-matter")
        var mutator = Mutator(rng: SplitMix(seed: 0x5EED_0002))
        var mapped = 0, failed = 0
        defer { #expect(mapped > 0 && failed > 0, "the mutations reach both outcomes: \(mapped) read, \(failed) with errors") }
        for i in 0..<Self.iterations {
            let text = i < seeds.count ? seeds[i] : mutator.mutate(mutator.pick(seeds), others: seeds)
            var bag = DiagnosticBag()
            let file = SourceFile(path: "f.md", text: text)
            switch FrontMatterDocument.split(file) {
            case let .failure(d): bag.add(d)
            case let .success(doc):
                let reader = YAMLReader(file: "f.md", firstLine: doc.yamlFirstLine, text: doc.yaml)
                let node = reader.parse(doc.yaml, bag: &bag)
                let known = ContentLoader.stepKeys + ContentLoader.noticeKeys + ContentLoader.courtKeys
                if let node, let map = reader.map(node, what: "front matter", known: known, bag: &bag) {
                    mapped += 1
                    for key in ["title", "summary", "date", "applies_if", "done_if", "available_from"] {
                        if let traced = reader.tracedString(map, key, bag: &bag) {
                            for offset in [0, traced.value.count / 2, traced.value.count] {
                                let at = traced.location(atOffset: offset)
                                #expect(at.line >= 1 && at.column >= 1, "\(key) at offset \(offset): \(at)\n\(text.debugDescription)")
                            }
                        }
                    }
                    for key in ["tags", "requires", "checklist"] { _ = reader.stringList(map, key, bag: &bag) }
                    for item in reader.list(map, "events", bag: &bag) {
                        if let m = reader.map(item, what: "an event", known: ["title", "start", "end"], at: reader.location(of: item), bag: &bag) {
                            _ = reader.localDateTime(m, "start", bag: &bag)
                        }
                    }
                    _ = reader.bool(map, "draft", bag: &bag)
                }
            }
            if bag.hasErrors { failed += 1 }
            Self.located(bag.all, file: "f.md", firstLine: 1, text: text, input: text)
        }
    }

    @Test("answers: read and checked, or errors inside the file")
    func answers() async throws {
        let content = try await Self.baseContent()
        let seeds = try Self.seeds("answers")
        var mutator = Mutator(rng: SplitMix(seed: 0x5EED_0003))
        for i in 0..<Self.iterations {
            let text = i < seeds.count ? seeds[i] : mutator.mutate(mutator.pick(seeds), others: seeds)
            var bag = DiagnosticBag()
            switch JSONValue.parse(text) {
            case let .failure(e):
                #expect(e.line >= 1 && e.column >= 1, "\(e.message) at \(e.line):\(e.column)\n\(text.debugDescription)")
            case let .success(value):
                do {
                    let answers = try Answers(json: value)
                    AnswersValidator(content: content, file: "answers.json", text: text).validate(answers, bag: &bag)
                    _ = ChecklistEngine().evaluate([], answers: answers, now: Instant(secondsSinceEpoch: 1_900_000_000))
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
            Self.located(bag.all, file: "answers.json", firstLine: 1, text: text, input: text)
        }
    }

    @Test("Markdown step bodies: court variables filled and rendered, errors in the body")
    func markdown() async throws {
        let content = try await Self.baseContent()
        let court = try #require(content.courts.first)
        let variables = CourtVariables(court: court)
        let renderer = BodyRenderer(markdown: Markdown(), linker: SiteLinker(offline: false, basePath: "/"),
                                    sitePaths: SitePaths(["", "about/", "checklist/", "courts/tst/", "courts/tst/checklist/"]), siteAllowsRawHTML: false)
        let seeds = try Self.seeds("markdown")
        var mutator = Mutator(rng: SplitMix(seed: 0x5EED_0004))
        for i in 0..<Self.iterations {
            let text = i < seeds.count ? seeds[i] : mutator.mutate(mutator.pick(seeds), others: seeds)
            var bag = DiagnosticBag()
            let source = MarkdownSource(text: text, file: "steps/s.md", firstLine: 8)
            _ = renderer.render(source, variables: i % 2 == 0 ? variables : nil, on: "courts/tst/steps/s/", bag: &bag)
            Self.located(bag.all, file: "steps/s.md", firstLine: 8, text: text, input: text)
        }
    }
}
