import Foundation
import Testing
@testable import GavelCore

/// The small rules behind the hostile-input fixes, each checked on its own.
@Suite struct InputRulesTests {
    @Test func schemesAreReadAsABrowserReadsThem() {
        #expect(LinkSafety.scheme("javascript:alert(1)") == "javascript")
        #expect(LinkSafety.scheme("  JavaScript:alert(1)") == "javascript")
        #expect(LinkSafety.scheme("java\tscript:alert(1)") == "javascript")
        #expect(LinkSafety.scheme("\u{01}data:text/html,x") == "data")
        #expect(LinkSafety.scheme("https://pacer.uscourts.gov/") == "https")
        #expect(LinkSafety.scheme("/courts/wiwb/") == nil)
        #expect(LinkSafety.scheme("notes/a:b") == nil)
        #expect(LinkSafety.scheme("../about/") == nil)
    }

    /// The zones taken without the list of every zone are on that list, so that a name is taken or
    /// refused as the list alone would have it.
    @Test func theUsualZonesAreKnownOnes() {
        #expect(TimeZoneNames.usual.count == 16)
        for name in TimeZoneNames.usual {
            #expect(TimeZoneNames.known.contains(name), "\(name)")
            #expect(ContentLoader.timeZone(name)?.identifier == name, "\(name)")
        }
        for name in ["US/Eastern", "EST", "GMT+5", "America/Chicgo"] {
            #expect(TimeZoneNames.isKnown(name) == TimeZoneNames.known.contains(name), "\(name)")
        }
    }

    @Test func timeZoneHintsNameTheCanonicalZone() {
        #expect(TimeZoneNames.hint(for: "US/Central")?.contains("write America/Chicago") == true)
        #expect(TimeZoneNames.hint(for: "Etc/GMT+5")?.contains("fixed offset") == true)
        #expect(TimeZoneNames.hint(for: "America/Chicgo") == "did you mean 'America/Chicago'?")
    }

    @Test func yamlLimitsFindTheCharacterThatPassesThem() {
        let deep = "a: " + String(repeating: "[", count: 101) + String(repeating: "]", count: 101)
        let violation = YAMLLimits.check(deep)
        #expect(violation?.line == 1 && violation?.column == 104)
        #expect(YAMLLimits.check("a: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"") == nil,
                "brackets in quotes do not nest")
        #expect(YAMLLimits.checkSize(String(repeating: "a", count: YAMLLimits.maxBytes + 1)) != nil)
        #expect(YAMLLimits.firstAlias("a: &x 1\nb: [1, *x]\n").map { [$0.line, $0.column] } == [2, 8])
    }

    /// The table the three-row distance replaced, kept here as its reference.
    static func referenceDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    @Test func boundedDistanceAgreesWithTheFullTable() {
        var rng = SplitMix(seed: 0xD15)
        let letters = Array("abcde.")
        for _ in 0..<3000 {
            let a = String((0..<Int(rng.next() % 9)).map { _ in letters[Int(rng.next() % 6)] })
            let b = String((0..<Int(rng.next() % 9)).map { _ in letters[Int(rng.next() % 6)] })
            let full = Self.referenceDistance(a, b)
            #expect(DidYouMean.distance(a, b) == full, "\(a) \(b)")
            for limit in 0...3 {
                #expect(DidYouMean.distance(Array(a.unicodeScalars), Array(b.unicodeScalars), limit: limit) == (full <= limit ? full : nil), "\(a) \(b) \(limit)")
            }
        }
        #expect(DidYouMean.suggest(String(repeating: "u", count: 1 << 20), among: ["pacer.upgraded"]) == nil)
    }

    @Test func everyUnknownVariableOnALongLineIsPlacedAtItsColumn() async throws {
        var bag = DiagnosticBag()
        let content = try #require(await ContentLoader(root: InvalidContentTests.Sandbox.fixtures.appendingPathComponent("base"), displayRoot: "C").load(bag: &bag))
        let variables = CourtVariables(court: try #require(content.courts.first))
        let text = "é {{ " + String(repeating: "{{x}} ", count: 3) + "\nline two {{court.nam}}"
        _ = variables.fill(MarkdownSource(text: text, file: "b.md", firstLine: 10), bag: &bag)
        #expect(bag.all.map { "\($0.location.line):\($0.location.column)" } == ["10:3", "10:12", "10:18", "11:10"], "\(bag.all)")
    }
}

@Suite struct CourtTimeZoneNameTests {
    @Test func everyNameTheTzDatabaseListsIsTakenAndNothingElse() {
        for name in TimeZone.knownTimeZoneIdentifiers {
            #expect(ContentLoader.timeZone(name)?.identifier == name, "\(name)")
        }
        #expect(ContentLoader.timeZone("UTC") != nil)
        // Foundation makes zones of these too; a court's dates must not hang on them.
        for name in ["GMT+5", "+05:00", "UTC+1", "america/chicago", "", "America/Chicago "] {
            #expect(ContentLoader.timeZone(name) == nil, "\(name)")
        }
        // Abbreviations are taken only where the tz database itself has such a zone.
        for name in ["EST", "CST", "PDT", "US/Central"] {
            #expect((ContentLoader.timeZone(name) != nil) == TimeZone.knownTimeZoneIdentifiers.contains(name), "\(name)")
        }
    }
}
