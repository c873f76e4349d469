import Testing
@testable import GavelCore

@Suite struct DiagnosticFormatTests {
    static let odd = Diagnostic.error(SourceLocation(file: "Content/pages/a,b:\nc%d.md", line: 3, column: 7),
                                      "unknown field 'x\ny' at 50%", hint: "line one\r\nline two")

    @Test func githubEscapesMessagesAndPropertiesAsWorkflowCommandsRequire() {
        let line = DiagnosticFormat.github.render([Self.odd])
        #expect(line == "::error file=Content/pages/a%2Cb%3A%0Ac%25d.md,line=3,col=7::unknown field 'x%0Ay' at 50%25 (hint: line one%0D%0Aline two)\n")
    }

    @Test func textKeepsEachDiagnosticOnItsLines() {
        let text = DiagnosticFormat.text.render([Self.odd])
        #expect(text == "Content/pages/a,b:\\nc%d.md:3:7: error: unknown field 'x\\ny' at 50%\n  hint: line one\\r\\nline two\n")
    }

    @Test func aMegabyteOfQuotedTextIsShownByItsEnds() {
        let name = String(repeating: "u", count: 1 << 20)
        let d = Diagnostic.error(SourceLocation(file: "f"), "unknown fact 'pacer.\(name)'")
        #expect(d.message.unicodeScalars.count < 500)
        #expect(d.message.hasPrefix("unknown fact 'pacer.uuu"))
        #expect(d.message.hasSuffix("uuu'"))
        #expect(d.message.contains("characters)"))
    }
}
