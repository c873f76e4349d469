import Foundation
import Testing
@testable import GavelCore

/// Runs the real `gavel` executable, built beside the tests, for exit codes and output.
@Suite struct CommandLineTests {
    static let binary = TestPaths.root.appendingPathComponent(".build/debug/gavel")

    func gavel(_ arguments: [String], in directory: URL = TestPaths.root) throws -> ProcessRun {
        try #require(FileManager.default.isExecutableFile(atPath: Self.binary.path), "build the gavel product first (swift build)")
        return try ProcessRun.run(Self.binary, arguments, in: directory)
    }

    /// A writable copy of the example content.
    func contentCopy() throws -> URL {
        let dir = try TestPaths.temporaryDirectory()
        try FileManager.default.copyItem(at: TestPaths.content, to: dir.appendingPathComponent("Content"))
        try FileManager.default.copyItem(at: TestPaths.templates, to: dir.appendingPathComponent("Templates"))
        return dir
    }

    @Test func checkPassesOnTheExampleSite() throws {
        let run = try gavel(["check"])
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// On a terminal (a pty made by script(1)) a build shows one rewritten progress line; not in CI,
    /// not with JSON diagnostics, and not when standard error is a pipe.
    @Test func aBuildShowsProgressOnlyOnATerminal() throws {
        let dir = try contentCopy()
        var environment = ProcessInfo.processInfo.environment
        environment["CI"] = nil
        environment["TERM"] = "xterm"
        func underScript(_ extra: String, _ env: [String: String]) throws -> String {
            let command = "\(Self.binary.path) build --content Content --output Out\(extra)"
            let run = try ProcessRun.run(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], in: dir, environment: env)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            return run.stdout
        }
        let line = "\r\u{1B}[2Kgavel: "
        let shown = try underScript("", environment)
        #expect(shown.contains(line + "rendering pages"), "\(shown.debugDescription)")
        #expect(shown.contains("courts"))
        #expect(shown.contains("\r\u{1B}[2Kbuilt "), "the line is cleared before the summary")
        var ci = environment
        ci["CI"] = "true"
        #expect(!(try underScript("", ci)).contains(line))
        #expect(!(try underScript(" --diagnostics json", environment)).contains(line))
        let piped = try ProcessRun.run(Self.binary, ["build", "--content", "Content", "--output", "Out"], in: dir, environment: environment)
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("\u{1B}"))
    }

    @Test func usageErrorsExitWithTwo() throws {
        #expect(try gavel(["build", "--no-such-flag"]).status == 2)
        #expect(try gavel(["frobnicate"]).status == 2)
        #expect(try gavel(["eval"]).status == 2, "--facts is required")
    }

    @Test func contentErrorsExitWithOneAndReadLikeACompiler() throws {
        let dir = try contentCopy()
        let step = dir.appendingPathComponent("Content/steps/link-accounts.md")
        var text = try String(contentsOf: step, encoding: .utf8)
        text = text.replacingOccurrences(of: "available_from: court.go_live", with: "available_from: court.go_lve")
        try text.write(to: step, atomically: true, encoding: .utf8)
        let run = try gavel(["check"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.range(of: #"Content/steps/link-accounts\.md:\d+:\d+: error: unknown court field 'court\.go_lve'"#, options: .regularExpression) != nil, "\(run.stderr)")
        #expect(run.stderr.contains("did you mean 'court.go_live'?"))
        let github = try gavel(["check", "--diagnostics", "github"], in: dir)
        #expect(github.stderr.hasPrefix("::error file=Content/steps/link-accounts.md,line="))
        let json = try gavel(["check", "--diagnostics", "json"], in: dir)
        guard case let .success(doc) = JSONValue.parse(json.stdout) else { Issue.record("not JSON: \(json.stdout)"); return }
        #expect(doc["diagnostics"]?.arrayValue?.first?["message"]?.stringValue?.contains("court.go_lve") == true)
    }

    @Test func evalPrintsTheSpecResult() throws {
        let dir = try TestPaths.temporaryDirectory()
        let answers = dir.appendingPathComponent("answers.json")
        try Data("""
        { "courts": ["wiwb"],
          "answers": { "pacer.kind": "individual", "pacer.created": "2012-05-01", "pacer.upgraded": true },
          "court_answers": { "wiwb": { "cmecf.knows_login": true, "done.read-court-notice": true } } }
        """.utf8).write(to: answers)
        let run = try gavel(["eval", "--facts", answers.path, "--now", "2020-03-30T12:59:59Z", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        guard case let .success(doc) = JSONValue.parse(run.stdout) else { Issue.record("not JSON"); return }
        let court = try #require(doc["courts"]?.arrayValue?.first)
        #expect(court["id"] == .string("wiwb"))
        #expect(court["readiness"] == .string("ready"))
        let link = try #require(court["steps"]?.arrayValue?.first { $0["id"] == .string("link-accounts") })
        #expect(link["status"] == .string("not-yet"))
        #expect(link["opens_at"] == .string("2020-03-30T13:00:00Z"))
        let after = try gavel(["eval", "--answers", answers.path, "--now", "2020-03-30T13:00:00Z"])
        #expect(after.stdout.contains("action needed"))
        #expect(after.stdout.contains("[to do] Link your PACER and CM/ECF accounts"))
    }

    @Test func evalRejectsBadAnswersWithALocatedError() throws {
        let dir = try TestPaths.temporaryDirectory()
        let answers = dir.appendingPathComponent("answers.json")
        try Data("{\"courts\": [\"wiwb\"],\n \"answers\": {\"pacer.created\": true, \"pacer.kynd\": \"individual\"}}".utf8).write(to: answers)
        let run = try gavel(["eval", "--facts", answers.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("answers.json:2:14: error: the answer for 'pacer.created' must be a date"), "\(run.stderr)")
        #expect(run.stderr.contains("unknown fact 'pacer.kynd'"))
        #expect(run.stderr.contains("did you mean 'pacer.kind'?"))
        try Data("{\"courts\": [\"wiwb\"], ".utf8).write(to: answers)
        #expect(try gavel(["eval", "--facts", answers.path]).stderr.contains("invalid JSON"))
        try Data("{\"courts\": [\"wiwbb\"]}".utf8).write(to: answers)
        let unknown = try gavel(["eval", "--facts", answers.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("unknown court 'wiwbb'"))
    }

    @Test func evalNamesWaitedForStepsByTitleAndEvaluatesACourtListedTwiceOnce() throws {
        let dir = try TestPaths.temporaryDirectory()
        let answers = dir.appendingPathComponent("answers.json")
        try Data("""
        { "courts": ["wiwb", "wiwb"],
          "answers": { "pacer.kind": "individual", "pacer.created": "2012-05-01" },
          "court_answers": { "wiwb": { "cmecf.knows_login": true } } }
        """.utf8).write(to: answers)
        let run = try gavel(["eval", "--facts", answers.path, "--now", "2020-03-27T12:00:00Z"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("— waits for: Upgrade a legacy PACER account\n"), "\(run.stdout)")
        #expect(run.stdout.components(separatedBy: "(wiwb)").count == 2, "wiwb is reported once:\n\(run.stdout)")
        let json = try gavel(["eval", "--facts", answers.path, "--now", "2020-03-27T12:00:00Z", "--json"])
        guard case let .success(doc) = JSONValue.parse(json.stdout) else { Issue.record("not JSON"); return }
        #expect(doc["courts"]?.arrayValue?.count == 1)
    }

    @Test func evalRefusesAnImpossibleOffsetAndAFIFO() throws {
        let dir = try TestPaths.temporaryDirectory()
        let answers = dir.appendingPathComponent("answers.json")
        try Data(#"{"courts": ["wiwb"]}"#.utf8).write(to: answers)
        let offset = try gavel(["eval", "--facts", answers.path, "--now", "2020-03-30T12:00+99:99"])
        #expect(offset.status == 2, "\(offset.stderr)")
        #expect(offset.stderr.contains("--now must be an ISO-8601 instant"))
        let fifo = dir.appendingPathComponent("answers.fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let run = try gavel(["eval", "--facts", fifo.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot read the answers file"), "\(run.stderr)")
    }

    @Test func aBaseURLThatRunsCodeIsRefused() throws {
        let dir = try contentCopy()
        let run = try gavel(["build", "--output", "Out", "--base-url", "javascript:alert(1)//"], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.contains("--base-url:1:1: error: base_url uses the address scheme 'javascript:'"), "\(run.stderr)")
    }

    @Test func answersForAStepWithoutACheckboxAreExplained() throws {
        let dir = try TestPaths.temporaryDirectory()
        let answers = dir.appendingPathComponent("answers.json")
        try Data(#"{"courts": ["wiwb"], "answers": {"done.upgrade-legacy-account": true}}"#.utf8).write(to: answers)
        let run = try gavel(["eval", "--facts", answers.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("answers.json:1:34: error: step 'upgrade-legacy-account' has no checkbox, so 'done.upgrade-legacy-account' is not an answer"),
                "\(run.stderr)")
        #expect(!run.stderr.contains("put it in"))
    }

    @Test(arguments: [["court", "nysb"], ["step", "file-a-form"], ["notice", "new-hours", "--court", "wiwb"]])
    func scaffoldsBuildAsWritten(_ arguments: [String]) throws {
        let dir = try contentCopy()
        let created = try gavel(["new"] + arguments, in: dir)
        #expect(created.status == 0, "\(created.stderr)")
        let build = try gavel(["build", "--output", "Out"], in: dir)
        #expect(build.status == 0, "\(build.stderr)")
        let again = try gavel(["new"] + arguments, in: dir)
        #expect(again.status == 1, "an existing file is never overwritten")
    }

    @Test func failedBuildLeavesThePreviousOutputUntouched() throws {
        let dir = try contentCopy()
        #expect(try gavel(["build"], in: dir).status == 0)
        let index = dir.appendingPathComponent("Output/index.html")
        let before = try Data(contentsOf: index)
        let court = dir.appendingPathComponent("Content/courts/wiwb/court.yml")
        try (try String(contentsOf: court, encoding: .utf8)).replacingOccurrences(of: "America/Chicago", with: "America/Chicgo").write(to: court, atomically: true, encoding: .utf8)
        let failed = try gavel(["build"], in: dir)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("unknown time zone 'America/Chicgo'"))
        #expect(failed.stderr.contains("was not changed"))
        #expect(try Data(contentsOf: index) == before)
    }

    @Test func versionPrintsTheOneVersionNumber() throws {
        let run = try gavel(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == GavelVersion.number + "\n")
    }

    @Test func initRefusesAFolderWithSomethingInIt() throws {
        let dir = try TestPaths.temporaryDirectory()
        try Data("mine\n".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        let run = try gavel(["init", "."], in: dir)
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: . is not empty (notes.txt); nothing was written"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["notes.txt"])
    }

    /// Without a Templates/ folder the built-in theme is used; with one, only its files replace the
    /// built-in ones; `--templates` naming a missing folder is an error.
    @Test func theTemplatesFolderIsOptionalAndOverridesFileByFile() throws {
        let dir = try TestPaths.temporaryDirectory()
        try FileManager.default.copyItem(at: TestPaths.content, to: dir.appendingPathComponent("Content"))
        #expect(try gavel(["build", "--output", "Plain", "--now", "2020-03-20T12:00:00Z"], in: dir).status == 0)
        let templates = dir.appendingPathComponent("Templates")
        try FileManager.default.createDirectory(at: templates.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try Data("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n".utf8).write(to: templates.appendingPathComponent("assets/seal.svg"))
        let sealed = try gavel(["build", "--output", "Sealed", "--now", "2020-03-20T12:00:00Z"], in: dir)
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let manifest = try String(contentsOf: dir.appendingPathComponent("Sealed/assets/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"seal.svg\""))
        #expect(!(try String(contentsOf: dir.appendingPathComponent("Plain/assets/manifest.json"), encoding: .utf8)).contains("seal.svg"))
        #expect(try Data(contentsOf: dir.appendingPathComponent("Plain/index.html")) == (try Data(contentsOf: dir.appendingPathComponent("Sealed/index.html"))))
        let missing = try gavel(["check", "--templates", "Theme"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("Theme:1:1: error: templates folder not found"), "\(missing.stderr)")
    }

    @Test func themeExportWritesTheBuiltInThemeIntoANewFolderOnly() throws {
        let dir = try TestPaths.temporaryDirectory()
        let run = try gavel(["theme", "export", "Exported"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        for file in Theme.builtInFiles {
            #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("Exported/" + file.path).path) == Data(file.bytes), "\(file.path)")
        }
        let again = try gavel(["theme", "export", "Exported"], in: dir)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty"))
    }
}
