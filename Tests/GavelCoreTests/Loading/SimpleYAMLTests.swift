import Foundation
import Testing
import Yams
@testable import GavelCore

/// The front-matter fast path must give libyaml's tree (text, style, line and column) or step aside.
@Suite struct SimpleYAMLTests {
    func yams(_ yaml: String) -> YAMLNode? {
        (try? Yams.compose(yaml: yaml, .basic, .default, .utf8))?.map(YAMLNode.init)
    }

    /// Every YAML text the repository holds: front matter of each Markdown file and each .yml file,
    /// in the example content, the fixtures (valid and invalid) and the scaffolds.
    static func repositoryYAML() -> [(String, String)] {
        var out: [(String, String)] = []
        for folder in [TestPaths.content, TestPaths.root.appendingPathComponent("Tests/GavelCoreTests/Fixtures")] {
            for relative in FileIO.walk(folder.path).files.sorted() {
                let path = folder.path + "/" + relative
                guard case let .success(file) = SourceFile.read(atPath: path, displayPath: relative, allowEmpty: true) else { continue }
                if relative.hasSuffix(".yml") {
                    out.append((relative, file.text))
                } else if relative.hasSuffix(".md"), case let .success(doc) = FrontMatterDocument.split(file) {
                    out.append((relative, doc.yaml))
                }
            }
        }
        return out
    }

    @Test func agreesWithYamsOnEveryFileOfTheRepository() {
        let texts = Self.repositoryYAML()
        #expect(texts.count > 40)
        var fast = 0
        for (name, yaml) in texts {
            guard let simple = SimpleYAML.parse(yaml) else { continue }
            fast += 1
            #expect(simple == yams(yaml), "\(name)")
        }
        // Notices, pages and most court files take the fast path.
        #expect(fast * 2 > texts.count, "only \(fast) of \(texts.count) took the fast path")
    }

    static let cases: [String] = [
        "title: Plain title\ndate: \"2022-08-16\"\nsummary: 'Single quoted'\n",
        "title: \"Quoted: with colon\"\ntags:\n  - downtime\n  - preparation\n",
        "tags:\n- flush\n- list\ntitle: after\n",
        "# comment\n\ntitle: x   \n\n# another\ndate: 2020-01-01\n",
        "events:\n  - title: Outage\n    start: 2020-03-27T18:00\n    end: 2020-03-30T08:00\n  - title: Second\n    start: 2020-04-01T08:00\n    end: 2020-04-01T09:00\ntitle: t\n",
        "title: Café — “curly” quotes\nsummary: Ünïcödé then more\n",
        "draft: yes\npublish: ~\n",
        // Not ours: each must fall back (nil) or agree.
        "title: has: colon\n", "title: x # trailing comment\n", "title: [flow, list]\n", "title: |\n  block\n",
        "title: first\n  continued\n", "title: \"esc \\\" aped\"\n", "title: 'it''s'\n", "title: a\ntitle: b\n",
        "- a\n- b\n", "title:\n", "title: &anchor x\n", "title: *alias\n", "title: -5\n", "title:\tx\n",
        "tags:\n  - a\n   - b\n", "key: value\n  nested: x\n", "---\ntitle: x\n", "title: x\n...\n", "a: b\r\nc: d\r\n",
        "title: 'unterminated\n", "events:\n  - title: x\n    start: y\n   end: z\n", "title: ok:\n",
    ]

    @Test(arguments: cases)
    func fallsBackOrAgrees(yaml: String) {
        if let simple = SimpleYAML.parse(yaml) {
            #expect(simple == yams(yaml))
        }
    }

    /// Keys are told apart one by one while a mapping has few and through a set past sixteen: a
    /// repeated key is left to Yams (which reports it) on either side of that count.
    @Test(arguments: [3, 15, 16, 17, 40])
    func aRepeatedKeyFallsBackHoweverManyKeysCameBefore(count: Int) {
        let keys = (0..<count).map { "key\($0): value \($0)\n" }.joined()
        #expect(SimpleYAML.parse(keys) == yams(keys))
        #expect(SimpleYAML.parse(keys) != nil)
        for repeated in [0, count - 1] {
            let yaml = keys + "key\(repeated): again\n"
            #expect(SimpleYAML.parse(yaml) == nil, "key\(repeated) after \(count) keys")
            let nested = "events:\n" + keys.split(separator: "\n").enumerated().map { ($0.offset == 0 ? "  - " : "    ") + $0.element + "\n" }.joined()
                + "    key\(repeated): again\n"
            #expect(SimpleYAML.parse(nested) == nil, "nested key\(repeated) after \(count) keys")
        }
    }

    @Test func theCommonShapesTakeTheFastPath() {
        for yaml in Self.cases.prefix(7) {
            #expect(SimpleYAML.parse(yaml) != nil, "\(yaml)")
        }
    }
}
