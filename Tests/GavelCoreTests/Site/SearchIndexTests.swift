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
}
