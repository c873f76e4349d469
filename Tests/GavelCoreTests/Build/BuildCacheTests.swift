import Foundation
import Testing
@testable import GavelCore

/// The render cache: its fingerprints, and its file, a body of records (`StateFile.Records`) that
/// reads back as written and reads as no cache, without trapping, whenever it is not what the
/// writer makes.
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

    static func sample() -> BuildCache {
        BuildCache(global: 0xfeed_beef, entries: [
            "index.html": .init(input: 1, output: 2, size: 3, modified: -4, inode: 5),
            "courts/wiwb/index.html": .init(input: .max, output: 0, size: 0, modified: .min, inode: .max, data: 0),
            "courts/wiwb/notices/n\tx\ny/index.html": .init(input: 7, output: 8, size: 1 << 40, modified: 1_700_000_000_123_456_789, inode: 9,
                                                             searchPlace: .init(shard: 3, range: 10..<20), searchHash: 0xabc),
            "courts/é/steps/ü/index.html": .init(input: 11, output: 12, size: 13, searchPlace: .init(shard: 0, range: 0..<0), searchHash: 0, data: .max),
            // A place without a hash is not written: it reads back as no search entry.
            "search/index.html": .init(input: 14, output: 15, size: 16, data: 17),
        ], order: [4, 0, 3, 1, 2, .max])
    }

    @Test func theCacheReadsBackAsWritten() throws {
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        for cache in [Self.sample(), BuildCache(global: 0)] {
            try cache.save(for: output)
            let read = try #require(BuildCache.load(for: output))
            #expect(read.global == cache.global)
            #expect(read.entries == cache.entries)
            #expect(read.order == cache.order)
            let stamps = try #require(BuildCache.fileStamps(for: output))
            #expect(stamps.paths.count == cache.entries.count)
            for (i, path) in stamps.paths.enumerated() {
                let entry = try #require(cache.entries[String(decoding: path, as: UTF8.self)])
                #expect(stamps.sizes[i] == entry.size)
                #expect(stamps.stamps[i] == OutputWriter.FileStamp(modified: entry.modified, inode: entry.inode))
            }
        }
    }

    /// A build rebuilds (and its process asks for huge pages) when a render cache is beside its
    /// output: not before any build, nor for a link, a folder or a FIFO where the cache would be.
    @Test func aBuildFindsStateOnlyWhereACacheFileIs() throws {
        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("Output")
        let cache = BuildCache.location(for: output)
        #expect(!SiteBuild.findsState(beside: output.path))
        try BuildCache(global: 0).save(for: output)
        #expect(SiteBuild.findsState(beside: output.path))
        #expect(!SiteBuild.findsState(beside: folder.appendingPathComponent("Other").path))
        let real = folder.appendingPathComponent("real-cache")
        try FileManager.default.moveItem(at: cache, to: real)
        try FileManager.default.createSymbolicLink(at: cache, withDestinationURL: real)
        #expect(!SiteBuild.findsState(beside: output.path))
        try FileManager.default.removeItem(at: cache)
        try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: false)
        #expect(!SiteBuild.findsState(beside: output.path))
        try FileManager.default.removeItem(at: cache)
        #expect(mkfifo(cache.path, 0o644) == 0)
        #expect(!SiteBuild.findsState(beside: output.path))
    }

    @Test func aMalformedBodyWithAGoodChecksumReadsAsNoCache() throws {
        let output = try TestPaths.temporaryDirectory().appendingPathComponent("Output")
        let one = BuildCache(global: 5, entries: ["a/index.html": .init(input: 1, output: 2, size: 3, modified: 4, inode: 5)], order: [0])
        try one.save(for: output)
        let location = BuildCache.location(for: output)
        let parts = try StateFileParts(location.path), body = parts.body
        func reads(_ body: [UInt8]) throws -> Bool {
            try parts.write(body, to: location.path)
            let cache = BuildCache.load(for: output), stamps = BuildCache.fileStamps(for: output)
            #expect((cache == nil) == (stamps == nil), "the entries and the stamps agree on whether the file reads")
            return cache != nil
        }
        #expect(try reads(body), "the body as written")
        for cut in 0..<body.count { #expect(try !reads(Array(body.prefix(cut))), "cut to \(cut) bytes") }
        #expect(try !reads(body + [0]), "a byte left over")
        // The count, then the file's eleven numbers (eight bytes each), then its path's length.
        func with(_ value: UInt64, at offset: Int, width: Int = 8) -> [UInt8] {
            var changed = body
            withUnsafeBytes(of: value.littleEndian) { changed.replaceSubrange(offset..<(offset + width), with: $0.prefix(width)) }
            return changed
        }
        let number = { (k: Int) in 8 + 8 * k }
        #expect(try !reads(with(1 << 62, at: 0)), "a count of 2^62")
        #expect(try !reads(with(2, at: 0)), "a count of two for one file")
        #expect(try !reads(with(UInt64(1) << 63, at: number(2))), "a size no file has")
        #expect(try !reads(with(4, at: number(5))), "a flag beyond the two")
        #expect(try !reads(with(9, at: number(6))), "a data fingerprint the flags say is absent")
        #expect(try !reads(with(1, at: number(10))), "a search hash the flags say is absent")
        var place = with(2, at: number(5))
        place.replaceSubrange(number(8)..<number(9), with: [9, 0, 0, 0, 0, 0, 0, 0])
        #expect(try !reads(place), "a search entry that ends before it starts")
        #expect(try !reads(with(0x7FFF_FFFF, at: number(11), width: 4)), "a path longer than the file")
        #expect(try !reads(with(0, at: number(11), width: 4)), "an empty path, its bytes left over")
        #expect(try !reads(Array(with(0, at: number(11), width: 4).prefix(number(11) + 4))), "an empty path")
        // After the path ("a/index.html", twelve bytes): the order's count and its one place.
        let order = number(11) + 4 + 12
        #expect(try !reads(with(2, at: order)), "an order of two places, one there")
        #expect(try !reads(with(1 << 40, at: order)), "an order of 2^40 places")
        #expect(try reads(with(7, at: order + 8, width: 4)), "any place is read; the plan checks it")
    }
}
