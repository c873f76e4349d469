import Glibc

/// Every file the build writes, worked out once from the validated model and the theme before anything
/// renders: its path, what its bytes depend on, and where it is listed. The site paths that internal
/// links are checked against, which files a rebuild may reuse, the sitemap, the service worker's list
/// and the manifest all follow from this one list, so a new kind of page is a case here and its
/// renderer, nothing else. A test holds the plan to exactly the files rendered.
public struct PagePlan: Sendable {
    public enum Kind: Sendable, Equatable {
        // Site-wide.
        case home, page, allCourtsChecklist, search, notFound, siteFeed, asset, assetManifest, robots
        case searchIndex, sitemap, serviceWorker
        // One court's.
        case court, notice, step, courtChecklist, checklistData, courtFeed, calendar
    }

    /// What a file's bytes depend on; `RenderCache` turns it into a fingerprint.
    public enum Input: Sendable, Equatable {
        /// Settings, templates, court data, steps, facts, the set of site paths, options and the clock.
        case global
        /// The global input and every court's notices (home, the site feed).
        case allCourts
        /// Every page's search entry, in order (the search index): known only once pages are
        /// rendered, so `SiteRenderer` works it out then (`SearchIndex.inputs`).
        case searchEntries
        /// The global input and every notice of one court (its own pages and files).
        case court(Int)
        /// The global input, the notice's own file and whether it is archived.
        case notice(court: Int, notice: Int)
        /// The global input and the notices a feed lists (the newest current ones: of one court, or
        /// of all for nil): an edit to any other notice leaves the feed as it was.
        case feed(court: Int?)
        /// Every other file (the service worker's version): made on every build.
        case everything
    }

    public struct File: Sendable {
        /// Where it goes inside Output.
        public var path: String
        public var kind: Kind
        public var input: Input
        /// A page people visit, listed in the sitemap.
        public var inSitemap: Bool { path.hasSuffix("index.html") }
        /// Part of the site's shell that the service worker caches on install: pages and assets, but
        /// not notices (cached as visited), data, feeds, calendars or the 404 page.
        public var inShell: Bool {
            switch kind {
            case .notice, .courtFeed, .calendar, .siteFeed, .sitemap, .robots, .notFound, .serviceWorker: return false
            // The script twins are what pages load (from disk and offline); the JSON is for machines.
            case .checklistData: return path.hasSuffix(".js")
            // Search shards are cached as queries load them; only the list of them is installed.
            case .searchIndex: return path == "search/meta.js"
            default: return true
            }
        }
    }

    /// In render order: site-wide files, then each court's (see `courtRange`).
    public private(set) var files: [File] = []
    /// Where each court's files stand in `files`.
    public private(set) var courtRanges: [Range<Int>] = []
    /// The addresses a link may point at ("courts/wiwb/", "feed.xml").
    public private(set) var sitePaths = SitePaths()
    /// The search index's files, counted from the pages that have an entry: free pages, courts, notices
    /// not archived, and step walkthroughs.
    let searchLayout: SearchIndex.Layout
    /// Where each site-wide file stands in `files`. Court files are not in it: a build finds them by
    /// their court's range, never by path, and putting 11,000 paths (at 10,000 notices) into a table
    /// was a fifth of the plan's work, on one core before anything renders.
    private var index = PathTable<Int>()

    public init(model: SiteModel, theme: Theme) {
        var searchEntries = model.content.pages.count
        for m in model.courts {
            // Counted in place: a filtered list would copy each notice.
            searchEntries += 1 + m.steps.count + m.notices.indices.count { m.owns(m.notices[$0]) && !m.notices[$0].isArchived(now: m.today) }
        }
        searchLayout = SearchIndex.Layout(entries: searchEntries)
        // Room for every file up front: a site is tens of thousands of them.
        let expected = 16 + model.content.pages.count + theme.assetFiles.count + searchLayout.files.count
            + model.courts.reduce(0) { $0 + $1.notices.count + $1.steps.count + 7 }
        files.reserveCapacity(expected)
        index.reserveCapacity(16 + model.content.pages.count + theme.assetFiles.count + searchLayout.files.count)
        // Court files (from the courts' loop on) are not put in `index`.
        var indexing = true
        func add(_ address: String, _ kind: Kind, _ input: Input, linkable: Bool = true) {
            let path = SiteLinker.file(for: address)
            if indexing { index[path] = files.count }
            files.append(File(path: path, kind: kind, input: input))
            if linkable { sitePaths.insert(address) }
        }
        add("", .home, .allCourts)
        for page in model.content.pages { add(page.slug + "/", .page, .global) }
        add("checklist/", .allCourtsChecklist, .global)
        add("search/", .search, .global)
        add("404.html", .notFound, .global)
        add("feed.xml", .siteFeed, .feed(court: nil))
        for asset in theme.assetFiles { add(asset.path, .asset, .global, linkable: false) }
        add("assets/manifest.json", .assetManifest, .global, linkable: false)
        add("robots.txt", .robots, .global)
        for name in searchLayout.files { add(name, .searchIndex, .searchEntries, linkable: false) }
        add("sitemap.xml", .sitemap, .global)
        if theme.serviceWorker != nil { add("sw.js", .serviceWorker, .everything, linkable: false) }
        indexing = false
        // Each court's files are made on every core and put in in court order: made in turn, the
        // 11,000 court files (at 10,000 notices) were about 3 ms of one core before anything renders,
        // the other idle.
        let courts = model.courts
        let parts = inChunks(courts.count, minimum: 32) { range in range.map { Self.courtPart(courts[$0], index: $0) } }
        for part in parts.joined() {
            let start = files.count
            files.append(contentsOf: part.files)
            sitePaths.insertNotices(court: part.court, slugs: part.slugs)
            for address in part.addresses { sitePaths.insert(address) }
            courtRanges.append(start..<files.count)
        }
    }

    /// One court's files in render order, the addresses a link may point at among them (its notices'
    /// as their slugs).
    private struct CourtPart: Sendable {
        var court: String
        var files: [File] = []
        var slugs = PathSet()
        var addresses: [String] = []
    }

    private static func courtPart(_ m: SiteModel.CourtModel, index c: Int) -> CourtPart {
        let id = m.court.id
        var part = CourtPart(court: id)
        part.files.reserveCapacity(m.notices.count + m.steps.count + 7)
        func add(_ address: String, _ kind: Kind, _ input: Input, linkable: Bool = true) {
            part.files.append(File(path: SiteLinker.file(for: address), kind: kind, input: input))
            if linkable { part.addresses.append(address) }
        }
        add("courts/\(id)/", .court, .court(c))
        // By position: copying each notice out of the list showed in a rebuild's profile. Its file
        // is made in one piece, and its address is kept as its slug (see `SitePaths`).
        part.slugs.reserveCapacity(m.notices.count)
        for n in m.notices.indices where m.notices[n].court == id {
            let slug = m.notices[n].slug
            part.files.append(File(path: .concatenating("courts/", id, "/notices/", slug, "/index.html"), kind: .notice, input: .notice(court: c, notice: n)))
            part.slugs.insert(slug)
        }
        for step in m.steps { add("courts/\(id)/steps/\(step.module.id)/", .step, .court(c)) }
        add("courts/\(id)/checklist/", .courtChecklist, .court(c))
        add("checklist/\(id).json", .checklistData, .court(c), linkable: false)
        add("checklist/\(id).js", .checklistData, .court(c), linkable: false)
        add("courts/\(id)/feed.xml", .courtFeed, .feed(court: c))
        add("courts/\(id)/calendar.ics", .calendar, .court(c))
        return part
    }

    /// Every file's path in String order, the manifest's. Paths that are all ASCII (slugs and ids
    /// usually are) are sorted as bytes, which orders them as String does (by scalar value): copied
    /// once into one buffer, their places there are sorted with `memcmp`. As Strings, the plan's
    /// 17,000 paths at 10,000 notices took 34 million instructions to sort on every rebuild.
    public func sortedPaths() -> [String] { sortedPaths(reusing: nil).paths }

    /// The same, and the order as the files' places in the plan. `previous`, the order the last
    /// build's plan had (`BuildCache.order`), is taken when it is this plan's order too: it must
    /// name each file once and put the paths in strictly increasing order, which only the sorted
    /// order does (the paths are distinct). Checking that is one comparison a path; sorting 17,000
    /// was about 25 million instructions of every rebuild at 10,000 notices. Anything else (a file
    /// added or gone, a damaged list) sorts.
    public func sortedPaths(reusing previous: [UInt32]?) -> (paths: [String], order: [UInt32]) {
        let paths = files.map(\.path)
        // The paths' bytes are joined once, for the check and, when it fails, the sort.
        let joined = Self.joined(paths)
        let order = previous.flatMap { Self.holds($0, for: paths, joined: joined) } ?? Self.sortedOrder(paths, joined: joined)
        return (order.map { paths[Int($0)] }, order)
    }

    /// `paths` in String order (see `sortedPaths`); any path not all ASCII sorts them as Strings.
    static func sorted(_ paths: [String]) -> [String] { sortedOrder(paths).map { paths[Int($0)] } }

    /// The places of `paths` in String order.
    static func sortedOrder(_ paths: [String]) -> [UInt32] { sortedOrder(paths, joined: joined(paths)) }

    private static func sortedOrder(_ paths: [String], joined: (bytes: [UInt8], starts: [Int])) -> [UInt32] {
        let (bytes, starts) = joined
        guard !bytes.contains(where: { $0 >= 0x80 }) else { return paths.indices.sorted { paths[$0] < paths[$1] }.map { UInt32(truncatingIfNeeded: $0) } }
        return bytes.withUnsafeBufferPointer { buffer -> [UInt32] in
            guard let base = buffer.baseAddress else { return paths.indices.map { UInt32(truncatingIfNeeded: $0) } }
            return paths.indices.sorted { i, j in
                let a = starts[i], b = starts[j], m = starts[i + 1] - a, n = starts[j + 1] - b
                let order = memcmp(base + a, base + b, Swift.min(m, n))
                return order != 0 ? order < 0 : m < n
            }.map { UInt32(truncatingIfNeeded: $0) }
        }
    }

    /// `order` when it puts `paths` in strictly increasing String order naming each once, else nil.
    static func holds(_ order: [UInt32], for paths: [String]) -> [UInt32]? { holds(order, for: paths, joined: joined(paths)) }

    private static func holds(_ order: [UInt32], for paths: [String], joined: (bytes: [UInt8], starts: [Int])) -> [UInt32]? {
        guard order.count == paths.count else { return nil }
        var named = [Bool](repeating: false, count: paths.count)
        for place in order {
            guard Int(place) < paths.count, !named[Int(place)] else { return nil }
            named[Int(place)] = true
        }
        let (bytes, starts) = joined
        guard !bytes.contains(where: { $0 >= 0x80 }) else {
            return zip(order, order.dropFirst()).allSatisfy { paths[Int($0)] < paths[Int($1)] } ? order : nil
        }
        let increasing = bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return order.count < 2 }
            return zip(order, order.dropFirst()).allSatisfy { i, j in
                let a = starts[Int(i)], b = starts[Int(j)], m = starts[Int(i) + 1] - a, n = starts[Int(j) + 1] - b
                let order = memcmp(base + a, base + b, Swift.min(m, n))
                return order != 0 ? order < 0 : m < n
            }
        }
        return increasing ? order : nil
    }

    /// The paths' bytes one after another, and where each starts (and, last, where the bytes end).
    private static func joined(_ paths: [String]) -> (bytes: [UInt8], starts: [Int]) {
        var bytes: [UInt8] = []
        var starts: [Int] = []
        starts.reserveCapacity(paths.count + 1)
        bytes.reserveCapacity(paths.reduce(0) { $0 + $1.utf8.count })
        for var path in paths {
            starts.append(bytes.count)
            // Copied where the bytes are: appended from the UTF-8 view, a byte at a time, this was
            // half the cost of checking a reused order.
            path.withUTF8 { bytes.append(contentsOf: $0) }
        }
        starts.append(bytes.count)
        return (bytes, starts)
    }

    /// The planned file at `path`: a site-wide file from `index`, a court's by going through the
    /// courts' files (nothing that runs on every build asks for one).
    public func file(_ path: String) -> File? {
        if let i = index[path] { return files[i] }
        for range in courtRanges {
            if let i = files[range].firstIndex(where: { $0.path == path }) { return files[i] }
        }
        return nil
    }

    /// Files of the given kinds, in plan order.
    public func files(_ kinds: Kind...) -> [File] { files.filter { kinds.contains($0.kind) } }
}
