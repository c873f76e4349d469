/// Suggests the closest known name for a typo, the way a compiler does.
public enum DidYouMean {
    public static func suggest(_ word: String, among candidates: some Sequence<String>) -> String? {
        let limit = max(1, min(3, word.count / 3))
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(word, candidate)
            guard d <= limit else { continue }
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
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
