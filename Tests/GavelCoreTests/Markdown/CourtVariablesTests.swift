import Foundation
import Testing
@testable import GavelCore

@Suite struct CourtVariablesTests {
    /// Every title and summary is asked whether it may name court data ("{{"), on every build; the
    /// answer must be the plain byte search's, wherever the braces fall.
    /// A tag's name is trimmed of spaces and tabs as Foundation trims `.whitespaces`, on bytes where it
    /// is ASCII and by Foundation where it is not.
    @Test func tagNamesAreTrimmedAsFoundationTrimsThem() {
        let names = ["court.name", " court.name ", "\tcourt.go_live\t ", "   ", "", " # court.x", "court. name",
                     "\u{00A0}court.name\u{00A0}", " \u{3000}court.id", "court.id \u{301}", "\u{2003}", "é ", " \n court.id"]
        for name in names {
            #expect(CourtVariables.trimmingSpaces(name) == name.trimmingCharacters(in: .whitespaces), "\(name.debugDescription)")
        }
    }

    /// Court data is escaped for Markdown as a Character at a time would escape it, wherever its
    /// special characters fall, next to ASCII or not.
    @Test func courtDataIsEscapedAsCharactersWouldBe() {
        func byCharacters(_ s: String) -> String {
            var out = ""
            for c in s {
                if "\\`*_[]<>#|!".contains(c) { out.append("\\") }
                out.append(c)
            }
            return out
        }
        let values = ["", "Court", "a_b*c", "[link](x)", "#1 | 2!", "\\`<>", "é_é", "_\u{0301}", "\u{0600}#", "日本*", "x!\u{1F3FB}",
                      "Eastern District of Wisconsin", "(608) 264-5156", "mon-fri 8:30–4:30", "**bold**"]
        for value in values {
            #expect(CourtVariables.escapeMarkdown(value) == byCharacters(value), "\(value.debugDescription)")
        }
    }

    @Test func mayNameFindsTwoOpeningBracesAnywhere() {
        let named = ["{{", "{{court.name}}", "a{{b", "ends with {{", "{ {{", "{{{", "é{{x", String(repeating: "{ ", count: 500) + "{{"]
        let plain = ["", "{", "}{", "{ {", "a{b{c", "ends with {", "}}", "é{", String(repeating: "{ ", count: 500)]
        for text in named { #expect(CourtVariables.mayName(text), "\(text.prefix(20))") }
        for text in plain { #expect(!CourtVariables.mayName(text), "\(text.prefix(20))") }
    }

    /// The fill jumps from brace to brace: a variable is found wherever its braces fall, after lone
    /// braces, at either end, after other characters; a lone brace at the very end is left as it is.
    @Test func fillFindsEachVariableWhereverItsBracesFall() async throws {
        var bag = DiagnosticBag()
        let content = try #require(await ContentLoader(root: InvalidContentTests.Sandbox.fixtures.appendingPathComponent("base"), displayRoot: "C").load(bag: &bag))
        let court = try #require(content.courts.first)
        let variables = CourtVariables(court: court)
        let v = "{{court.name}}"
        let texts = [v, "x" + v, v + "x", "{ " + v, v + " {", "é" + v + "é", "{\n" + v, "a{b" + v + "c}d", v + v,
                     String(repeating: "{ ", count: 300) + v + " {", "no braces", "ends with {", "{", ""]
        for text in texts {
            let filled = variables.fillText(text, file: "t.md", bag: &bag)
            #expect(filled == text.replacingOccurrences(of: v, with: court.name), "\(text.prefix(30))")
        }
        #expect(bag.all.isEmpty, "\(bag.all)")
    }
}
