import Foundation
import Testing
@testable import GavelCore

@Suite struct StateFileTests {
    /// A notice is indexed under its court's folder and its file name, read from its path as bytes;
    /// any other path holds no notice the index keeps.
    @Test func aNoticeIsIndexedByItsCourtAndItsName() {
        let cases: [String: (String, String)?] = [
            "courts/wiwb/notices/a.md": ("wiwb", "a.md"), "courts/é-ü/notices/n é.md": ("é-ü", "n é.md"), "courts/c/notices/x": ("c", "x"),
            "courts//notices/a.md": nil, "courts/wiwb/notices/": nil, "courts/wiwb/notices/a/b.md": nil, "courts/wiwb/notes/a.md": nil,
            "courts/wiwb": nil, "courts/": nil, "pages/courts/x/notices/y.md": nil, "court/wiwb/notices/x.md": nil, "courts/a/b/notices/x.md": nil,
            "courts/wiwb/noticesx/a.md": nil, "": nil,
        ]
        for (path, expected) in cases {
            let place = NoticeIndex.place(of: path)
            #expect(place?.court == expected?.0 && place?.name == expected?.1, "\(path)")
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            let byRule = parts.count == 4 && parts[0] == "courts" && parts[2] == "notices" && !parts[1].isEmpty && !parts[3].isEmpty
            #expect((place != nil) == byRule, "the rule it reads, for \(path)")
            if let place { #expect(NoticeIndex.relative(court: place.court, name: place.name) == path, "\(path) made again") }
        }
    }

    /// A state file reads back as the body written; a byte changed anywhere in the body, a cut-off
    /// end, another kind or a missing header reads as nothing.
    @Test func aStateFileReadsBackOnlyAsWritten() throws {
        let path = try TestPaths.temporaryDirectory().appendingPathComponent("state").path
        let body = Array("first\tline\n\nthird\tx\ty\nlast".utf8) + [0, 0xFF, 0x0A]
        try StateFile.write(path, kind: "gavel-test", head: ["a", "1f"], body: body)
        let (head, bytes, start) = try #require(StateFile.readBody(path, kind: "gavel-test"))
        #expect(head == ["a", "1f"])
        #expect(Array(bytes[start...]) == body)
        #expect(StateFile.readBody(path, kind: "gavel-other") == nil)
        let written = try #require(FileIO.read(path))
        let bodyStart = try #require(written.firstIndex(of: 0x0A)) + 1
        for position in [bodyStart, bodyStart + 7, written.count - 1] {
            var damaged = written
            damaged[position] ^= 0x01
            try FileIO.write(damaged, to: path)
            #expect(StateFile.readBody(path, kind: "gavel-test") == nil, "byte \(position) changed")
        }
        try FileIO.write(Array(written.dropLast(2)), to: path)
        #expect(StateFile.readBody(path, kind: "gavel-test") == nil, "cut off")
        try FileIO.write(Array(written[..<(bodyStart - 1)]), to: path)
        #expect(StateFile.readBody(path, kind: "gavel-test") == nil, "header alone, no line break")
    }

    /// Records read back as written: numbers of every size, texts empty, long and not ASCII; a read
    /// past the end gives nil and moves nothing.
    @Test func recordsReadBackAsWritten() {
        let numbers: [UInt64] = [0, 1, 0xFF, 0x0123_4567_89AB_CDEF, .max]
        let texts = ["", "courts/wiwb/notices/a", "tab\there\nline", "é ü \u{1F600}", String(repeating: "x", count: 70_000)]
        var bytes: [UInt8] = [0x41]
        for n in numbers { StateFile.Records.append(n, to: &bytes) }
        StateFile.Records.append(1, 2, 3, to: &bytes)
        StateFile.Records.append32(0xDEAD_BEEF, to: &bytes)
        for t in texts { #expect(StateFile.Records.append(text: t, to: &bytes)) }
        bytes.append(7)
        #expect(bytes.first == 0x41, "appended, not replaced")
        bytes.withUnsafeBytes { raw in
            var reader = StateFile.Records.Reader(raw, from: 1)
            #expect(numbers.map { _ in reader.number() } == numbers)
            #expect([reader.number(), reader.number(), reader.number()] == [1, 2, 3])
            #expect(reader.number32() == 0xDEAD_BEEF)
            #expect(texts.map { _ in reader.text() } == texts)
            #expect(reader.byte() == 7)
            #expect(reader.atEnd)
            #expect(reader.number() == nil && reader.number32() == nil && reader.byte() == nil && reader.text() == nil)
            #expect(reader.offset == raw.count, "a read past the end moves nothing")
            // The long text's record (its length, then 70,000 bytes) cut by one byte: nil, and the
            // reader stays where it was.
            let long = raw.count - 1 - 70_000 - 4
            var short = StateFile.Records.Reader(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 2)]), from: long)
            #expect(short.text() == nil)
            #expect(short.offset == long)
            var whole = StateFile.Records.Reader(raw, from: long)
            #expect(whole.text()?.count == 70_000, "the same record, whole")
        }
    }

    /// The checksum of a body written out in pieces is the checksum of the whole, wherever it is
    /// cut; a changed byte or another length changes it.
    /// The checksum as it is defined, a word at a time: each whole eight bytes (little-endian) mixed
    /// into lane `i % 4`, then the lanes, the bytes left over and the count folded together.
    static func checksumAsDefined(_ bytes: [UInt8]) -> UInt64 {
        var lanes: [UInt64] = [0x9E37_79B9_7F4A_7C15, 0xD6E8_FEB8_6659_FD93, 0xA076_1D64_78BD_642F, 0xE703_7ED1_A0B4_28DB]
        let words = bytes.count / 8
        for w in 0..<words {
            var word: UInt64 = 0
            for k in 0..<8 { word |= UInt64(bytes[w * 8 + k]) << UInt64(8 * k) }
            let h = (lanes[w % 4] ^ word) &* 0xFF51_AFD7_ED55_8CCD
            lanes[w % 4] = h ^ (h >> 32)
        }
        var tail: UInt64 = 0
        for (k, byte) in bytes[(words * 8)...].enumerated() { tail |= UInt64(byte) << UInt64(8 * k) }
        var h = lanes[0]
        for more in [lanes[1], lanes[2], lanes[3], tail, UInt64(bytes.count)] {
            h = (h ^ more) &* 0xC4CE_B9FE_1A85_EC53
            h ^= h >> 29
        }
        return h
    }

    /// The checksum of any bytes, whole or in pieces, is the one its definition gives.
    @Test func theChecksumIsAsDefined() {
        var generator = SystemRandomNumberGenerator()
        for count in Array(0..<80) + [255, 256, 257, 1_000, 4_099] {
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Self.checksumAsDefined(bytes)
            #expect(bytes.withUnsafeBytes { StateFile.Checksum.of($0) } == expected, "\(count) bytes")
            let cut = count == 0 ? 0 : Int.random(in: 0...count, using: &generator)
            var pieces = StateFile.Checksum()
            bytes[..<cut].withUnsafeBytes { pieces.add($0) }
            bytes[cut...].withUnsafeBytes { pieces.add($0) }
            #expect(pieces.value == expected, "\(count) bytes cut at \(cut)")
        }
    }

    @Test func theChecksumOfPiecesIsTheChecksumOfTheWhole() {
        // Long enough for whole blocks of four words and words in every lane, with a tail.
        let body = (0..<109).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = body.withUnsafeBytes { StateFile.Checksum.of($0) }
        body.withUnsafeBytes { raw in
            for first in 0...raw.count {
                for second in first...raw.count {
                    var pieces = StateFile.Checksum()
                    pieces.add(UnsafeRawBufferPointer(rebasing: raw[..<first]))
                    pieces.add(UnsafeRawBufferPointer(rebasing: raw[first..<second]))
                    pieces.add(UnsafeRawBufferPointer(rebasing: raw[second...]))
                    #expect(pieces.value == whole, "cut at \(first) and \(second)")
                }
            }
        }
        // Any bit of any byte, and two words (of one lane or of two) changing places.
        for at in body.indices {
            for bit in 0..<8 {
                var changed = body
                changed[at] ^= 1 << bit
                #expect(changed.withUnsafeBytes { StateFile.Checksum.of($0) } != whole, "byte \(at), bit \(bit)")
            }
        }
        for (a, b) in [(0, 8), (0, 32), (8, 48), (24, 96)] {
            var swapped = body
            for k in 0..<8 { swapped.swapAt(a + k, b + k) }
            #expect(swapped.withUnsafeBytes { StateFile.Checksum.of($0) } != whole, "words at \(a) and \(b)")
        }
        #expect((body + [0]).withUnsafeBytes { StateFile.Checksum.of($0) } != whole, "a zero byte more")
        #expect(Array(body.dropLast()).withUnsafeBytes { StateFile.Checksum.of($0) } != whole)
    }

    /// A state file written record by record, over many chunks, reads back as its records; until it
    /// is put in place it is under a temporary name only, and discarded it leaves nothing.
    @Test func aStateFileWrittenInChunksReadsBackWhole() throws {
        let dir = try TestPaths.temporaryDirectory()
        let path = dir.appendingPathComponent("state").path
        let texts = (0..<40_000).map { "line \($0)\t" + String(repeating: "é", count: $0 % 23) }
        var out = StateFile.Writer(path, kind: "gavel-test", head: ["a", "1f"])
        for text in texts {
            StateFile.Records.append(text: text, to: &out.bytes)
            out.endRecord()
        }
        #expect(out.bytes.count < StateFile.Writer.chunk, "written out as it went")
        let file = try out.finish()
        #expect(FileIO.kind(path) == .missing, "not in place before it is placed")
        try file.place()
        let (head, bytes, start) = try #require(StateFile.readBody(path, kind: "gavel-test"))
        #expect(head == ["a", "1f"])
        #expect(Self.texts(bytes, from: start) == texts)
        #expect(FileIO.entries(of: dir.path).map(\.name) == ["state"], "no temporary file left")

        var other = StateFile.Writer(path, kind: "gavel-test", head: [])
        StateFile.Records.append(text: "replaced", to: &other.bytes)
        other.endRecord()
        try other.finish().discard()
        #expect(StateFile.readBody(path, kind: "gavel-test").map { Self.texts($0.bytes, from: $0.body) } == texts, "a discarded file changes nothing")
        #expect(FileIO.entries(of: dir.path).map(\.name) == ["state"])

        // A FIFO or a link under the temporary name is replaced, not written through or waited on.
        let temporary = path + ".tmp\(getpid())"
        let target = dir.appendingPathComponent("target").path
        try FileIO.write(Array("kept".utf8), to: target)
        for plant in [{ mkfifo(temporary, 0o644) }, { symlink(target, temporary) }] {
            try #require(plant() == 0)
            var again = StateFile.Writer(path, kind: "gavel-test", head: [])
            StateFile.Records.append(text: "again", to: &again.bytes)
            again.endRecord()
            try again.finish().place()
            #expect(StateFile.readBody(path, kind: "gavel-test").map { Self.texts($0.bytes, from: $0.body) } == ["again"])
            #expect(FileIO.kind(temporary) == .missing)
            #expect(FileIO.read(target) == Array("kept".utf8))
        }

        // Where it cannot be written, finishing says so and leaves nothing.
        var nowhere = StateFile.Writer(dir.appendingPathComponent("missing/state").path, kind: "gavel-test", head: [])
        StateFile.Records.append(text: "x", to: &nowhere.bytes)
        nowhere.endRecord()
        #expect(throws: FileIO.Failure.self) { try nowhere.finish() }
    }

    /// The texts of a body of text records, read to its end (nil for any that cannot be).
    static func texts(_ bytes: [UInt8], from start: Int) -> [String]? {
        bytes.withUnsafeBytes { raw in
            var reader = StateFile.Records.Reader(raw, from: start)
            var texts: [String] = []
            while !reader.atEnd {
                guard let text = reader.text() else { return nil }
                texts.append(text)
            }
            return texts
        }
    }

    /// Numbers in state files are lowercase hexadecimal without leading zeros, appended to what is there.
    @Test func numbersAreWrittenInHexadecimal() {
        for value: UInt64 in [0, 1, 9, 10, 15, 16, 255, 0x1234_abcd, UInt64(Int64.max), .max, 1 << 60] {
            var out: [UInt8] = [0x58]
            StateFile.appendHex(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "X" + String(value, radix: 16))
            #expect(BuildCache.hex(out.dropFirst()) == value)
        }
    }

    /// Anything but one to sixteen lowercase hexadecimal digits reads as no number: a damaged state
    /// file is then not used.
    @Test func onlyLowercaseHexadecimalDigitsReadAsANumber() {
        for bad in ["", "A", "F", "g", "/", ":", "`", "@", "G", "-1", "1 ", "0x1", "\u{0}", "é", String(repeating: "1", count: 17)] {
            #expect(BuildCache.hex(ArraySlice(bad.utf8)) == nil, "\(bad.debugDescription)")
        }
        #expect(BuildCache.hex(ArraySlice("0123456789abcdef".utf8)) == 0x0123_4567_89ab_cdef)
        #expect(BuildCache.hex(ArraySlice("ffffffffffffffff".utf8)) == .max)
        // A slice inside a larger buffer reads only its own bytes.
        let line = Array("zz1f\tq".utf8)
        #expect(BuildCache.hex(line[2..<4]) == 0x1F)
        // Every length, between bytes that are not digits and between digits, and with one byte that is
        // not a digit at each place: the value is the field's own, and a bad byte anywhere spoils it.
        let digits = Array("0123456789abcdef".utf8)
        for count in 1...16 {
            let field = (0..<count).map { digits[($0 * 7 + count) % 16] }
            let want = UInt64(String(decoding: field, as: UTF8.self), radix: 16)
            for around in [UInt8(ascii: "x"), UInt8(ascii: "9")] {
                let buffer = Array(repeating: around, count: 9) + field + Array(repeating: around, count: 9)
                #expect(BuildCache.hex(buffer[9..<(9 + count)]) == want, "\(count) digits between \(around)")
                for place in 0..<count {
                    for bad in [UInt8(ascii: "g"), UInt8(ascii: "F"), UInt8(ascii: "/"), 0x80, 0] {
                        var spoiled = buffer
                        spoiled[9 + place] = bad
                        #expect(BuildCache.hex(spoiled[9..<(9 + count)]) == nil, "\(count) digits, \(bad) at \(place)")
                    }
                }
            }
        }
    }

    /// Numbers are written and read eight digits at a time: every length, and random values, against
    /// Swift's own hexadecimal.
    @Test func numbersOfEveryLengthRoundTrip() {
        var generator = SystemRandomNumberGenerator()
        var values: [UInt64] = []
        for bits in 0...64 {
            let top: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
            values += [top, top / 3, bits == 0 ? 0 : 1 << UInt64(bits - 1)]
            values += (0..<20).map { _ in UInt64.random(in: 0...top, using: &generator) }
        }
        for value in values {
            var out: [UInt8] = [0x7C, 0x7C]
            StateFile.appendHex(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "||" + String(value, radix: 16))
            #expect(BuildCache.hex(out.dropFirst(2)) == value)
        }
    }

    /// Cells of random bytes, many near the digits' bounds, read as one digit at a time would.
    @Test func wordsOfDigitsReadAsDigitByDigit() {
        func reference(_ bytes: [UInt8]) -> UInt64? {
            guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
            var value: UInt64 = 0
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = value << 4 | UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = value << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                default: return nil
                }
            }
            return value
        }
        let near: [UInt8] = Array("0123456789abcdef".utf8) + [0x2F, 0x3A, 0x40, 0x41, 0x46, 0x47, 0x60, 0x67, 0x00, 0x7F, 0x80, 0xB0, 0xE1, 0xFF]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...18, using: &generator)
            var bytes = (0..<count).map { _ in near.randomElement(using: &generator) ?? 0 }
            // Most all digits, so that the value itself is compared often.
            if Bool.random(using: &generator) { bytes = bytes.map { near[Int($0) % 16] } }
            #expect(BuildCache.hex(ArraySlice(bytes)) == reference(bytes), "\(bytes)")
        }
    }
}
