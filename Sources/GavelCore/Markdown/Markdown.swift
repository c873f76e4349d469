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

    /// Renders `text` to HTML. `rewrite` sees every link and image destination and may replace it
    /// (site paths become relative ones); returning nil keeps it.
    public func render(_ text: String, allowRawHTML: Bool, rewrite: (Link) -> String?) -> String {
        let options = CMARK_OPT_SMART | CMARK_OPT_GITHUB_PRE_LANG | (allowRawHTML ? CMARK_OPT_UNSAFE : 0)
        guard let parser = cmark_parser_new(options) else { return "" }
        defer { cmark_parser_free(parser) }
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
        defer { cmark_node_free(document) }

        if let iterator = cmark_iter_new(document) {
            defer { cmark_iter_free(iterator) }
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
        defer { free(html) }
        return String(cString: html)
    }
}
