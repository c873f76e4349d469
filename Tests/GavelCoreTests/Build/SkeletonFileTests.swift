import Foundation
import Testing
@testable import GavelCore

/// The page skeletons a build leaves for the next (`SkeletonFile`): read back as written, ignored
/// when damaged, and used only under the global fingerprint they were made with.
@Suite struct SkeletonFileTests {
    static func skeletons() -> [SkeletonCache.Kept] {
        [
            SkeletonCache.Kept(template: "notice", shape: [1, 2, 3, 0, 255], skeleton: PageSkeleton(parts: [
                .text(Array("<h1>".utf8)), .value(0, escaped: true), .text(Array("</h1>\n<p>é ".utf8)), .value(1, escaped: false), .text([0x0A]),
            ])),
            SkeletonCache.Kept(template: "court", shape: [], skeleton: PageSkeleton(parts: [.value(0, escaped: false)])),
            SkeletonCache.Kept(template: "step", shape: [9], skeleton: PageSkeleton(parts: [])),
        ]
    }

    static func output() throws -> URL {
        try TestPaths.temporaryDirectory().appendingPathComponent("Out")
    }

    @Test func whatIsWrittenReadsBack() throws {
        let output = try Self.output()
        let written = Self.skeletons()
        try SkeletonFile.file(for: output, global: 0xABCDEF0123, written).place()
        let read = try #require(SkeletonFile.load(for: output))
        #expect(read.global == 0xABCDEF0123)
        #expect(read.skeletons.map(\.template) == written.map(\.template))
        #expect(read.skeletons.map(\.shape) == written.map(\.shape))
        // The same pages from the same values, escaped where they were.
        let values = ["a <b> & 'c'", "<i>raw</i>"]
        #expect(read.skeletons.map { $0.skeleton.fill(values) } == written.map { $0.skeleton.fill(values) })
        #expect(read.skeletons[0].skeleton.fill(values).map { String(decoding: $0, as: UTF8.self) }
            == "<h1>a &lt;b&gt; &amp; &#39;c&#39;</h1>\n<p>é <i>raw</i>\n")
    }

    @Test func aDamagedOrShortenedFileIsNotRead() throws {
        let output = try Self.output()
        try SkeletonFile.file(for: output, global: 7, Self.skeletons()).place()
        let path = SkeletonFile.location(for: output).path
        let bytes = try #require(FileIO.read(path))
        for damaged in [Array(bytes.dropLast(3)), bytes.enumerated().map { $0.offset == bytes.count - 6 ? $0.element ^ 0x20 : $0.element }] {
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            #expect(SkeletonFile.load(for: output) == nil)
        }
        SkeletonFile.remove(for: output)
        #expect(SkeletonFile.load(for: output) == nil)
    }

    /// A FIFO or a link where the file goes is not read (nor waited on, nor followed).
    @Test func aFIFOOrALinkInItsPlaceIsNotRead() throws {
        let output = try Self.output()
        let path = SkeletonFile.location(for: output).path
        #expect(mkfifo(path, 0o644) == 0)
        #expect(SkeletonFile.load(for: output) == nil)
        unlink(path)
        let elsewhere = output.deletingLastPathComponent().appendingPathComponent("Elsewhere")
        try SkeletonFile.file(for: elsewhere, global: 7, Self.skeletons()).place()
        #expect(SkeletonFile.load(for: elsewhere) != nil)
        #expect(symlink(SkeletonFile.location(for: elsewhere).path, path) == 0)
        #expect(SkeletonFile.load(for: output) == nil)
    }

    /// A body that passes its checksum but is not what the writer makes (cut short anywhere, a byte
    /// left over, a count or length past its end, a part of no known kind) reads as no skeletons,
    /// and never traps or takes room for a count its bytes cannot hold.
    @Test func aMalformedBodyWithAGoodChecksumReadsAsNoSkeletons() throws {
        let output = try Self.output()
        let written = [Self.skeletons()[0]]
        try SkeletonFile.file(for: output, global: 7, written).place()
        let location = SkeletonFile.location(for: output)
        let parts = try StateFileParts(location.path), body = parts.body
        func reads(_ body: [UInt8]) throws -> Bool {
            try parts.write(body, to: location.path)
            return SkeletonFile.load(for: output) != nil
        }
        #expect(try reads(body), "the body as written")
        for cut in 0..<body.count {
            #expect(try !reads(Array(body.prefix(cut))), "cut to \(cut) bytes")
        }
        #expect(try !reads(body + [0]), "a byte left over")
        var huge = body
        huge.replaceSubrange(0..<8, with: [0, 0, 0, 0, 0, 0, 0, 0x40])
        #expect(try !reads(huge), "a count of 2^62")
        var long = body
        long.replaceSubrange(8..<12, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(try !reads(long), "a template's name longer than the file")
        // The first part's kind: after the count, the name ("notice"), the shape (five bytes) and the
        // number of parts.
        #expect(body[8 + 4 + 6 + 4 + 5 + 4] == 0, "the first part is a text")
        var kind = body
        kind[8 + 4 + 6 + 4 + 5 + 4] = 3
        #expect(try !reads(kind), "a part of no known kind")
    }
}
