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

    /// Texts kept as the notice index's bytes read as the index's reader reads them, and are asked
    /// about court data the same way.
    @Test func storedTextsReadAsTheIndexReaderReadsThem() {
        let texts = ["", "plain", "{{court.name}} goes live", "a { b } {{", "tab\there \u{1F}", "{", "x{{"]
        var records: [UInt8] = []
        for text in texts { _ = StateFile.Records.append(text: text, to: &records) }
        // Kept at an offset in a larger buffer, as the index's slices are.
        let buffer = [0xAA, 0xBB] + records + [0xCC]
        #expect(StoredTexts.records(buffer[2..<(2 + records.count)], count: texts.count).strings == texts)
        for text in texts {
            let bytes = ArraySlice([0x7B] + Array(text.utf8) + [0x7D]).dropFirst().dropLast()
            #expect(StoredText.utf8(bytes).string == text)
            #expect(StoredText.utf8(bytes).mayNameCourtVariables == CourtVariables.mayName(text))
            #expect(StoredText.string(text).mayNameCourtVariables == CourtVariables.mayName(text))
        }
        // Bytes that are not UTF-8 read with replacement characters, as `String(decoding:as:)` gives.
        let broken: [UInt8] = [0x61, 0xFF, 0x7B, 0x7B, 0xC3]
        #expect(StoredText.utf8(broken[...]).string == String(decoding: broken, as: UTF8.self))
        #expect(StoredText.utf8(broken[...]).mayNameCourtVariables)
        // A count past what the bytes hold gives the texts they do hold, and no trap.
        #expect(StoredTexts.records(records[...], count: texts.count + 3).strings == texts)
    }
}
