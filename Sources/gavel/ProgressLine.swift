import Foundation
import GavelCore
import Synchronization

/// One line on a terminal that says which build step is running and, while pages render, how many
/// courts are done; rewritten in place and cleared at the end. It is shown only when standard error
/// is a terminal, not in CI (the `CI` variable) or with `TERM=dumb`, and only for text diagnostics, so
/// logs and JSON stay clean.
final class ProgressLine: Sendable {
    private static let steps = ["lock": "loading content", "load": "checking content", "validate": "planning pages",
                                "plan": "rendering pages", "render": "writing the new site", "commit": "saving build state"]
    private struct State {
        var shown = false
        var last = ContinuousClock.now - .seconds(1)
    }
    private let state = Mutex(State())

    /// A progress line, or nil where one must not be shown.
    static func forTerminal(format: DiagnosticFormat, environment: [String: String] = ProcessInfo.processInfo.environment) -> ProgressLine? {
        guard format == .text, isatty(2) == 1, environment["CI"] == nil, environment["TERM"] != "dumb" else { return nil }
        return ProgressLine()
    }

    /// After step `finished`, the next one's name.
    func stepDone(_ finished: String) {
        guard let next = Self.steps[finished] else { return }
        show("gavel: \(next)…", force: true)
    }

    func courts(_ done: Int, of total: Int) {
        show("gavel: rendering pages… \(done)/\(total) courts", force: done == total)
    }

    /// Clears the line, before the build's own last words.
    func finish() {
        state.withLock { state in
            if state.shown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            state.shown = false
        }
    }

    /// At most ten updates a second, so a fast build does not flicker.
    private func show(_ text: String, force: Bool) {
        state.withLock { state in
            let now = ContinuousClock.now
            guard force || now - state.last >= .milliseconds(100) else { return }
            state.last = now
            state.shown = true
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)".utf8))
        }
    }
}
