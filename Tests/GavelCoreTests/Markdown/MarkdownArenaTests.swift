import Foundation
import Testing
@testable import GavelCore

/// Documents parsed in a thread's arena (`DocumentArena`) give the HTML that libcmark-gfm's own
/// allocator gives, and the arena gives back what a large document took.
@Suite struct MarkdownArenaTests {
    static let arena = Markdown()
    static let system = Markdown(usesArena: false)

    static func both(_ text: String, allowRawHTML: Bool = false, rewrite: @escaping (Markdown.Link) -> String? = { _ in nil }) -> (arena: String, system: String) {
        (arena.render(text, allowRawHTML: allowRawHTML, rewrite: rewrite), system.render(text, allowRawHTML: allowRawHTML, rewrite: rewrite))
    }

    /// Every extension, link rewriting (a new destination is allocated in the arena), raw HTML both
    /// ways, and the example site's own Markdown.
    @Test func theArenaGivesTheHTMLOfTheSystemAllocator() throws {
        for n in 0..<50 {
            let (arena, system) = Self.both(MarkdownConcurrencyTests.document(n), allowRawHTML: n % 2 == 0) { link in
                link.destination.hasPrefix("https://") ? "../courts/\(n)/" + String(repeating: "x", count: n * 7) : nil
            }
            #expect(arena == system, "document \(n)")
            #expect(arena.contains("<del>old</del>") && arena.contains("<table>") && arena.contains("../courts/\(n)/"))
        }
        let fixtures = TestPaths.root.appendingPathComponent("Tests/GavelCoreTests/Fixtures/base")
        let files = try #require(FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: nil)?.allObjects as? [URL])
            .filter { $0.pathExtension == "md" }
        #expect(files.count >= 4)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let (arena, system) = Self.both(text)
            #expect(arena == system, "\(file.lastPathComponent)")
        }
    }

    /// The largest document the arena takes: many chunks, blocks of their own (its HTML, a code
    /// block on one line) grown again and again, and a table of many rows; the same HTML, and once
    /// it is rendered the arena holds its first chunk only. A larger one is the same HTML and does not
    /// use the arena.
    @Test func aLargeDocumentIsTheSameAndItsMemoryGoes() throws {
        func document(paragraphs: Int, code: Int) -> String {
            var text = "# Large\n\n"
            for i in 0..<paragraphs {
                text += "Paragraph \(i) with *emphasis*, ~~struck~~ words and www.example\(i).gov in it.\n\n"
            }
            text += "| a | b |\n|---|---|\n" + (0..<200).map { "| row \($0) | ~~\($0)~~ |\n" }.joined() + "\n"
            return text + "```\n" + String(repeating: "x", count: code) + "\n```\n"
        }
        var text = document(paragraphs: 2_000, code: 60_000)
        text += String(repeating: "y", count: DocumentArena.largestDocument - text.utf8.count)
        let arena = try #require(DocumentArena.forThisThread())
        var most = 0
        let rendered = Self.arena.render(text, allowRawHTML: false) { link in
            most = max(most, arena.heldBytes)
            return nil
        }
        #expect(rendered == Self.system.render(text, allowRawHTML: false) { _ in nil })
        #expect(most > 4 * DocumentArena.chunkSize, "the document took \(most) bytes of the arena")
        #expect(arena.heldBytes == DocumentArena.chunkSize, "held \(arena.heldBytes) bytes after the document")
        // A larger one is parsed with libcmark-gfm's own allocator, which reuses what it frees: the
        // arena takes none of it (it would keep all it frees until the end: 2.14 GB for 26 MB).
        let larger = document(paragraphs: 6_000, code: 300_000)
        #expect(larger.utf8.count > DocumentArena.largestDocument)
        var mostForLarger = 0
        let inArena = Self.arena.render(larger, allowRawHTML: false) { _ in
            mostForLarger = max(mostForLarger, arena.heldBytes)
            return nil
        }
        #expect(mostForLarger == DocumentArena.chunkSize, "the larger document took \(mostForLarger) bytes of the arena")
        #expect(inArena == Self.system.render(larger, allowRawHTML: false) { _ in nil } && inArena.utf8.count > 1_000_000)
    }

    /// The arena's own rules: calloc's blocks are zero (also where an earlier document wrote), a
    /// block keeps its bytes as it grows in place, moves, or becomes a block of its own, a block of
    /// its own goes when freed, and no size wraps around.
    @Test func blocksAreZeroedAndKeepTheirBytes() throws {
        let arena = DocumentArena()
        func bytes(_ pointer: UnsafeMutableRawPointer, _ count: Int) -> [UInt8] {
            Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
        for round in 0..<2 {
            let a = try #require(arena.allocate(100, zeroed: true))
            #expect(bytes(a, 100) == [UInt8](repeating: 0, count: 100), "round \(round)")
            a.initializeMemory(as: UInt8.self, repeating: 0xAB, count: 100)
            // The last block grows where it is.
            let grown = try #require(arena.resize(a, to: 1_000))
            #expect(grown == a && bytes(grown, 100) == [UInt8](repeating: 0xAB, count: 100))
            let b = try #require(arena.allocate(10, zeroed: true))
            // No longer the last: it moves, with its bytes.
            (grown + 100).initializeMemory(as: UInt8.self, repeating: 0xCD, count: 900)
            let moved = try #require(arena.resize(grown, to: 5_000))
            #expect(moved != grown && bytes(moved, 100) == [UInt8](repeating: 0xAB, count: 100)
                && bytes(moved + 100, 900) == [UInt8](repeating: 0xCD, count: 900))
            // Past `ownBlock`: a block of its own, which goes when freed.
            let own = try #require(arena.resize(moved, to: DocumentArena.ownBlock * 3))
            #expect(bytes(own, 100) == [UInt8](repeating: 0xAB, count: 100))
            #expect(arena.heldBytes > DocumentArena.chunkSize)
            arena.release(own)
            arena.release(b)
            #expect(arena.heldBytes == DocumentArena.chunkSize)
            // Filling more than a chunk takes more chunks, given back when the arena is emptied.
            for _ in 0..<(2 * DocumentArena.chunkSize / 1_024) { _ = arena.allocate(1_000, zeroed: true) }
            #expect(arena.heldBytes > DocumentArena.chunkSize)
            arena.empty()
            #expect(arena.heldBytes == DocumentArena.chunkSize)
        }
        #expect(arena.resize(nil, to: 64) != nil)
        // A size no allocation can have is refused, not rounded past the largest integer.
        #expect(arena.allocate(Int.max - 3, zeroed: true) == nil)
        #expect(arena.resize(arena.allocate(8, zeroed: true), to: Int.max - 3) == nil)
    }
}
