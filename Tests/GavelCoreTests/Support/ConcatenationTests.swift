import Testing
@testable import GavelCore

struct ConcatenationTests {
    /// Made in one piece, the same bytes as `+` makes: empty parts, small strings (kept inline) and
    /// large ones, ASCII, multi-byte characters and a combining mark that joins the part before it.
    @Test func concatenatingMakesWhatPlusMakes() {
        let pieces = ["", "/", "a", "courts", "n0001", "index.html", "é", "e", "\u{301}", "日本語", "🇺🇸", "\u{200D}",
                      String(repeating: "x", count: 15), String(repeating: "y", count: 16), String(repeating: "z", count: 300)]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let parts = (0..<Int.random(in: 2...5, using: &generator)).map { _ in pieces.randomElement(using: &generator) ?? "" }
            var plus = ""
            for part in parts { plus += part }
            let made = switch parts.count {
            case 2: String.concatenating(parts[0], parts[1])
            case 3: String.concatenating(parts[0], parts[1], parts[2])
            case 4: String.concatenating(parts[0], parts[1], parts[2], parts[3])
            default: String.concatenating(parts[0], parts[1], parts[2], parts[3], parts[4])
            }
            #expect(Array(made.utf8) == Array(plus.utf8), "\(parts)")
            #expect(made == plus)
        }
        #expect(String.path("Content", "courts/a/notices/n.md") == "Content/courts/a/notices/n.md")
        #expect(String.path("", "x") == "/x")
    }
}
