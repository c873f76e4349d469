import ArgumentParser
import Foundation
import GavelCore
import GavelServe

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Preview the site locally: rebuild on every change and reload open pages.")

    @OptionGroup var site: SiteOptions
    @Option(help: "Build into this folder. Default: a private temporary folder, removed on exit.") var output: String?
    @Option(help: "The address to listen on. Anything but a loopback address exposes the preview to the network.") var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).") var port = 8000
    @Flag(help: "Also build notices marked draft.") var drafts = false
    @Flag(help: "Watch for changes by polling modification times instead of inotify.") var poll = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard !host.isEmpty else { throw ValidationError("--host must not be empty") }
    }

    func run() async throws {
        var build = site.buildOptions(output: output ?? "Output")
        build.includeDrafts = drafts
        var options = PreviewServer.Options(build: build, output: output.map { URL(fileURLWithPath: $0) }, host: host, port: port)
        options.forcePolling = poll
        options.diagnosticFormat = site.diagnostics.format
        if !PreviewServer.isLoopback(host) {
            FileHandle.standardError.write(Data("warning: --host \(host) is not a loopback address: anyone who can reach this machine can see the preview\n".utf8))
        }
        let temporary = output == nil
        let watched = build.templates == nil ? "\(build.contentDisplay)/" : "\(build.contentDisplay)/ and \(build.templatesDisplay)/"
        do {
            try await PreviewServer(options: options).run { ready in
                let folder = temporary ? "\(ready.output.path) (temporary, removed on exit)" : ready.output.path
                // Unbuffered, so that a script reading the address sees it at once.
                let text = "Serving \(ready.url)\n  output: \(folder)\n  watching \(watched) (\(ready.watching)); press Ctrl-C to stop\n"
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        } catch let failure as PreviewServer.Failure {
            FileHandle.standardError.write(Data((failure.description + "\n").utf8))
            throw ExitCode(1)
        }
        FileHandle.standardError.write(Data("stopped\n".utf8))
    }
}
