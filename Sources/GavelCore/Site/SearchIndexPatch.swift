import Foundation

/// Making the index again after a few pages changed, without finding the words of every other entry
/// again: their postings are read from the last build's term shards, renumbered, and put together with
/// the words of the entries rendered this build. What it gives is what finding every entry's words
/// gives (each posting depends only on its entry's JSON, which a reused page has unchanged), so the
/// files are the same bytes; `SearchShardsTests` compares them with a full build's.
/// How a build had its search index.
public enum SearchIndexOrigin: String, Sendable {
    /// Every file as the last build left it.
    case standing
    /// The last index's postings, with the words of this build's entries (`SearchIndex.patched`).
    case patched
    /// Every entry's words found again.
    case found
}

extension SearchIndex {
    /// The index of `parts` (free pages, then each court's, in plan order), whose reused entries have
    /// only their hash, from the last build's index as `previous` recorded it in `output`; nil when that
    /// index cannot be read as recorded (then every entry is read back and its words found again).
    ///
    /// Only the JSON of entries in docs and titles shards not in `kept` is read back, from the last docs
    /// shards: a shard whose entries are those it had is left as it is.
    static func patched(_ parts: [SearchIndex], previous: BuildCache, output: String, layout: Layout, kept: Set<String>) -> SearchIndex? {
        // The last index's entries in order: its docs shards held them `docsPerShard` to a file.
        var placed: [(shard: Int, start: Int, file: String)] = []
        placed.reserveCapacity(layout.entries)
        for (file, entry) in previous.entries where entry.searchHash != nil {
            guard let place = entry.searchPlace else { return nil }
            placed.append((place.shard, place.range.lowerBound, file))
        }
        placed.sort { ($0.shard, $0.start) < ($1.shard, $1.start) }
        var oldID: [String: Int] = [:]
        oldID.reserveCapacity(placed.count)
        for (id, p) in placed.enumerated() {
            guard p.shard == min(id / Layout.docsPerShard, max(0, (placed.count - 1) / Layout.docsPerShard)) else { return nil }
            oldID[p.file] = id
        }

        // This index's entries; a reused one takes its postings from where the last index had it.
        var entries: [Entry] = []
        entries.reserveCapacity(layout.entries)
        var offsets: [Int] = []
        for part in parts {
            offsets.append(entries.count)
            entries.append(contentsOf: part.entries)
        }
        var renumbered = [Int32](repeating: -1, count: placed.count)
        for (id, entry) in entries.enumerated() where entry.json == nil {
            guard let old = oldID[entry.file], previous.entries[entry.file]?.searchHash == entry.hash else { return nil }
            renumbered[old] = Int32(id)
        }

        // The last term shards, each the file the cache recorded, their postings renumbered.
        var words = WordTable()
        var lists: [[UInt32]] = []
        var shard = 0
        while let recorded = previous.entries["search/terms-\(shard).js"] {
            let name = "terms-\(shard)"
            guard let bytes = FileIO.read(output + "/search/" + name + ".js"), bytes.count == recorded.size,
                  ContentHash.of(bytes) == recorded.output,
                  readPostings(bytes, name: name, renumbered: renumbered, into: &words, &lists) else { return nil }
            shard += 1
        }
        guard shard > 0 else { return nil }

        var terms = Terms(words: words, lists: lists)
        for (part, offset) in zip(parts, offsets) { terms.append(part.terms, offset: offset) }
        terms.sortPostings()

        // The JSON of reused entries in the shards to be written again.
        var wanted: [String] = []
        func want(_ kind: String, per: Int, shards: Int) {
            for shard in 0..<shards where !kept.contains("search/\(kind)-\(shard).js") {
                let (start, end) = Layout.range(of: shard, per: per, shards: shards, entries: entries.count)
                for i in start..<end where entries[i].json == nil { wanted.append(entries[i].file) }
            }
        }
        want("docs", per: Layout.docsPerShard, shards: layout.docShards)
        want("titles", per: Layout.titlesPerShard, shards: layout.titleShards)
        if !wanted.isEmpty {
            guard let found = previous.searchEntries(of: wanted, in: output) else { return nil }
            for i in entries.indices where entries[i].json == nil {
                if let json = found[entries[i].file] { entries[i].json = json }
            }
        }
        return SearchIndex(entries: entries, terms: terms)
    }

    /// Reads one term shard (`{"word":"postings",…}` in its script) into `words` and `lists`, keeping
    /// the postings of entries `renumbered` gives a new number; false when it is not a term shard.
    private static func readPostings(_ bytes: [UInt8], name: String, renumbered: [Int32],
                                     into words: inout WordTable, _ lists: inout [[UInt32]]) -> Bool {
        let head = registry + Array(name.utf8) + Array("\"] = {".utf8)
        guard bytes.count >= head.count + 3, bytes[..<head.count].elementsEqual(head) else { return false }
        var value = [Int8](repeating: -1, count: 256)
        for (d, digit) in digits.enumerated() { value[Int(digit)] = Int8(d) }
        var i = head.count
        if bytes[i] == UInt8(ascii: "}") { return Array(bytes[i...]) == Array("};\n".utf8) }
        while true {
            guard let (word, _) = string(in: bytes, at: &i), i + 1 < bytes.count, bytes[i] == UInt8(ascii: ":"),
                  bytes[i + 1] == 0x22 else { return false }
            i += 2
            let w = words.intern(word[...])
            if w == lists.count { lists.append([]) }
            // Base-32 numbers, a digit of 32 and up saying another follows.
            var failed = false
            func number() -> UInt64 {
                var result: UInt64 = 0, shift: UInt64 = 0
                while i < bytes.count, shift < 60 {
                    let d = value[Int(bytes[i])]
                    guard d >= 0 else { break }
                    i += 1
                    result |= UInt64(d & 31) << shift
                    shift += 5
                    if d < 32 { return result }
                }
                failed = true
                return 0
            }
            var entry: Int64 = -1
            while i < bytes.count, bytes[i] != 0x22 {
                let first = number()
                let code = first % codes
                entry += Int64(first / codes) + 1
                guard !failed, entry < renumbered.count else { return false }
                let to = renumbered[Int(entry)]
                var extra: [UInt64] = []
                if code & 2 != 0 {
                    extra.append(number())
                    let count = number()
                    guard !failed, count <= 1 << 20 else { return false }
                    extra.append(count)
                    for _ in 0..<(2 * count) { extra.append(number()) }
                    guard !failed else { return false }
                }
                guard to >= 0 else { continue }
                lists[w].append(UInt32(to))
                lists[w].append(UInt32(code))
                for e in extra {
                    guard e <= UInt64(UInt32.max) else { return false }
                    lists[w].append(UInt32(e))
                }
            }
            guard i + 1 < bytes.count else { return false }
            i += 1
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            return Array(bytes[i...]) == Array("};\n".utf8)
        }
    }
}
