import Testing
@testable import GavelCore

@Suite struct SearchIndexTests {
    /// The layout names every shard file of each kind in order, numbered from 0 (checked against
    /// names written out here, for a small index, and a large one's counts and ends).
    /// The last index's entries put in order by their places: what a stable sort by place gives
    /// whenever each shard holds its entries, and nil (sorted, then refused) otherwise.
    @Test func placesPutInOrderAreTheSortedPlaces() {
        func place(_ shard: Int, _ start: Int) -> UInt64 { UInt64(shard) << 32 | UInt64(start) }
        var generator = SystemRandomNumberGenerator()
        for count in [0, 1, 2, 3, 7, 10, 101] {
            // A layout as an index writes it, its keys in a shuffled order, starts of a shard in either order.
            var keys = (0..<count).map { id in (place: place(id / 2, id % 2 == 0 ? 0 : 500 + Int.random(in: 0..<9, using: &generator)), file: id) }
            keys.shuffle(using: &generator)
            let placed = SearchIndex.placedInOrder(keys)
            #expect(placed.map { $0.map(\.place) } == keys.sorted { $0.place < $1.place }.map(\.place))
            #expect(placed.map { $0.map(\.file) } == keys.sorted { $0.place < $1.place }.map(\.file))
            guard count >= 2 else { continue }
            // Two entries at one place keep the order they came in, as the sort does.
            var tied = keys
            if let i = tied.firstIndex(where: { $0.place == place(0, 0) }), let j = tied.firstIndex(where: { $0.file == 1 }) { tied[j].place = tied[i].place }
            #expect(SearchIndex.placedInOrder(tied).map { $0.map(\.file) } == tied.sorted { $0.place < $1.place }.map(\.file))
            // A third entry in a shard, or a shard past the last: not put in order.
            #expect(SearchIndex.placedInOrder(keys + [(place(0, 900), count)]) == nil)
            #expect(SearchIndex.placedInOrder(Array(keys.dropLast()) + [(place(count, 0), count)]) == nil)
        }
    }

    @Test func theLayoutNamesEachShardInOrder() {
        for entries in [1, 10_603] {
            let layout = SearchIndex.Layout(entries: entries)
            var expected = ["search/meta.js"]
            for (kind, count) in [("terms", layout.termShards), ("docs", layout.docShards), ("titles", layout.titleShards)] {
                expected += (0..<count).map { "search/" + kind + "-" + "\($0)" + ".js" }
            }
            #expect(layout.files == expected)
            #expect(layout.files.count == 1 + layout.termShards + layout.docShards + layout.titleShards)
        }
        #expect(SearchIndex.Layout(entries: 1).files == ["search/meta.js", "search/terms-0.js", "search/docs-0.js", "search/titles-0.js"])
        // A name's digits are written in place: every number of digits, and where one more begins.
        for number in [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_535, 1_000_000, Int.max] {
            #expect(SearchIndex.Layout.name(Array("search/docs-".utf8), number) == "search/docs-" + String(number) + ".js")
        }
        #expect(SearchIndex.Layout.name([], 7) == "7.js")
    }

    @Test func plainTextStripsTagsAndDecodesEntities() {
        #expect(SearchIndex.plainText("<h2>Go-live</h2>\n<p>Fees &amp; <em>forms</em></p>") == "Go-live Fees & forms")
    }

    /// Words are found from each string's UTF-8: the units read off it are the string's UTF-16 view,
    /// surrogate pairs included.
    @Test func unitsReadFromUTF8AreTheUTF16View() {
        let texts = ["", "Court", "Café déjà vu", "“Quoted” — dash…", "日本語のテキスト", "emoji 🏛️ and 𝔘𝔫𝔦", "e\u{301}\u{20DD}",
                     "\u{10FFFF}\u{FFFF}\u{800}\u{7FF}\u{80}\u{7F}", String(repeating: "a🏛", count: 300)]
        for text in texts {
            var copy = text
            let units = copy.withUTF8 { Array(SearchIndex.UTF16Units($0)) }
            #expect(units == Array(text.utf16), "\(text.debugDescription)")
        }
    }

    /// Text pieces for the tests below: tags, the entities cmark writes (and one it does not), white
    /// space of each kind, ASCII of every class, accents, curly quotes, ligatures, other scripts and
    /// characters beyond the Basic Multilingual Plane (surrogate pairs in UTF-16).
    static let pieces = ["<p>", "</p>", "<a href=\"x\">", "</a>", "<br />", ">", "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&", "&am",
                         " ", "  ", "\n", "\t", "\r", "Court", "PACER", "e-filing", "2020", "a1B2", "_", "@[`{", "café", "CAFÉ", "Résumé",
                         "court’s", "“quoted”", "ﬁling", "İstanbul", "Σύνδεση", "суд", "法院", "🏛", "𝔘𝔫𝔦", "e\u{301}", "\u{2028}", "Ǆ", "Ⅻ"]

    static func randomText(_ seed: inout UInt64, pieces count: Int) -> String {
        (0..<count).map { _ in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return pieces[Int((seed >> 33) % UInt64(pieces.count))]
        }.joined()
    }

    /// The plain text read as the rule says, a character at a time: a tag (`<` to `>`) is a space,
    /// the four entities are their characters, white space runs are one space, nothing at either
    /// end; cut to whole characters within `limit` bytes. Slow and plain, to hold the fast one to.
    static func plainTextAsRead(_ html: String, limit: Int) -> String {
        var out: [UInt8] = [], inTag = false, lastWasSpace = true
        let bytes = Array(html.utf8)
        var i = 0
        func put(_ b: UInt8) { out.append(b); lastWasSpace = false }
        func space() { if !lastWasSpace { out.append(0x20); lastWasSpace = true } }
        while i < bytes.count, out.count < limit {
            let rest = bytes[i...]
            if rest.starts(with: "<".utf8) { inTag = true } else if rest.starts(with: ">".utf8) { inTag = false; space() } else if inTag {
            } else if [0x20, 0x0A, 0x09, 0x0D].contains(bytes[i]) { space() } else if let (name, value) = [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\"")]
                .first(where: { rest.starts(with: $0.0.utf8) }) {
                put(Character(value).asciiValue ?? 0)
                i += name.utf8.count
                continue
            } else { put(bytes[i]) }
            i += 1
        }
        // Whole characters only: decode, and keep what decodes to the end.
        var text = String(decoding: out, as: UTF8.self)
        while text.hasSuffix("\u{FFFD}"), !html.contains("\u{FFFD}") { text.removeLast() }
        while text.utf8.last == 0x20 { text = String(decoding: text.utf8.dropLast(), as: UTF8.self) }
        return text
    }

    @Test func plainTextIsTheTextReadACharacterAtATime() {
        var seed: UInt64 = 0x51_7CC1_B727_220A
        for round in 0..<400 {
            let html = Self.randomText(&seed, pieces: 1 + round % 60)
            for limit in [0, 1, 2, 3, 5, 17, 64, 1200] {
                let fast = SearchIndex.plainTextUTF8(html, limit: limit)
                #expect(String(validating: fast, as: UTF8.self) != nil, "\(html.debugDescription) at \(limit): not UTF-8")
                #expect(String(decoding: fast, as: UTF8.self) == Self.plainTextAsRead(html, limit: limit), "\(html.debugDescription) at \(limit)")
                #expect(SearchIndex.plainText(html, limit: limit) == String(decoding: fast, as: UTF8.self))
            }
        }
    }

    /// An entry's words found from its strings' UTF-8 (a build's pages) are the words found from the
    /// UTF-16 units of its JSON (the last index's entries read back): the same words, numbered in
    /// the same order, with the same postings.
    @Test func wordsFromUTF8AreTheWordsFromUTF16() {
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        var fromStrings = SearchIndex(), fromJSON = SearchIndex.Terms()
        for id in 0..<300 {
            let title = Self.randomText(&seed, pieces: 1 + id % 7), summary = Self.randomText(&seed, pieces: id % 11)
            let html = Self.randomText(&seed, pieces: id % 90)
            let json = fromStrings.add(file: "p\(id)/index.html", title: title, path: "p\(id)/", summary: summary, html: html)
            fromJSON.add(json, id: id)
        }
        let words = fromStrings.terms.words
        #expect(words.count == fromJSON.words.count)
        #expect(words.count > 40)
        for w in 0..<min(words.count, fromJSON.words.count) {
            #expect(Array(words.word(w)) == Array(fromJSON.words.word(w)), "word \(w)")
            #expect(fromStrings.terms.lists[w] == fromJSON.lists[w], "postings of \(String(decoding: Array(words.word(w)), as: UTF16.self))")
        }
        #expect(fromStrings.terms.titles == fromJSON.titles)
    }

    /// Cut at any byte, the text keeps every whole character before the cut and nothing after it.
    @Test func everyCutKeepsTheWholeCharactersBeforeIt() {
        let text = "aé日🏛 b&amp;c é𝔘 x"
        let plain = SearchIndex.plainText("<p>" + text + "</p>")
        #expect(plain == "aé日🏛 b&c é𝔘 x")
        for limit in 0...(plain.utf8.count + 2) {
            var kept = ""
            for character in plain {
                guard kept.utf8.count + character.utf8.count <= limit else { break }
                kept.append(character)
            }
            while kept.hasSuffix(" ") { kept.removeLast() }
            #expect(SearchIndex.plainText("<p>" + text + "</p>", limit: limit) == kept, "limit \(limit)")
        }
    }

    @Test func textEndingInANonASCIICharacterKeepsIt() {
        #expect(SearchIndex.plainText("<p>Café</p>") == "Café")
        #expect(SearchIndex.plainText("<p>Résumé</p>") == "Résumé")
    }

    @Test func theLimitNeverCutsACharacterInHalf() {
        // "é" is two bytes: a limit of 4 falls inside the second one.
        #expect(SearchIndex.plainText("<p>abcé</p>", limit: 4) == "abc")
        #expect(SearchIndex.plainText("<p>abcé</p>", limit: 5) == "abcé")
    }

    /// Parts given to a `Joiner` in any order, from tasks running at once, are the parts appended in
    /// their order: the same files, byte for byte, whether a docs shard was made as its entries came
    /// (all but an odd last one) or at the end, and the same places; with a part missing there is no index.
    @Test func partsJoinedAsTheyComeAreThePartsAppendedInOrder() async throws {
        // Words of other scripts too: a term's pair is written where its postings are (its JSON before
        // them), so its bytes must be the same for every width of character.
        let words = ["filing", "pacer", "account", "link", "go-live", "court", "notice", "fees", "señor", "straße", "法院", "ÿ"]
        let parts: [SearchIndex] = (0..<9).map { p in
            var part = SearchIndex()
            // Part 3 is empty, as the site-wide files' part is; the parts' sizes are odd and even.
            for i in 0..<(p == 3 ? 0 : 5 + p) {
                let text = (0..<(3 + (i + p) % 5)).map { words[($0 * 3 + i + p) % words.count] }.joined(separator: " ")
                _ = part.add(file: "p\(p)/n\(i)/index.html", title: "Notice \(p)-\(i) \(words[(p + i) % words.count])",
                             path: "p\(p)/n\(i)/", summary: i % 2 == 0 ? "about \(words[i % words.count])" : "", html: "<p>\(text)</p>")
            }
            return part
        }
        var inOrder = SearchIndex()
        for part in parts { inOrder.append(contentsOf: part) }
        let layout = SearchIndex.Layout(entries: inOrder.entries.count)
        #expect(layout.entries % 2 == 1, "the last docs shard is left to the end only when the count is odd")

        let joiner = SearchIndex.Joiner()
        let early = await withTaskGroup(of: [OutputFile].self) { group in
            for position in [4, 0, 8, 2, 1, 7, 3, 6, 5] {
                group.addTask { joiner.add(parts[position], at: position) }
            }
            var all: [OutputFile] = []
            for await files in group { all += files }
            return all
        }
        let joined = try #require(joiner.joined(count: parts.count))
        #expect(joined.docsMade == layout.docShards - 1)
        #expect(Set(early.map(\.path)) == Set((0..<joined.docsMade).map { "search/docs-\($0).js" }), "each early shard made once")
        #expect(early.count == joined.docsMade)
        var expected: [String: [UInt8]] = [:]
        let expectedPlaces = inOrder.files(layout: layout) { expected[$0.path] = $0.bytes }
        #expect(expected.count == layout.files.count)
        var got: [String: [UInt8]] = [:]
        for file in early { got[file.path] = file.bytes }
        var kept = [Bool](repeating: false, count: layout.files.count)
        for shard in 0..<joined.docsMade { kept[layout.firstDocs + shard] = true }
        var places = joined.places
        places.merge(joined.index.files(layout: layout, keeping: kept) { file in
            #expect(got[file.path] == nil, "\(file.path) made twice")
            got[file.path] = file.bytes
        }) { _, made in made }
        let differing = Set(got.keys).union(expected.keys).filter { got[$0] != expected[$0] }.sorted()
        #expect(differing.isEmpty, "files that differ: \(differing)")
        #expect(places == expectedPlaces)
        let inputsJoined = SearchIndex.inputs(of: [joined.index], layout: layout).files, inputsOfParts = SearchIndex.inputs(of: parts, layout: layout).files
        #expect(inputsJoined == inputsOfParts, "\(zip(inputsJoined, inputsOfParts).count { $0 != $1 }) inputs differ")

        // An even count: the last docs shard too is made as its entries come.
        let even = Array(parts.dropFirst()), evenJoiner = SearchIndex.Joiner()
        var evenIndex = SearchIndex()
        for part in even { evenIndex.append(contentsOf: part) }
        let evenLayout = SearchIndex.Layout(entries: evenIndex.entries.count)
        var evenEarly: [String: [UInt8]] = [:]
        for position in even.indices.reversed() {
            for file in evenJoiner.add(even[position], at: position) { evenEarly[file.path] = file.bytes }
        }
        let evenJoined = try #require(evenJoiner.joined(count: even.count))
        #expect(evenLayout.entries % 2 == 0 && evenJoined.docsMade == evenLayout.docShards)
        var evenExpected: [String: [UInt8]] = [:]
        let evenPlaces = evenIndex.files(layout: evenLayout) { if $0.path.hasPrefix("search/docs-") { evenExpected[$0.path] = $0.bytes } }
        #expect(evenEarly == evenExpected)
        #expect(evenJoined.places == evenPlaces)

        let gap = SearchIndex.Joiner()
        for position in [0, 1, 3] { _ = gap.add(parts[position], at: position) }
        #expect(gap.joined(count: 4) == nil)
        #expect(gap.joined(count: 2) == nil, "a part came after the count")
    }

    /// The term shards are made a batch at a time: whatever the batch's size, the same files come,
    /// byte for byte and in the same order.
    @Test func termShardsMadeInBatchesAreTheSameFilesInTheSameOrder() {
        var index = SearchIndex()
        for i in 0..<160 {
            _ = index.add(file: "n\(i)/index.html", title: "Notice \(i)", path: "n\(i)/", summary: "",
                          html: "<p>word\(i % 37) term\(i % 11) filing \(i)</p>")
        }
        let layout = SearchIndex.Layout(entries: index.entries.count)
        #expect(layout.termShards > 3)
        func made(batch: Int) -> [OutputFile] {
            var files: [OutputFile] = []
            _ = index.files(layout: layout, termShardsPerBatch: batch) { files.append($0) }
            return files
        }
        let whole = made(batch: layout.termShards)
        #expect(whole.filter { $0.path.hasPrefix("search/terms-") }.count == layout.termShards)
        for batch in [1, 2, 3, SearchIndex.termShardsPerBatch] {
            let got = made(batch: batch)
            #expect(got.map(\.path) == whole.map(\.path), "batch \(batch)")
            let differing = zip(got, whole).filter { $0.bytes != $1.bytes }.map(\.0.path)
            #expect(got.count == whole.count && differing.isEmpty, "batch \(batch): \(differing)")
        }
    }

    /// A term shard left standing (not made, since its pairs are all the last shard's of its number, as
    /// they stood there) is byte for byte the shard that would have been made; one whose pairs are not
    /// all that shard's, in its order and whole, is made. Pairs borrowed whole, with one changed, one
    /// gone, one taken from the next shard, one written in between, and the shards read back in
    /// another order.
    @Test func aTermShardLeftStandingIsTheShardThatWouldBeMade() throws {
        var index = SearchIndex()
        for i in 0..<160 {
            _ = index.add(file: "n\(i)/index.html", title: "Notice \(i)", path: "n\(i)/", summary: "",
                          html: "<p>word\(i % 37) term\(i % 11) filing \(i)</p>")
        }
        let layout = SearchIndex.Layout(entries: index.entries.count)
        var last: [[UInt8]] = []
        _ = index.files(layout: layout) { file in if file.path.hasPrefix("search/terms-") { last.append(file.bytes) } }
        #expect(last.count == layout.termShards && layout.termShards > 4)
        // Each shard's pairs where they stand (its words have no commas or quotes of their own).
        let pairs: [[Range<Int>]] = try last.map { bytes in
            let region = try #require(SearchIndex.pairsRegion(of: bytes))
            var ranges: [Range<Int>] = [], start = region.lowerBound
            for i in region where bytes[i] == UInt8(ascii: ",") {
                ranges.append(start..<i)
                start = i + 1
            }
            if start < region.upperBound { ranges.append(start..<region.upperBound) }
            return ranges
        }
        /// A pair borrowed from a buffer, or (nil) the written pair.
        struct Step: Equatable {
            var buffer: Int
            var range: Range<Int>
        }
        func made(_ steps: [Step?], written: [UInt8], buffers: [[UInt8]]) -> (standing: Set<Int>, all: [String: [UInt8]], made: [String]) {
            var borrowed = SearchIndex.TermPairs(borrowingShards: buffers)
            for step in steps {
                if let step { borrowed.append(borrowing: step.buffer, range: step.range) } else { borrowed.append(written) }
            }
            let patched = SearchIndex(entries: index.entries, terms: index.terms, writtenTerms: borrowed)
            var all: [String: [UInt8]] = [:], madeStanding: [String] = [], standing = Set<Int>()
            _ = patched.files(layout: layout) { all[$0.path] = $0.bytes }
            _ = patched.files(layout: layout, standing: { standing.insert($0); return true }) { madeStanding.append($0.path) }
            return (standing, all, madeStanding.filter { $0.hasPrefix("search/terms-") })
        }
        let whole: [Step?] = pairs.enumerated().flatMap { k, ranges in ranges.map { Step(buffer: k, range: $0) } }
        // Shards of two pairs or more to change (the shards cut by size: a common word's postings may fill one).
        let several = pairs.indices.filter { pairs[$0].count >= 2 }
        #expect(several.count >= 4, "\(pairs.map(\.count))")
        let (a, b, c, d) = (several[0], several[1], several[2], several[3])
        let nonEmpty = Set(pairs.indices.filter { !pairs[$0].isEmpty })
        // Shard a's second pair with its postings' last digit changed, written anew.
        var changed = Array(last[a][pairs[a][1]])
        changed[changed.count - 2] = changed[changed.count - 2] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        let variants: [(String, [Step?], [UInt8], [[UInt8]])] = [
            ("borrowed whole", whole, [], last),
            ("one pair written anew", whole.map { $0 == Step(buffer: a, range: pairs[a][1]) ? nil : $0 }, changed, last),
            ("one pair gone", whole.filter { $0 != Step(buffer: b, range: pairs[b][0]) }, [], last),
            ("a pair taken from another shard", whole.map { $0 == Step(buffer: c, range: pairs[c][pairs[c].count - 1]) ? Step(buffer: d, range: pairs[d][0]) : $0 }, [], last),
            ("a pair written between", Array(whole[..<5]) + [nil] + Array(whole[5...]), Array("\"aaaa\":\"0\"".utf8), last),
            ("the shards read back in another order", whole.map { $0.map { Step(buffer: ($0.buffer + last.count - 1) % last.count, range: $0.range) } },
             [], Array(last.dropFirst() + last.prefix(1))),
        ]
        for (name, steps, written, buffers) in variants {
            let (standing, all, madeAnyway) = made(steps, written: written, buffers: buffers)
            for k in standing {
                #expect(all["search/terms-\(k).js"] == last[k], "\(name): terms-\(k) stood but is not the shard made")
            }
            #expect(Set(madeAnyway) == Set((0..<layout.termShards).filter { !standing.contains($0) }.map { "search/terms-\($0).js" }), "\(name)")
            switch name {
            // A shard with no pairs is made (it is a few bytes) rather than checked.
            case "borrowed whole": #expect(standing == nonEmpty, "\(name)")
            case "the shards read back in another order": #expect(standing.isEmpty, "\(name)")
            default: #expect(standing.count < layout.termShards, "\(name): \(standing.sorted())")
            }
        }
        // Asked directly: only a shard's every pair, in its order, is the whole of it.
        var borrowed = SearchIndex.TermPairs(borrowingShards: last)
        for step in whole { if let step { borrowed.append(borrowing: step.buffer, range: step.range) } }
        let ofA = whole.indices.filter { whole[$0]?.buffer == a }, ofB = whole.indices.filter { whole[$0]?.buffer == b }
        #expect(borrowed.borrowsWhole(a, pairs: ofA))
        #expect(!borrowed.borrowsWhole(a, pairs: Array(ofA.dropLast())), "all but the last pair")
        #expect(!borrowed.borrowsWhole(a, pairs: Array(ofA.dropFirst())), "all but the first pair")
        #expect(!borrowed.borrowsWhole(a, pairs: ofA + [ofB[0]]), "and a pair of another shard")
        #expect(!borrowed.borrowsWhole(a, pairs: [ofA[1], ofA[0]] + ofA.dropFirst(2)), "two pairs swapped")
        #expect(!borrowed.borrowsWhole(b, pairs: ofA), "another shard's pairs")
        #expect(!borrowed.borrowsWhole(a, pairs: []))
        // Buffers borrowed as pairs of their own (a full build's words as written) are no shards,
        // whatever they hold: no shard of theirs stands.
        var asPairs = SearchIndex.TermPairs(borrowingPairs: last)
        for step in whole { if let step { asPairs.append(borrowing: step.buffer, range: step.range) } }
        #expect(!asPairs.borrowsWhole(a, pairs: ofA))
        #expect(!borrowed.borrowsWhole(last.count, pairs: ofA), "no such buffer")

        // With the pair written anew, its shard is made and differs; with its length kept, the others stand.
        let (standing, all, _) = made(variants[1].1, written: changed, buffers: last)
        #expect(!standing.contains(a) && all["search/terms-\(a).js"] != last[a])
        #expect(standing == nonEmpty.subtracting([a]))
    }

    /// Inputs are given by place in the layout's files: an edit to one entry changes meta's, every
    /// term shard's, and those of the one docs shard and the one titles shard that hold it.
    @Test func anEntrysEditMovesTheInputsOfItsOwnShardsOnly() throws {
        func index(editing edited: Int?) -> SearchIndex {
            var index = SearchIndex()
            for i in 0..<70 {
                _ = index.add(file: "n\(i)/index.html", title: "Notice \(i)", path: "n\(i)/", summary: "",
                              html: i == edited ? "<p>changed</p>" : "<p>text \(i)</p>")
            }
            return index
        }
        let layout = SearchIndex.Layout(entries: 70)
        #expect(layout.files[layout.firstDocs] == "search/docs-0.js")
        #expect(layout.files[layout.firstTitles] == "search/titles-0.js")
        let before = SearchIndex.inputs(of: [index(editing: nil)], layout: layout).files
        let after = SearchIndex.inputs(of: [index(editing: 37)], layout: layout).files
        #expect(before.count == layout.files.count)
        let moved = Set(layout.files.indices.filter { before[$0] != after[$0] }.map { layout.files[$0] })
        let expected = Set(["search/meta.js", "search/docs-18.js", "search/titles-1.js"] + (0..<layout.termShards).map { "search/terms-\($0).js" })
        #expect(moved == expected)
    }
}
