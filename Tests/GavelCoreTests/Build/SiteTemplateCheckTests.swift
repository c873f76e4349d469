import Foundation
import Testing
@testable import GavelCore

/// A build leaves the site's templates unparsed when the last build, which succeeded, had the same
/// inputs (`Theme.unchecked`); a template with an error must still fail every build that has it, at
/// its place, with Output untouched.
@Suite struct SiteTemplateCheckTests {
    /// A writable copy of the example content and templates, built into `<dir>/Output`.
    static func copy() throws -> (content: URL, templates: URL, options: BuildOptions) {
        let (dir, content, copied) = try OutputContractTests.copy()
        let templates = dir.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: TestPaths.templates, to: templates)
        var options = copied
        options.templates = templates
        options.templatesDisplay = "Templates"
        return (content, templates, options)
    }

    static let unclosed = "{{#unclosed}}never closed\n"

    /// What a load that parses every template says of the templates folder.
    static func eagerProblems(_ options: BuildOptions) throws -> [Diagnostic] {
        var bag = DiagnosticBag()
        _ = Theme.load(overrides: options.templates, displayRoot: options.templatesDisplay, bag: &bag)
        #expect(bag.hasErrors, "the template was meant to be broken")
        return DiagnosticsError(bag.all).diagnostics
    }

    static func failure(_ options: BuildOptions) async -> [Diagnostic]? {
        do {
            _ = try await SiteBuild(options: options).run(write: true)
            return nil
        } catch {
            return error.diagnostics
        }
    }

    @Test func aTemplateBrokenAfterAGoodBuildFailsEveryBuild() async throws {
        let (content, templates, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        // An edit, so the next build has a page to render: with its template deferred or not.
        try OutputContractTests.edit(content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")) { $0 + "\nChanged.\n" }
        _ = try await SiteBuild(options: options).run(write: true)
        let before = OutputContractTests.tree(options.output)
        try OutputContractTests.edit(templates.appendingPathComponent("notice.mustache")) { $0 + Self.unclosed }
        let expected = try Self.eagerProblems(options)
        #expect(expected.contains { $0.location.file == "Templates/notice.mustache" && $0.location.line != nil })
        for build in 0..<2 {
            #expect(await Self.failure(options) == expected, "build \(build)")
            #expect(OutputContractTests.tree(options.output) == before, "build \(build)")
        }
        // Mended, it builds, and a template broken in another file is told as well.
        try OutputContractTests.edit(templates.appendingPathComponent("notice.mustache")) { $0.replacingOccurrences(of: Self.unclosed, with: "") }
        _ = try await SiteBuild(options: options).run(write: true)
        try OutputContractTests.edit(templates.appendingPathComponent("404.mustache")) { $0 + Self.unclosed }
        #expect(await Self.failure(options) == (try Self.eagerProblems(options)))
        // A template no page uses is never parsed for a page, and is told all the same.
        try OutputContractTests.edit(templates.appendingPathComponent("404.mustache")) { $0.replacingOccurrences(of: Self.unclosed, with: "") }
        _ = try await SiteBuild(options: options).run(write: true)
        try Data(Self.unclosed.utf8).write(to: templates.appendingPathComponent("partials/unused.mustache"))
        #expect(await Self.failure(options) == (try Self.eagerProblems(options)))
    }

    /// Without state (a build from nothing), the check runs beside the plan: a broken template fails
    /// the build there, and no Output is made.
    @Test func aBrokenTemplateFailsABuildFromNothing() async throws {
        let (_, templates, options) = try Self.copy()
        try OutputContractTests.edit(templates.appendingPathComponent("notice.mustache")) { $0 + Self.unclosed }
        #expect(await Self.failure(options) == (try Self.eagerProblems(options)))
        #expect(FileIO.kind(options.output.path) == .missing)
    }

    /// With errors in the content, a broken template is told in the same run.
    @Test func aBrokenTemplateIsToldWithTheContentsErrors() async throws {
        let (content, templates, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        try OutputContractTests.edit(templates.appendingPathComponent("court.mustache")) { $0 + Self.unclosed }
        let notice = content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")
        try OutputContractTests.edit(notice) { $0.replacingOccurrences(of: "\ndate: ", with: "\ndate: 2020-02-30\nold_date: ") }
        let found = try #require(await Self.failure(options))
        #expect(found.contains { $0.location.file == "Templates/court.mustache" && $0.message.hasPrefix("template error") }, "\(found)")
        #expect(found.contains { $0.location.file.hasSuffix("nextgen-go-live.md") }, "\(found)")
    }

    /// A state that vouches for templates it never saw (its global fingerprint made to match) cannot
    /// make a broken one render an empty page: the page that needs it fails the build.
    @Test func aStateThatVouchesForABrokenTemplateCannotHideIt() async throws {
        let (content, templates, options) = try Self.copy()
        _ = try await SiteBuild(options: options).run(write: true)
        let before = OutputContractTests.tree(options.output)
        try OutputContractTests.edit(templates.appendingPathComponent("notice.mustache")) { $0 + Self.unclosed }
        try OutputContractTests.edit(content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")) { $0 + "\nChanged.\n" }
        // The global fingerprint this build will have, put in the state as if the last build had had it.
        let build = SiteBuild(options: options)
        var bag = DiagnosticBag()
        let loaded = await build.loadInputs(bag: &bag, indexing: false, previous: nil, changed: nil, steps: StepLog(timings: nil, observer: nil),
                                            defersSiteTemplates: true)
        let (model, theme) = try #require(await build.validated(loaded, bag: &bag, steps: StepLog(timings: nil, observer: nil)))
        #expect(!theme.unchecked.isEmpty && !bag.hasErrors)
        var cache = try #require(BuildCache.load(for: options.output))
        cache.global = BuildCache.globalFingerprint(options: options, model: model, theme: theme, plan: PagePlan(model: model, theme: theme))
        try cache.save(for: options.output)
        let found = try #require(await Self.failure(options))
        #expect(found == (try Self.eagerProblems(options)))
        #expect(OutputContractTests.tree(options.output) == before)
    }
}
