import Foundation
import Testing
@testable import GavelCore

/// Inputs an overlay cannot express (FIFOs, a file where a folder belongs) and checks of what a
/// build writes for input that used to slip through. Each starts from `Fixtures/base`.
@Suite("Hostile content")
struct HostileContentTests {
    typealias Sandbox = InvalidContentTests.Sandbox

    func errors(_ sandbox: Sandbox) async -> [Diagnostic] {
        await sandbox.failingBuild(write: false) ?? []
    }

    func replaceWithFIFO(_ url: URL) throws {
        try FileManager.default.removeItem(at: url)
        #expect(mkfifo(url.path, 0o644) == 0)
    }

    @Test("a FIFO as site.yml, a notice or a template is an error, never a wait",
          arguments: ["Content/site.yml", "Content/courts/tst/notices/go-live.md", "Templates/layout.mustache"])
    func fifosAreRefused(_ relative: String) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try replaceWithFIFO(sandbox.root.appendingPathComponent(relative))
        let found = await errors(sandbox)
        let expected = sandbox.root.appendingPathComponent(relative).path
        #expect(found.contains { $0.location.file == expected && $0.message.contains("not a regular file") },
                "\(DiagnosticFormat.text.render(found))")
    }

    @Test("a file where the notices folder belongs is one error naming it")
    func noticesFolderThatIsAFile() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let notices = sandbox.content.appendingPathComponent("courts/tst/notices")
        try FileManager.default.removeItem(at: notices)
        try Data("not a folder\n".utf8).write(to: notices)
        let found = await errors(sandbox)
        #expect(found.map(\.location.file) == [notices.path], "\(DiagnosticFormat.text.render(found))")
        #expect(found.first?.message == "is a file where a folder belongs")
    }

    @Test("steps/ that cannot be listed is one error naming the folder, not an unknown step per checklist entry")
    func stepsFolderThatIsAFile() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let steps = sandbox.content.appendingPathComponent("steps")
        try FileManager.default.removeItem(at: steps)
        try Data("".utf8).write(to: steps)
        let found = await errors(sandbox)
        #expect(found.count == 1, "\(DiagnosticFormat.text.render(found))")
        #expect(found.first?.location.file == steps.path)
    }

    @Test("a file among the court folders is an error naming it")
    func fileAmongCourts() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let stray = sandbox.content.appendingPathComponent("courts/README.md")
        try Data("# courts\n".utf8).write(to: stray)
        let found = await errors(sandbox)
        #expect(found.map(\.location.file) == [stray.path], "\(DiagnosticFormat.text.render(found))")
    }

    @Test("court.yml saved with a byte-order mark builds")
    func byteOrderMark() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let court = sandbox.content.appendingPathComponent("courts/tst/court.yml")
        // A comment after a value keeps the file off the fast path: libyaml sees the mark too.
        let text = try String(contentsOf: court, encoding: .utf8) + "allow_raw_html: false # for now\n"
        try Data("\u{FEFF}\(text)".utf8).write(to: court)
        let result = try await sandbox.build()
        #expect(result.paths.contains("courts/tst/index.html"))
    }

    @Test("a requires cycle is reported alone, without checklist-order advice it makes impossible")
    func cycleAlone() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        try sandbox.apply(overlay: "requires-cycle")
        let found = await errors(sandbox)
        #expect(found.count == 1, "\(DiagnosticFormat.text.render(found))")
        #expect(found.first?.message.contains("forms a cycle") == true)
    }

    @Test("a long chain of requirements and a cycle: the cycle reported once, its steps given no order advice")
    func longChainAndCycle() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let steps = sandbox.content.appendingPathComponent("steps")
        let count = 1500
        for i in 0..<count {
            let requires = i + 1 < count ? "requires: [chain-\(i + 1)]\n" : ""
            try Data("---\nid: chain-\(i)\ntitle: \"Step \(i)\"\n\(requires)---\nBody.\n".utf8).write(to: steps.appendingPathComponent("chain-\(i).md"))
        }
        try sandbox.apply(overlay: "requires-cycle")
        let found = await errors(sandbox)
        #expect(found.count == 1, "\(DiagnosticFormat.text.render(found))")
        #expect(found.first?.message.contains("individual-account -> upgrade-account -> individual-account") == true)
    }

    @Test("a downtime also listed as a notice's event is one calendar event")
    func calendarEvents() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let notice = sandbox.content.appendingPathComponent("courts/tst/notices/downtime.md")
        try Data("""
        ---
        title: "Filing downtime before go-live"
        date: "2030-02-01"
        events:
          - title: "CM/ECF unavailable"
            start: "2030-02-28T16:30"
            end: "2030-03-04T08:00"
        ---

        Body.

        """.utf8).write(to: notice)
        try await sandbox.build()
        let ics = try String(contentsOf: sandbox.output.appendingPathComponent("courts/tst/calendar.ics"), encoding: .utf8)
        #expect(ics.components(separatedBy: "DTSTART;TZID=America/Chicago:20300228T163000").count == 2, "\(ics)")
    }

    @Test("calendar text writes every line break as \\n and drops other controls, so a CR never splits a line")
    func calendarText() {
        #expect(SiteCalendar.text("a\r\nb\rc\nd\u{01}e\tf;g,h\\") == "a\\nb\\nc\\nde\tf\\;g\\,h\\\\")
    }

    @Test("feed.xml never carries a character XML forbids")
    func feedEscaping() {
        #expect(SiteFeeds.escape("a\u{01}b\u{0B}c\u{FFFE}d\u{FFFF}e\tf\ng<&>") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\tf\ng&lt;&amp;&gt;")
    }

    @Test("one court's allow_raw_html does not reach the all-courts checklist")
    func rawHTMLStaysInItsCourt() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let court = sandbox.content.appendingPathComponent("courts/tst/court.yml")
        try Data((try String(contentsOf: court, encoding: .utf8) + "allow_raw_html: true\n").utf8).write(to: court)
        let step = sandbox.content.appendingPathComponent("steps/individual-account.md")
        try Data((try String(contentsOf: step, encoding: .utf8) + "\n<marquee>raw</marquee>\n").utf8).write(to: step)
        // The real theme: the sandbox's minimal templates do not show step bodies.
        let options = BuildOptions(content: sandbox.content.path, templates: TestPaths.templates.path, output: sandbox.output.path, now: Sandbox.now)
        _ = try await SiteBuild(options: options).run(write: true)
        let courtPage = try String(contentsOf: sandbox.output.appendingPathComponent("courts/tst/checklist/index.html"), encoding: .utf8)
        let sitePage = try String(contentsOf: sandbox.output.appendingPathComponent("checklist/index.html"), encoding: .utf8)
        #expect(courtPage.contains("<marquee>raw</marquee>"))
        #expect(!sitePage.contains("<marquee>"))
    }
}
