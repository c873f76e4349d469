import Foundation
import GavelCore
import Hummingbird
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// `gavel serve`: builds the site, serves it, rebuilds when Content/ or Templates/ change, and tells
/// open pages to reload.
public final class PreviewServer: Sendable {
    public struct Options: Sendable {
        /// Content, templates and drafts; `output` and `now` are set by the server.
        public var build: BuildOptions
        /// Where the site is built; nil builds into a private temporary folder removed on shutdown.
        public var output: URL?
        public var host: String
        /// 0 picks a free port; `Ready.port` tells which.
        public var port: Int
        /// How long the files must be quiet before a rebuild: an editor's save is a burst of events
        /// within a few milliseconds.
        public var debounce: Duration = .milliseconds(25)
        public var pollInterval: Duration = .milliseconds(300)
        /// Forces polling instead of inotify (for tests and odd file systems).
        public var forcePolling = false
        public var diagnosticFormat: DiagnosticFormat = .text
        /// Where progress and diagnostics are printed; standard error by default.
        public var log: @Sendable (String) -> Void = { ServeLog.standardError($0) }

        public init(build: BuildOptions, output: URL? = nil, host: String = "127.0.0.1", port: Int = 8000) {
            self.build = build
            self.output = output
            self.host = host
            self.port = port
        }
    }

    /// Told once the server listens.
    public struct Ready: Sendable {
        public var host: String
        public var port: Int
        public var output: URL
        /// "inotify" or "polling".
        public var watching: String
        public var url: String {
            let shown = host.contains(":") ? "[\(host)]" : host
            return "http://\(shown):\(port)/"
        }
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case portInUse(host: String, port: Int)
        case cannotListen(host: String, port: Int, reason: String)
        case output(Diagnostic)
        case cannotCreateOutput(String)

        public var description: String {
            switch self {
            case let .portInUse(host, port):
                return "error: port \(port) on \(host) is already in use\n  hint: stop the program using it, or choose another port with --port (for example --port \(port == 65535 ? 8001 : port + 1))"
            case let .cannotListen(host, port, reason):
                return "error: cannot listen on \(host) port \(port): \(reason)\n  hint: use a local address such as 127.0.0.1 (the default) with --host"
            case let .output(d):
                return DiagnosticFormat.text.render([d]).trimmingCharacters(in: .newlines)
            case let .cannotCreateOutput(message):
                return "error: cannot create the preview's output folder: \(message)"
            }
        }
    }

    public let options: Options
    let state = PreviewState()
    let broadcaster = ReloadBroadcaster()

    public init(options: Options) {
        self.options = options
    }

    /// True for addresses only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h.hasSuffix(".localhost") || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Builds, serves and watches until SIGINT/SIGTERM (`handleSignals`) or until the task is cancelled.
    /// Removes the temporary output folder before returning, whichever way it ends.
    public func run(handleSignals: Bool = true, onReady: @escaping @Sendable (Ready) async -> Void = { _ in }) async throws {
        let log = options.log
        switch PortProbe.check(host: options.host, port: options.port) {
        case .inUse?: throw Failure.portInUse(host: options.host, port: options.port)
        case let .cannotListen(reason)?: throw Failure.cannotListen(host: options.host, port: options.port, reason: reason)
        case nil: break
        }
        let (output, temporary) = try prepareOutput()
        defer {
            if temporary { try? FileManager.default.removeItem(at: output.deletingLastPathComponent()) }
        }
        if temporary {
            do {
                try FileManager.default.createDirectory(at: output, withIntermediateDirectories: false)
            } catch {
                throw Failure.cannotCreateOutput("\(output.path): \(error.localizedDescription)")
            }
        }
        guard let root = RealPath.resolve(output.path) else { throw Failure.cannotCreateOutput(output.path) }

        var settings = FileWatcher.Settings()
        settings.debounce = options.debounce
        settings.pollInterval = options.pollInterval
        settings.mode = options.forcePolling ? .polling : .automatic
        // Without a templates folder the theme is the built-in one, which cannot change while serving.
        let watcher = FileWatcher(roots: [options.build.content] + (options.build.templates.map { [$0] } ?? []), settings: settings)
        // Watch first, so an edit made during the first build is not missed.
        watcher.start()
        defer { watcher.stop() }

        var buildOptions = options.build
        buildOptions.output = URL(fileURLWithPath: root)
        // Rebuilds follow changes: the state stays in memory between them, and no witness of an
        // unchanged site is asked for or kept.
        buildOptions.memory = BuildMemory(keepingFreedMemory: true)
        buildOptions.usesWitness = false
        buildOptions.defersState = true
        // The private folder is this process's alone: between builds nothing but them changes it.
        buildOptions.trustsOutput = temporary
        // And it goes when serve stops: a power cut cannot make it matter.
        buildOptions.outlivesProcess = !temporary
        // Each build is told which content files the watcher saw change since the last one began.
        let contentRoot = watcher.roots[0].path + "/"
        let changedContent: @Sendable () -> Set<String>? = {
            watcher.takeChanges().map { paths in Set(paths.filter { $0.hasPrefix(contentRoot) }.map { String($0.dropFirst(contentRoot.count)) }) }
        }
        let builder = Rebuilder(options: buildOptions, state: state, broadcaster: broadcaster, format: options.diagnosticFormat, log: log,
                                changedContent: changedContent)

        var logger = Logger(label: "gavel-serve")
        logger.logLevel = .error
        let responder = PreviewResponder(root: root, state: state, broadcaster: broadcaster)
        let host = options.host
        let method = watcher.method.current
        var app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: options.port), serverName: nil),
            services: [RebuildService(watcher: watcher, builder: builder, broadcaster: broadcaster)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onReady(Ready(host: host, port: port, output: URL(fileURLWithPath: root), watching: method))
            },
            logger: logger
        )
        // The first build runs inside the service group, so that a Ctrl-C during it still shuts down
        // cleanly; the server listens once it is done.
        app.beforeServerStarts { await builder.rebuild(first: true) }
        do {
            if handleSignals {
                try await app.runService()
            } else {
                try await app.run()
            }
        } catch {
            broadcaster.closeAll()
            if error is CancellationError { return }
            let text = String(describing: error)
            if text.contains("Address already in use") { throw Failure.portInUse(host: options.host, port: options.port) }
            if text.contains("bind(") { throw Failure.cannotListen(host: options.host, port: options.port, reason: text) }
            throw error
        }
        broadcaster.closeAll()
    }

    /// The folder to build into: the one given (refusing a folder Gavel did not create), else a new
    /// private temporary folder.
    func prepareOutput() throws -> (URL, temporary: Bool) {
        if let given = options.output {
            if let problem = OutputWriter(output: given).checkOwnership() { throw Failure.output(problem) }
            do {
                try FileManager.default.createDirectory(at: given, withIntermediateDirectories: true)
            } catch {
                throw Failure.cannotCreateOutput("\(given.path): \(error.localizedDescription)")
            }
            return (given, false)
        }
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gavel-serve-XXXXXX").path
        var template = Array(base.utf8CString)
        // mkdtemp makes the folder with mode 0700: only this user can read the preview's files. The site
        // is built into a folder inside it, so what the build keeps beside its output (its staging
        // folder, its cache) is private too, and goes with it on shutdown.
        guard let made = mkdtemp(&template) else {
            throw Failure.cannotCreateOutput(String(cString: strerror(errno)))
        }
        return (URL(fileURLWithPath: String(cString: made)).appendingPathComponent("site"), true)
    }
}

/// Rebuilds into the output folder and tells open pages about it.
final class Rebuilder: Sendable {
    let options: BuildOptions
    let state: PreviewState
    let broadcaster: ReloadBroadcaster
    let format: DiagnosticFormat
    let log: @Sendable (String) -> Void
    /// What changed under the content folder since the last call (see `FileWatcher.takeChanges`).
    let changedContent: @Sendable () -> Set<String>?
    /// Finished once the first build is done; rebuilds wait for it, so two builds never overlap.
    private let firstBuild = AsyncStream<Void>.makeStream()

    init(options: BuildOptions, state: PreviewState, broadcaster: ReloadBroadcaster, format: DiagnosticFormat, log: @escaping @Sendable (String) -> Void,
         changedContent: @escaping @Sendable () -> Set<String>? = { nil }) {
        self.options = options
        self.state = state
        self.broadcaster = broadcaster
        self.format = format
        self.log = log
        self.changedContent = changedContent
    }

    func waitForFirstBuild() async {
        for await _ in firstBuild.stream {}
    }

    func stopWaitingForFirstBuild() {
        firstBuild.continuation.finish()
    }

    /// Right after a good first build: a build that also makes the spare tree (`BuildOptions.makesSpare`),
    /// so that the first edit's commit brings a spare up to date rather than linking every file of the
    /// site (about a second at 10,000 notices). Open pages hear of it only if the content changed
    /// meanwhile; then it is an ordinary rebuild.
    func prepareForRebuilds() async {
        let snapshot = state.snapshot
        guard snapshot.builds == 1, snapshot.failure.isEmpty else { return }
        await rebuild(makingSpare: true)
    }

    /// Builds with the core's async build. The first build, then one rebuild at a time after it.
    func rebuild(first: Bool = false, makingSpare: Bool = false) async {
        defer { if first { firstBuild.continuation.finish() } }
        var clocked = self.options
        clocked.now = Instant(Date())
        clocked.makesSpare = makingSpare
        // Taken as the build begins: what changes after is in the next build's answer.
        clocked.changedContent = changedContent()
        let options = clocked
        let clock = ContinuousClock()
        let start = clock.now
        let result: Result<SiteBuild.Result, DiagnosticsError>
        do {
            result = .success(try await SiteBuild(options: options).run(write: true))
        } catch {
            result = .failure(error)
        }
        let duration = clock.now - start
        let word = first ? "built" : "rebuilt"
        switch result {
        case let .success(built):
            let summary = built.written ?? OutputWriter.Summary()
            if makingSpare, summary.written == 0, summary.removed == 0 {
                // Nothing to show: the first build's warnings were told already.
                log("ready for quick rebuilds (spare tree made in \(Self.ms(PreviewState.BuildRecord(succeeded: true, duration: duration))) ms)")
                await built.pendingState?.write()
                return
            }
            var record = PreviewState.BuildRecord(succeeded: true, duration: duration)
            record.written = summary.written
            record.removed = summary.removed
            let (snapshot, reload) = state.record(record, diagnostics: built.warnings)
            if !built.warnings.isEmpty { log(format.render(built.warnings)) }
            log("\(word) \(built.fileCount) files in \(Self.ms(record)) ms (\(summary.written) written, \(summary.unchanged) unchanged, \(summary.removed) removed)")
            if reload && !first { notify(snapshot) }
            // Pages reload first; the state for the next build is written after (the lock is held till then).
            await built.pendingState?.write()
        case let .failure(error):
            let record = PreviewState.BuildRecord(succeeded: false, duration: duration)
            let (snapshot, reload) = state.record(record, diagnostics: error.diagnostics)
            let errors = error.diagnostics.filter { $0.severity == .error }.count
            log(format.render(error.diagnostics))
            log("build failed with \(errors) error(s) in \(Self.ms(record)) ms; still serving the last good build, with the errors shown on every page")
            if reload && !first { notify(snapshot) }
        }
    }

    func notify(_ snapshot: PreviewState.Snapshot) {
        broadcaster.send(event: "reload", data: Self.statusJSON(snapshot))
    }

    static func ms(_ record: PreviewState.BuildRecord) -> String {
        String(format: "%.0f", record.milliseconds)
    }

    static func statusJSON(_ s: PreviewState.Snapshot) -> String {
        var fields = ["\"generation\":\(s.generation)", "\"ok\":\(s.failure.isEmpty)", "\"errors\":\(s.failure.filter { $0.severity == .error }.count)"]
        if let last = s.lastBuild { fields.append("\"build_ms\":" + String(format: "%.1f", last.milliseconds)) }
        return "{" + fields.joined(separator: ",") + "}"
    }
}

/// Runs the rebuild loop beside the HTTP server, and keeps event streams alive with a comment now and then.
struct RebuildService: Service {
    let watcher: FileWatcher
    let builder: Rebuilder
    let broadcaster: ReloadBroadcaster

    func run() async throws {
        let watcher = self.watcher, builder = self.builder, broadcaster = self.broadcaster
        // Writing to a page that has gone is how its stream is noticed and dropped.
        let pinger = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                broadcaster.ping()
            }
        }
        defer { pinger.cancel() }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await builder.waitForFirstBuild()
                await builder.prepareForRebuilds()
                // Ends when the watcher stops, after the rebuild in progress (if any) has finished.
                for await _ in watcher.changes {
                    await builder.rebuild()
                }
            }
            // Until shutdown (graceful, or the task cancelled); the HTTP server has stopped by then.
            try? await gracefulShutdown()
            broadcaster.closeAll()
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async {
                    watcher.stop()
                    continuation.resume()
                }
            }
            // Should the server stop before the first build ran, nothing is left waiting for it.
            builder.stopWaitingForFirstBuild()
        }
    }
}

extension ReloadBroadcaster {
    func ping() { send(comment: "ping") }
}

/// Tries the address before the first build, so that a taken port is reported at once.
enum PortProbe {
    enum Problem: Equatable {
        case inUse
        case cannotListen(String)
    }

    static func check(host: String, port: Int) -> Problem? {
        #if canImport(Glibc)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .cannotListen("unknown host (\(String(cString: gai_strerror(status))))")
        }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = first
        var problem: Problem?
        while let info = entry {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var yes: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
                if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                    close(fd)
                    return nil
                }
                let code = errno
                close(fd)
                if code == EADDRINUSE { return .inUse }
                problem = .cannotListen(String(cString: strerror(code)))
            }
            entry = info.pointee.ai_next
        }
        return problem
        #else
        return nil
        #endif
    }
}
