import Synchronization

/// A page context taken apart for skeleton rendering: every text value in it (in a fixed order), the
/// shape of everything else Mustache can branch on, and the same context with a marker in place of
/// each non-empty text. Every text is replaced, so no value of one page can leak into another page
/// made from the same skeleton.
struct SlottedContext {
    private(set) var values: [String] = []
    /// Keys, list lengths, flags, numbers, and for each text whether it is empty, spans lines or ends
    /// with a line break (what Mustache's truthiness and partial indentation look at).
    private(set) var shape: [UInt8] = []
    /// The context as Mustache takes it: made only when a page is rendered by Mustache (see `PageValue`).
    let context: () -> [String: Any]

    /// The values and shape of one entry of a context, worked out once for entries many pages share.
    struct Part: Sendable {
        fileprivate var values: [String]
        fileprivate var shape: [UInt8]

        init?(_ value: Any) {
            var reader = SlottedContext(empty: ())
            guard reader.read(value) else { return nil }
            values = reader.values
            shape = reader.shape
        }
    }

    /// Nil when the context holds anything but text, flags, whole numbers, lists and string-keyed maps.
    init?(_ context: [String: Any]) {
        self.context = { context }
        guard read(context) else { return nil }
    }

    private init(empty: Void) { context = { [:] } }

    /// The top-level keys of contexts made of shared entries (each already read into `parts`) and a
    /// page's own entries (typed, see `PageValue`), in the order they are read, each with its shared
    /// part or nil for an own entry: worked out once for all the pages that share `parts`. Nil when a
    /// shared entry is not in `parts` (a value of another kind).
    static func layout(shared keys: some Sequence<String>, parts: [String: Part], own: some Sequence<String>) -> [(key: String, part: Part?)]? {
        let ownKeys = Set(own)
        var layout: [(key: String, part: Part?)] = []
        for key in Set(keys).union(ownKeys).sorted() {
            if ownKeys.contains(key) {
                layout.append((key, nil))
            } else if let part = parts[key] {
                layout.append((key, part))
            } else {
                return nil
            }
        }
        return layout
    }

    /// A page read by a `layout`, as `init(_:)` reads the context `context()` makes, without looking at
    /// `Any`; nil when it lacks one of the layout's own entries or has another.
    init?(layout: [(key: String, part: Part?)], own: [String: PageValue], context: @escaping () -> [String: Any]) {
        self.context = context
        shape.reserveCapacity(layout.reduce(512) { $0 + $1.key.utf8.count + 1 + ($1.part?.shape.count ?? 0) })
        values.reserveCapacity(layout.reduce(32) { $0 + ($1.part?.values.count ?? 0) })
        var owned = 0
        shape.append(11)
        for (key, part) in layout {
            shape.append(contentsOf: key.utf8)
            shape.append(0)
            if let part {
                values.append(contentsOf: part.values)
                shape.append(contentsOf: part.shape)
            } else {
                guard let value = own[key] else { return nil }
                read(value)
                owned += 1
            }
        }
        guard owned == own.count else { return nil }
        shape.append(12)
    }

    static func marker(_ index: Int) -> String { "\u{E000}gV\(index)&\u{E001}" }

    /// The same context with a marker for every non-empty text, in the order `values` has them; made
    /// only for the first page of a shape.
    func markerContext() -> [String: Any] {
        var next = 0
        func replace(_ value: Any) -> Any {
            if let text = value as? String {
                next += 1
                return text.isEmpty ? text : Self.marker(next - 1)
            }
            if let map = value as? [String: Any] {
                var out: [String: Any] = [:]
                for key in map.keys.sorted() { out[key] = map[key].map(replace) }
                return out
            }
            if let list = value as? [Any] { return list.map(replace) }
            return value
        }
        return replace(context()) as? [String: Any] ?? [:]
    }

    /// Records the values and shape of `value`; false for a value of another kind.
    private mutating func read(_ value: Any) -> Bool {
        if let text = value as? String {
            read(text: text)
            return true
        }
        if type(of: value) == Bool.self, let flag = value as? Bool {
            shape.append(flag ? 8 : 9)
            return true
        }
        if type(of: value) == Int.self, let number = value as? Int {
            shape.append(10)
            withUnsafeBytes(of: number.littleEndian) { shape.append(contentsOf: $0) }
            return true
        }
        if let map = value as? [String: Any] {
            shape.append(11)
            for key in map.keys.sorted() {
                shape.append(contentsOf: key.utf8)
                shape.append(0)
                guard let item = map[key], read(item) else { return false }
            }
            shape.append(12)
            return true
        }
        if let list = value as? [Any] {
            shape.append(13)
            for item in list where !read(item) { return false }
            shape.append(14)
            return true
        }
        return false
    }

    private mutating func read(text: String) {
        var flags: UInt8 = 0
        if !text.isEmpty {
            // With memchr where the bytes are contiguous: a notice page's body is one of the values,
            // and looking through its UTF8View a byte at a time was 2% of a full build.
            let bytes = text.utf8
            let spans = bytes.withContiguousStorageIfAvailable { FileIO.index(of: 0x0A, in: $0, from: 0) != nil } ?? bytes.contains(0x0A)
            flags = (spans ? 2 : 1) | (bytes.last == 0x0A ? 4 : 0)
        }
        shape.append(flags)
        values.append(text)
    }

    /// `read(_: Any)` of `value.any`, without casting.
    private mutating func read(_ value: PageValue) {
        switch value {
        case let .text(text): read(text: text)
        case let .flag(flag): shape.append(flag ? 8 : 9)
        case let .map(entries):
            shape.append(11)
            // Built in key order already, as a page's own entries are, they need no sorting.
            let inOrder = zip(entries, entries.dropFirst()).allSatisfy { $0.key < $1.key }
            for (key, item) in inOrder ? entries : entries.sorted(by: { $0.key < $1.key }) {
                shape.append(contentsOf: key.utf8)
                shape.append(0)
                read(item)
            }
            shape.append(12)
        case let .list(items):
            shape.append(13)
            for item in items { read(item) }
            shape.append(14)
        }
    }
}

/// Page data as typed values: what a page made for many notices is built from, read for skeletons
/// without a cast per value, and made into Mustache's `[String: Any]` only for a page Mustache renders.
indirect enum PageValue {
    case text(String)
    case flag(Bool)
    /// Keys are unique (as in a dictionary); their order does not matter.
    case map([(key: String, value: PageValue)])
    case list([PageValue])

    /// The value as a Mustache context holds it.
    var any: Any {
        switch self {
        case let .text(text): text
        case let .flag(flag): flag
        case let .map(entries): Dictionary(entries.map { ($0.key, $0.value.any) }, uniquingKeysWith: { first, _ in first })
        case let .list(items): items.map(\.any)
        }
    }
}

/// The skeletons of one build, shared by every task that renders pages, keyed by template and shape.
///
/// Safety: a skeleton is used only if every marker came back intact (a value passed through a transform
/// such as `uppercased` breaks its marker) and only after the page it was made for matched a real
/// Mustache render byte for byte; a theme that sorts lists (`sorted(…)`, which would order markers
/// rather than values) gets no skeletons at all. Anything else is rendered by Mustache.
///
/// A skeleton is made for the second page of a shape, not the first: making one costs a second render
/// (with markers) and a parse, which only pays back over many pages. A rebuild after one edit renders
/// each of a court's pages once (its page alone lists that court's notices, so no other page has its
/// shape), and then made a skeleton for each page it rendered. The skeletons a build made are kept
/// for the next (`SkeletonFile`), which fills even the first page of a shape from them.
final class SkeletonCache: Sendable {
    /// Hashed by the shape's digest rather than by feeding each of its bytes to the Hasher (a page's
    /// shape is thousands of bytes: that was 1.5% of a full build); equal only with the same shape.
    private struct Key: Hashable {
        var template: String
        var shape: [UInt8]
        let digest: UInt64

        init(template: String, shape: [UInt8]) {
            self.template = template
            self.shape = shape
            digest = ContentHash.of(shape)
        }

        static func == (a: Key, b: Key) -> Bool { a.digest == b.digest && a.template == b.template && a.shape == b.shape }

        func hash(into hasher: inout Hasher) {
            hasher.combine(template)
            hasher.combine(digest)
        }
    }
    private enum Known {
        /// One page of this shape was rendered by Mustache.
        case seenOnce
        case skeleton(PageSkeleton)
        /// The skeleton did not reproduce its page: Mustache renders every page of this shape.
        case unusable
    }
    private let store: Mutex<[Key: Known]>
    let enabled: Bool
    /// Skeletons made by this cache, and pages made from skeletons it was given (see `Kept`).
    private let counts = Mutex((made: 0, filledFromKept: 0))
    /// The skeletons it was given, by key: a page filled from one of them is counted.
    private let given: Set<Key>

    /// A skeleton a build made and left for the next one (see `SkeletonFile`).
    struct Kept: Sendable {
        var template: String
        var shape: [UInt8]
        var skeleton: PageSkeleton
    }

    /// `kept`: skeletons an earlier build made from these very templates (the state holding them is
    /// used only with the same global fingerprint, which holds the theme's files and this Gavel's
    /// identity). A skeleton is a function of its template and shape alone, and each was kept only
    /// after it reproduced a page that Mustache rendered; the first page of its shape in this build
    /// is then filled without Mustache, and its template need not be parsed.
    init(enabled: Bool, kept: [Kept] = []) {
        self.enabled = enabled
        var known: [Key: Known] = [:]
        for skeleton in kept where enabled { known[Key(template: skeleton.template, shape: skeleton.shape)] = .skeleton(skeleton.skeleton) }
        given = Set(known.keys)
        store = Mutex(known)
    }

    /// Every skeleton in use, to keep for the next build; nil when they are the ones this cache was
    /// given (then the file that holds them stands).
    func toKeep() -> [Kept]? {
        guard counts.withLock({ $0.made }) > 0 else { return nil }
        return store.withLock { store in
            store.compactMap { key, known in
                if case let .skeleton(skeleton) = known { return Kept(template: key.template, shape: key.shape, skeleton: skeleton) }
                return nil
            }
        }
    }

    /// How many pages were filled from the skeletons this cache was given (for tests).
    var pagesFromKeptSkeletons: Int { counts.withLock { $0.filledFromKept } }

    /// How many skeletons are in use (for tests).
    var skeletonCount: Int {
        store.withLock { $0.values.count { if case .skeleton = $0 { true } else { false } } }
    }

    func render(_ template: String, _ context: [String: Any], theme: Theme) -> [UInt8] {
        guard enabled, let slotted = SlottedContext(context) else { return Array(theme.render(template, context).utf8) }
        return render(template, slotted, theme: theme)
    }

    /// A page already read for skeletons (its context made only if Mustache renders it).
    func render(_ template: String, _ slotted: SlottedContext, theme: Theme) -> [UInt8] {
        guard enabled else { return Array(theme.render(template, slotted.context()).utf8) }
        let key = Key(template: template, shape: slotted.shape)
        let known = store.withLock { store -> Known? in
            let known = store[key]
            if known == nil { store[key] = .seenOnce }
            return known
        }
        switch known {
        case let .skeleton(skeleton):
            if let bytes = skeleton.fill(slotted.values) {
                if !given.isEmpty, given.contains(key) { counts.withLock { $0.filledFromKept += 1 } }
                return bytes
            }
            return Array(theme.render(template, slotted.context()).utf8)
        case .unusable, nil:
            return Array(theme.render(template, slotted.context()).utf8)
        case .seenOnce:
            // The second page of this shape: make the skeleton, and keep it only if it reproduces this page.
            let real = Array(theme.render(template, slotted.context()).utf8)
            let skeleton = PageSkeleton(rendered: theme.render(template, slotted.markerContext()))
            let usable = skeleton.map { $0.fill(slotted.values) == real } ?? false
            let made = store.withLock { store -> Bool in
                if case .skeleton = store[key] { return false }
                store[key] = usable ? skeleton.map(Known.skeleton) : .unusable
                return usable
            }
            if made { counts.withLock { $0.made += 1 } }
            return real
        }
    }
}
