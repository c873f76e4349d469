import Foundation

/// How a build had its search index.
public enum SearchIndexOrigin: String, Sendable {
    /// Every file as the last build left it.
    case standing
    /// The last index with the words of this build's entries put in place of theirs: the entries
    /// stand where they stood, and only the words they have or had are read (`SearchIndex.patched`).
    case patched
    /// The last index's postings renumbered (entries moved, came or went) with this build's entries'.
    case renumbered
    /// Every entry's words found again.
    case found
}

/// Making the index again after a few pages changed, without finding the words of every other entry
/// again: their postings come from the last build's term shards, put together with the words of the
/// entries rendered this build. What it gives is what finding every entry's words gives (a posting
/// depends only on its entry's JSON, which a reused page has unchanged), so the files are the same
/// bytes; `SearchShardsTests` compares them with a full build's.
extension SearchIndex {
    /// The index of `parts` (free pages, then each court's, in plan order), whose reused entries have
    /// only their hash, from the last build's index as `previous` recorded it in `output`; nil when that
    /// index cannot be read as recorded (then every entry is read back and its words found again).
    ///
    /// Only the JSON of entries in docs and titles shards not `kept` (by place in `layout.files`) is
    /// read back, from the last docs shards: a shard whose entries are those it had is left as it is.
    static func patched(_ parts: [SearchIndex], previous: BuildCache, output: String, layout: Layout,
                        kept: [Bool]) -> (SearchIndex, SearchIndexOrigin)? {
        guard let (index, origin) = patchedTerms(parts, previous: previous, output: output, layout: layout),
              let filled = index.readingBack(kept: kept, layout: layout, previous: previous, output: output) else { return nil }
        return (filled, origin)
    }

    /// `patched` up to reading entries back: the terms, which do not depend on which shards stand,
    /// so a build works them out while it checks the shards' files (see `SiteRenderer.render`).
    static func patchedTerms(_ parts: [SearchIndex], previous: BuildCache, output: String, layout: Layout) -> (SearchIndex, SearchIndexOrigin)? {
        // The last index's entries in order: its docs shards held them `docsPerShard` to a file.
        // Each place is sorted as one number (its shard above its start, each under 2^32: a docs shard
        // holds two entries), the files gathered after: sorted with the places, six thousand files
        // were moved about as they went (5.9 M instructions at 10,000 notices).
        var files: [String] = []
        var keys: [(place: UInt64, file: Int)] = []
        files.reserveCapacity(layout.entries)
        keys.reserveCapacity(layout.entries)
        for (file, entry) in previous.entries where entry.searchHash != nil {
            guard let place = entry.searchPlace, place.range.lowerBound < 1 << 32 else { return nil }
            keys.append((UInt64(place.shard) << 32 | UInt64(place.range.lowerBound), files.count))
            files.append(file)
        }
        keys = placedInOrder(keys) ?? keys.sorted { $0.place < $1.place }
        let lastShard = max(0, (keys.count - 1) / Layout.docsPerShard)
        for (id, key) in keys.enumerated() where Int(key.place >> 32) != min(id / Layout.docsPerShard, lastShard) { return nil }
        let placed = keys.map { files[$0.file] }

        var entries: [Entry] = []
        entries.reserveCapacity(layout.entries)
        var offsets: [Int] = []
        for part in parts {
            offsets.append(entries.count)
            entries.append(contentsOf: part.entries)
        }
        // This build's entries' words, numbered in the whole index.
        var fresh = Terms()
        for (part, offset) in zip(parts, offsets) { fresh.append(part.terms, offset: offset) }

        guard let shards = lastTermShards(previous: previous, output: output) else { return nil }
        let standsInPlace = entries.count == placed.count && zip(entries, placed).allSatisfy { $0.file == $1 }
        let index: SearchIndex
        if standsInPlace {
            guard let patched = inPlace(entries, fresh: fresh, shards: shards, previous: previous, output: output) else { return nil }
            index = patched
        } else {
            guard let renumbered = renumbered(entries, fresh: fresh, shards: shards, placed: placed, previous: previous) else { return nil }
            index = renumbered
        }
        return (index, standsInPlace ? .patched : .renumbered)
    }

    /// The keys in the order sorting them by place gives (ties as they came), when each shard holds
    /// the entries a last index of that many has there (`docsPerShard` each, in shard order): each
    /// goes straight to its shard's slots, ordered within them. Nil for any other set of keys, which
    /// is then sorted (and refused). Sorting ten thousand was 3.4 M instructions of a rebuild.
    static func placedInOrder(_ keys: [(place: UInt64, file: Int)]) -> [(place: UInt64, file: Int)]? {
        let per = Layout.docsPerShard
        var slots = [(place: UInt64, file: Int)?](repeating: nil, count: keys.count)
        for key in keys {
            let first = Int(key.place >> 32) * per
            guard first < slots.count else { return nil }
            // The shard's first free slot, moving down those with a later place.
            var at = first
            while at < min(first + per, slots.count), slots[at] != nil { at += 1 }
            guard at < min(first + per, slots.count) else { return nil }
            while at > first, let before = slots[at - 1], before.place > key.place {
                slots[at] = before
                at -= 1
            }
            slots[at] = key
        }
        return slots.map { $0 ?? (0, 0) }
    }

    /// Entries stand where they stood: a word keeps its postings as written unless an entry changed
    /// this build has it or had it; those words' postings lose the old entries' and take the new. (An
    /// entry rendered again as it was, such as a court's steps after one of its notices changed, has
    /// the postings it had, at the same place.)
    private static func inPlace(_ entries: [Entry], fresh: Terms, shards: [[UInt8]], previous: BuildCache, output: String) -> SearchIndex? {
        // Entries whose JSON changed this build, and their words as they were.
        var isChanged = [Bool](repeating: false, count: entries.count)
        var lastChanged = -1
        var changed: [(file: String, id: Int)] = []
        for (id, entry) in entries.enumerated() where entry.json != nil && previous.entries[entry.file]?.searchHash != entry.hash {
            isChanged[id] = true
            lastChanged = id
            changed.append((entry.file, id))
        }
        var gone = Terms()
        if !changed.isEmpty {
            guard let old = previous.searchEntries(of: changed.map(\.file), in: output) else { return nil }
            for (file, id) in changed {
                guard let json = old[file] else { return nil }
                gone.add(json, id: id)
            }
        }
        // This build's postings of the changed entries, by word.
        var added: [[UInt32]] = Array(repeating: [], count: fresh.words.count)
        for w in 0..<fresh.words.count {
            let list = fresh.lists[w]
            var i = 0
            while i + 1 < list.count {
                let length = Terms.postingLength(list, at: i)
                if isChanged[Int(list[i])] { added[w].append(contentsOf: list[i..<min(list.count, i + length)]) }
                i += length
            }
        }
        // Each word to write again: its postings this build (nil: it no longer has any). A word the
        // changed entries have with the postings they had (the same count, in the same fields, with
        // the same neighbours in the title) keeps its pair as written, unread: splicing it would give
        // its bytes back. Most of an edited notice's words are such; each common one had its
        // postings read up to the notice's place (82.8 M of a rebuild's 608 M instructions).
        var goneWords: [[UInt16]: Int] = [:]
        for g in 0..<gone.words.count { goneWords[Array(gone.words.word(g))] = g }
        var touched: [[UInt16]: Int?] = [:]
        for w in 0..<fresh.words.count where !added[w].isEmpty {
            let word = Array(fresh.words.word(w))
            if let g = goneWords.removeValue(forKey: word), gone.lists[g] == added[w] { continue }
            touched[word] = .some(w)
        }
        for word in goneWords.keys { touched[word] = .some(nil) }

        // The pairs that stand are borrowed from the shards they are in, not copied.
        var written = TermPairs(borrowingShards: shards)
        var pending = touched.keys.sorted { $0.lexicographicallyPrecedes($1) }[...]
        /// A word's postings after the last index's, without the changed entries', meet this build's.
        /// (They never come out as they were: a word whose postings stay is not touched.)
        func merged(_ word: [UInt16], old: ArraySlice<UInt8>) -> Bool {
            let new = (touched[word] ?? nil).map { added[$0] } ?? []
            var postings: [UInt8] = []
            guard splice(old, dropping: isChanged, lastDropped: lastChanged, adding: new, into: &postings) else { return false }
            if !postings.isEmpty {
                written.append { bytes in
                    JSONValue.writeString(String(decoding: word, as: UTF16.self), into: &bytes)
                    bytes.append(contentsOf: [UInt8(ascii: ":"), 0x22])
                    bytes.append(contentsOf: postings)
                    bytes.append(0x22)
                }
            }
            return true
        }
        for (number, shard) in shards.enumerated() {
            guard scanTermShard(shard, visit: { word, pair, postings in
                // Words no longer there, or new, that sort before this one.
                while let next = pending.first, next.lexicographicallyPrecedes(word) {
                    guard merged(next, old: []) else { return false }
                    pending.removeFirst()
                }
                if pending.first == word {
                    pending.removeFirst()
                    return merged(word, old: shard[postings])
                }
                written.append(borrowing: number, range: pair)
                return true
            }) else { return nil }
        }
        while let next = pending.popFirst() {
            guard merged(next, old: []) else { return nil }
        }
        return SearchIndex(entries: entries, terms: fresh, writtenTerms: written)
    }

    /// Entries moved, came or went: every posting of the last index is read, renumbered to where its
    /// entry stands now (dropped when it was rendered again or is gone) and put with this build's.
    private static func renumbered(_ entries: [Entry], fresh: Terms, shards: [[UInt8]], placed: [String], previous: BuildCache) -> SearchIndex? {
        var oldID: [String: Int] = [:]
        oldID.reserveCapacity(placed.count)
        for (id, file) in placed.enumerated() { oldID[file] = id }
        var to = [Int32](repeating: -1, count: placed.count)
        for (id, entry) in entries.enumerated() where entry.json == nil {
            guard let old = oldID[entry.file], previous.entries[entry.file]?.searchHash == entry.hash else { return nil }
            to[old] = Int32(id)
        }
        var words = WordTable()
        var lists: [[UInt32]] = []
        for shard in shards {
            guard scanTermShard(shard, visit: { word, _, postings in
                guard let old = decodePostings(shard[postings]) else { return false }
                let w = words.intern(word[...])
                if w == lists.count { lists.append([]) }
                var i = 0
                while i + 1 < old.count {
                    let length = Terms.postingLength(old, at: i)
                    guard Int(old[i]) < to.count else { return false }
                    let id = to[Int(old[i])]
                    if id >= 0 {
                        lists[w].append(UInt32(id))
                        lists[w].append(contentsOf: old[(i + 1)..<min(old.count, i + length)])
                    }
                    i += length
                }
                return true
            }) else { return nil }
        }
        var terms = Terms(words: words, lists: lists)
        terms.append(fresh, offset: 0)
        terms.sortPostings()
        return SearchIndex(entries: entries, terms: terms)
    }

    /// This index with the JSON of the reused entries in the docs and titles shards to be written again
    /// (not `kept`, by place in `layout.files`), read back from the last docs shards.
    func readingBack(kept: [Bool], layout: Layout, previous: BuildCache, output: String) -> SearchIndex? {
        // The entries wanted, by place: only they are filled (looking each of ten thousand entries up
        // among the few read back cost 7 M instructions on one core).
        var wanted: [Int] = []
        func want(per: Int, shards: Int, first: Int) {
            for shard in 0..<shards where !Layout.stands(first + shard, in: kept) {
                let (start, end) = Layout.range(of: shard, per: per, shards: shards, entries: entries.count)
                for i in start..<end where entries[i].json == nil { wanted.append(i) }
            }
        }
        want(per: Layout.docsPerShard, shards: layout.docShards, first: layout.firstDocs)
        want(per: Layout.titlesPerShard, shards: layout.titleShards, first: layout.firstTitles)
        guard !wanted.isEmpty else { return self }
        guard let found = previous.searchEntries(of: wanted.map { entries[$0].file }, in: output) else { return nil }
        var filled = entries
        for i in wanted {
            if let json = found[filled[i].file] { filled[i].json = json }
        }
        return SearchIndex(entries: filled, terms: terms, writtenTerms: writtenTerms)
    }

    /// The last build's term shards in order, each the file its cache recorded (size and hash).
    private static func lastTermShards(previous: BuildCache, output: String) -> [[UInt8]]? {
        var found: [BuildCache.Entry] = []
        while let entry = previous.entries["search/terms-\(found.count).js"] { found.append(entry) }
        guard !found.isEmpty else { return nil }
        let recorded = found
        let read = inChunks(recorded.count, minimum: 64) { range in
            range.map { k -> [UInt8]? in
                guard let bytes = FileIO.read(output + "/search/terms-\(k).js"), bytes.count == recorded[k].size,
                      ContentHash.of(bytes) == recorded[k].output else { return nil }
                return bytes
            }
        }.flatMap { $0 }
        var shards: [[UInt8]] = []
        shards.reserveCapacity(read.count)
        for shard in read {
            guard let shard else { return nil }
            shards.append(shard)
        }
        return shards
    }

    /// Where a term shard's script (`…["terms-N"] = {"word":"postings",…};`) has its pairs: from just
    /// after its `{` to its closing `};` at the end; nil when the script is not framed so.
    static func pairsRegion(of bytes: [UInt8]) -> Range<Int>? {
        guard bytes.count > registry.count, bytes[..<registry.count].elementsEqual(registry) else { return nil }
        let open = Array("\"] = {".utf8), close = Array("};\n".utf8)
        guard let nameEnd = (registry.count..<bytes.count).first(where: { bytes[$0] == 0x22 }),
              bytes.count >= nameEnd + open.count + close.count, bytes[nameEnd..<(nameEnd + open.count)].elementsEqual(open),
              bytes[(bytes.count - close.count)...].elementsEqual(close) else { return nil }
        return (nameEnd + open.count)..<(bytes.count - close.count)
    }

    /// Calls `visit` with each word of a term shard's script (`…["terms-N"] = {"word":"postings",…};`),
    /// the bytes of its whole `"word":"postings"` and of its postings, in order; false when the script
    /// is not one, or `visit` says so.
    private static func scanTermShard(_ bytes: [UInt8], visit: ([UInt16], Range<Int>, Range<Int>) -> Bool) -> Bool {
        guard let region = pairsRegion(of: bytes) else { return false }
        var i = region.lowerBound
        let close = Array("};\n".utf8)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { return bytes[i...].elementsEqual(close) }
        while true {
            let start = i
            guard let (word, _) = string(in: bytes, at: &i), i + 1 < bytes.count, bytes[i] == UInt8(ascii: ":"),
                  bytes[i + 1] == 0x22 else { return false }
            i += 2
            let postings = i
            // A common word's postings run to tens of kilobytes: their closing quote is found with
            // memchr (read a byte at a time, the scan was most of patching the index after an edit).
            guard let end = bytes.withUnsafeBufferPointer({ FileIO.index(of: 0x22, in: $0, from: postings) }) else { return false }
            i = end
            guard visit(word, start..<(i + 1), postings..<i) else { return false }
            i += 1
            guard i < bytes.count else { return false }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            return bytes[i...].elementsEqual(close)
        }
    }

    /// One word's postings as written, without those of the entries `dropping` marks and with the
    /// postings `adding` (flat, in entry order), written into `out`: runs of postings whose gap stays
    /// the same are copied as they are, so a common word costs a pass over its bytes, not a decoding
    /// and encoding; past the last entry dropped or added (`lastDropped`: the last that `dropping`
    /// marks, given when known) the rest is copied unread. False when the postings read are not well
    /// formed.
    static func splice(_ old: ArraySlice<UInt8>, dropping: [Bool], lastDropped: Int? = nil, adding: [UInt32], into out: inout [UInt8]) -> Bool {
        let lastDropped = lastDropped ?? dropping.lastIndex(of: true) ?? -1
        var reader = NumberReader(old)
        func number() -> UInt64 { reader.next() }
        func put(_ value: UInt64) { appendNumber(value, to: &out) }
        var oldNext: UInt64 = 0, outNext: UInt64 = 0  // the previous entry plus one, read and written
        var run = reader.at  // where the bytes still to copy as they are start
        var j = 0
        /// This build's postings of entries before `entry`.
        func add(before entry: UInt64) {
            while j + 1 < adding.count, UInt64(adding[j]) < entry {
                let length = Terms.postingLength(adding, at: j)
                let id = UInt64(adding[j])
                put((id - outNext) * codes + UInt64(adding[j + 1]))
                for k in (j + 2)..<min(adding.count, j + length) { put(UInt64(adding[k])) }
                outNext = id + 1
                j += length
            }
        }
        while !reader.atEnd {
            let start = reader.at
            let first = number()
            let code = first % codes
            let id = oldNext + first / codes
            let firstEnd = reader.at
            if code & 2 != 0 {
                _ = number()
                let count = number()
                guard count <= 1 << 20 else { return false }
                for _ in 0..<(2 * count) { _ = number() }
            }
            guard !reader.failed, id < UInt64(dropping.count) else { return false }
            let previousNext = oldNext
            oldNext = id + 1
            if j + 1 < adding.count, UInt64(adding[j]) < id {
                out.append(contentsOf: old[run..<start])
                add(before: id)
                run = start
            }
            if dropping[Int(id)] {
                out.append(contentsOf: old[run..<start])
                run = reader.at
                continue
            }
            if outNext != previousNext {
                // The posting written before is not the one read before: the gap, so the first
                // number, is new; the rest is copied.
                out.append(contentsOf: old[run..<start])
                put((id - outNext) * codes + code)
                run = firstEnd
            }
            outNext = id + 1
            // Nothing left to drop or add: every later posting keeps its bytes.
            if Int(id) >= lastDropped, j + 1 >= adding.count { break }
        }
        out.append(contentsOf: old[run..<old.endIndex])
        add(before: UInt64.max)
        return true
    }

    private static let digitValues: [Int8] = {
        var value = [Int8](repeating: -1, count: 256)
        for (d, digit) in digits.enumerated() { value[Int(digit)] = Int8(d) }
        return value
    }()

    /// One word's postings as `encode` wrote them, back in the flat form `Terms` keeps; nil when they
    /// are not well formed.
    static func decodePostings(_ bytes: ArraySlice<UInt8>) -> [UInt32]? {
        var list: [UInt32] = []
        var reader = NumberReader(bytes)
        var tooLarge = false
        func number() -> UInt64 { reader.next() }
        func append(_ value: UInt64) {
            if value > UInt64(UInt32.max) { tooLarge = true }
            list.append(UInt32(truncatingIfNeeded: value))
        }
        var entry: UInt64 = 0  // the previous entry plus one
        while !reader.atEnd, !reader.failed, !tooLarge {
            let first = number()
            let code = first % codes
            entry += first / codes
            append(entry)
            append(code)
            entry += 1
            if code & 2 != 0 {
                append(number())
                let count = number()
                guard count <= 1 << 20 else { return nil }
                append(count)
                for _ in 0..<(2 * count) { append(number()) }
            }
        }
        return reader.failed || tooLarge ? nil : list
    }

    /// Reads the base-32 numbers `encode` writes, one after another; `failed` once one is not well
    /// formed (a digit that is not one, the bytes ending inside a number, or more than 60 bits).
    struct NumberReader {
        private let bytes: ArraySlice<UInt8>
        /// The digits' values, held here: a common word's postings are millions of digits, and the
        /// shared table is looked up through its lazy initialiser each time.
        private let values = digitValues
        private(set) var at: Int
        private(set) var failed = false
        var atEnd: Bool { at >= bytes.endIndex }

        init(_ bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            at = bytes.startIndex
        }

        mutating func next() -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while at < bytes.endIndex, shift < 60 {
                let d = values[Int(bytes[at])]
                guard d >= 0 else { break }
                at += 1
                result |= UInt64(d & 31) << shift
                shift += 5
                if d < 32 { return result }
            }
            failed = true
            return 0
        }
    }
}
