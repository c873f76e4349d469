import Foundation
import Testing
@testable import GavelCore

/// The binary a court installs, alone: copied into an empty folder and run with an empty environment,
/// no Templates/ and no toolchain, it starts a site, checks it, builds it and evaluates a checklist.
/// `make test` links the debug binary as the release one is linked (`scripts/static-build.sh debug`)
/// and names it in GAVEL_STANDALONE_BINARY; a plain `swift test` skips this suite and says why.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["GAVEL_STANDALONE_BINARY"] != nil,
                "set GAVEL_STANDALONE_BINARY to a gavel built by scripts/static-build.sh (make test does)"))
struct StandaloneBinaryTests {
    static var binary: URL {
        let path = ProcessInfo.processInfo.environment["GAVEL_STANDALONE_BINARY"] ?? ""
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : TestPaths.root.appendingPathComponent(path)
    }

    /// Libraries that every Linux system has: the C library and its kin, and GCC's runtime.
    static let systemLibraries = ["linux-vdso.so", "libc.so", "libm.so", "libpthread.so", "libdl.so", "librt.so", "libutil.so",
                                  "ld-linux-x86-64.so", "ld-linux-aarch64.so", "libgcc_s.so", "libstdc++.so"]

    /// Runs `executable` with an empty environment unless told otherwise.
    func run(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = [:]) throws -> ProcessRun {
        try ProcessRun.run(executable, arguments, in: directory, environment: environment)
    }

    @Test func theBinaryAloneLinksOnlyTheCLibraryAndItsKin() throws {
        let ldd = try run(URL(fileURLWithPath: "/usr/bin/ldd"), [Self.binary.path], in: TestPaths.root, environment: nil)
        #expect(ldd.status == 0, "\(ldd.stderr)")
        let libraries = ldd.stdout.split(separator: "\n").compactMap { $0.split(whereSeparator: \.isWhitespace).first.map(String.init) }
        #expect(libraries.contains { $0.hasPrefix("libc.so") }, "\(ldd.stdout)")
        for library in libraries {
            let name = library.split(separator: "/").last.map(String.init) ?? library
            #expect(Self.systemLibraries.contains { name.hasPrefix($0) }, "\(Self.binary.path) needs \(library)")
        }
    }

    /// The binary is compiled with options of its own (scripts/static-build.sh), the library the other
    /// tests check without them: the two must build the same bytes, from nothing and after an edit.
    @Test func itBuildsTheBytesTheLibraryBuilds() async throws {
        let (dir, content, options) = try OutputContractTests.copy()
        func build() throws {
            let built = try run(Self.binary, ["build", "--content", content.path, "--templates", TestPaths.templates.path,
                                              "--output", options.output.path, "--now", "2020-03-20T12:00:00Z"], in: dir)
            #expect(built.status == 0, "\(built.stderr)")
        }
        try build()
        let first = OutputContractTests.tree(options.output)
        #expect(first.count > 50, "the example site is built")
        #expect(first == (try await OutputContractTests.fullBuild(options, in: dir)))
        try OutputContractTests.edit(content.appendingPathComponent("courts/vtd/notices/nextgen-go-live.md")) {
            $0 + "\nThe clerk's office added this paragraph.\n"
        }
        try build()
        let edited = OutputContractTests.tree(options.output)
        #expect(edited != first, "the edit shows")
        #expect(edited == (try await OutputContractTests.fullBuild(options, in: dir)))
    }

    @Test func inAnEmptyFolderWithAnEmptyEnvironmentItInitsChecksBuildsAndEvaluates() throws {
        let folder = try TestPaths.temporaryDirectory()
        let gavel = folder.appendingPathComponent("gavel")
        try FileManager.default.copyItem(at: Self.binary, to: gavel)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["gavel"])

        let version = try run(gavel, ["--version"], in: folder)
        #expect(version.status == 0)
        #expect(version.stdout == GavelVersion.number + "\n")

        // What `make install` puts beside the binary comes from the binary.
        for shell in ["bash", "zsh", "fish"] {
            let completion = try run(gavel, ["--generate-completion-script", shell], in: folder)
            #expect(completion.status == 0)
            #expect(completion.stdout.contains("init") && completion.stdout.contains("theme"), "\(shell) completions")
        }

        let created = try run(gavel, ["init", "site"], in: folder)
        #expect(created.status == 0, "\(created.stderr)")
        let site = folder.appendingPathComponent("site")
        #expect(!FileManager.default.fileExists(atPath: site.appendingPathComponent("Templates").path), "the theme is the built-in one")

        let check = try run(gavel, ["check"], in: site)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("no problems found"))

        let build = try run(gavel, ["build", "--now", "2029-12-01T12:00:00Z"], in: site)
        #expect(build.status == 0, "\(build.stderr)")
        let home = try String(contentsOf: site.appendingPathComponent("Output/index.html"), encoding: .utf8)
        #expect(home.contains("<meta name=\"generator\" content=\"Gavel \(GavelVersion.number)\">"))
        let court = try String(contentsOf: site.appendingPathComponent("Output/courts/example/index.html"), encoding: .utf8)
        #expect(court.contains("PLACEHOLDER"), "placeholder data says so on the page")
        guard case let .success(manifest) = JSONValue.parse(try String(contentsOf: site.appendingPathComponent("Output/assets/manifest.json"), encoding: .utf8)),
              let css = manifest["site.css"]?.stringValue else {
            Issue.record("no asset manifest naming site.css")
            return
        }
        #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent("Output/" + css).path))

        try Data("""
        { "courts": ["example"],
          "answers": { "pacer.kind": "individual", "pacer.created": "2016-05-01" },
          "court_answers": { "example": { "cmecf.knows_login": true } } }
        """.utf8).write(to: site.appendingPathComponent("answers.json"))
        // The court goes live on 2030-01-07 at 8:00 in New York, 13:00 UTC.
        let before = try run(gavel, ["eval", "--facts", "answers.json", "--now", "2030-01-07T12:59:00Z", "--json"], in: site)
        #expect(before.status == 0, "\(before.stderr)")
        let after = try run(gavel, ["eval", "--facts", "answers.json", "--now", "2030-01-07T13:00:00Z", "--json"], in: site)
        guard case let .success(early) = JSONValue.parse(before.stdout), case let .success(late) = JSONValue.parse(after.stdout) else {
            Issue.record("eval did not print JSON: \(before.stdout) \(after.stdout)")
            return
        }
        func status(_ result: JSONValue, _ step: String) -> String? {
            result["courts"]?.arrayValue?.first?["steps"]?.arrayValue?.first { $0["id"] == .string(step) }?["status"]?.stringValue
        }
        #expect(early["courts"]?.arrayValue?.first?["readiness"] == .string("ready"))
        #expect(status(early, "link-accounts") == "not-yet")
        #expect(status(early, "upgrade-legacy-account") == "not-applicable")
        #expect(late["courts"]?.arrayValue?.first?["readiness"] == .string("action-needed"))
        #expect(status(late, "link-accounts") == "todo")
    }
}
