import ArgumentParser
import Foundation
import GavelCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a new site: a court, a notice and the standard NextGen steps, which check and build as written.",
        discussion: "DIR must be new or empty (hidden entries such as .git may be there). The site uses the built-in theme; a Templates/ folder beside Content/ overrides it file by file ('gavel theme export DIR' writes it out to start from).")

    @Argument(help: "The folder to create the site in.") var directory = "."

    func run() throws {
        let files = StarterSite.files(today: Instant(Date()).local(in: .current).date)
        do {
            for path in try NewFolder.write(files, into: URL(fileURLWithPath: directory), shownAs: directory) {
                print("created \(path)")
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        let enter = directory == "." ? "" : "cd \(directory) && "
        print("""

        Next: replace every value marked PLACEHOLDER in Content/, then
          \(enter)gavel serve      preview at http://127.0.0.1:8000/
          \(enter)gavel build      the site, into Output/
        """)
    }
}

struct ThemeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theme",
        abstract: "The built-in theme.",
        subcommands: [ThemeExportCommand.self])
}

struct ThemeExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the built-in theme out, to start a site's own from it.",
        discussion: "A site's Templates/ folder overrides the built-in theme file by file: keep only the files you change. DIR must be new or empty.")

    @Argument(help: "The folder to write the theme into (new or empty).") var directory: String

    func run() throws {
        do {
            let written = try NewFolder.write(Theme.builtInFiles, into: URL(fileURLWithPath: directory), shownAs: directory)
            print("wrote the built-in theme of Gavel \(GavelVersion.number) (\(written.count) files) into \(directory)")
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
    }
}
