import Foundation

/// `gavel new`: files that build as written, with comments that say what to fill in.
public struct Scaffold {
    public var content: URL
    public var today: LocalDate

    public struct Failure: Error { public var message: String }

    /// The rule for court folders, notice file names and step ids, which the loader applies too.
    public static func isValidName(_ name: String) -> Bool { ContentLoader.isSlug(name) }

    public init(content: URL, today: LocalDate) {
        self.content = content
        self.today = today
    }

    func write(_ text: String, to relative: String) throws -> String {
        let url = content.appendingPathComponent(relative)
        if FileManager.default.fileExists(atPath: url.path) {
            throw Failure(message: "\(url.path) already exists; nothing was written")
        }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .withoutOverwriting)
        } catch {
            throw Failure(message: "cannot write \(url.path): \(error.localizedDescription)")
        }
        return url.path
    }

    public func court(_ id: String) throws -> String {
        try write("""
        # A court. Its id is its folder name. Times are local to the court's time zone.
        id: \(id)
        name: "Name of the court"
        short_name: "\(id.uppercased())"
        kind: district          # district | bankruptcy | appellate | national
        timezone: America/Chicago
        # go_live: "2030-01-07T08:00"   # leave out until the date is set
        downtime: []
        #  - title: "CM/ECF unavailable"
        #    start: "2030-01-03T16:30"
        #    end: "2030-01-07T08:00"
        contacts:
          - label: "Clerk's office"
            phone: "(555) 010-0000"
            email: "clerk@example.gov"
            hours: "Monday to Friday, 8:30 a.m. to 4:30 p.m."
        # The steps attorneys follow here, in order, as file names in steps/ without .md.
        checklist: []

        """, to: "courts/\(id)/court.yml")
    }

    public func notice(_ slug: String, court: String) throws -> String {
        guard FileManager.default.fileExists(atPath: content.appendingPathComponent("courts/\(court)/court.yml").path) else {
            throw Failure(message: "no court '\(court)': create it first with 'gavel new court \(court)'")
        }
        return try write("""
        ---
        title: "Title of the notice"
        date: "\(today)"
        summary: "One sentence that appears in lists and feeds."
        # tags: [nextgen]
        # publish: "\(today)"    # hidden before this date
        # expires: "\(today)"    # archived after this date
        # events:
        #   - title: "Training session"
        #     start: "\(today)T10:00"
        #     end: "\(today)T11:00"
        ---

        Write the notice here in Markdown. Court data can be named so it has one source:
        {{court.name}} can be reached at {{court.contacts.0.phone}}.

        """, to: "courts/\(court)/notices/\(slug).md")
    }

    public func step(_ id: String) throws -> String {
        try write("""
        ---
        id: \(id)
        title: "What the attorney does"
        summary: "One sentence that says why."
        scope: person           # person: once for all courts; court: once per court
        requires: []
        # applies_if: pacer.created < 2014-08-11
        # done_if: pacer.upgraded            # leave out to give the step a checkbox
        # available_from: court.go_live      # court-scoped steps only
        # due_by: court.go_live
        ---

        The full instructions, in Markdown.

        """, to: "steps/\(id).md")
    }
}
