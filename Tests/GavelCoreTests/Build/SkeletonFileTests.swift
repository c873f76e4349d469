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
}
