import Foundation
@testable import GavelCore

/// Paths of the repository, found from this file so tests run from any working directory.
enum TestPaths {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let content = root.appendingPathComponent("Content")
    static let templates = root.appendingPathComponent("Templates")
    static let vectors = root.appendingPathComponent("TestVectors")

    /// The folder of this test process, which holds every folder its tests make and is removed when
    /// the process ends: a run makes some 300 of them, with tens of thousands of files, and most
    /// tests do not remove theirs.
    static let runFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestPaths.runFolder) }
        return url
    }()

    static func temporaryDirectory() throws -> URL {
        let url = runFolder.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Build options for the shipped example site at a fixed clock, writing to `output`.
    static func exampleOptions(output: URL, now: String = "2020-03-20T12:00:00Z") -> BuildOptions {
        var options = BuildOptions(content: content.path, templates: templates.path, output: output.path)
        options.now = Instant(parsing: now) ?? Instant(secondsSinceEpoch: 0)
        return options
    }
}
