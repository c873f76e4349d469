/// Suggests the closest known name for a typo, the way a compiler does.
public enum DidYouMean {
    /// Names longer than this are not typos of a known name; comparing them would only cost time.
    static let longestWord = 200

    public static func suggest(_ word: String, among candidates: some Sequence<String>) -> String? {
        let a = Array(word.unicodeScalars.prefix(longestWord + 1))
        guard a.count <= longestWord else { return nil }
        let limit = max(1, min(3, word.count / 3))
        var best: (String, Int)?
        for candidate in candidates {
            // The distance is at least the difference in length: most candidates stop here, so a
            // broken link checked against thousands of pages costs little.
            let b = Array(candidate.unicodeScalars)
            guard abs(a.count - b.count) <= limit, let d = distance(a, b, limit: limit) else { continue }
            if let current = best, current.1 < d || (current.1 == d && current.0 <= candidate) { continue }
            best = (candidate, d)
        }
        return best?.0
    }

    public static func hint(_ word: String, among candidates: some Sequence<String>) -> String? {
        suggest(word, among: candidates).map { "did you mean '\($0)'?" }
    }

    /// Edit distance where swapping two neighbouring letters counts as one edit ("titel" is one from "title").
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        return distance(a, b, limit: max(a.count, b.count)) ?? max(a.count, b.count)
    }

    /// The distance, or nil once it must exceed `limit`; three rows, not a table.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int) -> Int? {
        if a.isEmpty { return b.count <= limit ? b.count : nil }
        if b.isEmpty { return a.count <= limit ? a.count : nil }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var row = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            row[0] = i
            var smallest = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    row[j] = min(row[j], beforePrevious[j - 2] + 1)
                }
                smallest = min(smallest, row[j])
            }
            // Every later row is at least this row's smallest value.
            if smallest > limit { return nil }
            (beforePrevious, previous, row) = (previous, row, beforePrevious)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
