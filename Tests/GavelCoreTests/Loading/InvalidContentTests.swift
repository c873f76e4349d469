import Foundation
import GavelCore
import Testing

/// Bad input, one case per error. Each case starts from the small valid folder `Fixtures/base`, builds
/// it once into `Output`, then lays the overlay `Fixtures/invalid/<case>` over it and builds again. The
/// second build must fail with the expected diagnostic, at the expected place, and leave the first
/// build's Output exactly as it was.
///
/// An overlay holds only the files that differ from base, at the same relative paths: a file replaces
/// the base one, and a file named `<name>.delete` removes `<name>`.
///
/// Lines and columns below are read off the overlay files (1-based; a column counts characters).
@Suite("Invalid content")
struct InvalidContentTests {
    /// One expected diagnostic: `file` is relative to the content folder.
    struct Expected: Sendable, CustomStringConvertible {
        var file: String
        var line: Int
        var column: Int
        var message: String
        var hint: String?

        init(_ file: String, _ line: Int, _ column: Int, _ message: String, hint: String? = nil) {
            self.file = file
            self.line = line
            self.column = column
            self.message = message
            self.hint = hint
        }

        var description: String {
            "\(file):\(line):\(column): error: …\(message)…" + (hint.map { " (hint: …\($0)…)" } ?? "")
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var overlay: String
        var expected: [Expected]

        init(_ overlay: String, _ expected: Expected...) {
            self.overlay = overlay
            self.expected = expected
        }

        var testDescription: String { overlay }
    }

    static let cases: [Case] = [
        // Front matter
        Case("missing-front-matter",
             Expected("pages/about.md", 1, 1, "missing front matter", hint: "start the file with a line '---'")),
        Case("unclosed-front-matter",
             Expected("courts/tst/notices/downtime.md", 1, 1, "front matter is never closed", hint: "add a line '---'")),

        // YAML syntax: the key 'phone' on line 14 (column 7) is indented deeper than its sibling 'label'.
        Case("yaml-bad-indentation",
             Expected("courts/tst/court.yml", 14, 7, "invalid YAML")),
        // The quote opened on line 8, column 10 of the notice is never closed.
        Case("yaml-unclosed-quote",
             Expected("courts/tst/notices/go-live.md", 8, 10, "invalid YAML")),

        // Required fields: reported at the start of the mapping (line 2 of court.yml follows a comment).
        Case("notice-missing-date",
             Expected("courts/tst/notices/downtime.md", 2, 1, "missing required field 'date'")),
        Case("court-missing-timezone",
             Expected("courts/tst/court.yml", 2, 1, "missing required field 'timezone'")),

        // Dates, times and zones: at the first character inside the quotes.
        Case("impossible-date",
             Expected("courts/tst/notices/downtime.md", 3, 8, "'2021-02-30' is not a valid date", hint: "YYYY-MM-DD")),
        Case("impossible-date-time",
             Expected("courts/tst/court.yml", 7, 11, "'2030-03-04T25:00' is not a valid date or date-time", hint: "YYYY-MM-DDTHH:MM")),
        Case("unknown-time-zone",
             Expected("courts/tst/court.yml", 6, 11, "unknown time zone 'America/Chicgo'", hint: "did you mean 'America/Chicago'?")),
        Case("event-ends-before-start",
             Expected("courts/tst/notices/go-live.md", 8, 11, "event 'Training webinar' ends (2030-02-10T09:00) before it starts (2030-02-10T10:00)")),
        Case("downtime-ends-before-start",
             Expected("courts/tst/court.yml", 11, 11, "downtime ends (2030-02-27T08:00) before it starts (2030-02-28T16:30)")),

        // Ids and keys
        Case("court-id-mismatch",
             Expected("courts/tst/court.yml", 2, 5, "court id 'tsx' differs from its folder name 'tst'", hint: "set id: tst")),
        Case("duplicate-step-id",
             Expected("steps/link-accounts2.md", 2, 5, "duplicate step id 'link-accounts'", hint: "also defined in CONTENT/steps/link-accounts.md"),
             Expected("steps/link-accounts2.md", 2, 5, "step id 'link-accounts' differs from its file name 'link-accounts2.md'")),
        Case("duplicate-fact-id",
             Expected("facts.yml", 18, 7, "duplicate fact id 'pacer.upgraded'", hint: "first defined at line 13")),
        Case("duplicate-field",
             Expected("courts/tst/notices/downtime.md", 4, 1, "duplicate field 'title'")),
        Case("unknown-key-typo",
             Expected("courts/tst/notices/downtime.md", 2, 1, "unknown field 'titel'", hint: "did you mean 'title'?")),

        // Bodies: court variables and internal links, at their line and column in the file.
        Case("unknown-court-variable",
             Expected("courts/tst/notices/go-live.md", 11, 43, "unknown court variable 'court.go_lve'", hint: "did you mean 'court.go_live'?")),
        Case("broken-internal-link",
             Expected("courts/tst/notices/go-live.md", 13, 20, "broken internal link '/courts/tst/checklst/'", hint: "did you mean '/courts/tst/checklist/'?")),

        // Courts as they state their dates, and their own settings for shared steps.
        Case("unknown-court-date-name",
             Expected("courts/tst/court.yml", 22, 13, "this court has no date named 'prep_deadlin'", hint: "did you mean 'court.dates.prep_deadline'?")),
        Case("optional-step-required",
             Expected("courts/tst/court.yml", 19, 15, "step 'upgrade-account' is optional in court 'tst', but 'link-accounts' requires it",
                      hint: "a required step cannot be optional")),
        Case("unavailable-window-backwards",
             Expected("courts/tst/court.yml", 19, 38, "the window ends (2030-02-01) before it starts (2030-02-10)", hint: "through the end of that day")),
        Case("unavailable-windows-overlap",
             Expected("courts/tst/court.yml", 20, 19, "this window overlaps the one from 2030-02-01 to 2030-02-10", hint: "join them")),
        Case("step-listed-twice-with-settings",
             Expected("courts/tst/court.yml", 20, 11, "step 'link-accounts' is listed twice in the checklist of 'tst'", hint: "give one entry all")),
        Case("spring-forward-gap",
             Expected("courts/tst/court.yml", 7, 11, "2030-03-10T02:30 does not exist in America/Chicago: the clocks skip that hour", hint: "2030-03-10T03:30")),
        Case("also-courts-unknown",
             Expected("courts/tst/notices/go-live.md", 5, 15, "unknown court 'tsx' in 'also_courts'", hint: "did you mean 'tst'?"),
             Expected("courts/tst/notices/go-live.md", 5, 20, "'also_courts' names the notice's own court 'tst'")),
        Case("section-never-closed",
             Expected("courts/tst/notices/go-live.md", 13, 55, "section '{{#court.contacts.0}}' is never closed", hint: "{{/court.contacts.0}}")),
        Case("court-data-missing",
             Expected("courts/tst/notices/go-live.md", 13, 65, "court 'tst' has no 'court.contacts.1.phone'", hint: "{{#court.contacts.1}}")),
        Case("date-compared-with-date-time",
             Expected("steps/upgrade-account.md", 7, 29, "cannot compare a date with a date-time", hint: "date(...)")),

        // Bytes
        Case("not-utf8",
             Expected("pages/about.md", 6, 32, "not valid UTF-8", hint: "UTF-8")),
        Case("empty-file",
             Expected("pages/about.md", 1, 1, "file is empty")),

        // Checklists and requires
        Case("unknown-checklist-step",
             Expected("courts/tst/court.yml", 19, 5, "unknown step 'link-acounts' in the checklist of 'tst'", hint: "did you mean 'link-accounts'?")),
        Case("checklist-lacks-required-step",
             Expected("courts/tst/court.yml", 18, 5, "the checklist of 'tst' lacks 'upgrade-account', which 'link-accounts' requires",
                      hint: "add 'upgrade-account' before 'link-accounts'")),
        Case("requires-cycle",
             Expected("steps/upgrade-account.md", 6, 5, "'requires' forms a cycle: individual-account -> upgrade-account -> individual-account")),
        // Overlay deletion (`upgrade-account.md.delete`): a step that others still name.
        Case("deleted-step",
             Expected("courts/tst/court.yml", 18, 5, "unknown step 'upgrade-account' in the checklist of 'tst'", hint: "steps are the files in steps/"),
             Expected("steps/link-accounts.md", 6, 5, "unknown step 'upgrade-account' in 'requires'")),
        Case("requires-unknown-step",
             Expected("steps/link-accounts.md", 6, 5, "unknown step 'upgrade-acount' in 'requires'", hint: "did you mean 'upgrade-account'?")),

        // Rules: the column of the offending token inside the rule.
        Case("unknown-fact",
             Expected("steps/upgrade-account.md", 8, 10, "unknown fact 'pacer.upgradd'", hint: "did you mean 'pacer.upgraded'?")),
        Case("date-compared-with-boolean",
             Expected("steps/upgrade-account.md", 7, 30, "cannot compare a date with true/false")),
        Case("choice-not-an-option",
             Expected("steps/individual-account.md", 5, 24, "\"indivdual\" is not an option of 'pacer.kind'", hint: "did you mean \"individual\"?")),
        Case("rule-syntax-error",
             Expected("steps/upgrade-account.md", 8, 25, "syntax error in 'done_if'", hint: "compare with '=='")),
        Case("person-step-court-field",
             Expected("steps/upgrade-account.md", 9, 9, "a person-scoped step cannot name 'court.go_live'", hint: "scope: court")),
        Case("person-step-court-fact",
             Expected("steps/individual-account.md", 5, 41, "a person-scoped step cannot name the court-scoped fact 'cmecf.knows_login'", hint: "scope: court")),

        // Rules over several lines, and brackets left open: at the character, not the value's start.
        Case("rule-multiline-folded",
             Expected("steps/upgrade-account.md", 9, 7, "unknown fact 'pacer.knd'", hint: "did you mean 'pacer.kind'?")),
        Case("rule-multiline-literal",
             Expected("steps/link-accounts.md", 9, 9, "unknown court field 'court.go_lve'", hint: "did you mean 'court.go_live'?")),
        Case("rule-multiline-plain",
             Expected("steps/individual-account.md", 6, 17, "syntax error in 'done_if': unexpected character '='", hint: "compare with '=='")),
        Case("rule-unclosed-paren",
             Expected("steps/individual-account.md", 5, 10, "syntax error in 'done_if': this '(' is never closed", hint: "add ')'")),
        Case("yaml-unclosed-bracket",
             Expected("courts/tst/court.yml", 16, 12, "invalid YAML", hint: "close the bracket that opens here")),

        // An error in front matter does not hide an error in another file's body.
        Case("front-matter-and-body-errors",
             Expected("courts/tst/notices/downtime.md", 4, 1, "unknown field 'tagz'", hint: "did you mean 'tags'?"),
             Expected("courts/tst/notices/go-live.md", 6, 43, "unknown court variable 'court.go_lve'", hint: "did you mean 'court.go_live'?")),

        Case("court-yml-and-notice-errors",
             Expected("courts/tst/court.yml", 14, 7, "invalid YAML"),
             Expected("courts/tst/notices/downtime.md", 4, 1, "unknown field 'tagz'", hint: "did you mean 'tags'?")),

        // Inputs that would take the machine: stopped by a limit, at the place that passes it.
        Case("yaml-alias-bomb",
             Expected("courts/tst/court.yml", 21, 10, "YAML aliases expand to more than", hint: "aliases of aliases multiply")),
        Case("yaml-nested-too-deep",
             Expected("courts/tst/notices/deep.md", 4, 110, "YAML nests lists or mappings more than 100 deep")),

        // Content that would vanish.
        Case("court-yml-only-comment",
             Expected("courts/tst/court.yml", 1, 1, "court.yml is empty", hint: "required fields: id, name, kind, timezone")),

        // Bad input that would be published.
        Case("court-folder-name",
             Expected("courts/WIWB", 1, 1, "court folder name 'WIWB' must use lowercase letters, digits and hyphens", hint: "gavel new court")),
        Case("javascript-url",
             Expected("steps/individual-account.md", 8, 11, "learn_more link 'Register' uses the address scheme 'javascript:'", hint: "https:")),
        Case("unsafe-base-url",
             Expected("site.yml", 2, 12, "base_url uses the address scheme 'data:'", hint: "https:")),
        Case("navigation-broken-link",
             Expected("site.yml", 9, 11, "broken navigation link '/abuot/': no page at /abuot/", hint: "did you mean '/about/'?")),
        Case("empty-link",
             Expected("pages/about.md", 6, 52, "link with no address", hint: "write the address between the parentheses")),
        Case("control-character",
             Expected("courts/tst/notices/downtime.md", 2, 16, "the invisible character U+0001 is not allowed", hint: "word processor")),
        Case("control-character-escaped",
             Expected("courts/tst/notices/downtime.md", 2, 24, "'title' contains the invisible character U+000B", hint: "word processor")),
        Case("fact-named-answered",
             Expected("facts.yml", 23, 7, "fact id 'answered' is reserved")),

        // Hints for what people paste and try.
        Case("curly-quotes",
             Expected("steps/individual-account.md", 5, 24, "unexpected character '\u{201C}'", hint: "curly quote")),
        Case("date-arithmetic",
             Expected("steps/link-accounts.md", 8, 31, "unexpected character '-'", hint: "rules have no arithmetic")),
        Case("number-in-quotes",
             Expected("steps/upgrade-account.md", 7, 32, "cannot compare a number with text", hint: "write the number without quotes: 8")),
        Case("time-zone-old-name",
             Expected("courts/tst/court.yml", 6, 11, "unknown time zone 'US/Central'", hint: "write America/Chicago")),
    ]

    @Test("the base fixture builds cleanly")
    func baseBuilds() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let result = try await sandbox.build()
        #expect(result.warnings.isEmpty, "\(DiagnosticFormat.text.render(result.warnings))")
        let files = Set(result.paths)
        for path in ["index.html", "courts/tst/index.html", "courts/tst/notices/go-live/index.html",
                     "courts/tst/notices/downtime/index.html", "about/index.html", "courts/tst/checklist/index.html"] {
            #expect(files.contains(path), "missing \(path)")
        }
    }

    @Test("the Output snapshot notices a rebuild that changes a page")
    func snapshotSeesChanges() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try await sandbox.build()
        let before = try sandbox.snapshotOutput()
        let about = sandbox.content.appendingPathComponent("pages/about.md")
        let text = try String(contentsOf: about, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "Central Sign-On", with: "Central Sign-On (CSO)").utf8).write(to: about)
        try await sandbox.build()
        let after = try sandbox.snapshotOutput()
        #expect(after != before)
        #expect(OutputSnapshot.difference(before, after).contains("changed about/index.html"))
    }

    @Test("every overlay case exists, and every overlay folder has a case")
    func overlaysMatchCases() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Sandbox.fixtures.appendingPathComponent("invalid").path)
            .filter { !$0.hasPrefix(".") }
        let named = Set(Self.cases.map(\.overlay)).union(["multiple-errors"])
        #expect(Set(folders) == named)
    }

    @Test("a bad input is reported where it is, and Output is left alone", arguments: cases)
    func invalidContent(_ testCase: Case) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try await sandbox.build()
        let before = try sandbox.snapshotOutput()
        #expect(!before.isEmpty)

        try sandbox.apply(overlay: testCase.overlay)
        let diagnostics = try #require(await sandbox.failingBuild())
        let shown = DiagnosticFormat.text.render(diagnostics)

        for expected in testCase.expected {
            let file = sandbox.contentDisplay + "/" + expected.file
            let hint = expected.hint?.replacingOccurrences(of: "CONTENT", with: sandbox.contentDisplay)
            let found = diagnostics.contains { d in
                d.severity == .error && d.location.file == file && d.location.line == expected.line
                    && d.location.column == expected.column && d.message.contains(expected.message)
                    && (hint.map { d.hint?.contains($0) ?? false } ?? true)
            }
            #expect(found, "expected \(expected) among:\n\(shown)")
        }
        #expect(diagnostics == diagnostics.sorted(), "diagnostics are not sorted:\n\(shown)")

        let after = try sandbox.snapshotOutput()
        #expect(after == before, "a failed build changed Output: \(OutputSnapshot.difference(before, after))")
    }

    @Test("all errors are reported in one run, sorted by file, line and column")
    func allErrorsInOneRun() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        _ = try await sandbox.build()
        let before = try sandbox.snapshotOutput()
        try sandbox.apply(overlay: "multiple-errors")
        let diagnostics = try #require(await sandbox.failingBuild())
        let root = sandbox.contentDisplay

        // Found in the order facts.yml, court.yml, pages/about.md; reported sorted by path.
        let expected: [(String, Int, Int, String, String)] = [
            ("courts/tst/court.yml", 6, 11, "unknown time zone 'America/Chicgo'", "did you mean 'America/Chicago'?"),
            ("facts.yml", 16, 3, "unknown field 'hlp' in a fact", "did you mean 'help'?"),
            ("pages/about.md", 3, 1, "unknown field 'sumary' in page front matter", "did you mean 'summary'?"),
        ]
        try #require(diagnostics.count == expected.count, "\(DiagnosticFormat.text.render(diagnostics))")
        for (d, e) in zip(diagnostics, expected) {
            #expect(d.location == SourceLocation(file: root + "/" + e.0, line: e.1, column: e.2))
            #expect(d.severity == .error)
            #expect(d.message == e.3)
            #expect(d.hint == e.4)
        }
        #expect(try sandbox.snapshotOutput() == before)
    }

    @Test("diagnostics print like a compiler's, as text, JSON and GitHub annotations")
    func diagnosticFormats() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.apply(overlay: "multiple-errors")
        let diagnostics = try #require(await sandbox.failingBuild(write: false))
        let root = sandbox.contentDisplay
        try #require(diagnostics.count == 3)

        // text: "path:line:col: error: message", then an indented hint line.
        let text = DiagnosticFormat.text.render(diagnostics)
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines == [
            "\(root)/courts/tst/court.yml:6:11: error: unknown time zone 'America/Chicgo'",
            "  hint: did you mean 'America/Chicago'?",
            "\(root)/facts.yml:16:3: error: unknown field 'hlp' in a fact",
            "  hint: did you mean 'help'?",
            "\(root)/pages/about.md:3:1: error: unknown field 'sumary' in page front matter",
            "  hint: did you mean 'summary'?",
        ])
        let shape = /^(.+):(\d+):(\d+): error: (.+)$/
        for line in lines where !line.hasPrefix("  hint: ") {
            let match = try #require(line.wholeMatch(of: shape), "not compiler-like: \(line)")
            #expect(String(match.1).hasPrefix(root + "/"))
        }

        // JSON: the same facts, one object per diagnostic, in the same order.
        let json = DiagnosticFormat.json.render(diagnostics)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let items = try #require(object["diagnostics"] as? [[String: Any]])
        try #require(items.count == 3)
        #expect(items[0]["file"] as? String == "\(root)/courts/tst/court.yml")
        #expect(items[0]["line"] as? Int == 6)
        #expect(items[0]["column"] as? Int == 11)
        #expect(items[0]["severity"] as? String == "error")
        #expect(items[0]["message"] as? String == "unknown time zone 'America/Chicgo'")
        #expect(items[0]["hint"] as? String == "did you mean 'America/Chicago'?")
        #expect(items.map { $0["file"] as? String } == ["courts/tst/court.yml", "facts.yml", "pages/about.md"].map { "\(root)/\($0)" })
        #expect(items.map { $0["line"] as? Int } == [6, 16, 3])

        // GitHub Actions workflow commands.
        let github = DiagnosticFormat.github.render(diagnostics)
        #expect(github.split(separator: "\n").map(String.init) == [
            "::error file=\(root)/courts/tst/court.yml,line=6,col=11::unknown time zone 'America/Chicgo' (hint: did you mean 'America/Chicago'?)",
            "::error file=\(root)/facts.yml,line=16,col=3::unknown field 'hlp' in a fact (hint: did you mean 'help'?)",
            "::error file=\(root)/pages/about.md,line=3,col=1::unknown field 'sumary' in page front matter (hint: did you mean 'summary'?)",
        ])
    }
}

// MARK: - Sandbox

extension InvalidContentTests {

    /// A fresh temporary folder holding `Content` (a copy of the base fixture), a minimal theme in
    /// `Templates`, and the build's `Output`.
    struct Sandbox {
        static let fixtures: URL = {
            guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
                fatalError("the test bundle has no Fixtures folder")
            }
            return url
        }()

        /// cmark-gfm registers its extensions without a lock: do it once, before tests build in parallel.
        static let markdownReady: Bool = {
            _ = Markdown()
            return true
        }()

        /// A fixed clock, so builds do not depend on the day the tests run.
        static let now = Instant(secondsSinceEpoch: 1_893_456_000) // 2030-01-01T00:00:00Z

        static let templateNames = ["layout", "home", "court", "notice", "page", "step", "checklist", "search", "404"]

        let root: URL
        var content: URL { root.appendingPathComponent("Content") }
        var templates: URL { root.appendingPathComponent("Templates") }
        var output: URL { root.appendingPathComponent("Output") }
        /// The content folder as passed to `BuildOptions(content:)`, which is how diagnostics show it.
        var contentDisplay: String { content.path }

        init() throws {
            _ = Self.markdownReady
            let fm = FileManager.default
            root = TestPaths.runFolder.appendingPathComponent("invalid-\(UUID().uuidString)")
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
            try fm.copyItem(at: Self.fixtures.appendingPathComponent("base"), to: content)
            try fm.createDirectory(at: templates.appendingPathComponent("assets"), withIntermediateDirectories: true)
            for name in Self.templateNames {
                try Data("<!doctype html>\n<title>{{title}}</title>\n{{{body_html}}}\n".utf8)
                    .write(to: templates.appendingPathComponent(name + ".mustache"))
            }
            try Data("body { margin: 0 }\n".utf8).write(to: templates.appendingPathComponent("assets/site.css"))
        }

        func remove() {
            try? FileManager.default.removeItem(at: root)
        }

        var options: BuildOptions {
            BuildOptions(content: content.path, templates: templates.path, output: output.path, now: Self.now)
        }

        @discardableResult
        func build() async throws -> SiteBuild.Result {
            try await SiteBuild(options: options).run(write: true)
        }

        /// Runs a build that must fail, and returns its diagnostics; nil (with a recorded issue) if it succeeded.
        func failingBuild(write: Bool = true) async -> [Diagnostic]? {
            do {
                let result = try await SiteBuild(options: options).run(write: write)
                Issue.record("the build succeeded; it wrote \(result.paths.count) files")
                return nil
            } catch {
                return error.diagnostics
            }
        }

        /// Lays `Fixtures/invalid/<name>` over the content: files replace, `<name>.delete` removes `<name>`.
        func apply(overlay name: String) throws {
            let fm = FileManager.default
            let overlay = Self.fixtures.appendingPathComponent("invalid").appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: overlay.path, isDirectory: &isDir), isDir.boolValue else {
                throw SandboxError(message: "no overlay folder \(overlay.path)")
            }
            let relatives = (fm.enumerator(atPath: overlay.path)?.allObjects as? [String] ?? []).sorted()
            var applied = 0
            for relative in relatives {
                let source = overlay.appendingPathComponent(relative)
                guard fm.fileExists(atPath: source.path, isDirectory: &isDir), !isDir.boolValue else { continue }
                if relative.hasSuffix(".delete") {
                    let target = content.appendingPathComponent(String(relative.dropLast(".delete".count)))
                    guard fm.fileExists(atPath: target.path) else { throw SandboxError(message: "\(relative) deletes a file base does not have") }
                    try fm.removeItem(at: target)
                } else {
                    let target = content.appendingPathComponent(relative)
                    try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
                    try fm.copyItem(at: source, to: target)
                }
                applied += 1
            }
            if applied == 0 { throw SandboxError(message: "overlay \(name) is empty") }
        }

        func snapshotOutput() throws -> OutputSnapshot {
            try OutputSnapshot(output)
        }
    }

    struct SandboxError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Every entry under a folder, with its bytes (files) and modification time (files and folders).
    struct OutputSnapshot: Equatable {
        enum Entry: Equatable {
            case directory(modified: Date)
            case file(bytes: Data, modified: Date)
        }

        var entries: [String: Entry]
        var isEmpty: Bool { entries.isEmpty }

        init(_ folder: URL) throws {
            let fm = FileManager.default
            var entries: [String: Entry] = [:]
            entries["."] = .directory(modified: try Self.modified(folder))
            for case let relative as String in fm.enumerator(atPath: folder.path)?.allObjects ?? [] {
                let url = folder.appendingPathComponent(relative)
                var isDir: ObjCBool = false
                guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { continue }
                if isDir.boolValue {
                    entries[relative] = .directory(modified: try Self.modified(url))
                } else {
                    entries[relative] = .file(bytes: try Data(contentsOf: url), modified: try Self.modified(url))
                }
            }
            self.entries = entries
        }

        static func modified(_ url: URL) throws -> Date {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            guard let date = attributes[.modificationDate] as? Date else {
                throw SandboxError(message: "no modification date for \(url.path)")
            }
            return date
        }

        static func difference(_ a: OutputSnapshot, _ b: OutputSnapshot) -> String {
            let keys = Set(a.entries.keys).union(b.entries.keys).sorted()
            return keys.compactMap { key -> String? in
                switch (a.entries[key], b.entries[key]) {
                case (nil, _): return "added \(key)"
                case (_, nil): return "removed \(key)"
                case let (x?, y?) where x != y: return "changed \(key)"
                default: return nil
                }
            }.joined(separator: ", ")
        }
    }
}
