import Testing
@testable import GavelCore

@Suite struct CourtVariablesTests {
    /// Every title and summary is asked whether it may name court data ("{{"), on every build; the
    /// answer must be the plain byte search's, wherever the braces fall.
    @Test func mayNameFindsTwoOpeningBracesAnywhere() {
        let named = ["{{", "{{court.name}}", "a{{b", "ends with {{", "{ {{", "{{{", "é{{x", String(repeating: "{ ", count: 500) + "{{"]
        let plain = ["", "{", "}{", "{ {", "a{b{c", "ends with {", "}}", "é{", String(repeating: "{ ", count: 500)]
        for text in named { #expect(CourtVariables.mayName(text), "\(text.prefix(20))") }
        for text in plain { #expect(!CourtVariables.mayName(text), "\(text.prefix(20))") }
    }
}
