import Foundation
import Testing
@testable import GavelCore

/// A notice keeps its fields in a box its copies share: a notice is still a value.
@Suite struct NoticeTests {
    private func notice() throws -> Notice {
        Notice(court: "c1", slug: "s", title: "Title", date: try #require(LocalDate(parsing: "2020-01-02")), summary: "Summary",
               tags: ["a"], draft: false, publish: nil, expires: nil, events: [],
               body: NoticeBody(diskPath: "/content/courts/c1/notices/s.md", offset: 4, file: "Content/courts/c1/notices/s.md", firstLine: 2, sourceHash: 7),
               sourceHash: 7)
    }

    @Test func changingACopyLeavesTheOthersAsTheyWere() throws {
        let original = try notice()
        var copy = original
        copy.title = "Other"
        copy.summary = nil
        copy.tags.append("b")
        copy.alsoCourts = [Located("c2", at: SourceLocation(file: "x"))]
        copy.sourceHash = 8
        #expect(original.title == "Title" && copy.title == "Other")
        #expect(original.summary == "Summary" && copy.summary == nil)
        #expect(original.tags == ["a"] && copy.tags == ["a", "b"])
        #expect(original.alsoCourts.isEmpty && copy.alsoCourts.map(\.value) == ["c2"])
        #expect(original.sourceHash == 7 && copy.sourceHash == 8)
        // The fields not changed are the same in both.
        #expect(copy.court == original.court && copy.slug == original.slug && copy.date == original.date && copy.file == original.file)
    }

    @Test func aNoticeInAListChangesOnlyThere() throws {
        var list = [try notice(), try notice()]
        let kept = list
        list[1].title = "Filled"
        #expect(list.map(\.title) == ["Title", "Filled"])
        #expect(kept.map(\.title) == ["Title", "Title"])
    }
}
