import Foundation
import Testing
@testable import GavelCore

/// libcmark-gfm fills and empties one process-wide table of special characters around every parse;
/// documents parsed at once on different threads used to lose strikethrough and autolinks at random.
@Suite struct MarkdownConcurrencyTests {
    /// A document that uses every extension Gavel turns on, different per `n` so no two are alike.
    static func document(_ n: Int) -> String {
        """
        # Notice \(n)

        The ~~old~~ date is gone; see www.example\(n).gov or https://pacer.example.gov/\(n).
        Write to clerk\(n)@example.gov, and ~two~ ~~three~~ times.

        | court | go-live |
        |-------|---------|
        | wiwb\(n) | ~~March~~ April \(n) |

        - [x] done \(n)
        - [ ] www.pacer.gov

        <script>alert(\(n))</script> <title>t</title>
        """
    }

    @Test func concurrentRendersMatchOneAtATime() async {
        let markdown = Markdown()
        let count = 400
        let expected = (0..<count).map { markdown.render(Self.document($0), allowRawHTML: true) { _ in nil } }
        // Every extension really is at work in the serial renders.
        #expect(expected[7].contains("<del>old</del>") && expected[7].contains("href=\"http://www.example7.gov\""))
        #expect(expected[7].contains("<table>") && expected[7].contains("checked=\"\"") && expected[7].contains("&lt;script>"))
        for round in 0..<5 {
            let rendered = await withTaskGroup(of: (Int, String).self) { group in
                for n in 0..<count {
                    group.addTask { (n, markdown.render(Self.document(n), allowRawHTML: true) { _ in nil }) }
                }
                var out = [String](repeating: "", count: count)
                for await (n, html) in group { out[n] = html }
                return out
            }
            let wrong = (0..<count).filter { rendered[$0] != expected[$0] }
            #expect(wrong.isEmpty, "round \(round): \(wrong.count) of \(count) documents rendered differently in parallel, first \(wrong.first ?? -1)")
        }
    }
}
