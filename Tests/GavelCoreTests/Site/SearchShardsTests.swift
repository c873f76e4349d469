import Foundation
import Testing
@testable import GavelCore

/// The sharded search index gives exactly the results the search page gave when it scanned every
/// entry: bench/search_queries.mjs runs each query both ways under node, over a built site whose
/// text has accents, curly quotes, ligatures, other scripts, numbers and titles that nearly repeat.
@Suite struct SearchShardsTests {
    static let queries = [
        "pacer", "PACER account", "link accounts", "Link your PACER and CM/ECF accounts", "central sign-on", "go-live", "a", "e",
        "café", "CAFÉ", "court’s", "\"notice\"", "ﬁling", "filing", "İstanbul", "istanbul", "Σύνδεση", "σύνδεση", "суд", "法院",
        "2020", "notice 7", "(notice 12)", "downtime window", "zzqx", "  ", "the the the", "accounts after", "upgrade legacy", "wiwb",
    ]

    static let words = ["court", "notice", "filing", "café", "Résumé", "court’s", "ﬁling", "İstanbul", "Σύνδεση", "суд", "法院",
                        "downtime", "window", "accounts", "link", "upgrade", "legacy", "PACER", "2020", "e-filing", "naïve", "ÆON"]

    /// Example content with `count` generated notices added to vtd.
    func content(notices count: Int) throws -> (dir: URL, options: BuildOptions) {
        let dir = try TestPaths.temporaryDirectory()
        let content = dir.appendingPathComponent("Content")
        try FileManager.default.copyItem(at: TestPaths.content, to: content)
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        func sentence(_ length: Int) -> String { (0..<length).map { _ in Self.words[next(Self.words.count)] }.joined(separator: " ") }
        for i in 0..<count {
            let title = i % 5 == 0 ? "Link accounts" : "\(sentence(1 + next(4)).capitalized) (notice \(i))"
            let body = (0..<(1 + next(4))).map { _ in sentence(5 + next(30)) + "." }.joined(separator: "\n\n")
            let text = "---\ntitle: \"\(title)\"\ndate: \"2020-02-\(10 + i % 18)\"\nsummary: \"\(sentence(3 + next(6)))\"\n---\n\(body)\n"
            try text.write(to: content.appendingPathComponent("courts/vtd/notices/generated-\(i).md"), atomically: true, encoding: .utf8)
        }
        var options = BuildOptions(content: content.path, templates: TestPaths.templates.path, output: dir.appendingPathComponent("Out").path)
        options.now = try #require(Instant(parsing: "2020-03-20T12:00:00Z"))
        return (dir, options)
    }

    struct Report: Decodable {
        struct Query: Decodable {
            var query: String
            var same: Bool
            var total: Int
            var bytes: Int
            var sharded: [String]
            var whole: [String]
        }
        var entries: Int
        var indexBytes: Int
        var queries: [Query]
    }

    func compare(_ output: URL) throws -> Report {
        let node = URL(fileURLWithPath: "/usr/bin/env")
        let run = try ProcessRun.run(node, ["node", TestPaths.root.appendingPathComponent("bench/search_queries.mjs").path, output.path] + Self.queries,
                                     in: TestPaths.root)
        #expect(run.status == 0, "\(run.stderr)")
        return try JSONDecoder().decode(Report.self, from: Data(run.stdout.utf8))
    }

    @Test func shardedResultsAreTheResultsOfTheWholeIndex() async throws {
        let (_, options) = try content(notices: 700)
        _ = try await SiteBuild(options: options).run(write: true)
        let report = try compare(options.output)
        #expect(report.entries > 700)
        #expect(report.queries.count == Self.queries.count)
        for q in report.queries {
            #expect(q.same, "\(q.query): sharded \(q.sharded) but the whole index gives \(q.whole)")
        }
        // The queries found something in every script, and a word found everywhere loads far less
        // than the index.
        for query in ["café", "İstanbul", "σύνδεση", "суд", "法院", "ﬁling", "2020"] {
            #expect((report.queries.first { $0.query == query }?.total ?? 0) > 0, "\(query) finds nothing")
        }
        let court = try #require(report.queries.first { $0.query == "pacer" })
        #expect(court.bytes * 4 < report.indexBytes, "\(court.bytes) of \(report.indexBytes) bytes loaded")
    }

    /// Entries of reused pages come back from the last build's docs shards: a rebuild after one
    /// notice's title changed gives the index a full build gives, and the new title is found.
    @Test func aRebuiltIndexIsTheIndexOfAFullBuild() async throws {
        let (dir, options) = try content(notices: 120)
        _ = try await SiteBuild(options: options).run(write: true)
        let notice = options.content.appendingPathComponent("courts/vtd/notices/generated-3.md")
        let text = try String(contentsOf: notice, encoding: .utf8)
        try text.replacingOccurrences(of: "title: \"", with: "title: \"Zebra crossing ").write(to: notice, atomically: true, encoding: .utf8)
        _ = try await SiteBuild(options: options).run(write: true)
        var fresh = options
        fresh.output = dir.appendingPathComponent("Fresh")
        _ = try await SiteBuild(options: fresh).run(write: true)
        let search = { (root: URL) throws -> [String: Data] in
            let folder = root.appendingPathComponent("search")
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
            }
            return files
        }
        let rebuilt = try search(options.output), full = try search(fresh.output)
        #expect(rebuilt == full)
        let report = try compare(options.output)
        #expect(report.queries.filter { !$0.same }.map(\.query) == [])
    }

    /// The index is made from the pages' entries, so a body edited beyond its searchable start leaves
    /// it as it was, and an edit that changes an entry remakes it; either way, and with the last docs
    /// shards gone or damaged (the reused pages' entries are then rendered again), the site is the
    /// one a full build makes.
    @Test func editsAndDamagedShardsGiveTheFullBuildsIndex() async throws {
        let (dir, options) = try content(notices: 60)
        _ = try await SiteBuild(options: options).run(write: true)
        var fresh = options
        fresh.output = dir.appendingPathComponent("Fresh")
        let notice = options.content.appendingPathComponent("courts/vtd/notices/generated-5.md")
        let edits: [(String) -> String] = [
            { $0 + "\n" + String(repeating: "Far below the searchable start. ", count: 80) + "\n" },
            { $0.replacingOccurrences(of: "title: \"", with: "title: \"Renamed ") },
        ]
        for (k, edit) in edits.enumerated() {
            try edit(try String(contentsOf: notice, encoding: .utf8)).write(to: notice, atomically: true, encoding: .utf8)
            if k == 1 {
                try FileManager.default.removeItem(at: options.output.appendingPathComponent("search/docs-0.js"))
                try Data("damaged".utf8).write(to: options.output.appendingPathComponent("search/docs-2.js"))
            }
            _ = try await SiteBuild(options: options).run(write: true)
            try? FileManager.default.removeItem(at: fresh.output)
            _ = try await SiteBuild(options: fresh).run(write: true)
            #expect(OutputContractTests.tree(options.output) == OutputContractTests.tree(fresh.output), "after edit \(k)")
        }
    }

    /// After an edit, the index is made from the last one's postings and this build's entries
    /// (`SearchIndex.patched`), and only the docs and titles shards of changed entries are written:
    /// through edits that change an entry's text, its title and the entries' order, remove a word and
    /// say one again (a word whose postings stay as they were keeps its bytes unread), the site is the
    /// one a full build makes, as it is after notices are added and removed. A term shard changed by
    /// hand is not trusted (every entry's words are found again), and neither is a template change.
    @Test func editsPatchTheLastIndexAndGiveTheFullBuildsSite() async throws {
        var (dir, options) = try content(notices: 90)
        let templates = dir.appendingPathComponent("Templates")
        try FileManager.default.copyItem(at: TestPaths.templates, to: templates)
        options.templates = templates
        _ = try await SiteBuild(options: options).run(write: true)
        var fresh = options
        fresh.output = dir.appendingPathComponent("Fresh")
        let notices = options.content.appendingPathComponent("courts/vtd/notices")
        func edit(_ name: String, _ change: (String) -> String) throws {
            let file = notices.appendingPathComponent(name)
            try change(try String(contentsOf: file, encoding: .utf8)).write(to: file, atomically: true, encoding: .utf8)
        }
        /// The words at the start of the body, which the entry's text begins with.
        func opening(_ words: String) -> (String) -> String {
            { text in
                guard let end = text.range(of: "\n---\n") else { return text }
                return text.replacingCharacters(in: end, with: "\n---\n" + words)
            }
        }
        let steps: [(String, SearchIndexOrigin, () throws -> Void)] = [
            ("the start of a body", .patched, { try edit("generated-7.md", opening("Xylophone quartz. ")) }),
            ("a word only it had, gone", .patched, { try edit("generated-7.md") { $0.replacingOccurrences(of: "Xylophone quartz. ", with: "") } }),
            ("a word said at its start", .patched, { try edit("generated-7.md", opening("Downtime. ")) }),
            ("the same word once more: only its count changes", .patched, { try edit("generated-7.md", opening("Downtime. ")) }),
            ("a body rewritten, losing words others have and gaining some", .patched, {
                try edit("generated-30.md") { text in
                    guard let end = text.range(of: "\n---\n") else { return text }
                    return String(text[..<end.upperBound]) + "Downtime window accounts ÆON court.\n"
                }
            }),
            ("a title", .patched, { try edit("generated-40.md") { $0.replacingOccurrences(of: "title: \"", with: "title: \"Zebra ") } }),
            ("a date, moving the notice", .renumbered, { try edit("generated-12.md") { $0.replacingOccurrences(of: "date: \"2020-02-", with: "date: \"2020-01-") } }),
            ("a notice added (every page renders: the site's paths changed)", .found, {
                try "---\ntitle: \"Added café notice\"\ndate: \"2020-02-15\"\n---\nNew words: quokka naïve.\n"
                    .write(to: notices.appendingPathComponent("added.md"), atomically: true, encoding: .utf8)
            }),
            ("a notice removed", .found, { try FileManager.default.removeItem(at: notices.appendingPathComponent("generated-3.md")) }),
            ("a term shard changed by hand", .found, {
                try edit("generated-20.md", opening("Ostrich. "))
                let shard = options.output.appendingPathComponent("search/terms-1.js")
                var bytes = try Data(contentsOf: shard)
                bytes[bytes.count - 6] = bytes[bytes.count - 6] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
                try bytes.write(to: shard)
            }),
            ("a template", .found, {
                let url = templates.appendingPathComponent("layout.mustache")
                try (try String(contentsOf: url, encoding: .utf8) + "\n").write(to: url, atomically: true, encoding: .utf8)
            }),
        ]
        for (step, origin, change) in steps {
            try change()
            let result = try await SiteBuild(options: options).run(write: true)
            #expect(result.searchIndex == origin, "\(step)")
            try? FileManager.default.removeItem(at: fresh.output)
            _ = try await SiteBuild(options: fresh).run(write: true)
            #expect(OutputContractTests.tree(options.output) == OutputContractTests.tree(fresh.output), "after \(step)")
        }
        let report = try compare(options.output)
        #expect(report.queries.filter { !$0.same }.map(\.query) == [])
    }

    /// A full build leaves the next one every file of the index to keep: with nothing changed (and no
    /// witness to end on), all stand, the docs shards made while the courts' parts were joined too.
    @Test func aRebuildWithNothingChangedKeepsEveryShardAFullBuildMade() async throws {
        var (_, options) = try content(notices: 90)
        options.usesWitness = false
        let full = try await SiteBuild(options: options).run(write: true)
        #expect(full.searchIndex == .found)
        let again = try await SiteBuild(options: options).run(write: true)
        #expect(again.searchIndex == .standing)
        #expect(again.written?.written == 0)
    }

    /// Worked by hand from the format (Tests/js/search.test.mjs decodes the same digits): base-32
    /// groups, low first, a digit of 32 and up saying another follows; a posting opens with
    /// (gap - 1) * 84 + code, the first entry's gap taken from -1.
    @Test func postingsAreWrittenInTheirDigits() {
        var bytes: [UInt8] = []
        // Entry 0 with the word once in its title (12 units long), first (no word before, 4096) and
        // before a word whose neighbour code is 7; entry 5 with it 20 times in the text; entry 70,000
        // with it in the summary; entry 70,031 in the title (4,000,000 units long), no place given.
        SearchIndex.encode([0, 6, 12, 1, 4096, 7, 5, 80, 70_000, 1, 70_031, 2, 4_000_000, 0], into: &bytes)
        // 0 * 84 + 6 -> 6, C 1, 4096 = 4*32^2 -> W W 4, 7 |
        // 4 * 84 + 80 = 416 = 0 + 13*32 -> W D |
        // 69,994 * 84 + 1 = 5,879,497 = 9 + 22*32 + 13*32^2 + 19*32^3 + 5*32^4 -> f s j p 5 |
        // 30 * 84 + 2 = 2,522 = 26 + 14*32 + 2*32^2 -> w k 2, 4,000,000 = 0 + 8*32 + 2*32^2 + 26*32^3
        //   + 3*32^4 -> W e Y w 3, 0
        #expect(String(decoding: bytes, as: UTF8.self) == "6C1WW47" + "WD" + "fsjp5" + "wk2WeYw30")
    }

    /// Postings read back are the list written, and a splice gives what encoding the spliced list
    /// gives: entries dropped at the start, middle and end, added before, between and after, with
    /// and without title places (whose numbers follow the code and are copied as they are).
    @Test func splicedPostingsAreThePostingsOfTheSplicedList() throws {
        // (entry, code[, title length, count, neighbours...]) for entries 0...39, some in titles.
        var list: [UInt32] = []
        for entry in stride(from: 0, to: 40, by: 3) {
            if entry % 9 == 0 {
                list += [UInt32(entry), 6, 30, 1, 4096, UInt32(entry)]
            } else {
                list += [UInt32(entry), UInt32(4 * (entry % 7) + 1)]
            }
        }
        var written: [UInt8] = []
        SearchIndex.encode(list, into: &written)
        #expect(SearchIndex.decodePostings(written[...]) == list)
        #expect(SearchIndex.decodePostings(Array("W".utf8)[...]) == nil, "a number cut short")
        #expect(SearchIndex.decodePostings(Array("6!".utf8)[...]) == nil, "a byte that is no digit")

        func postings(_ list: [UInt32]) -> [(entry: UInt32, numbers: ArraySlice<UInt32>)] {
            var out: [(UInt32, ArraySlice<UInt32>)] = []
            var i = 0
            while i + 1 < list.count {
                let length = SearchIndex.Terms.postingLength(list, at: i)
                out.append((list[i], list[i..<(i + length)]))
                i += length
            }
            return out
        }
        let cases: [(drop: Set<UInt32>, add: [UInt32])] = [
            ([], []), ([0], []), ([18], []), ([39], []), ([0, 3, 6, 39], []),
            ([], [1, 9]), ([18], [18, 5, 19, 13]), ([], [40, 1]), ([3], [2, 6, 12, 2, 40, 1, 7, 7]),
            (Set(stride(from: 0, to: 40, by: 3).map(UInt32.init)), [41, 4]),
        ]
        for (drop, add) in cases {
            var dropping = [Bool](repeating: false, count: 64)
            for entry in drop { dropping[Int(entry)] = true }
            var spliced: [UInt8] = []
            #expect(SearchIndex.splice(written[...], dropping: dropping, adding: add, into: &spliced))
            let kept = postings(list).filter { !drop.contains($0.entry) } + postings(add)
            var expected: [UInt8] = []
            SearchIndex.encode(kept.sorted { $0.entry < $1.entry }.flatMap(\.numbers), into: &expected)
            #expect(spliced == expected, "dropping \(drop.sorted()), adding \(add)")
            // The same postings inside a shard's bytes, as the patch reads them: a slice that does
            // not start at the array's start.
            let opening = Array("{\"word\":\"".utf8)
            let shard = opening + written + Array("\"}".utf8)
            let inShard = shard[opening.count..<(opening.count + written.count)]
            var splicedInShard: [UInt8] = []
            #expect(SearchIndex.splice(inShard, dropping: dropping, adding: add, into: &splicedInShard))
            #expect(splicedInShard == expected, "in a shard: dropping \(drop.sorted()), adding \(add)")
            #expect(SearchIndex.decodePostings(inShard) == list)
        }
        #expect(SearchIndex.decodePostings(Array("xW".utf8)[1...]) == nil, "a number cut short, in a slice")
    }

    /// The neighbour codes both engines compute: FNV-1a (32-bit) over UTF-16 units, low 12 bits.
    /// Worked by hand for "ink": 0x811C9DC5 ^ 0x69, times 16777619, and so on (mod 2^32).
    @Test func neighbourCodesAreTheLowBitsOfFNV1a() {
        var hash: UInt64 = 0x811C_9DC5
        for u in [UInt64(0x69), 0x6E, 0x6B] { hash = ((hash ^ u) * 16_777_619) & 0xFFFF_FFFF }
        #expect(SearchIndex.Terms.neighbour(Array("ink".utf16)) == UInt32(hash & 0xFFF))
        #expect(SearchIndex.Terms.neighbour([UInt16]()) == 0x9DC5 & 0xFFF)
    }
}
