import Foundation
import Synchronization

/// A file of the built site: its site path and its bytes.
public struct OutputFile: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// Renders every page and file of the site from the validated model.
public struct SiteRenderer: Sendable {
    var model: SiteModel
    var theme: Theme
    var linker: SiteLinker
    var body: BodyRenderer
    var cache: RenderCache?
    /// Told each time a court is rendered: how many are done, of how many.
    var progress: (@Sendable (Int, Int) -> Void)?
    /// Every file this build writes (see `PagePlan`).
    let plan: PagePlan
    /// Pages of the many-page templates (notices, courts, steps, court checklists) spliced into shared
    /// skeletons (see `SkeletonCache`); off only to test that both ways give the same bytes.
    public var useSkeletons: Bool {
        get { skeletons.enabled }
        set { skeletons = SkeletonCache(enabled: newValue && !theme.sortsLists) }
    }
    var skeletons: SkeletonCache

    /// Starts from skeletons an earlier build made from the same templates (see `SkeletonCache.init`).
    mutating func keep(skeletons kept: [SkeletonCache.Kept]) {
        skeletons = SkeletonCache(enabled: skeletons.enabled, kept: kept)
    }
    /// Calendar time-zone blocks, shared by the courts of one zone.
    let zones = SiteCalendar.ZoneCache()
    var site: SiteConfig { model.content.site }

    /// What an incremental build knows: the last build's cache, this build's global fingerprint, and
    /// where the previous output is.
    public struct RenderCache: Sendable {
        public var previous: BuildCache?
        public var global: UInt64
        public let outputRoot: String
        /// Output, held open while the site renders: reused files are looked up from it.
        let outputFolder: FileIO.OpenFolder?
        /// Output's files are as `previous` recorded them (`BuildOptions.trustsOutput`): reused
        /// without an `lstat` each.
        public var trustsFiles = false

        /// Each court's input, worked out once (it folds in every notice of the court).
        public var courtInputs: [String: UInt64]
        /// What home and the search index depend on: everything global and every court.
        public var allCourts: UInt64

        public init(previous: BuildCache?, global: UInt64, outputRoot: String, model: SiteModel) {
            self.previous = previous?.global == global ? previous : nil
            self.global = global
            self.outputRoot = outputRoot
            outputFolder = self.previous == nil ? nil : FileIO.OpenFolder(outputRoot)
            // Each court's input hashes all its notices: worked out on every core (in turn, about 1 ms
            // of one core at 10,000 notices, the other idle), then folded in court order.
            let courts = model.courts
            let each = inChunks(courts.count, minimum: 32) { range in range.map { BuildCache.courtInput(global: global, court: courts[$0]) } }.joined()
            var inputs: [String: UInt64] = [:]
            inputs.reserveCapacity(courts.count)
            var hash = ContentHash.Accumulator()
            hash.add("site \(global)")
            for (m, input) in zip(courts, each) {
                inputs[m.court.id] = input
                hash.add(input)
            }
            courtInputs = inputs
            allCourts = hash.value
        }

        /// A court's feed's input (the site feed's for nil): worked out when asked, which is on the
        /// court's own task (worked out for every court before rendering started, the feeds' inputs
        /// held up the build's one core there for about 5 ms at 10,000 notices).
        func feedInput(court c: Int?, model: SiteModel) -> UInt64 {
            guard let c else {
                return Self.feedInput(global: global, path: "feed.xml", notices: model.newestCurrentNotices(limit: SiteFeeds.entryLimit))
            }
            // Hashed where the notices are, not copied out with their court into a list of pairs.
            let m = model.courts[c]
            var hash = Self.feedHash(global: global, path: "courts/\(m.court.id)/feed.xml")
            for n in SiteFeeds.newestPlaces(of: m) { Self.addFeedEntry(court: m.court, notice: m.notices[n], to: &hash) }
            return hash.value
        }

        /// A feed's input: everything global, and each notice it lists (its court, slug and file), in
        /// order. Global covers what the entries show besides the notices' own files: courts' names,
        /// zones and data (in titles and bodies), the site's settings, the clock and the site paths
        /// links are checked against.
        static func feedInput(global: UInt64, path: String, notices: [(Court, Notice)]) -> UInt64 {
            var hash = feedHash(global: global, path: path)
            for (court, notice) in notices { addFeedEntry(court: court, notice: notice, to: &hash) }
            return hash.value
        }

        private static func feedHash(global: UInt64, path: String) -> ContentHash.Accumulator {
            var hash = ContentHash.Accumulator()
            hash.add("feed \(global) \(path)")
            return hash
        }

        private static func addFeedEntry(court: Court, notice: Notice, to hash: inout ContentHash.Accumulator) {
            hash.add(court.id)
            hash.add(notice.court)
            hash.add(notice.slug)
            hash.add(notice.sourceHash)
        }

        /// The fingerprint of a planned file's input.
        func fingerprint(_ input: PagePlan.Input, model: SiteModel) -> UInt64? {
            switch input {
            case .global: return global
            case .allCourts: return allCourts
            case let .court(c): return courtInputs[model.courts[c].court.id]
            case let .notice(c, n):
                let m = model.courts[c], notice = m.notices[n]
                return BuildCache.input(global: global, notice: notice, archived: notice.isArchived(now: m.today))
            case let .feed(c): return feedInput(court: c, model: model)
            case .everything, .searchEntries: return nil
            }
        }

        /// The cached entry for a page whose input is unchanged and whose output file is still in place
        /// as the last build left it (same size, modification time and inode: not changed by hand).
        func reusable(_ path: String, input: UInt64) -> BuildCache.Entry? {
            var nearby: FileIO.NearbyFolders?
            return reusable(path, input: input, nearby: &nearby)
        }

        /// As `reusable`, looking the file up from `nearby`'s folders (see `nearbyFolders`).
        func reusable(_ path: String, input: UInt64, nearby: inout FileIO.NearbyFolders?) -> BuildCache.Entry? {
            guard let entry = previous?.entries[path], entry.input == input, isAsLeft(path, entry, nearby: &nearby) else { return nil }
            return entry
        }

        /// Folders of Output to look up reused files from: each is opened once, and a file is then
        /// found by its last `trailing` names (two for a notice's page, `…/n0001/index.html`).
        func nearbyFolders(trailing: Int = 2) -> FileIO.NearbyFolders? {
            trustsFiles ? nil : outputFolder.map { FileIO.NearbyFolders(root: $0, trailing: trailing) }
        }

        /// For a file made again with the bytes it had (the same size and hash), whose file is still in
        /// place as the last build left it: its entry for this build (this build's input, the file's
        /// recorded stamps). It is neither written nor read back to compare.
        func leftInPlace(_ path: String, input: UInt64, hash: UInt64, size: Int, search: [UInt8]? = nil, searchHash: UInt64? = nil, data: UInt64? = nil) -> BuildCache.Entry? {
            var nearby: FileIO.NearbyFolders?
            guard let entry = previous?.entries[path], entry.output == hash, entry.size == size, isAsLeft(path, entry, nearby: &nearby) else { return nil }
            return BuildCache.Entry(input: input, output: hash, size: size, modified: entry.modified, inode: entry.inode, search: search,
                                    searchHash: searchHash, data: data)
        }

        /// For a file made again as the very bytes the last build left at `path` (see
        /// `SearchIndex.files`), whose file is still in place as that build left it: its entry for
        /// this build, without making it.
        func leftAsItWas(_ path: String, input: UInt64) -> BuildCache.Entry? {
            guard let entry = previous?.entries[path] else { return nil }
            return leftInPlace(path, input: input, hash: entry.output, size: entry.size)
        }

        /// For a template page made from the same data as its file last time (see `PageData`), whose
        /// file is still in place as the last build left it: its entry for this build, without
        /// rendering it (it would be the same bytes).
        func madeFromSameData(_ path: String, input: UInt64, data: UInt64, search: [UInt8]? = nil) -> BuildCache.Entry? {
            guard let entry = previous?.entries[path], entry.data == data else { return nil }
            return leftInPlace(path, input: input, hash: entry.output, size: entry.size, search: search, data: data)
        }

        /// True when the output file is as the last build left it: same size, modification time and
        /// inode (not changed by hand), or the folder is trusted (`trustsFiles`).
        private func isAsLeft(_ path: String, _ entry: BuildCache.Entry, nearby: inout FileIO.NearbyFolders?) -> Bool {
            if trustsFiles { return true }
            let found = nearby != nil ? nearby?.status(path) : outputFolder.map { $0.status(path) } ?? FileIO.status(outputRoot + "/" + path)
            guard let info = found,
                  (info.st_mode & S_IFMT) == S_IFREG else { return false }
            return Int(info.st_size) == entry.size && OutputWriter.FileStamp(info) == OutputWriter.FileStamp(modified: entry.modified, inode: entry.inode)
        }
    }

    public init(model: SiteModel, theme: Theme, linker: SiteLinker, markdown: Markdown, plan: PagePlan? = nil, cache: RenderCache? = nil) {
        self.model = model
        self.theme = theme
        self.linker = linker
        self.cache = cache
        let plan = plan ?? PagePlan(model: model, theme: theme)
        self.plan = plan
        skeletons = SkeletonCache(enabled: !theme.sortsLists)
        body = BodyRenderer(markdown: markdown, linker: linker, sitePaths: plan.sitePaths, siteAllowsRawHTML: model.content.site.allowRawHTML)
    }

    /// The cached entry for the planned file at `path`, when it can be reused.
    func reusable(_ path: String) -> BuildCache.Entry? {
        guard let cache, let file = plan.file(path), let input = cache.fingerprint(file.input, model: model) else { return nil }
        return cache.reusable(path, input: input)
    }

    /// The input fingerprint to record for the planned file at `path` (nil without a cache).
    func input(of path: String) -> UInt64? {
        guard let cache, let file = plan.file(path) else { return nil }
        return cache.fingerprint(file.input, model: model) ?? 0
    }

    func context(_ path: String) -> PageContext {
        PageContext(path: path, linker: linker, site: site, manifest: theme.manifest)
    }

    /// A page; `many` marks templates that make many pages, whose pages come from skeletons.
    func page(_ path: String, template: String, many: Bool = false, _ data: [String: Any]) -> OutputFile {
        guard many else { return OutputFile(path: SiteLinker.file(for: path), text: theme.render(template, data)) }
        return OutputFile(path: SiteLinker.file(for: path), bytes: skeletons.render(template, data, theme: theme))
    }

    /// What rendering produced besides the files: problems found, and a fingerprint per file.
    public struct Report: Sendable {
        public var diagnostics: [Diagnostic] = []
        public var fingerprints: PathTable<UInt64> = [:]
        /// Notice pages rendered or reused, for the next build's cache.
        public var cacheEntries: PathTable<BuildCache.Entry> = [:]
        /// How the search index was had this build.
        public var search: SearchIndexOrigin = .standing
        /// The index had to be made again, but a reused page's entry could not be read back from the
        /// last build: render again without the cache.
        public var searchEntriesMissing = false
        /// Template pages whose input changed but whose data did not: kept without rendering them.
        public var keptByData = 0
    }

    /// How many courts are done, counted from their own tasks.
    final class Counter: Sendable {
        private let count = Mutex(0)
        func next() -> Int {
            count.withLock { count in
                count += 1
                return count
            }
        }
    }

    /// The build's table of entries and of fingerprints, into which each part puts its own as it is
    /// done, when no court is reused whole. A part's tables are then let go at once, and the next
    /// court's take their place in the heap; joined only after the last court, the parts' tables (as
    /// lists) and the two new tables of every file stood together, and the join's fresh memory was
    /// 5 MiB of a full build's peak at 10,000 notices. Paths are the plan's, each in one part: the
    /// order in which the parts come changes nothing.
    final class JoinedTables: Sendable {
        private let tables: Mutex<(entries: PathTable<BuildCache.Entry>, fingerprints: PathTable<UInt64>)>

        /// Tables with room for `capacity` files, made before any court renders.
        init(capacity: Int) {
            tables = Mutex((PathTable(minimumCapacity: capacity), PathTable(minimumCapacity: capacity)))
        }

        /// Moves `output`'s two tables into the build's, leaving `output`'s empty.
        func take(_ output: inout CourtOutput) {
            let entries = output.cacheEntries, fingerprints = output.fingerprints
            output.cacheEntries = [:]
            output.fingerprints = [:]
            tables.withLock { tables in
                tables.entries.merge(table: entries) { kept, _ in kept }
                tables.fingerprints.merge(table: fingerprints) { kept, _ in kept }
            }
        }

        /// Every part's entries and fingerprints, with `first`'s (the render's own, made before the
        /// parts) standing over a part's for the same path, as the join after the last court had it.
        func joined(under entries: PathTable<BuildCache.Entry>, _ fingerprints: PathTable<UInt64>) -> (PathTable<BuildCache.Entry>, PathTable<UInt64>) {
            tables.withLock { tables in
                var joined = (entries: PathTable<BuildCache.Entry>(), fingerprints: PathTable<UInt64>())
                swap(&joined, &tables)
                joined.entries.merge(table: entries) { _, first in first }
                joined.fingerprints.merge(table: fingerprints) { _, first in first }
                return (joined.entries, joined.fingerprints)
            }
        }
    }

    /// One court's share of the work, done on its own task.
    struct CourtOutput: Sendable {
        var diagnostics: [Diagnostic]
        /// The part's tables as it makes them; handed on as `files` (see `compact`).
        var fingerprints: PathTable<UInt64>
        var search: SearchIndex
        var cacheEntries: PathTable<BuildCache.Entry>
        var failure: String?
        var keptByData = 0
        /// A court reused whole: its files' entries, each the last build's as it stands, in plan order
        /// (put straight into the build's tables: a table of the court's own cost as much again).
        var reused: [(String, BuildCache.Entry)] = []
        /// The part's files, each with its fingerprint and its entry (nil where it has none).
        var files: [PartFile] = []

        /// Moves the two tables into `files`, for the join. A court's tables are kept until every
        /// court is done, and a table has room for up to twice its entries: at 50,000 notices the
        /// courts' tables of entries were 23 MB of a full build's peak heap, as a list about 10.
        mutating func compact() {
            files.append(contentsOf: SiteRenderer.partFiles(entries: cacheEntries, fingerprints: fingerprints))
            fingerprints = [:]
            cacheEntries = [:]
        }
    }

    /// A file a part of the build made or checked again, with its fingerprint and its cache entry.
    struct PartFile: Sendable {
        let path: String
        let fingerprint: UInt64?
        let entry: BuildCache.Entry?
    }

    /// Renders every file of the site and hands each to `sink` as soon as it is made, so page bodies
    /// are not held for the whole site. Courts render concurrently.
    public func render(to sink: some OutputSink) async -> Report {
        var report = Report()
        var bag = DiagnosticBag()
        bag.add(contentsOf: navigationProblems())
        var search = SearchIndex()
        // Each planned file is taken from the cache when its input is unchanged and its file still in
        // place as the last build left it (see `PagePlan.Input`).
        func emit(_ file: OutputFile, search entry: [UInt8]? = nil) {
            let hash = ContentHash.of(file.bytes)
            // Made again as it was (most of the search index's term shards after an edit): left in place.
            if let input = input(of: file.path), let left = cache?.leftInPlace(file.path, input: input, hash: hash, size: file.bytes.count, search: entry) {
                report.fingerprints[file.path] = hash
                report.cacheEntries[file.path] = left
                return
            }
            do {
                try sink.emit(file)
                report.fingerprints[file.path] = hash
                if let input = input(of: file.path) {
                    report.cacheEntries[file.path] = BuildCache.Entry(input: input, output: hash, size: file.bytes.count, search: entry)
                }
            } catch {
                bag.error(SourceLocation(file: file.path), "cannot write: \(error)")
            }
        }
        func reuse(_ path: String) -> BuildCache.Entry? {
            guard let entry = reusable(path) else { return nil }
            report.fingerprints[path] = entry.output
            report.cacheEntries[path] = entry
            return entry
        }
        for page in model.content.pages {
            let path = page.slug + "/"
            if let entry = reuse(SiteLinker.file(for: path)) {
                if let hash = entry.searchHash { search.appendReused(file: SiteLinker.file(for: path), hash: hash) }
                continue
            }
            let html = body.render(page.body, variables: nil, on: path, bag: &bag)
            let entry = search.add(file: SiteLinker.file(for: path), title: page.title, path: path, summary: page.summary ?? "", html: html)
            emit(self.page(path, template: "page", context(path).base(kind: "page", title: page.title, description: page.summary ?? "",
                breadcrumbs: [("Home", "")]).merging(["body_html": html])), search: entry)
        }
        // The sitemap needs only the plan: made before the courts render, its text (1.7 MB at 10,000
        // notices) is let go where their work then takes its place; made last, it was fresh memory
        // at a full build's peak.
        if reuse("sitemap.xml") == nil {
            emit(SiteFeeds.sitemap(paths: plan.files.filter(\.inSitemap).map(\.path), site: site))
        }
        // Courts count themselves done as they finish: the loop below runs only when a thread is free,
        // which on a busy pool is after most courts, too late for a progress line.
        let courtsDone = Counter()
        // With no last build to patch it from, the index is always every part joined in order (the
        // site's pages', the site-wide files', then each court's): the parts are joined as the courts
        // finish, on their tasks, and each goes once joined.
        let joiner = cache?.previous == nil ? SearchIndex.Joiner() : nil
        if let joiner {
            for file in joiner.add(search, at: 0) { emit(file) }
            search = SearchIndex()
        }
        // Courts with something to render go first, so that the longest tasks do not start last
        // (their results are put back in court order below).
        let changed = model.courts.indices.map(courtChanged)
        // When some court may be reused whole, the tables its entries are joined over are made
        // meanwhile (see `PreviousTables`); handed over, so that the join changes them in place.
        let previousEntries = joiner == nil && changed.contains(false) ? cache?.previous?.entries : nil
        // Files whose entries are put in after the join: the search index's and the worker.
        let late = previousEntries == nil ? [] : plan.files(.searchIndex, .serviceWorker).map(\.path)
        // With no court to reuse, each part puts its tables into the build's as it is done (see
        // `JoinedTables`): joined after the last, they were two new tables of 17,000 entries (at
        // 10,000 notices), made while the parts' lists still stood.
        let joinedTables = previousEntries == nil ? JoinedTables(capacity: plan.files.count) : nil
        async let previousTables = previousEntries.map { SiteBuild.HandedOver(PreviousTables($0, late: late)) }
        var outputs = await withTaskGroup(of: (Int, CourtOutput).self) { group in
            // Site-wide pages need the model but nothing the courts make: they render alongside them.
            group.addTask {
                var output = renderSiteFiles(to: sink)
                if let joiner {
                    let shards = joiner.add(output.search, at: 1)
                    output.search = SearchIndex()
                    writeSearchShards(shards, to: sink, fingerprints: &output.fingerprints, entries: &output.cacheEntries, failure: &output.failure)
                }
                if let joinedTables { joinedTables.take(&output) } else { output.compact() }
                return (-1, output)
            }
            let order = model.courts.indices.filter { changed[$0] } + model.courts.indices.filter { !changed[$0] }
            for index in order {
                let m = model.courts[index]
                group.addTask {
                    // A court whose files all stand (most courts, after an edit) is reused whole. (Never
                    // with a joiner: that is for a build with no last one to reuse from.)
                    if joiner == nil, let reused = reusableCourt(index) {
                        var courtSearch = SearchIndex()
                        for (path, entry) in reused {
                            if let hash = entry.searchHash { courtSearch.appendReused(file: path, hash: hash) }
                        }
                        progress?(courtsDone.next(), model.courts.count)
                        return (index, CourtOutput(diagnostics: [], fingerprints: [:], search: courtSearch, cacheEntries: [:], failure: nil, reused: reused))
                    }
                    var courtBag = DiagnosticBag()
                    var courtSearch = SearchIndex()
                    // Tables made at the court's size: grown an entry at a time, each was rebuilt seven
                    // times on the way (110 files a court at 10,000 notices).
                    var entries: PathTable<BuildCache.Entry> = [:]
                    var fingerprints: PathTable<UInt64> = [:]
                    entries.reserveCapacity(plan.courtRanges[index].count)
                    fingerprints.reserveCapacity(plan.courtRanges[index].count)
                    var failure: String?
                    var keptByData = 0
                    renderCourt(m, index: index, search: &courtSearch, cacheEntries: &entries, keptByData: &keptByData, bag: &courtBag) { file, entry in
                        // A court's pages made again as they were (after one of its notices changed): left in place.
                        if let made = entry,
                           let left = cache?.leftInPlace(file.path, input: made.input, hash: made.output, size: file.bytes.count, searchHash: made.searchHash, data: made.data) {
                            entry = left
                            fingerprints[file.path] = made.output
                            return
                        }
                        do {
                            try sink.emit(file)
                            fingerprints[file.path] = entry?.output ?? ContentHash.of(file.bytes)
                        } catch {
                            failure = "cannot write \(file.path): \(error)"
                        }
                    }
                    // Reused pages are not emitted again; they keep their place and fingerprint.
                    for (path, entry) in entries where fingerprints[path] == nil { fingerprints[path] = entry.output }
                    progress?(courtsDone.next(), model.courts.count)
                    if let joiner {
                        let shards = joiner.add(courtSearch, at: index + 2)
                        courtSearch = SearchIndex()
                        writeSearchShards(shards, to: sink, fingerprints: &fingerprints, entries: &entries, failure: &failure)
                    }
                    var output = CourtOutput(diagnostics: courtBag.all, fingerprints: fingerprints, search: courtSearch,
                                             cacheEntries: entries, failure: failure, keptByData: keptByData)
                    if let joinedTables { joinedTables.take(&output) } else { output.compact() }
                    return (index, output)
                }
            }
            var all: [(Int, CourtOutput)] = []
            for await output in group { all.append(output) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        // Joined as they came, the parts are one: the index's inputs (from its entries, in order) and
        // everything below see it as they would see the parts.
        let joined = joiner?.joined(count: outputs.count + 1)
        let joinedAsTheyCame = joined?.index
        if joiner != nil, joinedAsTheyCame == nil {
            bag.error(SourceLocation(file: "Output"), "the search index's parts could not be joined (a part did not come)")
        }
        var parts = joiner == nil ? [search] : [joinedAsTheyCame ?? SearchIndex()]
        for index in outputs.indices {
            // Each court's part of the index moves on alone: it is the biggest thing a build holds.
            parts.append(outputs[index].search)
            outputs[index].search = SearchIndex()
            bag.add(contentsOf: outputs[index].diagnostics)
            report.keptByData += outputs[index].keptByData
            if let failure = outputs[index].failure { bag.error(SourceLocation(file: "Output"), failure) }
        }
        // Every file's entry and fingerprint. After an edit, from the last build's table, with only
        // what was made or checked again put in (see `joinedOverPrevious`); else the parts' tables are
        // joined.
        let reusedCount = outputs.reduce(0) { $0 + $1.reused.count }
        var joinedOverPrevious = false
        if reusedCount > 0, var tables = await previousTables?.take(),
           Self.joinedOverPrevious(&tables, parts: [Self.partFiles(entries: report.cacheEntries, fingerprints: report.fingerprints)] + outputs.map(\.files),
                                   reused: reusedCount, late: late) {
            outputs = []
            (report.cacheEntries, report.fingerprints) = (tables.entries, tables.fingerprints)
            joinedOverPrevious = true
        } else if let joinedTables {
            outputs = []
            (report.cacheEntries, report.fingerprints) = joinedTables.joined(under: report.cacheEntries, report.fingerprints)
        } else {
            // The courts' two tables of 17,000 entries (at 10,000 notices) are joined side by side, and
            // each court's let go once joined: kept, they were 13 MB of the peak at 50,000 notices. A
            // court reused whole has its entries in a list, put straight into both.
            let fileCount = plan.files.count, siteFingerprints = report.fingerprints
            let fingerprintParts = SiteBuild.HandedOver(outputs.map { ($0.files, $0.reused) })
            var entryParts = outputs.map { ($0.files, $0.reused) }
            outputs = []
            async let joinedFingerprints = { () -> PathTable<UInt64> in
                var all = siteFingerprints
                all.reserveCapacity(fileCount)
                var parts = fingerprintParts.take() ?? []
                for i in parts.indices {
                    all.merge(parts[i].0.lazy.compactMap { file in file.fingerprint.map { (file.path, $0) } }) { a, _ in a }
                    all.merge(parts[i].1.lazy.map { ($0.0, $0.1.output) }) { a, _ in a }
                    parts[i] = ([], [])
                }
                return all
            }()
            report.cacheEntries.reserveCapacity(fileCount)
            for i in entryParts.indices {
                report.cacheEntries.merge(entryParts[i].0.lazy.compactMap { file in file.entry.map { (file.path, $0) } }) { a, _ in a }
                report.cacheEntries.merge(entryParts[i].1) { a, _ in a }
                entryParts[i] = ([], [])
            }
            report.fingerprints = await joinedFingerprints
        }
        if joinedOverPrevious {
            // The worker's version sums every other file's fingerprint: its own last one is not one.
            // (Out here: changed where the tables were handed over, they would be copied whole.)
            for file in plan.files(.serviceWorker) { report.fingerprints[file.path] = nil }
        }
        search = SearchIndex()
        // The index stands while every entry is what it was made from, whatever else changed; a docs or
        // titles shard stands while its own entries are.
        let layout = plan.searchLayout
        let searchInputs = SearchIndex.inputs(of: parts, layout: layout).files
        let files = layout.files
        // When a shard's input changed, the index is made again whatever the files hold: its terms are
        // patched (on one core) while the shards' files are checked.
        let patchable = parts
        let mustRemake = parts.contains { $0.missing > 0 } && cache?.previous.map { previous in
            zip(files, searchInputs).contains { previous.entries[$0]?.input != $1 }
        } == true
        async let patchedTerms = mustRemake ? cache?.previous.flatMap { previous in
            SearchIndex.patchedTerms(patchable, previous: previous, output: cache?.outputRoot ?? "", layout: layout)
        } : nil
        let reused = cache.map { cache in
            // A stat per file, thousands of them: on every core, from the opened `search/` folder.
            inChunks(files.count) { range in
                var nearby = cache.nearbyFolders(trailing: 1)
                return range.compactMap { i in cache.reusable(files[i], input: searchInputs[i], nearby: &nearby).map { (i, $0) } }
            }.flatMap { $0 }
        } ?? []
        // Which files stand, by place in `files`.
        var kept = [Bool](repeating: false, count: files.count)
        for (i, entry) in reused {
            kept[i] = true
            // Tables made from the last build's already hold a kept file's entry and fingerprint.
            guard !joinedOverPrevious else { continue }
            report.fingerprints[files[i]] = entry.output
            report.cacheEntries[files[i]] = entry
        }
        var places: [String: SearchIndex.Place] = [:]
        if reused.count < layout.files.count {
            let early = await patchedTerms.flatMap { index, origin in
                cache?.previous.flatMap { index.readingBack(kept: kept, layout: layout, previous: $0, output: cache?.outputRoot ?? "") }.map { ($0, origin) }
            }
            let made: (SearchIndex, SearchIndexOrigin)?
            if let early {
                made = early
            } else if let joinedAsTheyCame {
                made = (joinedAsTheyCame, .found)
                // The docs shards made as the parts were joined stand: their entries' JSON is gone.
                let madeAsJoined = joined.map { min($0.docsMade, layout.docShards) } ?? 0
                for i in layout.firstDocs..<(layout.firstDocs + madeAsJoined) {
                    kept[i] = true
                    if cache != nil { report.cacheEntries[files[i]]?.input = searchInputs[i] }
                }
                places = joined?.places ?? [:]
            } else {
                made = await remade(parts, layout: layout, kept: kept)
            }
            if let (index, made) = made {
                report.search = made
                // A term shard of the very pairs the last build's of that number held is the file that
                // build left: it stands while that file is in place (most of the 425 at 10,000 notices
                // after an edit), and is not made and hashed again.
                let shardPlaces = index.files(layout: layout, keeping: kept, standing: { shard in
                    let path = files[1 + shard]
                    guard let input = input(of: path), let left = cache?.leftAsItWas(path, input: input) else { return false }
                    report.fingerprints[path] = left.output
                    report.cacheEntries[path] = left
                    return true
                }) { emit($0) }
                places.merge(shardPlaces) { _, made in made }
                if cache != nil {
                    for (i, path) in files.enumerated() where !kept[i] { report.cacheEntries[path]?.input = searchInputs[i] }
                }
            } else {
                report.searchEntriesMissing = true
            }
        }
        parts = []
        // A page rendered again keeps its entry's place in a docs shard left standing; the shards made
        // again give theirs.
        // (The paths are found first: changed while it was being read, the table of 17,000 entries
        // was copied whole.)
        if let previous = cache?.previous {
            let placeless = report.cacheEntries.compactMap { path, entry in entry.searchHash != nil && entry.searchPlace == nil ? path : nil }
            for path in placeless { report.cacheEntries[path]?.searchPlace = previous.entries[path]?.searchPlace }
        }
        if cache != nil {
            for (file, place) in places { report.cacheEntries[file]?.searchPlace = place }
        }
        // The worker's version sums every file's fingerprint, so it is always worked out (cheaply).
        if let worker = theme.serviceWorker {
            emit(Self.serviceWorker(worker, shell: plan.files.filter(\.inShell).map(\.path), fingerprints: report.fingerprints))
        }
        report.diagnostics = bag.all
        return report
    }

    /// Writes the docs shards that a part's joining completed (see `SearchIndex.Joiner`), recorded as
    /// a court's task records its own files; their input is set once every entry is known.
    func writeSearchShards(_ shards: [OutputFile], to sink: some OutputSink, fingerprints: inout PathTable<UInt64>,
                           entries: inout PathTable<BuildCache.Entry>, failure: inout String?) {
        for file in shards {
            do {
                try sink.emit(file)
                let hash = ContentHash.of(file.bytes)
                fingerprints[file.path] = hash
                if cache != nil { entries[file.path] = BuildCache.Entry(input: 0, output: hash, size: file.bytes.count) }
            } catch {
                failure = "cannot write \(file.path): \(error)"
            }
        }
    }

    /// Every file's entry and fingerprint when courts were reused whole (`reused` files in all), made
    /// from the last build's table of entries rather than by putting 17,000 paths (at 10,000 notices)
    /// into two new tables: a reused file's entry is the last build's as it stands, so only the parts'
    /// entries (files made or checked again) are put in, and the fingerprints are the entries'
    /// outputs, copied from the table without hashing a path again. `late` are files whose entries are
    /// put in after this (each is, on a build that succeeds); their last ones stand until then. Paths
    /// are the plan's, each in one part, reused or late. Nil unless that gives the tables the parts
    /// joined would: a part's fingerprints must be its entries' outputs (no file without an entry,
    /// or the other way round), every late file must be in the last table, and the last table must
    /// hold nothing else (a file this build does not have).
    static func joinedOverPrevious(_ previous: PathTable<BuildCache.Entry>, entries: [PathTable<BuildCache.Entry>], fingerprints: [PathTable<UInt64>],
                                   reused: Int, late: [String]) -> (entries: PathTable<BuildCache.Entry>, fingerprints: PathTable<UInt64>)? {
        guard entries.count == fingerprints.count else { return nil }
        var tables = PreviousTables(previous, late: late)
        let parts = zip(entries, fingerprints).map { partFiles(entries: $0, fingerprints: $1) }
        guard joinedOverPrevious(&tables, parts: parts, reused: reused, late: late) else { return nil }
        return (tables.entries, tables.fingerprints)
    }

    /// A part's two tables as its list of files (see `CourtOutput.compact`).
    static func partFiles(entries: PathTable<BuildCache.Entry>, fingerprints: PathTable<UInt64>) -> [PartFile] {
        var files: [PartFile] = []
        files.reserveCapacity(fingerprints.count)
        var withEntry = 0
        for (path, fingerprint) in fingerprints {
            let entry = entries[path]
            if entry != nil { withEntry += 1 }
            files.append(PartFile(path: path, fingerprint: fingerprint, entry: entry))
        }
        // An entry without a fingerprint (none of the parts makes one) is kept all the same.
        if withEntry < entries.count {
            for (path, entry) in entries where fingerprints[path] == nil {
                files.append(PartFile(path: path, fingerprint: nil, entry: entry))
            }
        }
        return files
    }

    /// As above, putting the parts over `tables` where they stand (left in no useful state when it
    /// says no). Held by one owner, the tables are changed without being copied.
    static func joinedOverPrevious(_ tables: inout PreviousTables, parts: [[PartFile]], reused: Int, late: [String]) -> Bool {
        // Each file with an entry and a fingerprint, its entry's output.
        for part in parts {
            guard part.allSatisfy({ file in file.entry.map { $0.output == file.fingerprint } ?? false }) else { return false }
        }
        guard tables.late == late, tables.holdsLate else { return false }
        var made = 0
        for part in parts {
            for file in part {
                guard let entry = file.entry else { return false }
                tables.entries[file.path] = entry
                tables.fingerprints[file.path] = entry.output
            }
            made += part.count
        }
        return tables.entries.count == made + reused + late.count
    }

    /// The last build's table of entries and its fingerprints (the entries' outputs), each a table
    /// of its own, for `joinedOverPrevious` to put a rebuild's parts over. Made while the courts
    /// render: made after them, the copy of 17,000 entries (at 10,000 notices) and the table of
    /// their fingerprints took one core 3-4 ms while the other had nothing to do.
    /// Whether every late file is in the last table is found then too (6,000 lookups).
    struct PreviousTables: Sendable {
        var entries: PathTable<BuildCache.Entry>
        var fingerprints: PathTable<UInt64>
        let late: [String]
        let holdsLate: Bool

        init(_ previous: PathTable<BuildCache.Entry>, late: [String]) {
            entries = previous
            // A table of its own now, not when first changed (a shared one is copied then).
            entries.reserveCapacity(previous.count)
            fingerprints = previous.mapValues(\.output)
            self.late = late
            holdsLate = late.allSatisfy { previous[$0] != nil }
        }
    }

    /// The templates a court renders whenever any of its content changed: its notice pages (one was
    /// edited). Its other pages are kept while made from the same data (see `PageData`); a template
    /// one of them does need is parsed when it is first rendered.
    public static let templatesOfChangedCourts = ["notice"]

    /// True unless the court's own pages are the last build's (by their input: a cheap guess, for the
    /// order courts render in).
    func courtChanged(_ index: Int) -> Bool {
        guard let cache, let previous = cache.previous, let input = cache.courtInputs[model.courts[index].court.id] else { return true }
        return previous.entries["courts/\(model.courts[index].court.id)/index.html"]?.input != input
    }

    /// The index made again: from the last build's term shards when some pages were reused (see
    /// `SearchIndex.patched`), else, or when those cannot be read, by finding every entry's words.
    func remade(_ parts: [SearchIndex], layout: SearchIndex.Layout, kept: [Bool]) async -> (SearchIndex, SearchIndexOrigin)? {
        if parts.contains(where: { $0.missing > 0 }), let cache, let previous = cache.previous,
           let patched = SearchIndex.patched(parts, previous: previous, output: cache.outputRoot, layout: layout, kept: kept) {
            return patched
        }
        return await joined(parts).map { ($0, .found) }
    }

    /// The parts of the index (free pages, then each court's) joined in order, after reading back the
    /// entries of reused pages from the last build's docs shards and finding their words again, a part
    /// to a task; nil when an entry cannot be read back.
    func joined(_ parts: [SearchIndex]) async -> SearchIndex? {
        let wanted = parts.flatMap { part in part.entries.filter { $0.json == nil }.map(\.file) }
        let found: [String: [UInt8]]
        if wanted.isEmpty {
            found = [:]
        } else {
            guard let cache, let previous = cache.previous, let read = previous.searchEntries(of: wanted, in: cache.outputRoot) else { return nil }
            found = read
        }
        let filled = await withTaskGroup(of: (Int, SearchIndex?).self) { group in
            for (i, part) in parts.enumerated() {
                group.addTask {
                    var part = part
                    return (i, part.fill(from: found) ? part : nil)
                }
            }
            var all = [SearchIndex?](repeating: nil, count: parts.count)
            for await (i, part) in group { all[i] = part }
            return all
        }
        var index = SearchIndex()
        for part in filled {
            guard let part else { return nil }
            index.append(contentsOf: part)
        }
        return index
    }

    /// Home, the all-courts checklist, search and 404 pages, the site feed, assets, manifest and robots:
    /// each taken from the cache when its input is unchanged and its file still in place.
    func renderSiteFiles(to sink: some OutputSink) -> CourtOutput {
        var out = CourtOutput(diagnostics: [], fingerprints: [:], search: SearchIndex(), cacheEntries: [:], failure: nil)
        var bag = DiagnosticBag()
        func reuse(_ path: String) -> Bool {
            guard let entry = reusable(path) else { return false }
            out.fingerprints[path] = entry.output
            out.cacheEntries[path] = entry
            return true
        }
        func emit(_ file: OutputFile, data: UInt64? = nil) {
            let input = input(of: file.path)
            let hash = ContentHash.of(file.bytes)
            if let input, let left = cache?.leftInPlace(file.path, input: input, hash: hash, size: file.bytes.count, data: data) {
                out.fingerprints[file.path] = hash
                out.cacheEntries[file.path] = left
                return
            }
            do {
                try sink.emit(file)
            } catch {
                out.failure = "cannot write \(file.path): \(error)"
                return
            }
            out.fingerprints[file.path] = hash
            if let input { out.cacheEntries[file.path] = BuildCache.Entry(input: input, output: hash, size: file.bytes.count, data: data) }
        }
        if !reuse("index.html") {
            let data = homeData(), path = "index.html"
            let print = cache.flatMap { PageData.fingerprint(global: $0.global, template: "home", data) }
            if let print, let input = input(of: path), let kept = cache?.madeFromSameData(path, input: input, data: print) {
                out.fingerprints[path] = kept.output
                out.cacheEntries[path] = kept
                out.keptByData += 1
            } else {
                emit(page("", template: "home", data), data: print)
            }
        }
        if !reuse("checklist/index.html") {
            emit(renderChecklist(courts: model.courts, path: "checklist/", bag: &bag))
        }
        let searchPath = "search/"
        if !reuse("search/index.html") {
            emit(page(searchPath, template: "search", context(searchPath).base(kind: "search", title: "Search", description: "Search every page of the site",
                breadcrumbs: [("Home", "")])))
        }
        let notFound = "404.html"
        if !reuse(notFound) {
            emit(OutputFile(path: notFound, text: theme.render("404", context(notFound).base(kind: "not-found", title: "Page not found", description: ""))))
        }
        if !reuse("feed.xml") {
            let newest = model.newestCurrentNotices(limit: SiteFeeds.entryLimit)
            // Variables only for the courts in the feed: making them formats dates in the court's zone.
            let variables = Dictionary(newest.map { ($0.0.id, $0.0) }) { a, _ in a }.mapValues { CourtVariables(court: $0) }
            emit(SiteFeeds.atom(title: site.title, selfPath: "feed.xml", site: site, linker: linker,
                                notices: newest, renderBody: { court, notice in
                                    var ignored = DiagnosticBag()
                                    return body.render(notice, variables: variables[court.id], bag: &ignored)
                                }))
        }
        for asset in theme.assetFiles where !reuse(asset.path) {
            emit(OutputFile(path: asset.path, bytes: asset.bytes))
        }
        if !reuse("assets/manifest.json") {
            emit(OutputFile(path: "assets/manifest.json", text: JSONValue.object(theme.manifest.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).serialized(pretty: true) + "\n"))
        }
        if !reuse("robots.txt") {
            emit(OutputFile(path: "robots.txt", text: "User-agent: *\nAllow: /\nSitemap: \(site.baseURL)sitemap.xml\n"))
        }
        out.diagnostics = bag.all
        return out
    }

    /// sw.js at the root (a worker's scope is its folder): the site's shell to cache on install, and a
    /// version that changes whenever any file does, so a rebuilt site replaces the old cache. Notice
    /// pages are cached as they are visited rather than all up front.
    static func serviceWorker(_ script: [UInt8], shell: [String], fingerprints: PathTable<UInt64>) -> OutputFile {
        let cached = shell.sorted()
        // Summed per file, so the version needs no sorting of every path (this runs on every build).
        // A sum is the same in any order: the table is cut into runs of its own order, one a core
        // (17,000 paths hashed at 10,000 notices, on one core after the courts rendered).
        let chunks = max(1, min(availableCores, fingerprints.count / 2048))
        var starts = [fingerprints.startIndex]
        for chunk in 1..<(chunks + 1) {
            let previous = starts[chunk - 1]
            starts.append(chunk == chunks ? fingerprints.endIndex : fingerprints.index(previous, offsetBy: fingerprints.count / chunks))
        }
        let bounds = starts
        let sum = inChunks(chunks, minimum: 1) { range in
            var sum: UInt64 = 0
            for chunk in range {
                for (path, fingerprint) in fingerprints[bounds[chunk]..<bounds[chunk + 1]] {
                    var mixed = (ContentHash.of(path) ^ fingerprint) &* 0xFF51_AFD7_ED55_8CCD
                    mixed ^= mixed >> 33
                    sum = sum &+ mixed
                }
            }
            return sum
        }.reduce(0 as UInt64, &+)
        let hash = ContentHash.fnv1a64(script) ^ sum
        let list = JSONValue.array(cached.map { .string($0) }).serialized()
        let header = "self.GAVEL_BUILD = {\"version\":\"\(String(hash, radix: 16))\",\"files\":\(list)};\n"
        return OutputFile(path: "sw.js", bytes: Array(header.utf8) + script)
    }

    // MARK: - Home

    /// What home is made from: every court's card and the newest notices.
    func homeData() -> [String: Any] {
        let ctx = context("")
        let latest = model.newestCurrentNotices(limit: 10)
        let notices = latest.map { noticeItem($0.1, court: $0.0, ctx: ctx) }
        return ctx.base(kind: "home", title: site.title, description: site.description).merging([
            "courts": model.courts.map { courtCard($0, ctx: ctx) },
            "notices": notices, "has_notices": !notices.isEmpty,
        ])
    }

    // MARK: - Shared pieces

    func courtCard(_ m: SiteModel.CourtModel, ctx: PageContext, full: Bool = false) -> [String: Any] {
        let c = m.court
        var card: [String: Any] = [
            "id": c.id, "name": c.name, "short_name": c.shortName, "kind_label": c.kind.label,
            "timezone": c.timeZone.identifier,
            "href": ctx.href("courts/\(c.id)/"), "checklist_href": ctx.href("courts/\(c.id)/checklist/"),
            "feed_href": ctx.href("courts/\(c.id)/feed.xml"), "calendar_href": ctx.href("courts/\(c.id)/calendar.ics"),
            "has_go_live": c.goLiveInstant != nil,
        ]
        if let goLive = c.goLive, let instant = c.goLiveInstant {
            let text = goLive.text(clock: c.clock)
            card["go_live_text"] = text
            card["go_live_iso"] = instant.description
            if goLive.dayOnly != nil { card["go_live_day_only"] = true }
            card["go_live_status"] = instant <= model.now ? "Went live on \(text)" : "Goes live on \(text)"
        } else if c.live {
            card["go_live_status"] = "Live on NextGen CM/ECF" + (c.goLiveNote.map { " (\($0))" } ?? "")
            card["is_live"] = true
        } else {
            card["go_live_status"] = c.goLiveNote.map { "Go-live not yet scheduled: \($0)" } ?? "Go-live not yet scheduled"
        }
        if let note = c.goLiveNote { card["go_live_note"] = note }
        guard full else { return card }
        card["downtime"] = c.downtime.map { w -> [String: Any] in
            let start = w.start.instant(in: c.timeZone)
            var item: [String: Any] = ["title": w.title, "start_text": PeopleTime.format(start, clock: c.clock), "start_iso": start.description]
            switch w.end {
            case let .dateTime(local)?:
                let end = local.instant(in: c.timeZone)
                item["end_text"] = PeopleTime.format(end, clock: c.clock)
                item["end_iso"] = end.description
            case let .day(date)?:
                item["end_text"] = "some time on " + date.longText + (w.endNote.map { " (\($0))" } ?? "")
                item["end_iso"] = date.description
            case nil:
                item["end_text"] = w.endNote ?? "not yet announced"
            }
            return item
        }
        card["has_downtime"] = !c.downtime.isEmpty
        card["has_notices"] = !m.currentNotices.isEmpty
        card["contacts"] = c.contacts.map { contact -> [String: Any] in
            var item: [String: Any] = ["label": contact.label]
            if let phone = contact.phone {
                item["phone"] = phone
                item["phone_href"] = "tel:+1" + phone.filter(\.isNumber).suffix(10)
            }
            if let email = contact.email { item["email"] = email; item["email_href"] = "mailto:" + email }
            if let hours = contact.hours { item["hours"] = hours }
            return item
        }
        card["notices"] = m.currentNotices.map { noticeItem($0, court: model.court($0.court) ?? c, ctx: ctx) }
        card["archived_notices"] = m.archivedNotices.map { noticeItem($0, court: model.court($0.court) ?? c, ctx: ctx) }
        card["has_archived"] = !m.archivedNotices.isEmpty
        card["steps"] = m.steps.enumerated().map { i, step -> [String: Any] in
            ["number": i + 1, "title": step.module.title, "summary": step.module.summary, "href": ctx.href("courts/\(c.id)/steps/\(step.module.id)/")]
        }
        return card
    }

    func noticeItem(_ n: Notice, court: Court, ctx: PageContext) -> [String: Any] {
        var item: [String: Any] = [
            "title": n.title, "href": ctx.href(n.sitePath), "date_text": n.date.longText, "date_iso": n.date.description,
            "court_name": court.name, "court_href": ctx.href("courts/\(court.id)/"), "archived": n.isArchived(now: court.today(at: model.now)),
        ]
        if let summary = n.summary { item["summary"] = summary }
        return item
    }

    func rules(_ step: CheckedStep, court: Court?) -> [[String: Any]] {
        let english = RuleEnglish(facts: model.content.facts, stepTitles: model.content.steps.mapValues(\.title), court: court)
        return english.lines(for: step).map { ["label": $0.label, "text": $0.text] }
    }

    static func scopeText(_ scope: Scope) -> String {
        scope == .person ? "Done once for all courts (Central Sign-On)" : "Done for this court"
    }
}

extension Court {
    func today(at now: Instant) -> LocalDate { clock.today(at: now) }
}
