import CCmarkGFM
import Foundation

/// The one place Gavel touches C: Markdown to HTML through Debian's libcmark-gfm.
///
/// Create one `Markdown` before any concurrent rendering: its initialiser registers the GFM extensions,
/// which Debian's build does not do in a thread-safe way. After that, `render` may run on many tasks at
/// once, but parsing is not thread-safe: libcmark-gfm keeps the inline parser's special characters in
/// one process-wide table (`SPECIAL_CHARS` in inlines.c) that every parse fills with its extensions'
/// characters (`~` for strikethrough, `w` and `:` for autolinks, `|` for table rows) and empties again
/// when it is done. Two documents parsed at once empty each other's table, and strikethrough or
/// autolinks silently vanish from a page. That table is filled and emptied only around the inline
/// parse, which `cmark_parser_finish` runs (`process_inlines` in blocks.c); so finishing takes
/// `parseLock`. Feeding (the block parse: two fifths of the parse, 8% of a full build's instructions
/// at 10,000 notices), walking the finished tree and rendering it to HTML touch no shared state and
/// run in parallel.
public struct Markdown: Sendable {
    static let extensionNames = ["table", "strikethrough", "autolink", "tagfilter", "tasklist"]

    /// Guards libcmark-gfm's process-wide parser state; process-wide because that state is.
    private static let parseLock = NSLock()

    public init() {
        self.init(usesArena: true)
    }

    init(usesArena: Bool) {
        self.usesArena = usesArena
        cmark_gfm_core_extensions_ensure_registered()
    }

    /// A link or image destination found in the document, with its position in the Markdown text
    /// (lines count from 1 within the text given).
    public struct Link: Sendable {
        public var destination: String
        public var line: Int
        public var column: Int
        public var isImage: Bool
    }

    /// Whether documents are parsed in this thread's arena (`DocumentArena`) rather than with
    /// libcmark-gfm's own allocator (calloc and free for each of its nodes and strings). The same HTML
    /// either way; tests compare the two.
    let usesArena: Bool

    /// Renders `text` to HTML. `rewrite` sees every link and image destination and may replace it
    /// (site paths become relative ones); returning nil keeps it.
    public func render(_ text: String, allowRawHTML: Bool, rewrite: (Link) -> String?) -> String {
        let options = CMARK_OPT_SMART | CMARK_OPT_GITHUB_PRE_LANG | (allowRawHTML ? CMARK_OPT_UNSAFE : 0)
        guard usesArena, text.utf8.count <= DocumentArena.largestDocument, let arena = DocumentArena.forThisThread() else {
            return render(text, options: options, in: nil, rewrite: rewrite)
        }
        // A render within a render (none today) would share the arena, which is emptied once both are done.
        arena.depth += 1
        defer {
            arena.depth -= 1
            if arena.depth == 0 { arena.empty() }
        }
        var allocator = DocumentArena.allocator
        return withUnsafeMutablePointer(to: &allocator) { render(text, options: options, in: $0, rewrite: rewrite) }
    }

    /// The render, with every allocation of the document from `allocator` when one is given: then
    /// nothing is freed here, since the arena lets it all go at once.
    private func render(_ text: String, options: Int32, in allocator: UnsafeMutablePointer<cmark_mem>?, rewrite: (Link) -> String?) -> String {
        guard let parser = allocator.map({ cmark_parser_new_with_mem(options, $0) }) ?? cmark_parser_new(options) else { return "" }
        defer { if allocator == nil { cmark_parser_free(parser) } }
        for name in Self.extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress?.withMemoryRebound(to: CChar.self, capacity: buffer.count) { pointer in
                cmark_parser_feed(parser, pointer, buffer.count)
            }
        }
        Self.parseLock.lock()
        let finished = cmark_parser_finish(parser)
        Self.parseLock.unlock()
        guard let document = finished else { return "" }
        defer { if allocator == nil { cmark_node_free(document) } }

        if let iterator = cmark_iter_new(document) {
            defer { if allocator == nil { cmark_iter_free(iterator) } }
            while true {
                let event = cmark_iter_next(iterator)
                if event == CMARK_EVENT_DONE { break }
                guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
                let type = cmark_node_get_type(node)
                guard type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE, let url = cmark_node_get_url(node) else { continue }
                let link = Link(destination: String(cString: url), line: Int(cmark_node_get_start_line(node)),
                                column: Int(cmark_node_get_start_column(node)), isImage: type == CMARK_NODE_IMAGE)
                if let replacement = rewrite(link) {
                    cmark_node_set_url(node, replacement)
                }
            }
        }
        guard let html = cmark_render_html(document, options, cmark_parser_get_syntax_extensions(parser)) else { return "" }
        defer { if allocator == nil { free(html) } }
        return String(cString: html)
    }
}

/// Where libcmark-gfm's allocations for one document come from: chunks of memory a thread keeps
/// from one document to the next, handed out in turn and taken back all at once when the document is
/// rendered. Through calloc and free, one at a time, its three million nodes, strings and lists (at
/// 10,000 notices) were about a tenth of a full build's instructions.
///
/// libcmark-gfm's allocator functions take no context, so they find the arena of the thread that
/// calls them; a document is parsed and rendered on one thread, in `Markdown.render`, which is not
/// async. Each block has a header with its size, for `realloc`. A block of `ownBlock` bytes or more
/// is allocated on its own and freed as soon as libcmark-gfm frees it: a document's HTML grows by
/// copies of itself, which would otherwise all stay until the end.
///
/// What libcmark-gfm frees while it parses stays taken until the document is done, so a document
/// larger than `largestDocument` is parsed with libcmark-gfm's own allocator: in the arena, a notice
/// of 26 MB took 2.14 GB at its peak and 6.3 s, against 1.78 GB and 5.1 s.
final class DocumentArena {
    static let chunkSize = 256 << 10
    static let ownBlock = 32 << 10
    static let largestDocument = 256 << 10
    private static let header = 16

    /// The chunk kept from one document to the next; those after it go when the arena is emptied.
    private var first: UnsafeMutableRawPointer?
    private var later: [UnsafeMutableRawPointer] = []
    /// Blocks of their own (the address of each one's header).
    private var own: [UnsafeMutableRawPointer] = []
    /// Renders under way on this thread.
    var depth = 0
    /// Where the current chunk's free room starts and ends.
    private var next: UnsafeMutableRawPointer?
    private var end: UnsafeMutableRawPointer?

    deinit {
        empty()
        free(first)
    }

    /// The bytes the arena holds from the system now: its chunks and the blocks of their own.
    var heldBytes: Int {
        (first == nil ? 0 : Self.chunkSize) + later.count * Self.chunkSize
            + own.reduce(0) { $0 + Self.header + Self.rounded($1.load(as: Int.self)) }
    }

    /// Lets every block go (the first chunk is kept for the next document).
    func empty() {
        for block in own { free(block) }
        own.removeAll(keepingCapacity: true)
        for chunk in later { free(chunk) }
        later.removeAll(keepingCapacity: true)
        next = first
        end = first.map { $0 + Self.chunkSize }
    }

    private static func rounded(_ bytes: Int) -> Int { (bytes + 15) & ~15 }

    private static func mark(_ block: UnsafeMutableRawPointer, size: Int, own: Bool) -> UnsafeMutableRawPointer {
        block.storeBytes(of: size, as: Int.self)
        (block + 8).storeBytes(of: own ? 1 : 0, as: Int.self)
        return block + header
    }

    /// A block of `bytes`, zeroed when asked (calloc); nil when memory runs out.
    func allocate(_ bytes: Int, zeroed: Bool) -> UnsafeMutableRawPointer? {
        guard bytes >= 0, bytes < Int.max / 2 else { return nil }
        let size = Self.rounded(bytes)
        if size >= Self.ownBlock {
            guard let block = malloc(Self.header + size) else { return nil }
            if zeroed { memset(block + Self.header, 0, bytes) }
            own.append(block)
            return Self.mark(block, size: bytes, own: true)
        }
        let block: UnsafeMutableRawPointer
        if let next, let end, end - next >= Self.header + size {
            block = next
        } else {
            guard let fresh = malloc(Self.chunkSize) else { return nil }
            if first == nil { first = fresh } else { later.append(fresh) }
            block = fresh
            end = fresh + Self.chunkSize
        }
        next = block + Self.header + size
        if zeroed { memset(block + Self.header, 0, bytes) }
        return Self.mark(block, size: bytes, own: false)
    }

    /// `pointer`'s block with room for `bytes`, its contents kept up to the smaller size (realloc).
    func resize(_ pointer: UnsafeMutableRawPointer?, to bytes: Int) -> UnsafeMutableRawPointer? {
        guard let pointer else { return allocate(bytes, zeroed: false) }
        guard bytes >= 0, bytes < Int.max / 2 else { return nil }
        let block = pointer - Self.header
        let old = block.load(as: Int.self)
        if (block + 8).load(as: Int.self) == 1 {
            guard let index = own.lastIndex(of: block), let moved = realloc(block, Self.header + Self.rounded(bytes)) else { return nil }
            own[index] = moved
            return Self.mark(moved, size: bytes, own: true)
        }
        let size = Self.rounded(bytes), oldSize = Self.rounded(old)
        if size <= oldSize { return Self.mark(block, size: bytes, own: false) }
        // The chunk's last block grows where it is while it stays small and the chunk has room.
        if size < Self.ownBlock, next == pointer + oldSize, let end, end - pointer >= size {
            next = pointer + size
            return Self.mark(block, size: bytes, own: false)
        }
        guard let moved = allocate(bytes, zeroed: false) else { return nil }
        moved.copyMemory(from: pointer, byteCount: min(old, bytes))
        return moved
    }

    /// Frees a block of its own now; the others go with the arena.
    func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        let block = pointer - Self.header
        guard (block + 8).load(as: Int.self) == 1, let index = own.lastIndex(of: block) else { return }
        own.remove(at: index)
        free(block)
    }

    /// Each thread's arena, let go when the thread ends.
    private static let slot = FileIO.ThreadSlot(release: { pointer in
        if let pointer { Unmanaged<DocumentArena>.fromOpaque(pointer).release() }
    })

    /// This thread's arena, made for its first document; nil where threads cannot keep one.
    static func forThisThread() -> DocumentArena? {
        if let pointer = slot.value { return Unmanaged<DocumentArena>.fromOpaque(pointer).takeUnretainedValue() }
        let arena = Unmanaged.passRetained(DocumentArena())
        guard slot.store(arena.toOpaque()) else {
            arena.release()
            return nil
        }
        return arena.takeUnretainedValue()
    }

    /// libcmark-gfm's allocator functions, each on the calling thread's arena. (A block that is
    /// not one of its own is not looked for: freeing it does nothing.)
    static var allocator: cmark_mem {
        cmark_mem(
            calloc: { count, size in
                let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow, let bytes = Int(exactly: bytes) else { return nil }
                return DocumentArena.withCurrent { $0.allocate(bytes, zeroed: true) }
            },
            realloc: { pointer, size in
                guard let bytes = Int(exactly: size) else { return nil }
                return DocumentArena.withCurrent { $0.resize(pointer, to: bytes) }
            },
            free: { pointer in
                guard let pointer, (pointer - DocumentArena.header + 8).load(as: Int.self) == 1 else { return }
                _ = DocumentArena.withCurrent { $0.release(pointer) }
            })
    }

    /// `body` on the calling thread's arena, without retaining it (the thread holds it).
    private static func withCurrent<T>(_ body: (DocumentArena) -> T?) -> T? {
        guard let pointer = slot.value else { return nil }
        return Unmanaged<DocumentArena>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
    }
}
