import Foundation
import Testing
@testable import GavelCore

/// `gavel init`'s starter site and the folder rule it shares with `gavel theme export`.
@Suite struct StarterSiteTests {
    static let today = LocalDate(year: 2026, month: 11, day: 30) ?? LocalDate(unchecked: 2026, 11, 30)

    /// The starter site checks and builds as written, with the built-in theme alone and no warning,
    /// and its placeholders say so on the pages.
    @Test func theStarterSiteBuildsAsWrittenWithTheBuiltInTheme() async throws {
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("site")
        let written = try NewFolder.write(StarterSite.files(today: Self.today), into: folder, shownAs: "site")
        #expect(written.contains("site/Content/site.yml"))
        var options = BuildOptions(content: folder.appendingPathComponent("Content").path, output: folder.appendingPathComponent("Output").path,
                                   now: Instant(parsing: "2026-12-01T12:00:00Z") ?? Instant(secondsSinceEpoch: 0))
        options.contentDisplay = "Content"
        #expect(options.templates == nil)
        let result = try await SiteBuild(options: options).run(write: true)
        #expect(result.warnings.isEmpty, "\(result.warnings.map(\.message))")
        for step in ["individual-pacer-account", "upgrade-legacy-account", "know-cmecf-login", "link-accounts"] {
            #expect(result.files.contains("courts/example/steps/\(step)/index.html"), "missing the standard step \(step)")
        }
        #expect(result.files.contains("courts/example/notices/nextgen-is-coming/index.html"))
        let court = try String(contentsOf: folder.appendingPathComponent("Output/courts/example/index.html"), encoding: .utf8)
        #expect(court.contains("District of Example (PLACEHOLDER)"))
        #expect(court.contains("(555) 010-0000"))
    }

    @Test func aFolderWithSomethingInItIsRefusedAndLeftAsItWas() throws {
        let folder = try TestPaths.temporaryDirectory()
        try Data("mine".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        #expect(throws: NewFolder.Failure.self) { try NewFolder.write(StarterSite.files(today: Self.today), into: folder, shownAs: "site") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["notes.txt"])
        do {
            _ = try NewFolder.write([("a.txt", [0x61])], into: folder, shownAs: "site")
        } catch {
            #expect(error.message.contains("site is not empty (notes.txt)"))
        }
        let file = folder.appendingPathComponent("notes.txt")
        #expect(throws: NewFolder.Failure.self) { try NewFolder.write([("a.txt", [0x61])], into: file, shownAs: "notes.txt") }
    }

    /// A fresh `git init` leaves only hidden entries: such a folder is still new.
    @Test func hiddenEntriesAloneDoNotMakeAFolderUsed() throws {
        let folder = try TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent(".git"), withIntermediateDirectories: true)
        let written = try NewFolder.write([("Content/site.yml", Array("title: x\n".utf8))], into: folder, shownAs: ".")
        #expect(written == ["Content/site.yml"])
        #expect(throws: NewFolder.Failure.self) { try NewFolder.write([("other.yml", [0x61])], into: folder, shownAs: ".") }
    }
}
