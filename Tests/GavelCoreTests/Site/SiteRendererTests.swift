import Testing
@testable import GavelCore

@Suite struct SiteRendererTests {
    typealias Entry = BuildCache.Entry

    func entry(_ n: UInt64) -> Entry { Entry(input: n, output: n &* 31 &+ 7, size: Int(n % 1000), modified: Int64(n), inode: n + 1) }

    /// The tables a build's parts give when joined one by one (what `joinedOverPrevious` stands in for).
    func joined(_ parts: [PathTable<Entry>], reused: [(String, Entry)], late: [(String, Entry)]) -> PathTable<Entry> {
        var all: PathTable<Entry> = [:]
        for part in parts { all.merge(table: part) { a, _ in a } }
        all.merge(reused) { a, _ in a }
        all.merge(late) { a, _ in a }
        return all
    }

    /// After an edit: 40 files reused as the last build left them, two parts of files made again (one
    /// new, two changed), a late file. Joined over the last table, the tables are those the parts give
    /// (the late file's last entry stands until it is put in); a last entry for a file this build does
    /// not have, a late file the last build did not have, or a fingerprint that is not its entry's
    /// output, and they are not made that way.
    @Test func tablesJoinedOverTheLastBuildsAreThePartsJoined() throws {
        var previous: PathTable<Entry> = [:]
        for n in 0..<45 { previous["courts/c/notices/n\(n)/index.html"] = entry(UInt64(n)) }
        previous["search/terms-0.js"] = entry(100)
        let reused = (0..<40).map { n in ("courts/c/notices/n\(n)/index.html", entry(UInt64(n))) }
        let parts: [PathTable<Entry>] = [
            ["courts/c/notices/n40/index.html": entry(240), "courts/c/notices/n41/index.html": entry(241)],
            ["courts/c/notices/n42/index.html": entry(42), "courts/c/notices/n43/index.html": entry(43), "courts/c/notices/n44/index.html": entry(244)],
            [:],
        ]
        let prints = parts.map { $0.mapValues(\.output) }
        let late = ["search/terms-0.js"]
        let made = try #require(SiteRenderer.joinedOverPrevious(previous, entries: parts, fingerprints: prints, reused: reused.count, late: late))
        let expected = joined(parts, reused: reused, late: [("search/terms-0.js", entry(100))])
        #expect(made.entries == expected)
        #expect(made.fingerprints == expected.mapValues(\.output))

        // The last build had a file this one does not.
        var stale = previous
        stale["courts/c/notices/gone/index.html"] = entry(9)
        #expect(SiteRenderer.joinedOverPrevious(stale, entries: parts, fingerprints: prints, reused: reused.count, late: late) == nil)
        // A late file the last build did not have.
        #expect(SiteRenderer.joinedOverPrevious(previous, entries: parts, fingerprints: prints, reused: reused.count, late: late + ["search/terms-1.js"]) == nil)
        // A file with a fingerprint but no entry, one with an entry but no fingerprint, and one whose
        // fingerprint is not its entry's output.
        var extraPrint = prints
        extraPrint[2]["robots.txt"] = 5
        #expect(SiteRenderer.joinedOverPrevious(previous, entries: parts, fingerprints: extraPrint, reused: reused.count, late: late) == nil)
        var missingPrint = prints
        missingPrint[1]["courts/c/notices/n43/index.html"] = nil
        #expect(SiteRenderer.joinedOverPrevious(previous, entries: parts, fingerprints: missingPrint, reused: reused.count, late: late) == nil)
        var wrongPrint = prints
        wrongPrint[0]["courts/c/notices/n40/index.html"] = 1
        #expect(SiteRenderer.joinedOverPrevious(previous, entries: parts, fingerprints: wrongPrint, reused: reused.count, late: late) == nil)
        // Fewer files reused than the last table holds besides the parts' (one court not counted).
        #expect(SiteRenderer.joinedOverPrevious(previous, entries: parts, fingerprints: prints, reused: reused.count - 1, late: late) == nil)
    }

    /// Parts put into the build's tables as each is done, in any order and from tasks at once, give
    /// the tables that joining them all after the last gives: the render's own entries stand over a
    /// part's for the same path, a fingerprint without an entry is kept, and each part is left with
    /// empty tables. The tables are handed out once.
    @Test func partsPutInAsTheyAreDoneAreThePartsJoined() async {
        let parts: [PathTable<Entry>] = (0..<24).map { c in
            var part: PathTable<Entry> = [:]
            for n in 0..<(c * 7 % 40) { part["courts/c\(c)/notices/n\(n)/index.html"] = entry(UInt64(c * 1000 + n)) }
            return part
        }
        var madePrints = parts.map { $0.mapValues(\.output) }
        madePrints[3]["courts/c3/feed.xml"] = 77
        let prints = madePrints
        let own: PathTable<Entry> = ["about/index.html": entry(5), "courts/c5/notices/n1/index.html": entry(9)]
        // Made smaller than the parts need: the tables grow.
        let tables = SiteRenderer.JoinedTables(capacity: 10)
        await withTaskGroup(of: Bool.self) { group in
            for c in parts.indices.reversed() {
                group.addTask {
                    var output = SiteRenderer.CourtOutput(diagnostics: [], fingerprints: prints[c], search: SearchIndex(), cacheEntries: parts[c], failure: nil)
                    tables.take(&output)
                    return output.cacheEntries.isEmpty && output.fingerprints.isEmpty && output.files.isEmpty
                }
            }
            for await leftEmpty in group { #expect(leftEmpty) }
        }
        let (entries, fingerprints) = tables.joined(under: own, own.mapValues(\.output))
        var expected = own
        for part in parts { expected.merge(table: part) { first, _ in first } }
        // Compared whole, not printed whole on a failure: a table of 440 entries.
        let sameEntries = entries == expected
        #expect(sameEntries)
        #expect(entries["courts/c5/notices/n1/index.html"] == entry(9))
        var expectedPrints = own.mapValues(\.output)
        for part in prints { expectedPrints.merge(table: part) { first, _ in first } }
        let samePrints = fingerprints == expectedPrints
        #expect(samePrints)
        #expect(fingerprints["courts/c3/feed.xml"] == 77)
        #expect(entries.count == 2 + parts.reduce(0) { $0 + $1.count } - 1)
        let again = tables.joined(under: [:], [:])
        #expect(again.0.isEmpty && again.1.isEmpty)
    }

    /// A part's two tables made one list: every file of either, each with its fingerprint and entry,
    /// a file with only one of them too.
    @Test func aPartsTablesMadeOneListKeepEveryFile() {
        var prints: PathTable<UInt64> = [:], entries: PathTable<Entry> = [:]
        for n in 0..<300 {
            let path = "courts/c/notices/n\(n)/index.html"
            if n % 7 != 3 { prints[path] = entry(UInt64(n)).output }
            if n % 5 != 1 { entries[path] = entry(UInt64(n)) }
        }
        let files = SiteRenderer.partFiles(entries: entries, fingerprints: prints)
        #expect(files.count == Set(prints.keys).union(entries.keys).count)
        #expect(Set(files.map(\.path)).count == files.count)
        for file in files {
            #expect(file.fingerprint == prints[file.path])
            #expect(file.entry == entries[file.path])
        }
    }

    /// The worker's version sums each file's path and fingerprint, whatever their order; made a run
    /// of the table per core, it is the sum of every file, each once.
    @Test func theWorkersVersionSumsEveryFileOnce() {
        var fingerprints: PathTable<UInt64> = [:]
        for n in 0..<12_345 { fingerprints["courts/c\(n % 100)/notices/n\(n)/index.html"] = UInt64(n) &* 0x9E37_79B9_7F4A_7C15 }
        func version(_ fingerprints: PathTable<UInt64>) -> String {
            var sum: UInt64 = 0
            for (path, fingerprint) in fingerprints {
                var mixed = (ContentHash.of(path) ^ fingerprint) &* 0xFF51_AFD7_ED55_8CCD
                mixed ^= mixed >> 33
                sum = sum &+ mixed
            }
            return String(ContentHash.fnv1a64(Array("self.x = 1;\n".utf8)) ^ sum, radix: 16)
        }
        func made(_ fingerprints: PathTable<UInt64>) -> String {
            String(decoding: SiteRenderer.serviceWorker(Array("self.x = 1;\n".utf8), shell: ["index.html"], fingerprints: fingerprints).bytes, as: UTF8.self)
        }
        #expect(made(fingerprints).contains("\"version\":\"\(version(fingerprints))\""))
        var fewer = fingerprints
        fewer["courts/c7/notices/n7/index.html"] = nil
        #expect(made(fewer).contains("\"version\":\"\(version(fewer))\""))
        #expect(version(fewer) != version(fingerprints))
    }
}
