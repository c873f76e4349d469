import ArgumentParser
import Testing
@testable import gavel

/// `Gavel.parseCommand` parses a leaf subcommand's arguments without the root; what it gives must be
/// what the root's parse gives, for command lines that parse and for those that do not.
@Suite struct CommandParsingTests {
    /// Either the command parsed, as its type and values, or the error as a person sees it.
    enum Parsed: Equatable {
        case command(String, String)
        case failure(String, Int32)
    }

    static func parsed(_ parse: () throws -> ParsableCommand) -> Parsed {
        do {
            let command = try parse()
            return .command(String(describing: type(of: command)), String(describing: command))
        } catch {
            return .failure(Gavel.fullMessage(for: error), Gavel.exitCode(for: error).rawValue)
        }
    }

    static let commandLines: [[String]] = [
        [], ["--version"], ["--help"], ["frobnicate"], ["help", "build"],
        ["build"], ["build", "--help"], ["build", "-h"], ["build", "--version"], ["build", "extra"],
        ["build", "--no-such-flag"], ["build", "--output"], ["build", "--diagnostics", "xml"],
        ["build", "--generate-completion-script", "bash"],
        ["build", "--content", "C", "--templates", "T", "--output", "O", "--drafts", "--base-url", "https://x.test/",
         "--offline", "--now", "2020-03-30T13:00:00Z", "--diagnostics", "json"],
        ["build", "--output=O", "--drafts", "--drafts"], ["build", "--", "--output"],
        ["check"], ["check", "--content", "X", "--diagnostics", "github"], ["check", "--output", "O"],
        ["eval"], ["eval", "--answers", "a.json", "--court", "ca10", "--court", "ca9", "--json"], ["eval", "--facts", "f.json"],
        ["serve", "--port", "0", "--host", "::1", "--poll"], ["serve", "--port", "eighty"],
        ["init"], ["init", "Site"], ["init", "A", "B"],
        ["new", "notice", "webinar", "--court", "ca10"], ["new", "judge", "x"], ["new"],
        ["theme"], ["theme", "export", "Out"], ["theme", "export"],
    ]

    @Test(arguments: commandLines)
    func aCommandLineParsesAsFromTheRoot(_ arguments: [String]) {
        let direct = Self.parsed { try Gavel.parseCommand(arguments) }
        let fromRoot = Self.parsed { try Gavel.parseAsRoot(arguments) }
        #expect(direct == fromRoot, "\(arguments)")
    }

    /// The output folder read from a `build` command line before it is parsed (to prepare the process
    /// meanwhile) is the one its parse gives.
    @Test(arguments: commandLines + [["build", "--output", "A", "--output", "B"], ["build", "--output=A", "--output", "B=C"],
                                     ["build", "--drafts", "--output", "--output=x"], ["build", "--output=", "--drafts"]])
    func theOutputReadAheadIsTheParsedOne(_ arguments: [String]) throws {
        guard arguments.first == "build", let command = try? Gavel.parseCommand(arguments) as? BuildCommand else { return }
        #expect(Gavel.buildOutput(arguments) == command.output, "\(arguments)")
    }

    /// The values parsed are in what the comparison looks at, so a flag lost on the way would show.
    @Test func theComparisonSeesTheValues() {
        let plain = Self.parsed { try Gavel.parseAsRoot(["build"]) }
        let drafts = Self.parsed { try Gavel.parseAsRoot(["build", "--drafts"]) }
        #expect(plain != drafts)
        #expect(Self.parsed { try Gavel.parseAsRoot(["build", "--output", "A"]) } != Self.parsed { try Gavel.parseAsRoot(["build", "--output", "B"]) })
    }
}
