import Foundation
import Testing
@testable import GavelCore

/// Notice bodies are read again at render time; a file edited in between must not be mixed in.
@Suite struct NoticeBodyTests {
    @Test func readsTheBodyAndRefusesAFileChangedSinceLoading() throws {
        let folder = try TestPaths.temporaryDirectory()
        let path = folder.appendingPathComponent("n.md").path
        let text = "---\ntitle: T\ndate: 2020-01-01\n---\nBody *text*.\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .success(file) = SourceFile.read(atPath: path, displayPath: "n.md"),
              case let .success(doc) = FrontMatterDocument.split(file) else {
            Issue.record("fixture did not load")
            return
        }
        let body = NoticeBody(diskPath: path, offset: doc.bodyOffset, file: "n.md", firstLine: doc.bodyFirstLine,
                              sourceHash: ContentHash.of(text))
        let source = try body.read().get()
        #expect(source.text == "Body *text*.\n")
        #expect(source.firstLine == 5)
        try (text + "More.\n").write(toFile: path, atomically: true, encoding: .utf8)
        guard case let .failure(problem) = body.read() else {
            Issue.record("a changed file was read as if unchanged")
            return
        }
        #expect(problem.message.contains("changed while the site was being built"))
        #expect(problem.location.file == "n.md")
    }
}
