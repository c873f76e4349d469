import Foundation
import GavelCore

/// What the preview knows about the last build: shared by the rebuild loop and every request.
final class PreviewState: Sendable {
    struct Snapshot: Sendable {
        /// Counts the builds that changed what a page shows; pages compare it to reload when they missed one.
        var generation = 0
        /// The last build's diagnostics when it failed; empty after a good build.
        var failure: [Diagnostic] = []
        var lastBuild: BuildRecord?
        var builds = 0
    }

    struct BuildRecord: Sendable {
        var succeeded: Bool
        var duration: Duration
        var written = 0
        var removed = 0
        var finished = Date()

        var milliseconds: Double {
            let c = duration.components
            return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
        }
    }

    private let storage = Locked(Snapshot())

    var snapshot: Snapshot { storage.current }

    /// Records a build; returns the new snapshot and whether open pages should reload.
    func record(_ record: BuildRecord, diagnostics: [Diagnostic]) -> (Snapshot, reload: Bool) {
        storage.withLock { s in
            let failure = record.succeeded ? [] : diagnostics
            let changed = failure != s.failure || record.written > 0 || record.removed > 0 || s.builds == 0
            s.failure = failure
            s.lastBuild = record
            s.builds += 1
            if changed { s.generation += 1 }
            return (s, changed)
        }
    }
}

/// The open pages' server-sent-event streams.
final class ReloadBroadcaster: Sendable {
    private struct Subscribers {
        var next = 0
        var open: [Int: AsyncStream<String>.Continuation] = [:]
        var closed = false
    }

    private let subscribers = Locked(Subscribers())

    var count: Int { subscribers.withLock { $0.open.count } }

    /// A stream of ready-to-send SSE messages, open until the client leaves or the server stops.
    func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(16))
        let id: Int? = subscribers.withLock { s in
            guard !s.closed else { return nil }
            s.next += 1
            s.open[s.next] = continuation
            return s.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.open.removeValue(forKey: id) }
        }
        return stream
    }

    func send(event: String, data: String) {
        sendRaw("event: \(event)\ndata: \(data)\n\n")
    }

    func send(comment: String) {
        sendRaw(": \(comment)\n\n")
    }

    private func sendRaw(_ message: String) {
        for continuation in subscribers.withLock({ Array($0.open.values) }) {
            continuation.yield(message)
        }
    }

    /// Ends every stream, so that a graceful shutdown does not wait for open pages.
    func closeAll() {
        let all = subscribers.withLock { s -> [AsyncStream<String>.Continuation] in
            s.closed = true
            defer { s.open = [:] }
            return Array(s.open.values)
        }
        for continuation in all { continuation.finish() }
    }
}
