import Testing
@testable import GavelCore

@Suite struct SearchIndexTests {
    @Test func plainTextStripsTagsAndDecodesEntities() {
        #expect(SearchIndex.plainText("<h2>Go-live</h2>\n<p>Fees &amp; <em>forms</em></p>") == "Go-live Fees & forms")
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
