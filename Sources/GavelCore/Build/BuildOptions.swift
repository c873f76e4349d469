import Foundation
import Synchronization

public struct BuildOptions: Sendable {
    public var content: URL
    /// The site's templates folder, laid over the built-in theme file by file; nil: the built-in
    /// theme alone.
    public var templates: URL?
    public var output: URL
    /// How the folders are shown in diagnostics ("Content", "Templates").
    public var contentDisplay: String
    public var templatesDisplay: String
    public var includeDrafts = false
    public var baseURL: String?
    public var offline = false
    /// The build's clock: which notices are published or expired, and countdown texts.
    public var now: Instant
    /// When set, each build step's duration is printed to standard error (for profiling).
    public var timings: StepTimings?
    /// Called with each build step's name as it finishes, in order (tests use it to act mid-build).
    public var stepObserver: (@Sendable (String) -> Void)?
    /// Called as courts finish rendering, with how many are done of how many (a progress line).
    public var renderProgress: (@Sendable (_ done: Int, _ total: Int) -> Void)?
    /// Kept by a process that builds again and again (`gavel serve`): the last build's state, so the
    /// next does not read it back from disk.
    public var memory: BuildMemory?
    /// False for a process whose builds follow changes (`gavel serve`): it neither asks nor leaves
    /// a witness of an unchanged site (a later `gavel build` leaves one again).
    public var usesWitness = true
    /// True for a caller with something more urgent than the state (`gavel serve` tells open pages to
    /// reload first): the build hands the state back to be written (`SiteBuild.Result.pendingState`).
    public var defersState = false
    /// True for a build whose only purpose may be the next one's speed (`gavel serve`, right after
    /// its first build): when nothing changed and there is no spare tree yet, the commit still makes
    /// one, so the next build's commit brings a spare up to date instead of linking every file. Such a
    /// build does not end on a witness.
    public var makesSpare = false
    /// True only for an output folder that this process made for itself and that nobody else writes
    /// (the private temporary folder of `gavel serve`: made by mkdtemp, mode 0700, removed on exit).
    /// A build whose state this process kept in memory (`memory`) then takes Output and the spare as
    /// that state says the last build left them, without an `lstat` of each file and folder to make
    /// sure. A court's folder (`--output`) is never trusted: hand edits there are looked for.
    public var trustsOutput = false
    /// Set by a process that watches the content (`gavel serve`): the files under the content folder
    /// (paths relative to it) that can have changed since its last build began. A build whose state
    /// this process kept in memory takes every other notice from the kept index without a `stat`; nil:
    /// any file may have changed, and each notice is stamped.
    public var changedContent: Set<String>?
    /// False for an output folder removed when this process ends (serve's private temporary folder):
    /// its commits do not flush the file system to disk, which is for surviving a power cut (a
    /// `syncfs` cost serve 4-9 ms per rebuild on ext4, and 230 ms on its first build). Killed or
    /// stopped, Output is still the old site or the new one: that needs no flush.
    public var outlivesProcess = true

    public init(content: String = "Content", templates: String? = nil, output: String = "Output", now: Instant = Instant(Date())) {
        self.content = URL(fileURLWithPath: content)
        self.templates = templates.map { URL(fileURLWithPath: $0) }
        self.output = URL(fileURLWithPath: output)
        contentDisplay = content
        templatesDisplay = templates ?? Theme.builtInDisplayRoot
        self.now = now
    }
}

/// Prints how long each named build step took, for `GAVEL_TIMINGS=1`.
public struct StepTimings: Sendable {
    public init() {}

    public func record(_ step: String, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock().now - start
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        FileHandle.standardError.write(Data("gavel: \(step) \(String(format: "%.0f", ms)) ms\n".utf8))
    }
}

/// The build's steps as they finish, in order: each is timed from the end of the one before, printed
/// under `GAVEL_TIMINGS=1`, and told to the options' observer.
final class StepLog: Sendable {
    let timings: StepTimings?
    let observer: (@Sendable (String) -> Void)?
    private let last = Mutex(ContinuousClock().now)

    init(timings: StepTimings?, observer: (@Sendable (String) -> Void)?) {
        self.timings = timings
        self.observer = observer
    }

    func done(_ step: String) {
        let start = last.withLock { last in
            defer { last = ContinuousClock().now }
            return last
        }
        timings?.record(step, since: start)
        observer?(step)
    }
}
