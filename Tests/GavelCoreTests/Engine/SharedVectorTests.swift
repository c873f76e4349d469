import Foundation
import Testing
@testable import GavelCore

/// Runs every case of TestVectors/*.json through the Swift engine. Templates/assets/checklist-engine.js
/// runs the same files under `node --test`, so the two engines are held to one set of answers.
@Suite struct SharedVectorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var name: String
        var json: JSONValue
        var testDescription: String { "\(file): \(name)" }
    }

    static func cases() -> [Case] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: TestPaths.vectors.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.flatMap { file -> [Case] in
            guard let data = FileManager.default.contents(atPath: TestPaths.vectors.appendingPathComponent(file).path),
                  case let .success(doc) = JSONValue.parse(String(decoding: data, as: UTF8.self)) else {
                return [Case(file: file, name: "unreadable", json: .null)]
            }
            return (doc["cases"]?.arrayValue ?? []).map { Case(file: file, name: $0["name"]?.stringValue ?? "?", json: $0) }
        }
    }

    @Test func thereAreAtLeast200Vectors() {
        #expect(Self.cases().count >= 200)
    }

    @Test(arguments: cases())
    func vector(_ c: Case) throws {
        let checklists = try #require(c.json["checklists"]?.arrayValue, "no checklists").map { try #require(CompiledChecklist(json: $0), "bad checklist") }
        let answers = try Answers(json: try #require(c.json["answers"]))
        let now = try #require(c.json["now"]?.stringValue.flatMap(Instant.init(parsing:)), "bad now")
        let expected = try #require(c.json["expected"])
        let result = ChecklistEngine().evaluate(checklists, answers: answers, now: now).json
        #expect(result == expected, "\(c.name)\n got: \(result.serialized())\nwant: \(expected.serialized())")
    }
}
