import Foundation
import Testing
@testable import GavelCore

@Suite struct JSONValueTests {
    /// The set of bytes a string's writing stops at is exactly the set its escapes are for: control
    /// characters, `"`, `&`, `<`, `>`, `\` and 0xE2 (which leads U+2028 and U+2029).
    @Test func theBytesLookedAtAreTheOnesThatCanNeedAnEscape() {
        for byte in UInt8.min...UInt8.max {
            let escaped = byte < 0x20 || [0x22, 0x26, 0x3C, 0x3E, 0x5C, 0xE2].contains(byte)
            #expect(JSONValue.mayNeedEscape(byte) == escaped, "byte \(byte)")
        }
    }

    /// A string written as JSON reads back as itself (through Foundation's reader), and what was
    /// written holds no raw control character, `<`, `>`, `&`, U+2028 or U+2029, so it can sit in a
    /// `<script>` element.
    @Test func aWrittenStringReadsBackAsItself() throws {
        let pieces = ["plain", " ", "\"", "\\", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "<", ">", "&", "</script>", "\u{2028}", "\u{2029}",
                      "\u{2027}", "\u{202A}", "â€", "é", "’", "法院", "🏛", "e\u{301}", "\u{FFFD}", "{}[]:,"]
        var seed: UInt64 = 0x1234_5678_9ABC_DEF1
        for round in 0..<500 {
            let text = (0..<(round % 40)).map { _ in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return pieces[Int((seed >> 33) % UInt64(pieces.count))]
            }.joined()
            var written: [UInt8] = []
            JSONValue.writeString(text, into: &written)
            let read = try JSONSerialization.jsonObject(with: Data(written), options: [.fragmentsAllowed]) as? String
            #expect(read == text, "\(text.debugDescription)")
            let raw = String(decoding: written, as: UTF8.self)
            #expect(!raw.unicodeScalars.contains { $0.value < 0x20 || "<>&\u{2028}\u{2029}".unicodeScalars.contains($0) }, "\(raw.debugDescription)")
        }
    }
}
