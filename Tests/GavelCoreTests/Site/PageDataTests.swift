import Testing
@testable import GavelCore

/// The fingerprint that lets a template page be kept unrendered must tell apart any two data a
/// template could render differently, and give up (nil: render) on a value it cannot read.
@Suite struct PageDataTests {
    func print(_ data: [String: Any], global: UInt64 = 1, template: String = "home") -> UInt64? {
        PageData.fingerprint(global: global, template: template, data)
    }

    @Test func valuesOfDifferentKindsNeverHashAlike() throws {
        let kinds: [Any] = [true, false, 1, 0, "1", "true", "", [Any](), [String: Any](), ["1"], ["a": 1]]
        let prints = try kinds.map { try #require(print(["value": $0])) }
        #expect(Set(prints).count == kinds.count)
    }

    @Test func keysCountInAnyOrderButEveryValueCounts() throws {
        var forward: [String: Any] = [:]
        for i in 0..<50 { forward["k\(i)"] = "v\(i)" }
        var backward: [String: Any] = [:]
        for i in (0..<50).reversed() { backward["k\(i)"] = "v\(i)" }
        #expect(print(forward) == print(backward))
        var changed = forward
        changed["k17"] = "v17 "
        #expect(print(changed) != print(forward))
        // A value moved to another key, or one list item moved into the next, is a change.
        #expect(print(["a": "x", "b": ""]) != print(["a": "", "b": "x"]))
        #expect(print(["list": ["ab", "c"]]) != print(["list": ["a", "bc"]]))
        #expect(print(["nested": ["inner": ["deep": 1]]]) != print(["nested": ["inner": ["deep": 2]]]))
    }

    @Test func theGlobalInputAndTheTemplateCount() {
        let data: [String: Any] = ["title": "Home"]
        #expect(print(data, global: 1) != print(data, global: 2))
        #expect(print(data, template: "home") != print(data, template: "court"))
    }

    @Test func optionalsAreReadAndUnknownValuesGiveNoFingerprint() {
        let some: String? = "summary"
        let none: String? = nil
        #expect(print(["summary": some as Any]) == print(["summary": "summary"]))
        #expect(print(["summary": none as Any]) != nil)
        #expect(print(["summary": none as Any]) != print(["summary": ""]))
        #expect(print(["when": 1.5]) == nil, "a kind not listed is never guessed at")
        #expect(print(["list": [1, 2.5] as [Any]]) == nil)
    }
}
