import Foundation
import Testing
@testable import GavelCore

@Suite struct OutputWriterTests {
    /// The stamp of the file at `path` as it is now.
    func stamp(_ path: String) throws -> OutputWriter.FileStamp {
        OutputWriter.FileStamp(try #require(FileIO.status(path)))
    }

    /// Each file emitted has the stamp of the file it left: Output's own where it already held those
    /// bytes, the staged copy's where it did not, the last emit's where a path was emitted twice;
    /// the same whether all were staged, none were, or some of each (when one of the two is empty,
    /// the other is handed out as it is).
    @Test func stampsAreThoseOfTheFilesEachEmitLeft() throws {
        let dir = try TestPaths.temporaryDirectory()
        let output = dir.appendingPathComponent("Output")
        try FileManager.default.createDirectory(at: output.appendingPathComponent("a"), withIntermediateDirectories: true)
        for name in ["a/same.html", "b.html"] { try Data("kept \(name)".utf8).write(to: output.appendingPathComponent(name)) }
        let staging = BuildState.sibling(of: output, "gavel-staging").path

        // Some of each: one file as Output holds it, one changed, one new, one emitted twice.
        let mixed = OutputWriter(output: output)
        try mixed.prepare()
        try mixed.emit(OutputFile(path: "a/same.html", bytes: Array("kept a/same.html".utf8)))
        try mixed.emit(OutputFile(path: "b.html", bytes: Array("changed".utf8)))
        try mixed.emit(OutputFile(path: "c/new.html", bytes: Array("new".utf8)))
        try mixed.emit(OutputFile(path: "b.html", bytes: Array("kept b.html".utf8)))
        #expect(mixed.stamps == ["a/same.html": try stamp(output.path + "/a/same.html"), "b.html": try stamp(output.path + "/b.html"),
                                 "c/new.html": try stamp(staging + "/c/new.html")])
        mixed.abort()

        // None staged: every file as Output holds it.
        let unchanged = OutputWriter(output: output)
        try unchanged.prepare()
        for name in ["a/same.html", "b.html"] { try unchanged.emit(OutputFile(path: name, bytes: Array("kept \(name)".utf8))) }
        #expect(unchanged.stamps == ["a/same.html": try stamp(output.path + "/a/same.html"), "b.html": try stamp(output.path + "/b.html")])
        unchanged.abort()

        // All staged, into an Output that is not there yet (a build from nothing).
        let fresh = OutputWriter(output: dir.appendingPathComponent("Fresh"))
        try fresh.prepare()
        fresh.expectWritten(3)
        let freshStaging = BuildState.sibling(of: dir.appendingPathComponent("Fresh"), "gavel-staging").path
        for name in ["index.html", "courts/x/index.html", "courts/y/index.html"] { try fresh.emit(OutputFile(path: name, bytes: Array(name.utf8))) }
        var staged = PathTable<OutputWriter.FileStamp>()
        for name in ["index.html", "courts/x/index.html", "courts/y/index.html"] { staged[name] = try stamp(freshStaging + "/" + name) }
        #expect(fresh.stamps == staged)
        // A file emitted again with other bytes: the new copy's stamp.
        try fresh.emit(OutputFile(path: "index.html", bytes: Array("again".utf8)))
        #expect(fresh.stamps["index.html"] == (try stamp(freshStaging + "/index.html")))
        fresh.abort()
    }
}
