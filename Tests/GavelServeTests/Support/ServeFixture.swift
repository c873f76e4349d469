import Foundation
import GavelCore
import Testing
@testable import GavelServe

enum Paths {
    /// The repository, found from this file so tests run from any working directory.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder of this test process that holds every folder its tests make, removed when the
    /// process ends (see `TestPaths.runFolder` in GavelCoreTests).
    static let runFolder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-serve-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Paths.runFolder) }
        return url
    }()

    static func temporaryDirectory(_ prefix: String = "site") throws -> URL {
        let url = runFolder.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A writable copy of the repository's Content/ and Templates/.
    static func siteCopy() throws -> URL {
        let dir = try temporaryDirectory()
        try FileManager.default.copyItem(at: root.appendingPathComponent("Content"), to: dir.appendingPathComponent("Content"))
        try FileManager.default.copyItem(at: root.appendingPathComponent("Templates"), to: dir.appendingPathComponent("Templates"))
        return dir
    }
}

/// A real preview server on a free port, over a copy of the example site, in this process.
final class ServeFixture: @unchecked Sendable {
    let directory: URL
    let port: Int
    let output: URL
    let watching: String
    private let task: Task<Void, any Error>
    private let logLines: Locked<[String]>

    var content: URL { directory.appendingPathComponent("Content") }
    var log: [String] { logLines.current }

    private init(directory: URL, port: Int, output: URL, watching: String, task: Task<Void, any Error>, log: Locked<[String]>) {
        self.directory = directory
        self.port = port
        self.output = output
        self.watching = watching
        self.task = task
        logLines = log
    }

    /// Starts the server and returns once it listens.
    static func start(output: URL? = nil, polling: Bool = false, prepare: (URL) throws -> Void = { _ in }) async throws -> ServeFixture {
        let directory = try Paths.siteCopy()
        try prepare(directory)
        var build = BuildOptions(
            content: directory.appendingPathComponent("Content").path,
            templates: directory.appendingPathComponent("Templates").path)
        build.contentDisplay = "Content"
        build.templatesDisplay = "Templates"
        var options = PreviewServer.Options(build: build, output: output, host: "127.0.0.1", port: 0)
        options.forcePolling = polling
        let log = Locked<[String]>([])
        options.log = { line in log.withLock { $0.append(line) } }
        let server = PreviewServer(options: options)
        let (readyStream, readyContinuation) = AsyncStream.makeStream(of: PreviewServer.Ready.self)
        let task = Task {
            defer { readyContinuation.finish() }
            try await server.run(handleSignals: false) { ready in readyContinuation.yield(ready) }
        }
        var iterator = readyStream.makeAsyncIterator()
        guard let ready = await iterator.next() else {
            defer { try? FileManager.default.removeItem(at: directory) }
            _ = try await task.value
            throw RawHTTP.Failure(description: "the server stopped before listening: \(log.current.joined(separator: "\n"))")
        }
        return ServeFixture(directory: directory, port: ready.port, output: ready.output, watching: ready.watching, task: task, log: log)
    }

    /// Runs `body` against a new server, and stops the server afterwards whatever happens.
    static func with(output: URL? = nil, polling: Bool = false, prepare: (URL) throws -> Void = { _ in },
                     _ body: (ServeFixture) async throws -> Void) async throws {
        let server = try await start(output: output, polling: polling, prepare: prepare)
        do {
            try await body(server)
        } catch {
            try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    /// Stops the server (as cancellation) and removes the copy of the site.
    func stop() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        task.cancel()
        _ = try await task.value
    }

    func get(_ target: String) async throws -> RawHTTP.Response {
        try await RawHTTP.get(port, target)
    }

    /// Polls `target` until `condition` holds or `seconds` pass; returns the last response.
    func poll(_ target: String, within seconds: Double = 8, until condition: (RawHTTP.Response) -> Bool) async throws -> RawHTTP.Response {
        let deadline = Date().addingTimeInterval(seconds)
        var last = try await get(target)
        while !condition(last), Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
            last = try await get(target)
        }
        return last
    }

    /// Rewrites a content file the way an editor saves it.
    func edit(_ relative: String, _ change: (String) -> String) throws {
        let url = content.appendingPathComponent(relative)
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the edit of \(relative) changed nothing")
        try changed.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Every byte the build wrote, for checking that nothing of the preview's leaked into it.
    func builtFiles() -> [(String, Data)] {
        var result: [(String, Data)] = []
        guard let walker = FileManager.default.enumerator(at: output, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            if let data = FileManager.default.contents(atPath: url.path) { result.append((url.path, data)) }
        }
        return result
    }
}
