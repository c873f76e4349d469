import Foundation
import Synchronization

/// The client-side search index, split into small classic scripts that the search page loads with
/// `<script>` only as a query needs them (so it works from disk and offline, and a first query at
/// 10,000 notices loads a few hundred kilobytes, not the whole index):
///
/// - `search/meta.js`: the counts below and the first word of every term shard;
/// - `search/terms-N.js`: for a run of words in sorted order, each word's postings (which entries
///   have it, in the title or summary, and how often in the text);
/// - `search/docs-N.js`: the entries themselves (`{t, u, s, x}`), `docsPerShard` to a file, loaded
///   for the results shown;
/// - `search/titles-N.js`: the titles alone, loaded when a whole-phrase bonus could change the order.
///
/// Each sets `GAVEL_SEARCH_SHARDS[name]`. How the files are counted depends only on the number of
/// entries, which the page plan knows; which words go where depends on the words. search.js reads
/// them (docs/checklist-ui.md); the ranking is the one search.js has always used over every entry.
struct SearchIndex: Sendable {
    /// Each entry already serialised, with the output file of its page (the cache's key) and the
    /// entry's hash. A page reused from the last build brings only its hash (`json` nil): its entry is
    /// read back from the last docs shards only if the index must be made again.
    struct Entry: Sendable {
        var file: String
        var json: [UInt8]?
        var hash: UInt64
    }
    private(set) var entries: [Entry] = []
    /// The words of the entries that have their JSON, found as each is added (on the court's task).
    private(set) var terms = Terms()
    /// Entries whose JSON is still to be read.
    private(set) var missing = 0

    /// What each file of the index is made from (the render cache's input for it): meta and the term
    /// shards from every entry's page and hash, in order (`index`); a docs or titles shard from its own
    /// entries only, so an edit leaves the shards of other entries standing. The files are reused
    /// while their input is what the last build made them from. `files` is in `layout.files` order.
    static func inputs(of parts: [SearchIndex], layout: Layout) -> (index: UInt64, files: [UInt64]) {
        var whole = ContentHash.Accumulator()
        whole.add("search \(parts.reduce(0) { $0 + $1.entries.count })")
        var each: [UInt64] = []
        each.reserveCapacity(layout.entries)
        for part in parts {
            for entry in part.entries {
                // Each entry's page and hash, hashed once: the whole index's key sums those.
                var hash = ContentHash.Accumulator()
                hash.add(entry.file)
                hash.add(entry.hash)
                each.append(hash.value)
                whole.add(hash.value)
            }
        }
        let key = whole.value
        // By place, not by name: six thousand names made and hashed showed in a one-notice rebuild.
        var inputs: [UInt64] = Array(repeating: key, count: 1 + layout.termShards)
        inputs.reserveCapacity(layout.files.count)
        func shards(_ name: String, per: Int, count: Int) {
            for shard in 0..<count {
                let (start, end) = Layout.range(of: shard, per: per, shards: count, entries: each.count)
                var hash = ContentHash.Accumulator()
                hash.add(name)
                hash.add(UInt64(per))
                hash.add(UInt64(start))
                hash.add(UInt64(end))
                for i in start..<end { hash.add(each[i]) }
                inputs.append(hash.value)
            }
        }
        shards("docs", per: Layout.docsPerShard, count: layout.docShards)
        shards("titles", per: Layout.titlesPerShard, count: layout.titleShards)
        return (key, inputs)
    }

    /// How many files of each kind an index of `entries` entries has.
    struct Layout: Sendable, Equatable {
        static let docsPerShard = 2
        static let titlesPerShard = 32
        static let entriesPerTermShard = 25
        let entries: Int
        /// Every file of the index, meta first (made once: the plan and the renderer ask for it several
        /// times a build, and it is six thousand names at 10,000 notices).
        let files: [String]
        var docShards: Int { Self.shards(entries, per: Self.docsPerShard) }
        var titleShards: Int { Self.shards(entries, per: Self.titlesPerShard) }
        var termShards: Int { Self.shards(entries, per: Self.entriesPerTermShard) }
        /// Where the docs shards, and the titles shards, start in `files`.
        var firstDocs: Int { 1 + termShards }
        var firstTitles: Int { 1 + termShards + docShards }

        /// Whether the file at `place` in `files` is left standing, by `kept` (past its end: not).
        static func stands(_ place: Int, in kept: [Bool]) -> Bool { place < kept.count && kept[place] }

        init(entries: Int) {
            self.entries = entries
            func names(_ kind: String, per: Int) -> [String] {
                let prefix = Array("search/\(kind)-".utf8)
                return (0..<Self.shards(entries, per: per)).map { Self.name(prefix, $0) }
            }
            files = ["search/meta.js"] + names("terms", per: Self.entriesPerTermShard) + names("docs", per: Self.docsPerShard)
                + names("titles", per: Self.titlesPerShard)
        }

        /// `prefix`, the shard's number and ".js", written into the name's own bytes: every build
        /// names its six thousand files (at 10,000 notices) on one core, and joining a number's String
        /// to the rest took about 1,600 instructions a name, interpolating it 1,700.
        static func name(_ prefix: [UInt8], _ number: Int) -> String {
            var digits = 1
            var rest = number.magnitude / 10
            while rest > 0 { digits += 1; rest /= 10 }
            let count = prefix.count + digits + 3
            return String(unsafeUninitializedCapacity: count) { out in
                var at = 0
                for byte in prefix { out[at] = byte; at += 1 }
                var value = number.magnitude
                for k in stride(from: at + digits - 1, through: at, by: -1) {
                    out[k] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
                at += digits
                for byte in ".js".utf8 { out[at] = byte; at += 1 }
                return at
            }
        }

        static func shards(_ entries: Int, per: Int) -> Int { max(1, (entries + per - 1) / per) }

        /// The entries of shard `shard` of `shards` of `per` entries each (the last takes any extra).
        static func range(of shard: Int, per: Int, shards: Int, entries: Int) -> (Int, Int) {
            let start = min(entries, shard * per)
            return (start, shard == shards - 1 ? entries : min(entries, start + per))
        }

    }

    init() {}

    /// The words and postings as the term shards have them, when the index was patched in place (see
    /// `patched`) or its parts joined as they came (see `Joiner`); nil: written from `terms`.
    private(set) var writtenTerms: TermPairs?

    /// Every `"word":"postings"` pair of the term shards, in word order, end to end in one buffer
    /// (an index has a few hundred thousand words: one array each would be as many allocations).
    /// A patched index borrows the pairs that stand from the last build's term shards instead of
    /// copying them (2.8 MB at 10,000 notices, copied on one core after the courts rendered).
    struct TermPairs {
        private(set) var bytes: [UInt8] = []
        /// Where each pair ends, counted over all the pairs' bytes put end to end.
        private(set) var ends: [Int] = []
        /// Buffers pairs are borrowed from (`append(borrowing:)`).
        private(set) var borrowed: [[UInt8]] = []
        /// The borrowed buffers are the last index's term shard scripts, by shard number (see
        /// `borrowsWhole`), not pairs of their own.
        private var borrowsShards = false
        /// Where each pair starts: `bytes` (buffer -1) or a borrowed buffer. Empty while every pair is
        /// in `bytes`, end to end.
        private var starts: [(buffer: Int, offset: Int)] = []

        init() {}

        /// Pairs that may be borrowed from `shards`, the last index's term shard scripts by number, as
        /// well as written.
        init(borrowingShards shards: [[UInt8]]) {
            borrowed = shards
            borrowsShards = true
        }

        /// Pairs borrowed from `buffers`, each a pair or more of its own.
        init(borrowingPairs buffers: [[UInt8]]) {
            borrowed = buffers
        }

        var count: Int { ends.count }
        /// The length of all the pairs put end to end.
        var length: Int { ends.last ?? 0 }

        /// Pair `i`'s bytes.
        func withPair<Result>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            let length = ends[i] - (i == 0 ? 0 : ends[i - 1])
            let (buffer, offset) = starts.isEmpty ? (-1, i == 0 ? 0 : ends[i - 1]) : starts[i]
            let source = buffer < 0 ? bytes : borrowed[buffer]
            return source.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offset..<(offset + length)])) }
        }

        subscript(i: Int) -> [UInt8] { withPair(i) { Array($0) } }

        mutating func append(_ pair: some Collection<UInt8>) {
            if !starts.isEmpty { starts.append((-1, bytes.count)) }
            bytes.append(contentsOf: pair)
            ends.append(length + pair.count)
        }

        /// Appends the pair at `range` of borrowed buffer `buffer` without copying its bytes.
        mutating func append(borrowing buffer: Int, range: Range<Int>) {
            if starts.isEmpty {
                // Every pair so far lies in `bytes`, end to end.
                starts.reserveCapacity(ends.capacity)
                var start = 0
                for end in ends {
                    starts.append((-1, start))
                    start = end
                }
            }
            starts.append((buffer, range.lowerBound))
            ends.append(length + range.count)
        }

        /// Room for `pairs` pairs of `bytes` bytes in all, made before they are written: grown a
        /// pair at a time, the last copy of a site's postings (14 MB at 50,000 notices) was made
        /// beside the one before it, at the build's peak.
        mutating func reserve(bytes count: Int, pairs: Int) {
            bytes.reserveCapacity(count)
            ends.reserveCapacity(pairs)
        }

        /// Appends a pair written by `write` into the buffer.
        mutating func append(writing write: (inout [UInt8]) -> Void) {
            let before = bytes.count
            if !starts.isEmpty { starts.append((-1, before)) }
            write(&bytes)
            ends.append(length + bytes.count - before)
        }

        /// True when `pairs` (in order) are every pair of borrowed buffer `buffer`, a term shard's
        /// script, as they stand there: the first just after its `{`, each next just after the comma
        /// that ends the one before, the last just before its closing `};`. A shard of those pairs
        /// under the same name is then that script, byte for byte.
        func borrowsWhole(_ buffer: Int, pairs: [Int]) -> Bool {
            guard borrowsShards, !starts.isEmpty, buffer < borrowed.count, !pairs.isEmpty,
                  let region = SearchIndex.pairsRegion(of: borrowed[buffer]) else { return false }
            var next = region.lowerBound
            for (n, i) in pairs.enumerated() {
                guard i < starts.count, starts[i].buffer == buffer, starts[i].offset == next else { return false }
                next += ends[i] - (i == 0 ? 0 : ends[i - 1])
                if n < pairs.count - 1 {
                    guard next < region.upperBound, borrowed[buffer][next] == UInt8(ascii: ",") else { return false }
                    next += 1
                }
            }
            return next == region.upperBound
        }
    }

    /// An index of these entries whose words are already found (see `patched`).
    init(entries: [Entry], terms: Terms, writtenTerms: TermPairs? = nil) {
        self.entries = entries
        self.terms = terms
        self.writtenTerms = writtenTerms
    }

    @discardableResult
    mutating func add(file: String, title: String, path: String, summary: String, html: String) -> [UInt8] {
        // The text stays UTF-8 bytes: made into a String, its bytes were checked again for nothing.
        let text = Self.plainTextUTF8(html)
        // `{"t":title,"u":path,"s":summary,"x":text}`, the JSON object of those four strings.
        var entry = Array(#"{"t":"#.utf8)
        JSONValue.writeString(title, into: &entry)
        let rawTitle = Array(entry[5...])
        entry.append(contentsOf: #","u":"#.utf8)
        JSONValue.writeString(path, into: &entry)
        entry.append(contentsOf: #","s":"#.utf8)
        JSONValue.writeString(summary, into: &entry)
        entry.append(contentsOf: #","x":"#.utf8)
        text.withUnsafeBufferPointer { JSONValue.writeString(utf8: $0, into: &entry) }
        entry.append(UInt8(ascii: "}"))
        // The words straight from the strings, not from the JSON just written.
        terms.add(title: title, summary: summary, text: text, rawTitle: rawTitle, id: entries.count)
        entries.append(Entry(file: file, json: entry, hash: ContentHash.of(entry)))
        return entry
    }

    /// The entry of a page reused from the last build, known by its hash until it is needed.
    mutating func appendReused(file: String, hash: UInt64) {
        entries.append(Entry(file: file, json: nil, hash: hash))
        missing += 1
    }

    /// Gives every entry still missing its JSON from `found` and finds all the words again; false when
    /// one is not there.
    mutating func fill(from found: [String: [UInt8]]) -> Bool {
        guard missing > 0 else { return true }
        terms = Terms()
        for i in entries.indices {
            if entries[i].json == nil {
                guard let json = found[entries[i].file] else { return false }
                entries[i].json = json
            }
            terms.add(entries[i].json ?? [], id: i)
        }
        missing = 0
        return true
    }

    /// Another index's entries after these (a court's, in plan order); both must have all their JSON.
    mutating func append(contentsOf other: SearchIndex) {
        terms.append(other.terms, offset: entries.count)
        entries.append(contentsOf: other.entries)
        missing += other.missing
    }

    /// As `append(contentsOf:)`, but of the other's words only the titles: the joiner writes the
    /// words as they come (see `WrittenTerms`).
    mutating func appendEntriesAndTitles(of other: SearchIndex) {
        terms.appendTitles(of: other.terms, offset: entries.count)
        entries.append(contentsOf: other.entries)
        missing += other.missing
    }

    /// Words and their postings as the term shards have them, written as the parts of an index come in
    /// entry order: a posting is written from the one before it, so a part's postings of a word go
    /// on from where that word's last ones ended.
    /// Held as `Terms` until the end, the joined postings were 17.5 MB at 10,000 notices (a number of
    /// four bytes each); written, about 2.7 MB.
    struct WrittenTerms {
        private var words = WordTable()
        /// Per word, its pair as written so far: `"word":"` and its postings, the closing quote put on
        /// when the pairs are handed out. Written so from the start, each is a pair without a copy.
        private var postings: [[UInt8]] = []
        /// Per word, the entry after its last posting (0 while it has none).
        private var next: [UInt64] = []

        /// `terms`' words, their entries numbered from `offset`, which must be past every entry before.
        mutating func append(_ terms: Terms, offset: Int) {
            for local in 0..<terms.words.count {
                let word = terms.words.word(local)
                let w = words.intern(word)
                if w == postings.count {
                    var pair: [UInt8] = []
                    SearchIndex.writeWord(word, into: &pair)
                    postings.append(pair)
                    next.append(0)
                }
                SearchIndex.encode(terms.lists[local], offset: UInt64(offset), next: &next[w], into: &postings[w])
            }
        }

        /// Every word with postings, `"word":"postings"`, in word order, each borrowed where it was
        /// written; this is left empty. (Copied into one buffer, the pairs were 2.8 MB at 10,000
        /// notices made beside the postings they were copied from, at the end of a full build's render,
        /// its peak.)
        mutating func pairs() -> TermPairs {
            let order = words.inOrder((0..<words.count).filter { next[$0] != 0 })
            for w in order { postings[w].append(UInt8(ascii: "\"")) }
            var pairs = TermPairs(borrowingPairs: postings)
            self = WrittenTerms()
            pairs.reserve(bytes: 0, pairs: order.count)
            for w in order { pairs.append(borrowing: w, range: 0..<pairs.borrowed[w].count) }
            return pairs
        }
    }

    /// Parts of the index joined in their order as they come, in any order, from tasks running at once
    /// (the courts'): each part is appended once those before it are, and then let go. Held until all
    /// had come, the parts and the joined index were both at a full build's peak (their postings are
    /// about 18 MB each at 10,000 notices), and the joining was a stretch of one core after the courts.
    /// Each docs shard is made as soon as its entries are joined, and their JSON let go: held to the
    /// end, it was 13.5 MB at 10,000 notices. (Every shard but the last holds `docsPerShard` entries,
    /// so a shard whose entries have all come is the shard the whole index would make.)
    final class Joiner: Sendable {
        private struct State {
            /// The entries and titles joined so far; their words are in `written`.
            var index = SearchIndex()
            var written = WrittenTerms()
            var next = 0
            var waiting: [Int: SearchIndex] = [:]
            /// Docs shards made so far: shards 0..<docsMade.
            var docsMade = 0
            var places: [String: Place] = [:]
        }
        private let state = Mutex(State())

        /// `part` as the part at `position` (from 0, with no gaps). Returns the docs shards its coming
        /// completed, for the caller to write (outside the lock).
        func add(_ part: consuming SearchIndex, at position: Int) -> [OutputFile] {
            state.withLock { state in
                state.waiting[position] = part
                while let ready = state.waiting.removeValue(forKey: state.next) {
                    state.written.append(ready.terms, offset: state.index.entries.count)
                    state.index.appendEntriesAndTitles(of: ready)
                    state.next += 1
                }
                var made: [OutputFile] = []
                while (state.docsMade + 1) * Layout.docsPerShard <= state.index.entries.count {
                    let start = state.docsMade * Layout.docsPerShard
                    made.append(state.index.takeDocsShard(state.docsMade, entries: start..<(start + Layout.docsPerShard), places: &state.places))
                    state.docsMade += 1
                }
                return made
            }
        }

        /// The parts joined, once all `count` have come, with how many docs shards were made on the
        /// way (shards 0..<docsMade, whose entries no longer have their JSON) and where those shards
        /// put each entry; nil if a part is missing.
        func joined(count: Int) -> (index: SearchIndex, docsMade: Int, places: [String: Place])? {
            state.withLock { state in
                guard state.next == count, state.waiting.isEmpty else { return nil }
                state.index.writtenTerms = state.written.pairs()
                let joined = (state.index, state.docsMade, state.places)
                state = State()
                return joined
            }
        }
    }

    // MARK: - Files

    /// How many term shards are made (on every core) before they are handed on: about 850 KB.
    static let termShardsPerBatch = 128

    static let registry = Array("(globalThis.GAVEL_SEARCH_SHARDS = globalThis.GAVEL_SEARCH_SHARDS || {})[\"".utf8)

    private static func script(_ name: String, _ body: (inout [UInt8]) -> Void) -> OutputFile {
        var bytes = registry
        bytes.append(contentsOf: Array(name.utf8))
        bytes.append(contentsOf: Array("\"] = ".utf8))
        body(&bytes)
        bytes.append(contentsOf: Array(";\n".utf8))
        return OutputFile(path: "search/\(name).js", bytes: bytes)
    }

    /// Where each page's entry stands in its docs shard, for the next build to read it back from there.
    struct Place: Sendable, Equatable {
        var shard: Int
        var range: Range<Int>
    }

    /// Hands every file of the index but the docs and titles shards `kept` (left as the last build
    /// made them; by place in `layout.files`) to `emit` as it is made, in `layout.files` order (so no
    /// two shards need be held at once), and returns the place of each entry of the docs shards it made.
    ///
    /// A term shard whose words and postings are those the last build's shard of that number held,
    /// every one borrowed from it where it stood (the usual case after an edit: most shards do not
    /// hold the words that changed), is the bytes that shard had: `standing` is asked whether it may
    /// stand (the file still in place as the last build left it), and one that may is not made.
    func files(layout: Layout, keeping kept: [Bool] = [], termShardsPerBatch: Int = SearchIndex.termShardsPerBatch,
               standing: (Int) -> Bool = { _ in false }, emit: (OutputFile) -> Void) -> [String: Place] {
        var places: [String: Place] = [:]

        // Term shards: words in sorted order, cut where the encoded sizes add up to an even share.
        let encoded = writtenTerms ?? wordsWritten()
        let total = encoded.length
        var shardWords = Array(repeating: [Int](), count: layout.termShards)
        var before = 0
        for i in 0..<encoded.count {
            let shard = total == 0 ? 0 : min(layout.termShards - 1, before * layout.termShards / total)
            shardWords[shard].append(i)
            before = encoded.ends[i]
        }
        let firsts: [JSONValue] = shardWords.map { members in
            members.first.map { k in
                var i = 0
                return .string(String(decoding: Self.string(in: encoded[k], at: &i)?.value ?? [], as: UTF16.self))
            } ?? .null
        }
        let meta = JSONValue.object([
            ("v", .number(2)), ("entries", .number(Double(entries.count))),
            ("docs", .array([.number(Double(Layout.docsPerShard)), .number(Double(layout.docShards))])),
            ("titles", .array([.number(Double(Layout.titlesPerShard)), .number(Double(layout.titleShards))])),
            ("terms", .array(firsts)),
        ])
        emit(Self.script("meta") { meta.write(into: &$0, pretty: false, indent: 0) })
        // The term shards, every one made again on any rebuild that changes an entry, are made on
        // every core (2.8 MB in 425 files at 10,000 notices) and emitted in order, a batch at a time:
        // made all at once, they were a second copy of every posting at the build's peak.
        let wordsByShard = shardWords
        var batch = 0..<0
        while batch.upperBound < wordsByShard.count {
            batch = batch.upperBound..<min(wordsByShard.count, batch.upperBound + max(1, termShardsPerBatch))
            let made = batch.filter { shard in !(encoded.borrowsWhole(shard, pairs: wordsByShard[shard]) && standing(shard)) }
            let termShards = inChunks(made.count, minimum: 32) { range -> [OutputFile] in
                range.map { made[$0] }.map { shard in
                    Self.script("terms-\(shard)") { bytes in
                        bytes.append(UInt8(ascii: "{"))
                        for (k, i) in wordsByShard[shard].enumerated() {
                            if k > 0 { bytes.append(UInt8(ascii: ",")) }
                            encoded.withPair(i) { bytes.append(contentsOf: $0) }
                        }
                        bytes.append(UInt8(ascii: "}"))
                    }
                }
            }
            for file in termShards.joined() { emit(file) }
        }

        // Docs shards (the entries, and where each stands in its file) and titles shards (each entry's
        // title as the entry has it): arrays of consecutive entries, the last shard taking any extra.
        for shard in 0..<layout.docShards where !Layout.stands(layout.firstDocs + shard, in: kept) {
            let (start, end) = Layout.range(of: shard, per: Layout.docsPerShard, shards: layout.docShards, entries: entries.count)
            emit(docsShard(shard, entries: start..<end, places: &places))
        }
        for shard in 0..<layout.titleShards where !Layout.stands(layout.firstTitles + shard, in: kept) {
            let (start, end) = Layout.range(of: shard, per: Layout.titlesPerShard, shards: layout.titleShards, entries: entries.count)
            emit(Self.script("titles-\(shard)") { bytes in
                bytes.append(UInt8(ascii: "["))
                for i in start..<end {
                    if i > start { bytes.append(UInt8(ascii: ",")) }
                    bytes.append(contentsOf: title(of: i))
                }
                bytes.append(UInt8(ascii: "]"))
            })
        }

        return places
    }

    /// Docs shard `shard`, of the entries at `range`, each entry's place in it added to `places`.
    func docsShard(_ shard: Int, entries range: Range<Int>, places: inout [String: Place]) -> OutputFile {
        Self.script("docs-\(shard)") { bytes in
            bytes.append(UInt8(ascii: "["))
            for i in range {
                if i > range.lowerBound { bytes.append(UInt8(ascii: ",")) }
                let json = entries[i].json ?? []
                places[entries[i].file] = Place(shard: shard, range: bytes.count..<(bytes.count + json.count))
                bytes.append(contentsOf: json)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    /// As `docsShard`, then lets the JSON of those entries go (their words, titles and hashes stay):
    /// the index must not make that shard again.
    mutating func takeDocsShard(_ shard: Int, entries range: Range<Int>, places: inout [String: Place]) -> OutputFile {
        let file = docsShard(shard, entries: range, places: &places)
        for i in range { entries[i].json = nil }
        return file
    }

    /// Every word with its postings as a term shard has them, `"word":"postings"`, in word order. (A
    /// word whose every entry changed since the last index has no postings left: it is gone.)
    func wordsWritten() -> TermPairs {
        let table = terms.words, lists = terms.lists
        let order = table.inOrder((0..<table.count).filter { !lists[$0].isEmpty })
        var pairs = TermPairs()
        for w in order { pairs.append { Self.write(word: table.word(w), postings: lists[w], into: &$0) } }
        return pairs
    }

    /// One word and its postings as a term shard has them.
    static func write(word: some Collection<UInt16>, postings: [UInt32], into bytes: inout [UInt8]) {
        writeWord(word, into: &bytes)
        encode(postings, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A pair's start: the word and the opening of its postings, `"word":"`.
    static func writeWord(_ word: some Collection<UInt16>, into bytes: inout [UInt8]) {
        JSONValue.writeString(String(decoding: word, as: UTF16.self), into: &bytes)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(UInt8(ascii: "\""))
    }

    /// Entry `i`'s title as written: found with its words, or else read from its JSON (an entry whose
    /// words came from the last index), as `Terms.add` reads it.
    func title(of i: Int) -> [UInt8] {
        if i < terms.titles.count, !terms.titles[i].isEmpty { return terms.titles[i] }
        return entries[i].json.flatMap { EntryFields($0)?.rawTitle } ?? Array("\"\"".utf8)
    }

    // MARK: - Postings

    /// For every word, the entries that have it: a flat list of (entry, code, title length), where code
    /// is `min(count in text, 20) * 4 + (in title ? 2 : 0) + (in summary ? 1 : 0)` and the title length
    /// (in UTF-16 units) is there for title matches only, as in the shards; and each entry's title as
    /// written, for the titles shards.
    struct Terms: Sendable {
        private(set) var words = WordTable()
        private(set) var lists: [[UInt32]] = []
        private(set) var titles: [[UInt8]] = []
        private var fold = SearchWords()
        // Per word, the entry that last had it and where its stats stand in `seen`.
        private var lastEntry: [Int] = []
        private var slot: [Int] = []
        private var seen: [(word: Int, title: Bool, summary: Bool, count: UInt32)] = []
        /// Room for the word being read (see `scan`), or a field's words (see `scan(utf8:field:id:)`),
        /// kept from one field to the next.
        private var current: [UInt16] = []
        /// Where each of a field's words ends in `current` (see `scan(utf8:field:id:)`).
        private var wordEnds: [Int] = []
        /// The title's words in order, for their neighbours.
        private var titleWords: [(word: Int, units: [UInt16])] = []

        mutating func add(_ json: [UInt8], id: Int) {
            guard let fields = EntryFields(json) else {
                setTitle(Array("\"\"".utf8), of: id)
                return
            }
            start(rawTitle: fields.rawTitle, id: id)
            scan(fields.title, atMost: fields.title.count, field: 0, id: id)
            scan(fields.summary, atMost: fields.summary.count, field: 1, id: id)
            scan(fields.text, atMost: fields.text.count, field: 2, id: id)
            post(titleLength: fields.title.count, id: id)
        }

        /// An entry's words, found from its fields' UTF-8 (see `scan(utf8:field:id:)`); `text` is valid
        /// UTF-8.
        mutating func add(title: String, summary: String, text: [UInt8], rawTitle: [UInt8], id: Int) {
            start(rawTitle: rawTitle, id: id)
            var title = title, summary = summary
            title.withUTF8 { scan(utf8: $0, field: 0, id: id) }
            summary.withUTF8 { scan(utf8: $0, field: 1, id: id) }
            text.withUnsafeBufferPointer { scan(utf8: $0, field: 2, id: id) }
            post(titleLength: title.utf16.count, id: id)
        }

        private mutating func start(rawTitle: [UInt8], id: Int) {
            setTitle(rawTitle, of: id)
            seen.removeAll(keepingCapacity: true)
            titleWords.removeAll(keepingCapacity: true)
        }

        /// The postings of the entry's words, once all three fields are scanned.
        private mutating func post(titleLength: Int, id: Int) {
            let titleLength = UInt32(titleLength)
            for s in seen {
                lists[s.word].append(UInt32(id))
                lists[s.word].append(s.count * 4 + (s.title ? 2 : 0) + (s.summary ? 1 : 0))
                guard s.title else { continue }
                lists[s.word].append(titleLength)
                // Each place the title has the word: the ends of the words beside it (see `neighbour`).
                let at = titleWords.indices.filter { titleWords[$0].word == s.word }
                lists[s.word].append(UInt32(at.count))
                for i in at {
                    lists[s.word].append(i > 0 ? Self.neighbour(titleWords[i - 1].units.suffix(3)) : Self.noNeighbour)
                    lists[s.word].append(i + 1 < titleWords.count ? Self.neighbour(titleWords[i + 1].units.prefix(3)) : Self.noNeighbour)
                }
            }
        }

        /// The last three units of the word before, or the first three of the word after, as 12 bits
        /// (32-bit FNV-1a over the units): search.js compares them with the phrase's words to rule
        /// out, without reading titles, entries whose title cannot hold the whole phrase.
        static func neighbour(_ units: some Collection<UInt16>) -> UInt32 {
            var hash: UInt32 = 0x811C_9DC5
            for u in units { hash = (hash ^ UInt32(u)) &* 16_777_619 }
            return hash & 0xFFF
        }
        static let noNeighbour: UInt32 = 4096

        /// How many numbers the posting starting at `i` of `list` takes.
        static func postingLength(_ list: [UInt32], at i: Int) -> Int {
            guard i + 1 < list.count, list[i + 1] & 2 != 0 else { return 2 }
            guard i + 3 < list.count else { return list.count - i }
            return 4 + 2 * Int(list[i + 3])
        }

        /// Finds the words of field 0 (title), 1 (summary) or 2 (text) of entry `id`: runs of units that
        /// fold to letters or numbers. From a string, the units are read off its UTF-8 (`UTF16Units`):
        /// through the string's UTF-16 view, a unit at a time, this was a tenth of a full build's
        /// instructions at 10,000 notices.
        private mutating func scan(_ units: some Sequence<UInt16>, atMost count: Int, field: Int, id: Int) {
            // The word being read is written through a pointer into room for the longest the field
            // can hold (`count` units), taken out of `self` meanwhile: written as a stored array, a
            // unit at a time, each unit's write asked whether the array had to be copied first.
            var room = current
            current = []
            if room.count < count { room.append(contentsOf: repeatElement(0, count: count - room.count)) }
            room.withUnsafeMutableBufferPointer { word in
                var length = 0
                for unit in units {
                    let (f, isWord) = fold.fold(unit)
                    if isWord {
                        // Always true: the field has no more units than there is room for.
                        if length < word.count {
                            word[length] = f
                            length += 1
                        }
                    } else if length > 0 {
                        visit(UnsafeBufferPointer(rebasing: word[..<length]), field: field, id: id)
                        length = 0
                    }
                }
                if length > 0 { visit(UnsafeBufferPointer(rebasing: word[..<length]), field: field, id: id) }
            }
            current = room
        }

        /// As `scan`, reading the units off valid UTF-8 (`UTF16Units`) with ASCII taken byte by byte:
        /// a letter or digit is a word's unit (a capital lowered), anything else ends a word, as
        /// `SearchWords.fold` has it. The words are found first, their folded units back to back in
        /// `current` and their ends in `wordEnds`, and visited after. Through `fold` and the decoder
        /// for every byte, finding the words took 470 M instructions of a full build at 10,000 notices
        /// (3.6%; most of the text is ASCII), now 340 M.
        private mutating func scan(utf8 bytes: UnsafeBufferPointer<UInt8>, field: Int, id: Int) {
            var room = current, ends = wordEnds
            current = []
            wordEnds = []
            // A UTF-8 byte never gives more than one UTF-16 unit.
            if room.count < bytes.count { room.append(contentsOf: repeatElement(0, count: bytes.count - room.count)) }
            ends.removeAll(keepingCapacity: true)
            room.withUnsafeMutableBufferPointer { Self.words(in: bytes, into: $0, ends: &ends, fold: &fold) }
            room.withUnsafeBufferPointer { units in
                var start = 0
                for end in ends {
                    visit(UnsafeBufferPointer(rebasing: units[start..<end]), field: field, id: id)
                    start = end
                }
            }
            current = room
            wordEnds = ends
        }

        /// The words of `bytes` (valid UTF-8), folded, written one after another into `out`, which has
        /// room for a unit a byte (a UTF-8 byte never gives more than one UTF-16 unit), with where each
        /// ends appended to `ends`.
        private static func words(in bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt16>, ends: inout [Int],
                                  fold: inout SearchWords) {
            guard let to = out.baseAddress, out.count >= bytes.count else { return }
            var n = 0, wordStart = 0
            var units = UTF16Units.Iterator(bytes: bytes)
            while units.i < bytes.count {
                let byte = bytes[units.i]
                if byte < 0x80 {
                    units.i += 1
                    if isWordByte(byte) {
                        // A capital lowered; a small letter or a digit as it is.
                        to[n] = UInt16(byte | 0x20)
                        n += 1
                    } else if n > wordStart {
                        ends.append(n)
                        wordStart = n
                    }
                    continue
                }
                // A character beyond ASCII: its unit, or its two (a surrogate pair, never a word's).
                while let unit = units.next() {
                    let (f, isWord) = fold.fold(unit)
                    if isWord {
                        to[n] = f
                        n += 1
                    } else if n > wordStart {
                        ends.append(n)
                        wordStart = n
                    }
                    if units.low == 0 { break }
                }
            }
            if n > wordStart { ends.append(n) }
        }

        /// Whether an ASCII byte is a letter or a digit (a bit of a 128-bit set).
        @inline(__always) private static func isWordByte(_ byte: UInt8) -> Bool {
            byte < 0x40 ? (0x03FF_0000_0000_0000 as UInt64) >> UInt64(byte) & 1 != 0 : (0x07FF_FFFE_07FF_FFFE as UInt64) >> UInt64(byte & 0x3F) & 1 != 0
        }

        /// `word` seen in field 0 (title), 1 (summary) or 2 (text) of entry `id`.
        private mutating func visit(_ word: UnsafeBufferPointer<UInt16>, field: Int, id: Int) {
            let w = words.intern(word)
            if field == 0 { titleWords.append((w, Array(word))) }
            if w == lists.count { lists.append([]); lastEntry.append(-1); slot.append(0) }
            if lastEntry[w] != id {
                lastEntry[w] = id
                slot[w] = seen.count
                seen.append((w, false, false, 0))
            }
            switch field {
            case 0: seen[slot[w]].title = true
            case 1: seen[slot[w]].summary = true
            default: seen[slot[w]].count = min(seen[slot[w]].count + 1, 20)
            }
        }

        init() {}

        /// Words and postings as the last index had them (see `patched`); titles come from the entries.
        init(words: WordTable, lists: [[UInt32]]) {
            self.words = words
            self.lists = lists
            lastEntry = Array(repeating: -1, count: lists.count)
            slot = Array(repeating: 0, count: lists.count)
        }

        /// Entry `id`'s title as written; titles are kept by entry, an empty array for one not known
        /// (an entry whose words came from the last index).
        mutating func setTitle(_ raw: [UInt8], of id: Int) {
            if titles.count <= id { titles.append(contentsOf: repeatElement([], count: id + 1 - titles.count)) }
            titles[id] = raw
        }

        /// Every word's postings in entry order, as finding the words entry by entry leaves them (the
        /// last index's postings and this build's entries' are put together in any order).
        mutating func sortPostings() {
            for w in lists.indices {
                let list = lists[w]
                var sorted = true, previous = -1, i = 0
                while i + 1 < list.count, sorted {
                    sorted = Int(list[i]) > previous
                    previous = Int(list[i])
                    i += Terms.postingLength(list, at: i)
                }
                guard !sorted else { continue }
                var postings: [(entry: UInt32, range: Range<Int>)] = []
                i = 0
                while i + 1 < list.count {
                    let length = Terms.postingLength(list, at: i)
                    postings.append((list[i], i..<min(list.count, i + length)))
                    i += length
                }
                postings.sort { $0.entry < $1.entry }
                var out: [UInt32] = []
                out.reserveCapacity(list.count)
                for posting in postings { out.append(contentsOf: list[posting.range]) }
                lists[w] = out
            }
        }

        /// Another index's titles, its entries numbered from `offset`.
        mutating func appendTitles(of other: Terms, offset: Int) {
            for (local, title) in other.titles.enumerated() where !title.isEmpty { setTitle(title, of: offset + local) }
        }

        /// Another index's words, its entries numbered from `offset`.
        mutating func append(_ other: Terms, offset: Int) {
            appendTitles(of: other, offset: offset)
            for local in 0..<other.words.count {
                let w = words.intern(other.words.word(local))
                if w == lists.count { lists.append([]); lastEntry.append(-1); slot.append(0) }
                let list = other.lists[local]
                var i = 0
                while i + 1 < list.count {
                    let length = Terms.postingLength(list, at: i)
                    lists[w].append(list[i] + UInt32(offset))
                    lists[w].append(contentsOf: list[(i + 1)..<min(list.count, i + length)])
                    i += length
                }
            }
        }
    }

    /// Words interned to small numbers: one flat buffer of their units and an open-addressing table,
    /// so that looking a word up allocates nothing (a tokenizer looks up every word of every entry).
    struct WordTable: Sendable {
        private var units: [UInt16] = []
        private var starts: [Int] = [0]
        private var hashes: [UInt64] = []
        private var table: [Int32] = Array(repeating: -1, count: 1024)
        var count: Int { hashes.count }

        func word(_ id: Int) -> ArraySlice<UInt16> { units[starts[id]..<starts[id + 1]] }

        /// `ids` in the term shards' order: by the words' UTF-16 units.
        func inOrder(_ ids: [Int]) -> [Int] { ids.sorted { word($0).lexicographicallyPrecedes(word($1)) } }

        /// The word's number, given it if new.
        mutating func intern(_ word: ArraySlice<UInt16>) -> Int {
            word.withUnsafeBufferPointer { intern($0) }
        }

        mutating func intern(_ word: UnsafeBufferPointer<UInt16>) -> Int {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for u in word { hash = (hash ^ UInt64(u)) &* 0x0000_0100_0000_01B3 }
            // Looked up through the tables' storage, the units compared in place: every word of every
            // entry comes here (2.4 million at 10,000 notices); through the arrays and `memcmp`, the
            // lookups took 387 M instructions of a full build, now 344 M.
            let (found, free) = table.withUnsafeBufferPointer { table in
                hashes.withUnsafeBufferPointer { hashes in
                    starts.withUnsafeBufferPointer { starts in
                        units.withUnsafeBufferPointer { units -> (Int?, Int) in
                            let mask = table.count - 1
                            var i = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
                            while table[i] >= 0 {
                                let id = Int(table[i])
                                if hashes[id] == hash, starts[id + 1] - starts[id] == word.count {
                                    let start = starts[id]
                                    var k = 0
                                    while k < word.count, units[start + k] == word[k] { k += 1 }
                                    if k == word.count { return (id, i) }
                                }
                                i = (i + 1) & mask
                            }
                            return (nil, i)
                        }
                    }
                }
            }
            if let found { return found }
            let i = free
            let id = hashes.count
            table[i] = Int32(id)
            hashes.append(hash)
            units.append(contentsOf: word)
            starts.append(units.count)
            if hashes.count * 2 > table.count { grow() }
            return id
        }

        private mutating func grow() {
            table = Array(repeating: -1, count: table.count * 2)
            for (id, hash) in hashes.enumerated() {
                var i = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & (table.count - 1)
                while table[i] >= 0 { i = (i + 1) & (table.count - 1) }
                table[i] = Int32(id)
            }
        }
    }

    /// The 64 characters postings are written with: safe in a JSON string and a file name.
    static let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_".utf8)

    /// One base-32 number: five bits a digit, low first, a digit of 32 and up saying another follows.
    static func appendNumber(_ value: UInt64, to bytes: inout [UInt8]) {
        var v = value
        while v >= 32 {
            bytes.append(digits[Int(32 | (v & 31))])
            v >>= 5
        }
        bytes.append(digits[Int(v)])
    }

    /// How many codes there are (`min(count, 20) * 4 + 3` at most): a posting's first number is
    /// `(gap - 1) * codes + code`, so a word in the next entry and at most 7 times in its text (most
    /// postings of the common words a long query has) takes one digit where it took two.
    static let codes: UInt64 = 84

    /// Postings as base-32 variable-length numbers (a digit's value 32 and up says another follows):
    /// the entry's gap from the previous one (the first from -1) and the code as one number, then,
    /// when the code says the title has the word, the title's length, how many times it has it and
    /// each time's two neighbours.
    static func encode(_ list: [UInt32], into bytes: inout [UInt8]) {
        var next: UInt64 = 0
        encode(list, offset: 0, next: &next, into: &bytes)
    }

    /// As `encode`, going on from postings already written: `next` is the entry after the last of
    /// them (moved past this list's), and `offset` is added to this list's entries, which must not
    /// come before `next`.
    static func encode(_ list: [UInt32], offset: UInt64, next: inout UInt64, into bytes: inout [UInt8]) {
        func number(_ value: UInt64) { appendNumber(value, to: &bytes) }
        var i = 0
        while i + 1 < list.count {
            let length = Terms.postingLength(list, at: i)
            let entry = UInt64(list[i]) + offset
            number((entry - next) * codes + UInt64(list[i + 1]))
            next = entry + 1
            for k in (i + 2)..<min(list.count, i + length) { number(UInt64(list[k])) }
            i += length
        }
    }

    // MARK: - Entries

    /// The JSON string at `i` of `json` as UTF-16 and the range of its bytes, `i` moved past it; nil
    /// when there is no well-formed string there.
    static func string(in json: [UInt8], at i: inout Int) -> (value: [UInt16], raw: Range<Int>)? {
        let start = i
        guard i < json.count, json[i] == 0x22 else { return nil }
        i += 1
        var bytes: [UInt8] = []
        var ascii = true
        while i < json.count, json[i] != 0x22 {
            if json[i] == 0x5C {
                guard i + 1 < json.count else { return nil }
                switch json[i + 1] {
                case UInt8(ascii: "n"): bytes.append(0x0A); i += 2
                case UInt8(ascii: "r"): bytes.append(0x0D); i += 2
                case UInt8(ascii: "t"): bytes.append(0x09); i += 2
                case UInt8(ascii: "b"): bytes.append(0x08); i += 2
                case UInt8(ascii: "f"): bytes.append(0x0C); i += 2
                case UInt8(ascii: "u"):
                    guard i + 6 <= json.count, let code = UInt32(String(decoding: json[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { return nil }
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                    ascii = false
                    i += 6
                default: bytes.append(json[i + 1]); i += 2
                }
            } else {
                if json[i] >= 0x80 { ascii = false }
                bytes.append(json[i])
                i += 1
            }
        }
        guard i < json.count else { return nil }
        i += 1
        // Words are mostly ASCII: their units are their bytes.
        let value = ascii ? bytes.map { UInt16($0) } : Array(String(decoding: bytes, as: UTF8.self).utf16)
        return (value, start..<i)
    }

    /// The title, summary and text of a serialised entry `{"t":…,"u":…,"s":…,"x":…}` as UTF-16, and the
    /// title's JSON as written.
    /// The UTF-16 code units of valid UTF-8 (a String's own bytes), as `String.UTF16View` gives them
    /// and search.js sees them, read straight off the bytes: through the view, whose index is worked
    /// out again for every unit, finding the words was 2.5% of a full build's CPU at 10,000 notices.
    struct UTF16Units: Sequence {
        let bytes: UnsafeBufferPointer<UInt8>
        init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func makeIterator() -> Iterator { Iterator(bytes: bytes) }

        struct Iterator: IteratorProtocol {
            let bytes: UnsafeBufferPointer<UInt8>
            var i = 0
            /// The low surrogate still to give after a scalar beyond the Basic Multilingual Plane (never 0).
            var low: UInt16 = 0

            @inline(__always) mutating func next() -> UInt16? {
                if low != 0 {
                    defer { low = 0 }
                    return low
                }
                guard i < bytes.count else { return nil }
                let lead = bytes[i]
                if lead < 0x80 {
                    i += 1
                    return UInt16(lead)
                }
                // Valid UTF-8: a lead byte of two, three or four, and its continuation bytes after it
                // (a sequence cut short, which a String never has, ends the units).
                let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                guard i + length <= bytes.count else {
                    i = bytes.count
                    return 0xFFFD
                }
                func more(_ k: Int) -> UInt32 { UInt32(bytes[i + k] & 0x3F) }
                defer { i += length }
                switch length {
                case 2: return UInt16(truncatingIfNeeded: UInt32(lead & 0x1F) << 6 | more(1))
                case 3: return UInt16(truncatingIfNeeded: UInt32(lead & 0x0F) << 12 | more(1) << 6 | more(2))
                default:
                    let offset = (UInt32(lead & 0x07) << 18 | more(1) << 12 | more(2) << 6 | more(3)) &- 0x10000
                    low = UInt16(truncatingIfNeeded: 0xDC00 | (offset & 0x3FF))
                    return UInt16(truncatingIfNeeded: 0xD800 | (offset >> 10))
                }
            }
        }
    }

    struct EntryFields {
        var title: [UInt16] = []
        var summary: [UInt16] = []
        var text: [UInt16] = []
        var rawTitle: [UInt8] = []

        init?(_ json: [UInt8]) {
            var i = 0
            func expect(_ byte: UInt8) -> Bool {
                guard i < json.count, json[i] == byte else { return false }
                i += 1
                return true
            }
            func string() -> (value: [UInt16], raw: Range<Int>)? { SearchIndex.string(in: json, at: &i) }
            func field(_ key: UInt8) -> (value: [UInt16], raw: Range<Int>)? {
                guard expect(0x22), expect(key), expect(0x22), expect(UInt8(ascii: ":")) else { return nil }
                return string()
            }
            guard expect(UInt8(ascii: "{")), let t = field(UInt8(ascii: "t")), expect(UInt8(ascii: ",")),
                  field(UInt8(ascii: "u")) != nil, expect(UInt8(ascii: ",")), let s = field(UInt8(ascii: "s")), expect(UInt8(ascii: ",")),
                  let x = field(UInt8(ascii: "x")), expect(UInt8(ascii: "}")) else { return nil }
            title = t.value
            summary = s.value
            text = x.value
            rawTitle = Array(json[t.raw])
        }
    }

    /// Strips tags and decodes the entities cmark writes, collapsing white space, up to `limit` bytes.
    static func plainText(_ html: String, limit: Int = 1200) -> String {
        String(decoding: plainTextUTF8(html, limit: limit), as: UTF8.self)
    }

    /// The same as UTF-8 bytes, which are valid: the HTML is a String's, only ASCII is taken out or
    /// put in, and a character the limit cuts is dropped whole. Works on the bytes, written in place,
    /// a tag skipped to its end and a run of text copied whole: this runs over every page of the site
    /// (appended a byte at a time, with the entities looked up in a list made for each page, it was
    /// 2.4% of a full build's instructions at 10,000 notices).
    static func plainTextUTF8(_ html: String, limit: Int = 1200) -> [UInt8] {
        var html = html
        return html.withUTF8 { bytes in
            // Each byte read gives at most one byte out, so the text fits in the smaller of the two.
            [UInt8](unsafeUninitializedCapacity: max(0, min(limit, bytes.count))) { out, initialized in
                initialized = 0
                guard let to = out.baseAddress, let from = bytes.baseAddress else { return }
                var n = 0, i = 0
                var inTag = false, lastWasSpace = true
                func space() {
                    if !lastWasSpace {
                        to[n] = 0x20
                        n += 1
                        lastWasSpace = true
                    }
                }
                while i < bytes.count, n < limit {
                    if inTag {
                        // Nothing in a tag is text, a `<` included: on to its `>`.
                        guard let end = memchr(from + i, Int32(UInt8(ascii: ">")), bytes.count - i) else { break }
                        i = from.distance(to: end.assumingMemoryBound(to: UInt8.self)) + 1
                        inTag = false
                        space()
                        continue
                    }
                    // The run from here that goes out as it stands, as far as the limit lets it go:
                    // text bytes, and each space that follows one (it is the single space the white
                    // space there comes to).
                    var j = i
                    let end = min(bytes.count, i + (limit - n))
                    while j < end {
                        let c = from[j]
                        guard isText(c) || (c == 0x20 && (j > i ? from[j - 1] != 0x20 : !lastWasSpace)) else { break }
                        j += 1
                    }
                    if j > i {
                        (to + n).initialize(from: from + i, count: j - i)
                        n += j - i
                        lastWasSpace = from[j - 1] == 0x20
                        i = j
                        continue
                    }
                    let b = from[i]
                    i += 1
                    switch b {
                    case UInt8(ascii: "<"): inTag = true
                    case UInt8(ascii: ">"): space()
                    case UInt8(ascii: "&"):
                        var value = b
                        if let (decoded, length) = entity(in: bytes, at: i - 1) {
                            value = decoded
                            i += length - 1
                        }
                        to[n] = value
                        n += 1
                        lastWasSpace = false
                    default: space()
                    }
                }
                // The limit may cut a multi-byte character: drop its partial bytes (at most three).
                if let lead = (max(0, n - 4)..<n).last(where: { to[$0] & 0xC0 != 0x80 }) {
                    let length = to[lead] < 0xC0 ? 1 : to[lead] < 0xE0 ? 2 : to[lead] < 0xF0 ? 3 : 4
                    if n - lead < length { n = lead }
                }
                while n > 0, to[n - 1] == 0x20 { n -= 1 }
                initialized = n
            }
        }
    }

    /// True for a byte that is text as it stands: not `<`, `>`, `&` or white space (space, tab, line
    /// feed, carriage return), all below 0x40 (a bit of a 64-bit set).
    @inline(__always) private static func isText(_ byte: UInt8) -> Bool {
        byte >= 0x40 || (0x5000_0041_0000_2600 as UInt64) >> UInt64(byte) & 1 == 0
    }

    /// The character of the entity cmark writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`) starting at `i`,
    /// and its length; nil for anything else.
    private static func entity(in bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt8, Int)? {
        func named(_ name: StaticString, _ value: UInt8) -> (UInt8, Int)? {
            let count = name.utf8CodeUnitCount
            guard let base = bytes.baseAddress, i + count <= bytes.count, memcmp(base + i, name.utf8Start, count) == 0 else { return nil }
            return (value, count)
        }
        return named("&amp;", UInt8(ascii: "&")) ?? named("&lt;", UInt8(ascii: "<")) ?? named("&gt;", UInt8(ascii: ">"))
            ?? named("&quot;", UInt8(ascii: "\""))
    }
}
