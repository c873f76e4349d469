import Foundation
import Testing
@testable import GavelCore

@Suite struct BuildCacheTests {
    /// Strings and numbers are hashed where they are, with the value their bytes give: the cache's
    /// fingerprints do not depend on how a piece reaches the accumulator.
    @Test func theAccumulatorHashesStringsAndNumbersAsTheirBytes() {
        for text in ["", "a", "courts/vtd/notices/n0001/index.html", "café ✓ 法院", String(repeating: "x", count: 1000)] {
            var direct = ContentHash.Accumulator(), bytes = ContentHash.Accumulator()
            direct.add(text)
            bytes.add(bytes: Array(text.utf8))
            #expect(direct.value == bytes.value, "\(text)")
        }
        for number: UInt64 in [0, 1, 0xFF, 0x0123_4567_89AB_CDEF, .max] {
            var direct = ContentHash.Accumulator(), bytes = ContentHash.Accumulator()
            direct.add(number)
            bytes.add(bytes: withUnsafeBytes(of: number.littleEndian, Array.init))
            #expect(direct.value == bytes.value, "\(number)")
        }
        var one = ContentHash.Accumulator(), other = ContentHash.Accumulator()
        one.add("ab")
        one.add("c")
        other.add("a")
        other.add("bc")
        #expect(one.value != other.value, "pieces are length-prefixed")
    }
}
