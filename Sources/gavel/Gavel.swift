import ArgumentParser
import Foundation
import GavelCore

/// The process's entry: reads the command line on the main thread, runs the command on the task pool
/// and waits for it. (With an `async` main the main thread parks itself in `dispatch_main`, whose
/// `pthread_exit` unwinds its stack through libgcc_s: a search of the binary's unwind tables that left
/// about 1 MiB of them resident, by the kernel's fault-around, in every run, for nothing.)
@main
enum GavelMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let read = Gavel.read(arguments)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await Gavel.run(read)
            done.signal()
        }
        done.wait()
    }
}

struct Gavel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gavel",
        abstract: "Builds a court's NextGen CM/ECF notices and onboarding checklist into a static site.",
        version: GavelVersion.number,
        subcommands: [InitCommand.self, BuildCommand.self, CheckCommand.self, ServeCommand.self, EvalCommand.self, NewCommand.self, ThemeCommand.self])

    /// The command line as read, with the process prepared for the command meanwhile.
    static func read(_ arguments: [String]) -> sending Result<CommandLineRead, any Error> {
        do {
            return .success(try SiteBuild.prepareProcess(rebuilds: rebuilds(arguments), meanwhile: { try commandLine(arguments) }))
        } catch {
            return .failure(error)
        }
    }

    /// Exit codes per the spec: 0 success, 1 content errors, 2 usage errors.
    static func run(_ read: Result<CommandLineRead, any Error>) async {
        do {
            switch try read.get() {
            case let .build(request):
                try await request.run()
            case var .command(command):
                if var command = command as? AsyncParsableCommand {
                    try await command.run()
                } else {
                    try command.run()
                }
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

extension Gavel {
    /// What a command line asks for: a build read without ArgumentParser (see `BuildRequest.init?(quick:)`),
    /// or the command ArgumentParser reads.
    enum CommandLineRead {
        case build(BuildRequest)
        case command(ParsableCommand)
    }

    static func commandLine(_ arguments: [String]) throws -> CommandLineRead {
        if arguments.first == "build", let request = BuildRequest(quick: arguments.dropFirst()) { return .build(request) }
        return .command(try parseCommand(arguments))
    }

    /// The command a command line names. One that starts with a subcommand without subcommands of
    /// its own is parsed as that command: the root's parse reads the arguments twice (once for a
    /// completion-script request) and looks at every command on the way, which cost `gavel build`
    /// about 1.7 ms of a 37 ms no-op build. Whatever does not parse so (help, a version or
    /// completion request, a mistake) is parsed from the root, so usage and errors read as before.
    static func parseCommand(_ arguments: [String]) throws -> ParsableCommand {
        if let name = arguments.first,
           let leaf = configuration.subcommands.first(where: { $0._commandName == name && $0.configuration.subcommands.isEmpty }),
           let command = try? leaf.parseAsRoot(Array(arguments.dropFirst())),
           type(of: command) == leaf {
            return command
        }
        return try parseAsRoot(arguments)
    }
}

extension Gavel {
    /// Whether a command line names a command that rebuilds: `serve` (after its first build), or
    /// `build` into an Output where an earlier build left its state; the others start as they are
    /// (see `SiteBuild.prepareProcess`). Read from the arguments as they are, so the process is
    /// prepared while they are parsed; a command line read otherwise here than by the parser gets
    /// only the other advice on memory.
    static func rebuilds(_ arguments: [String]) -> Bool {
        switch arguments.first {
        case "serve": true
        case "build": SiteBuild.findsState(beside: buildOutput(arguments))
        default: false
        }
    }

    /// The output folder a `build` command line names, as its parse takes it: the last `--output`,
    /// its value the next argument or what follows `=`. (`build` takes no other argument, so a
    /// command line with `--` in it does not parse, and builds nothing.)
    static func buildOutput(_ arguments: [String]) -> String {
        var output = "Output"
        var i = 1
        while i < arguments.count {
            if arguments[i] == "--output", i + 1 < arguments.count {
                output = arguments[i + 1]
                i += 2
                continue
            }
            if arguments[i].hasPrefix("--output=") { output = String(arguments[i].dropFirst("--output=".count)) }
            i += 1
        }
        return output
    }
}

struct SiteOptions: ParsableArguments {
    @Option(help: "The content folder.") var content = "Content"
    @Option(help: "A templates folder laid over the built-in theme, file by file. Default: Templates, when there is one.") var templates: String?
    @Option(help: "How to print diagnostics: text, json or github.") var diagnostics: DiagnosticFormatOption = .text

    /// The templates folder in use: the one named, else `Templates` when anything is there (a link or
    /// a file there is then reported), else none, and the built-in theme is used alone.
    var templatesFolder: String? { Self.templatesFolder(named: templates) }

    static func templatesFolder(named templates: String?) -> String? {
        if let templates { return templates }
        var info = stat()
        return lstat("Templates", &info) == 0 ? "Templates" : nil
    }

    func buildOptions(output: String = "Output") -> BuildOptions {
        Self.buildOptions(content: content, templates: templates, output: output)
    }

    static func buildOptions(content: String, templates: String?, output: String) -> BuildOptions {
        var options = BuildOptions(content: content, templates: templatesFolder(named: templates), output: output)
        if ProcessInfo.processInfo.environment["GAVEL_TIMINGS"] != nil { options.timings = StepTimings() }
        return options
    }

    /// Prints diagnostics to standard error (JSON to standard output, for tools).
    func report(_ list: [Diagnostic]) { Self.report(list, as: diagnostics) }

    static func report(_ list: [Diagnostic], as diagnostics: DiagnosticFormatOption) {
        guard !list.isEmpty else { return }
        let text = diagnostics.format.render(list)
        if diagnostics == .json {
            print(text, terminator: "")
        } else {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

enum DiagnosticFormatOption: String, ExpressibleByArgument, CaseIterable {
    case text, json, github
    var format: DiagnosticFormat { DiagnosticFormat(rawValue: rawValue) ?? .text }
}

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build the site into the output folder.")

    @OptionGroup var site: SiteOptions
    @Option(help: "The output folder.") var output = "Output"
    @Flag(help: "Also build notices marked draft.") var drafts = false
    @Option(name: .customLong("base-url"), help: "The address the site is published at.") var baseURL: String?
    @Flag(help: "Point links at index.html files so the site browses from disk.") var offline = false
    @Option(help: "Build as if at this ISO-8601 instant (publish and expiry dates).") var now: String?

    /// What this command line asks for.
    var request: BuildRequest {
        BuildRequest(content: site.content, templates: site.templates, diagnostics: site.diagnostics, output: output, drafts: drafts,
                     baseURL: baseURL, offline: offline, now: now)
    }

    func run() async throws { try await request.run() }
}

/// What `gavel build` is asked to do, however its command line was read.
struct BuildRequest: Equatable, Sendable {
    var content = "Content"
    var templates: String?
    var diagnostics: DiagnosticFormatOption = .text
    var output = "Output"
    var drafts = false
    var baseURL: String?
    var offline = false
    var now: String?
}

extension BuildRequest {
    /// The request a `build` command line makes (its arguments after `build`), read without
    /// ArgumentParser when it is only the command's own options, each at most once, a value in the
    /// next argument or after `=`, none empty or starting with `-`: nil for anything else (help, a
    /// mistake, an option given twice, `--`), which ArgumentParser reads as always. Its reading
    /// looks each option's property up by reflection, about 11 million instructions a process (the
    /// runtime's first lookup of each protocol conformance scans all 8,000 of them), milliseconds
    /// of every rebuild before the build starts. What both read must be the same
    /// (`CommandParsingTests`).
    init?(quick arguments: ArraySlice<String>) {
        var seen: Set<Substring> = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            guard argument.hasPrefix("--") else { return nil }
            var name = argument.dropFirst(2)
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = name[..<equals]
            }
            guard seen.insert(name).inserted else { return nil }
            switch name {
            case "drafts", "offline":
                guard value == nil else { return nil }
                if name == "drafts" { drafts = true } else { offline = true }
            case "content", "templates", "diagnostics", "output", "base-url", "now":
                guard let given = value ?? rest.popFirst(), !given.isEmpty, !given.hasPrefix("-") else { return nil }
                switch name {
                case "content": content = given
                case "templates": templates = given
                case "diagnostics":
                    guard let format = DiagnosticFormatOption(rawValue: given) else { return nil }
                    diagnostics = format
                case "output": output = given
                case "base-url": baseURL = given
                default: now = given
                }
            default:
                return nil
            }
        }
    }

    func run() async throws {
        var options = SiteOptions.buildOptions(content: content, templates: templates, output: output)
        options.includeDrafts = drafts
        options.baseURL = baseURL
        options.offline = offline
        if let now {
            guard let instant = Instant(parsing: now) else { throw ValidationError("--now must be an ISO-8601 instant such as 2020-03-30T13:00:00Z") }
            options.now = instant
        }
        let start = Date()
        let progress = ProgressLine.forTerminal(format: diagnostics.format)
        if let progress {
            let observer = options.stepObserver
            options.stepObserver = { step in
                observer?(step)
                progress.stepDone(step)
            }
            options.renderProgress = { done, total in progress.courts(done, of: total) }
        }
        do {
            let result = try await SiteBuild(options: options).run(write: true)
            progress?.finish()
            SiteOptions.report(result.warnings, as: diagnostics)
            let w = result.written ?? OutputWriter.Summary()
            let ms = Int(Date().timeIntervalSince(start) * 1000)
            if options.timings != nil {
                FileHandle.standardError.write(Data("gavel: commit listed \(w.listedFolders.map(String.init) ?? "every") folder(s)\n".utf8))
                FileHandle.standardError.write(Data("gavel: search index \(result.searchIndex?.rawValue ?? "not rendered")\n".utf8))
            }
            FileHandle.standardError.write(Data(("built \(result.fileCount) files into \(output) in \(ms) ms (\(w.written) written, \(w.unchanged) unchanged, \(w.removed) removed" + (w.kept > 0 ? ", \(w.kept) of the folder's own kept" : "") + ")\n").utf8))
            // The process ends here, leaving what the build held to the exit rather than freeing it.
            withExtendedLifetime(result) { Foundation.exit(0) }
        } catch {
            progress?.finish()
            SiteOptions.report(error.diagnostics, as: diagnostics)
            FileHandle.standardError.write(Data("build failed with \(error.diagnostics.filter { $0.severity == .error }.count) error(s); \(output) was not changed\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate content, rules, templates and internal links; write nothing.")

    @OptionGroup var site: SiteOptions

    func run() async throws {
        do {
            let result = try await SiteBuild(options: site.buildOptions()).run(write: false)
            site.report(result.warnings)
            FileHandle.standardError.write(Data("no problems found (\(result.fileCount) files would be built)\n".utf8))
        } catch {
            site.report(error.diagnostics)
            throw ExitCode(1)
        }
    }
}
