import Foundation
import Testing
@testable import GavelCore

/// Courts as they state their dates and their own rules (SPEC sections 2 to 4), through the whole
/// product: loading, the compiled checklist, the engine, the English, pages, feeds and calendars.
@Suite struct StatedDatesTests {
    /// The base fixture with two courts: `tst`, going live on a day with no time given, with a
    /// named date, an open-ended downtime, its own deadline and window on a person-scoped step and
    /// an optional step; and `liv`, already live with no date, listing tst's joint notice.
    static func site() throws -> (dir: URL, options: BuildOptions) {
        let dir = try TestPaths.temporaryDirectory()
        let content = dir.appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.root.appendingPathComponent("Tests/GavelCoreTests/Fixtures/base"), to: content)
        try """
        id: tst
        name: "United States District Court for the District of Test"
        short_name: "D. Test"
        kind: district
        timezone: America/Chicago
        go_live: "2030-04-05"
        dates:
          prep_deadline: "2030-04-02T17:00"
        downtime:
          - title: "CM/ECF unavailable"
            start: "2030-04-01T16:30"
            end: "2030-04-05"
          - title: "Archive system unavailable"
            start: "2030-04-06T08:00"
            end_note: "until further notice"
        contacts:
          - label: "Clerk's Office"
            phone: "(555) 010-0100"
        checklist:
          - step: individual-account
            due_by: court.dates.prep_deadline
            unavailable:
              - { start: "2030-03-09", end: "2030-03-16", reason: "PACER registration is suspended" }
          - upgrade-account
          - link-accounts
          - step: firm-account
            optional: true
        """.write(to: content.appendingPathComponent("courts/tst/court.yml"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: content.appendingPathComponent("courts/liv/notices"), withIntermediateDirectories: true)
        try """
        id: liv
        name: "United States District Court for the District of Live"
        short_name: "D. Live"
        kind: district
        timezone: America/New_York
        live: true
        go_live_note: "live since the autumn"
        contacts:
          - label: "Clerk's Office"
            phone: "(555) 010-0200"
        checklist:
          - individual-account
          - upgrade-account
          - link-accounts
        """.write(to: content.appendingPathComponent("courts/liv/court.yml"), atomically: true, encoding: .utf8)
        try """
        ---
        id: firm-account
        title: "Set up a firm account"
        scope: person
        learn_more: "https://pacer.uscourts.gov/"
        ---
        Optional.
        """.write(to: content.appendingPathComponent("steps/firm-account.md"), atomically: true, encoding: .utf8)
        try """
        ---
        title: "Going live on {{court.go_live}}"
        date: "2030-01-20"
        summary: "Both courts: {{court.short_name}} first."
        also_courts: [liv]
        ---
        {{court.name}} goes live on {{court.go_live}}.{{#court.contacts.0}} Call {{court.contacts.0.phone}}.{{/court.contacts.0}}{{^court.contacts.1}} One office only.{{/court.contacts.1}}
        """.write(to: content.appendingPathComponent("courts/tst/notices/joint.md"), atomically: true, encoding: .utf8)
        var options = BuildOptions(content: content.path, templates: TestPaths.templates.path, output: dir.appendingPathComponent("Output").path)
        options.now = try #require(Instant(parsing: "2030-03-20T12:00:00Z"))
        return (dir, options)
    }

    static func text(_ options: BuildOptions, _ path: String) throws -> String {
        try String(contentsOf: options.output.appendingPathComponent(path), encoding: .utf8)
    }

    static func plain(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    @Test func pagesSayWhatTheCourtsSaidAndNoMore() async throws {
        let (_, options) = try Self.site()
        _ = try await SiteBuild(options: options).run(write: true)
        let tst = Self.plain(try Self.text(options, "courts/tst/index.html"))
        #expect(tst.contains("Goes live on April 5, 2030"), "\(tst.prefix(600))")
        #expect(!tst.contains("April 5, 2030, 12:00"), "no invented time")
        #expect(tst.contains("some time on April 5, 2030"))
        #expect(tst.contains("until further notice"))
        let liv = Self.plain(try Self.text(options, "courts/liv/index.html"))
        #expect(liv.contains("Live on NextGen CM/ECF (live since the autumn)"))
        // The joint notice: written once, in tst, listed by liv too, filled with tst's data.
        #expect(liv.contains("Going live on April 5, 2030"))
        #expect(FileIO.kind(options.output.appendingPathComponent("courts/liv/notices/joint").path) == .missing)
        let notice = Self.plain(try Self.text(options, "courts/tst/notices/joint/index.html"))
        #expect(notice.contains("goes live on April 5, 2030. Call (555) 010-0100. One office only."))
        #expect(try Self.text(options, "courts/liv/feed.xml").contains("Going live on April 5, 2030"))
        let siteFeed = try Self.text(options, "feed.xml")
        #expect(siteFeed.components(separatedBy: "<id>https://").filter { $0.hasPrefix("nextgen.example.gov/courts/tst/notices/joint/</id>") || $0.contains("/courts/tst/notices/joint/</id>") }.count == 1,
                "listed once in the site feed")
        let docs = try FileManager.default.contentsOfDirectory(atPath: options.output.appendingPathComponent("search").path).filter { $0.hasPrefix("docs-") }
        #expect(try docs.filter { try Self.text(options, "search/" + $0).contains("Both courts: D. Test first.") }.count == 1, "one search entry")
        // Calendars: an all-day go-live, and an open downtime without an end.
        let ics = try Self.text(options, "courts/tst/calendar.ics")
        #expect(ics.contains("DTSTART;VALUE=DATE:20300405\r\nDTEND;VALUE=DATE:20300406"))
        #expect(ics.contains("DTSTART;TZID=America/Chicago:20300406T080000\r\nSUMMARY:"))
        #expect(ics.contains("DTEND;TZID=America/Chicago:20300406T000000"), "a day as an end lasts through that day")
        // The English on the page that works without JavaScript: the court's own deadline and
        // window on a step done once, no made-up time, and the optional step marked.
        let checklist = Self.plain(try Self.text(options, "courts/tst/checklist/index.html"))
        #expect(checklist.contains("Due by April 2, 2030, 5:00 p.m. CDT"), "\(checklist)")
        #expect(checklist.contains("Not possible from March 9, 2030, 12:00 a.m. CST to March 17, 2030, 12:00 a.m. CDT: PACER registration is suspended"))
        #expect(checklist.contains("Opens on or after go-live, April 5, 2030 "))
        #expect(checklist.contains("Optional: not counted toward being ready"))
    }

    @Test func theEngineReadsTheCourtsAsTheyAreStated() async throws {
        let (_, options) = try Self.site()
        _ = try await SiteBuild(options: options).run(write: true)
        func compiled(_ court: String) throws -> CompiledChecklist {
            guard case let .success(doc) = JSONValue.parse(try Self.text(options, "checklist/\(court).json")) else { throw CocoaError(.fileReadCorruptFile) }
            return try #require(CompiledChecklist(json: doc))
        }
        let tst = try compiled("tst"), liv = try compiled("liv")
        let day = try #require(LocalDate(parsing: "2030-04-05"))
        #expect(tst.fields["go_live"] == .dayStart(day, day.start(in: try #require(TimeZone(identifier: "America/Chicago")))))
        #expect(liv.fields["go_live"] == .pastGoLive)
        #expect(tst.steps.first { $0.id == "firm-account" }?.optional == true)
        let answers = Answers(courts: ["tst", "liv"], person: ["pacer.kind": .string("individual"), "pacer.created": .string("2020-01-01")],
                              perCourt: ["tst": ["cmecf.knows_login": .bool(true)], "liv": ["cmecf.knows_login": .bool(true)]])
        func result(at now: String) throws -> [String: [String: StepResult]] {
            let r = ChecklistEngine().evaluate([tst, liv], answers: answers, now: try #require(Instant(parsing: now)))
            return Dictionary(uniqueKeysWithValues: r.courts.map { c in (c.id, Dictionary(uniqueKeysWithValues: c.steps.map { ($0.id, $0) })) })
        }
        // Inside tst's registration freeze: the person-scoped step is not yet open in tst only.
        let frozen = try result(at: "2030-03-12T12:00:00Z")
        #expect(frozen["tst"]?["individual-account"]?.status == .done, "done once: a done step stays done in every court")
        // Before go-live in tst, open in the court that is live without a date.
        let before = try result(at: "2030-04-04T12:00:00Z")
        #expect(before["tst"]?["link-accounts"]?.status == .notYet)
        #expect(before["tst"]?["link-accounts"]?.opensOn == day)
        #expect(before["liv"]?["link-accounts"]?.status == .todo)
        let evaluation = ChecklistEngine().evaluate([tst], answers: Answers(courts: ["tst"], person: [:], perCourt: [:]), now: try #require(Instant(parsing: "2030-03-12T12:00:00Z")))
        let firm = try #require(evaluation.courts.first?.steps.first { $0.id == "firm-account" })
        #expect(firm.status == .todo)
        let account = try #require(evaluation.courts.first?.steps.first { $0.id == "individual-account" })
        #expect(account.status == .needsAnswers)
    }
}
