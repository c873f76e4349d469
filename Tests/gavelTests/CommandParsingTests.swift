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

    /// `build` command lines (after `build`): every option alone, in both forms and with awkward
    /// values, several together in two orders, and lines that are not the command's options only.
    static let buildLines: [[String]] = {
        let values: [(String, [String])] = [
            ("content", ["C", "Content dir", "é/ü", "x=y", "."]), ("templates", ["T", "a/b"]), ("diagnostics", ["text", "json", "github"]),
            ("output", ["O", "/tmp/out put", "Out=1"]), ("base-url", ["https://x.test/", "https://x.test/?a=b"]),
            ("now", ["2020-03-30T13:00:00Z", "not a time"]),
        ]
        var lines: [[String]] = [[], ["--drafts"], ["--offline"], ["--drafts", "--offline"], ["--offline", "--drafts"]]
        for (name, given) in values {
            for value in given { lines += [["--" + name, value], ["--\(name)=\(value)"]] }
        }
        let all = ["--content", "C", "--templates=T", "--diagnostics", "json", "--output=O", "--drafts", "--base-url", "https://x.test/",
                   "--offline", "--now=2020-03-30T13:00:00Z"]
        lines += [all, ["--now=2020-03-30T13:00:00Z", "--offline", "--base-url", "https://x.test/", "--drafts", "--output=O", "--diagnostics", "json",
                        "--templates=T", "--content", "C"]]
        // Not read quickly: ArgumentParser's to read.
        lines += [["--help"], ["-h"], ["--version"], ["extra"], ["--no-such-flag"], ["--drafts", "--drafts"], ["--output", "A", "--output", "B"],
                  ["--output"], ["--output", "--drafts"], ["--output="], ["--output", ""], ["--output", "-x"], ["--", "--output"],
                  ["--diagnostics", "xml"], ["--drafts=yes"], ["--generate-completion-script", "bash"], ["-o", "O"], ["--Output", "O"]]
        return lines
    }()

    /// A `build` command line read without ArgumentParser (`BuildRequest.init?(quick:)`) asks for
    /// what ArgumentParser reads from it; one it does not read so is left to ArgumentParser, through
    /// `Gavel.commandLine`.
    @Test(arguments: buildLines)
    func aBuildReadQuicklyIsWhatArgumentParserReads(_ arguments: [String]) throws {
        let read = try? Gavel.commandLine(["build"] + arguments)
        guard let quick = BuildRequest(quick: arguments[...]) else {
            if case .build = read { Issue.record("\(arguments) was read quickly by the command line") }
            return
        }
        guard case let .build(request) = read else {
            Issue.record("\(arguments) was read quickly, but not by the command line")
            return
        }
        #expect(request == quick)
        let parsed = try #require(try Gavel.parseAsRoot(["build"] + arguments) as? BuildCommand, "\(arguments)")
        #expect(parsed.request == quick, "\(arguments)")
    }

    /// Most of those lines are read quickly, and every option shows in what is read.
    @Test func theQuickReadingTakesTheCommandsOwnOptions() throws {
        let quick = Self.buildLines.compactMap { BuildRequest(quick: $0[...]) }
        #expect(quick.count == Self.buildLines.count - 18)
        let all = try #require(BuildRequest(quick: Self.buildLines.first { $0.count == 11 }?[...] ?? []))
        #expect(all == BuildRequest(content: "C", templates: "T", diagnostics: .json, output: "O", drafts: true, baseURL: "https://x.test/",
                                    offline: true, now: "2020-03-30T13:00:00Z"))
    }
}

