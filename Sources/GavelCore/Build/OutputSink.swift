import Foundation
import Synchronization

/// Where rendered files go. Called from many tasks at once, each with a different path.
public protocol OutputSink: Sendable {
    func emit(_ file: OutputFile) throws
}

/// Keeps files in memory: for `gavel check`, which writes nothing, and for tests.
public final class MemorySink: OutputSink {
    private let storage = Mutex<[OutputFile]>([])

    public init() {}

    public func emit(_ file: OutputFile) throws {
        storage.withLock { $0.append(file) }
    }

    public var files: [OutputFile] {
        storage.withLock { $0 }.sorted { $0.path < $1.path }
    }
}

/// Counts what a check would write, without keeping it.
public struct DiscardingSink: OutputSink {
    public init() {}
    public func emit(_ file: OutputFile) throws {}
}
