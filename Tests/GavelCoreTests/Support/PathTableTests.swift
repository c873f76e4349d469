import Testing
@testable import GavelCore

/// A path table is a dictionary by path: the same answers, the same contents, whatever its own hash.
@Suite struct PathTableTests {
    /// The hash as its definition reads: words of eight bytes, lowest first, then the bytes left.
    func referenceHash(_ bytes: [UInt8]) -> UInt64 {
        let multiplier: UInt64 = 0xBF58_476D_1CE4_E5B9
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i < bytes.count {
            var word: UInt64 = 0
            for k in i..<min(i + 8, bytes.count) { word |= UInt64(bytes[k]) << UInt64(8 * (k - i)) }
            h = (h ^ word) &* multiplier
            h ^= h >> 31
            i += 8
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }

    /// The bytes left after the last whole word are read in one load from the path's end when it has
    /// eight: the same word as a byte at a time, at every length and with bytes of every value.
    @Test func theTailReadAtOnceIsTheTailReadByteByByte() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            for _ in 0..<20 {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(PathKey.hash(bytes) == referenceHash(bytes), "length \(length)")
            }
        }
        #expect(PathKey("courts/c0050/notices/n0100/index.html").hash == referenceHash(Array("courts/c0050/notices/n0100/index.html".utf8)))
    }

    /// Random inserts, changes, removals and lookups give what a dictionary gives, and the table then
    /// holds what the dictionary holds, each path once, however it is walked.
    @Test func aTableAnswersAsADictionaryDoes() {
        var generator = SystemRandomNumberGenerator()
        var table = PathTable<Int>()
        var dictionary: [String: Int] = [:]
        let paths = (0..<600).map { n in n % 3 == 0 ? "courts/c\(n % 17)/notices/n\(n)/index.html" : (n % 3 == 1 ? "search/terms-\(n).js" : "p\(n)") } + ["", "é", "a/b"]
        for step in 0..<20_000 {
            let path = paths[Int.random(in: 0..<paths.count, using: &generator)]
            switch Int.random(in: 0..<4, using: &generator) {
            case 0, 1:
                table[path] = step
                dictionary[path] = step
            case 2:
                #expect(table.removeValue(forKey: path) == dictionary.removeValue(forKey: path))
            default:
                #expect(table[path] == dictionary[path])
                #expect(table.contains(path) == (dictionary[path] != nil))
            }
        }
        #expect(table.count == dictionary.count)
        var walked: [String: Int] = [:]
        for (path, value) in table { #expect(walked.updateValue(value, forKey: path) == nil, "\(path) twice") }
        #expect(walked == dictionary)
        var byIndex: [String: Int] = [:]
        for (path, value) in table[table.startIndex..<table.endIndex] { byIndex[path] = value }
        #expect(byIndex == dictionary)
        #expect(Set(table.keys) == Set(dictionary.keys))
        #expect(table.mapValues { $0 * 2 }.count == dictionary.count)
        #expect(Dictionary(uniqueKeysWithValues: table.filter { $0.value % 2 == 0 }.map { ($0.key, $0.value) }) == dictionary.filter { $0.value % 2 == 0 })

        let half = table.filter { $0.value % 2 == 0 }.mapValues { "\($0)" }
        #expect(table.containsEvery(pathOf: half))
        #expect(table.containsEvery(pathOf: table))
        var lacking = table
        if let some = half.first { lacking.removeValue(forKey: some.key) }
        #expect(half.isEmpty || !lacking.containsEvery(pathOf: half))

        var merged = table
        merged.merge([("new/path", -1), (paths[0], -2)]) { old, _ in old }
        #expect(merged["new/path"] == -1)
        #expect(merged[paths[0]] == (table[paths[0]] ?? -2))
        #expect(merged != table)
    }

    /// Tables with the same paths and values are equal whatever order they were put in, and unequal
    /// when one value or one path differs; a table's order is not a Dictionary's, and nothing leans on it.
    @Test func equalTablesAreEqualInAnyOrder() {
        let pairs = (0..<500).map { ("courts/c\($0 % 7)/notices/n\($0)/index.html", $0) }
        var forward = PathTable<Int>(), backward = PathTable<Int>(minimumCapacity: 1_000)
        for (path, value) in pairs { forward[path] = value }
        for (path, value) in pairs.reversed() { backward[path] = value }
        #expect(forward == backward)
        #expect(forward.map(\.key) != backward.map(\.key))
        var changed = backward
        changed[pairs[250].0] = -1
        #expect(changed != forward)
        var other = backward
        other.removeValue(forKey: pairs[3].0)
        other["elsewhere"] = 3
        #expect(other.count == forward.count && other != forward)
    }

    /// Emptied one path at a time, in an order unrelated to how the paths were put in, the table finds
    /// every path still in it after each removal (each removal moves keys back in the slots and the
    /// last key into the gap), and is empty at the end; filled again past its first size, it grows.
    @Test func removalsLeaveEveryOtherPathFound() {
        var generator = SystemRandomNumberGenerator()
        var table = PathTable<Int>()
        let paths = (0..<3_000).map { "f\($0)" }
        for (i, path) in paths.enumerated() { table[path] = i }
        var left = Set(paths)
        for path in paths.shuffled(using: &generator) {
            #expect(table.removeValue(forKey: path) == Int(path.dropFirst()))
            left.remove(path)
            if left.count % 97 == 0 {
                #expect(left.allSatisfy { table[$0] == Int($0.dropFirst()) })
                #expect(table.count == left.count)
            }
        }
        #expect(table.isEmpty && table.removeValue(forKey: "f0") == nil)
        for (i, path) in paths.enumerated() { table[path] = -i }
        #expect(table.count == paths.count && paths.enumerated().allSatisfy { table[$1] == -$0 })
        let doubled = table.mapValues { $0 * 2 }
        #expect(paths.enumerated().allSatisfy { doubled[$1] == -2 * $0 })
        table.removeAll()
        #expect(table.isEmpty && table["f1"] == nil)
    }

    /// A path names a file by its bytes: two Unicode spellings of one name, equal as Strings, are two
    /// files on disk and two keys here.
    @Test func twoSpellingsOfOneNameAreTwoPaths() {
        let composed = "courts/caf\u{E9}/index.html", decomposed = "courts/cafe\u{301}/index.html"
        #expect(composed == decomposed)
        var table: PathTable<Int> = [composed: 1]
        table[decomposed] = 2
        #expect(table.count == 2)
        #expect(table[composed] == 1 && table[decomposed] == 2)
        #expect(PathKey(composed) != PathKey(decomposed))
        // The same bytes in another string are the same key.
        #expect(PathKey(composed) == PathKey(String(decoding: Array(composed.utf8), as: UTF8.self)))
    }

    /// A path set answers as a set of strings does, and its algebra gives the same members.
    @Test func aPathSetAnswersAsASetDoes() {
        var generator = SystemRandomNumberGenerator()
        let paths = (0..<300).map { "courts/c\($0 % 13)/notices/n\($0)" } + ["", "search"]
        func random() -> [String] { (0..<150).map { _ in paths[Int.random(in: 0..<paths.count, using: &generator)] } }
        for _ in 0..<20 {
            let a = random(), b = random()
            var set = PathSet(a)
            var strings = Set(a)
            #expect(Set(set) == strings && set.count == strings.count)
            for path in b {
                #expect(set.contains(path) == strings.contains(path))
                #expect(set.insert(path).inserted == strings.insert(path).inserted)
            }
            for path in a.prefix(40) { #expect(set.remove(path) == strings.remove(path)) }
            let other = PathSet(b), otherStrings = Set(b)
            #expect(Set(set.union(other)) == strings.union(otherStrings))
            #expect(Set(set.union(b)) == strings.union(b))
            #expect(Set(set.intersection(other)) == strings.intersection(otherStrings))
            #expect(Set(set.subtracting(b)) == strings.subtracting(b))
            #expect(Set(set.symmetricDifference(b)) == strings.symmetricDifference(b))
            #expect(Set(set.filter { $0.hasSuffix("7") }) == strings.filter { $0.hasSuffix("7") })
            var formed = set
            formed.formUnion(b)
            #expect(formed == set.union(other))
        }
        #expect(PathSet(["a", "b"]) == ["b", "a"])
    }
}
