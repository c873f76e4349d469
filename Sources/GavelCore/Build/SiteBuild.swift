import Foundation
import Synchronization

/// The build, as an ordered list of named steps: load, validate, render, write.
public struct SiteBuild {
    public var options: BuildOptions

    public init(options: BuildOptions) { self.options = options }

    /// Tunes the process for building, once, before any other thread runs: the heap grows in large
    /// steps (see `FileIO.growHeapInLargeSteps`; first, so the threads' heaps are made at their full
    /// size) and, for a command that rebuilds, the threads' heaps ask for huge pages where the kernel
    /// has them for the asking (see `FileIO.askForHugePagesInThreadHeaps`), a heap for each core: a
    /// build's work runs on a thread per core (a heap made and not used holds a huge page for nothing).
    /// A build from nothing goes without: it took the same time either way (835 ms at 10,000 notices,
    /// eight in turn), and its peak RSS was 0.7 to 2.7 MiB smaller without (by how many huge pages
    /// the kernel had to give). `work` (the command line's parsing) runs meanwhile on this thread, and
    /// must start no thread.
    public static func prepareProcess<T>(rebuilds: Bool, meanwhile work: () throws -> sending T) rethrows -> sending T {
        FileIO.growHeapInLargeSteps()
        guard rebuilds else { return try work() }
        return try FileIO.askForHugePagesInThreadHeaps(threads: min(8, availableCores), meanwhile: work)
    }

    /// Whether a build into `output` finds the state an earlier one left beside it (its render cache):
    /// whether it rebuilds rather than builds from nothing.
    public static func findsState(beside output: String) -> Bool {
        FileIO.kind(BuildCache.location(for: URL(fileURLWithPath: output)).path) == .file
    }

    public struct Result: Sendable {
        /// Every file the build produced, made into a set when asked: `gavel build` prints only how
        /// many there are, and making the set of 17,000 paths (at 10,000 notices) took it 3-5 ms.
        public var files: Set<String> { listFiles() }
        /// How many files the build produced.
        public let fileCount: Int
        private let listFiles: @Sendable () -> Set<String>
        /// The same, in order.
        public var paths: [String] { files.sorted() }
        public var written: OutputWriter.Summary?
        public var warnings: [Diagnostic]
        /// How the search index was had (nil: not rendered, the build ended on its witness).
        public var searchIndex: SearchIndexOrigin?
        /// Template pages kept without rendering: made from the same data as their files (see `PageData`).
        public var pagesKeptByData = 0
        /// Pages filled from skeletons the last build left (see `SkeletonFile`).
        public var pagesFromKeptSkeletons = 0
        /// With `BuildOptions.defersState`: the state for the next build, still to be written. The
        /// Output's lock is held until it is (or until this is dropped, and the state with it).
        public var pendingState: PendingState?
        /// The build's large values, freed when this is dropped (see `Leftovers`).
        public var leftovers: Leftovers?

        init(count: Int, files: @escaping @Sendable () -> Set<String>, written: OutputWriter.Summary?, warnings: [Diagnostic],
             searchIndex: SearchIndexOrigin? = nil) {
            fileCount = count
            listFiles = files
            self.written = written
            self.warnings = warnings
            self.searchIndex = searchIndex
        }

        /// The files of a build that rendered them: the keys of its table of fingerprints.
        init(fingerprints: PathTable<UInt64>, written: OutputWriter.Summary?, warnings: [Diagnostic], searchIndex: SearchIndexOrigin? = nil) {
            self.init(count: fingerprints.count, files: { Set(fingerprints.keys) }, written: written, warnings: warnings, searchIndex: searchIndex)
        }
    }

    /// What a build held that its caller may free when it likes: the last build's state, the model,
    /// the report: hundreds of thousands of values at 10,000 notices, whose freeing took 15-25 ms of
    /// one core after the state was written. `gavel build` ends its process without freeing them, as
    /// compilers do; `gavel serve` drops them after telling pages to reload.
    public struct Leftovers: Sendable {
        let values: [any Sendable]
    }

    /// A value handed once to work done later (the state's writing), which takes it and so may
    /// change it in place: no other reference is left to make it copy.
    final class HandedOver<Value: Sendable>: Sendable {
        private let value: Mutex<Value?>
        init(_ value: Value) { self.value = Mutex(value) }
        func take() -> Value? {
            value.withLock { value in
                let taken = value
                value = nil
                return taken
            }
        }
    }

    /// Writing the state a build left for the next one, when its caller is ready.
    public struct PendingState: Sendable {
        let work: @Sendable () async -> Void
        public func write() async { await work() }
    }

    /// Everything up to rendering, shared by `build`, `check` and `eval`.
    public struct Validated: Sendable {
        public var model: SiteModel
        public var theme: Theme?
    }

    /// `previous` lets unchanged notices be taken from the last build's index; `indexing` stamps the
    /// notices for the next one (only a build that writes keeps an index).
    public func load(bag: inout DiagnosticBag, indexing: Bool = false, previous: NoticeIndex? = nil) async -> SiteContent? {
        await loadIndexed(bag: &bag, indexing: indexing, previous: previous, changed: nil).content
    }

    /// The content and, when indexing, the notice index for the next build and the notices folders
    /// as listed (for the witness): build state, kept apart from the content model. `changed`: the
    /// only files that can differ from what `previous` records (see `BuildOptions.changedContent`).
    func loadIndexed(bag: inout DiagnosticBag, indexing: Bool, previous: NoticeIndex?, changed: Set<String>?) async
        -> (content: SiteContent?, notices: NoticeIndex?, listings: [String: ContentLoader.FolderListing]) {
        var loader = ContentLoader(root: options.content, displayRoot: options.contentDisplay, includeDrafts: options.includeDrafts,
                                   indexing: indexing, previous: previous)
        loader.changedSincePrevious = changed
        let content = await loader.load(bag: &bag)
        return (content, loader.log.notices.withLock { $0 }, loader.log.listings.withLock { $0 })
    }

    public func validate(_ content: SiteContent, bag: inout DiagnosticBag) -> SiteModel {
        var content = content
        if let base = options.baseURL {
            LinkSafety.checkBase(Located(base, at: SourceLocation(file: "--base-url")), bag: &bag)
            content.site.baseURL = base.hasSuffix("/") ? base : base + "/"
        }
        // Court data in notices' titles and summaries is filled here, so pages, lists, feeds, search
        // and calendars all show it.
        for c in content.courts.indices where content.courts[c].notices.contains(where: \.mayNameCourtVariables) {
            let variables = CourtVariables(court: content.courts[c])
            for n in content.courts[c].notices.indices {
                let notice = content.courts[c].notices[n]
                content.courts[c].notices[n].title = variables.fillText(notice.title, file: notice.file, bag: &bag)
                content.courts[c].notices[n].summary = notice.summary.map { variables.fillText($0, file: notice.file, bag: &bag) }
            }
        }
        let steps = StepRuleCompiler.compile(content, bag: &bag)
        let courtSteps = StepRuleCompiler.courtSteps(content, shared: steps, bag: &bag)
        ContentValidator.validate(content, checked: steps, courtSteps: courtSteps, bag: &bag)
        return SiteModel(content: content, steps: steps, courtSteps: courtSteps, now: options.now)
    }

    public func renderer(for model: SiteModel, theme: Theme, plan: PagePlan? = nil, cache: SiteRenderer.RenderCache? = nil) -> SiteRenderer {
        let basePath = URL(string: model.content.site.baseURL)?.path ?? "/"
        let linker = SiteLinker(offline: options.offline, basePath: basePath.isEmpty ? "/" : basePath)
        var renderer = SiteRenderer(model: model, theme: theme, linker: linker, markdown: Markdown(), plan: plan, cache: cache)
        renderer.progress = options.renderProgress
        return renderer
    }

    /// Load and validate; the model and theme, or every error found.
    func prepare(bag: inout DiagnosticBag) async -> (SiteModel, Theme)? {
        await prepare(bag: &bag, indexing: false, previous: nil, changed: nil, steps: nil).map { ($0.model, $0.theme) }
    }

    /// As `prepare`, with the notice index read this time (when indexing), for the build state.
    func prepare(bag: inout DiagnosticBag, indexing: Bool, previous: NoticeIndex?, changed: Set<String>?, steps: StepLog?) async -> (model: SiteModel, theme: Theme, notices: NoticeIndex?)? {
        let steps = steps ?? StepLog(timings: options.timings, observer: options.stepObserver)
        let loaded = await loadInputs(bag: &bag, indexing: indexing, previous: previous, changed: changed, steps: steps)
        return await validated(loaded, bag: &bag, steps: steps).map { ($0.model, $0.theme, loaded.notices) }
    }

    /// What `load` reads: the content, the theme, and (when indexing) the notice index for the next
    /// build and the notices folders as listed.
    struct Loaded: Sendable {
        var content: SiteContent?
        var theme: Theme?
        var notices: NoticeIndex?
        var listings: [String: ContentLoader.FolderListing] = [:]
        /// The site's templates were loaded unparsed, for the build to check (see `Theme.unchecked`).
        var siteTemplatesDeferred = false
    }

    /// The `load` step: the content and the theme, read at the same time. `defersSiteTemplates`: the
    /// site's templates are left for the caller to check (`run(write:)`, which knows the state).
    func loadInputs(bag: inout DiagnosticBag, indexing: Bool, previous: NoticeIndex?, changed: Set<String>?, steps: StepLog,
                    defersSiteTemplates: Bool = false) async -> Loaded {
        // Templates load while the content does.
        let templates = options.templates, templatesDisplay = options.templatesDisplay, memory = options.memory
        async let loadedTheme = { () -> (Theme?, [Diagnostic]) in
            var themeBag = DiagnosticBag()
            let theme = Theme.load(overrides: templates, displayRoot: templatesDisplay, reusing: memory?.theme,
                                   defersSiteTemplates: defersSiteTemplates, bag: &themeBag)
            if let theme, themeBag.all.isEmpty { memory?.keep(theme: theme) }
            return (theme, themeBag.all)
        }()
        let (content, notices, listings) = await loadIndexed(bag: &bag, indexing: indexing, previous: previous, changed: changed)
        let (theme, themeProblems) = await loadedTheme
        bag.add(contentsOf: themeProblems)
        steps.done("load")
        return Loaded(content: content, theme: theme, notices: notices, listings: listings, siteTemplatesDeferred: defersSiteTemplates)
    }

    /// The `validate` step: the model, or nil when anything loaded or validated has an error.
    /// Deferred site templates are checked here when the build already failed, so their errors
    /// come in the same run; otherwise they are left to the caller that deferred them.
    func validated(_ loaded: Loaded, bag: inout DiagnosticBag, steps: StepLog) async -> (model: SiteModel, theme: Theme)? {
        guard let content = loaded.content else {
            var theme = loaded.theme
            theme?.checkSiteTemplates(bag: &bag)
            return nil
        }
        let model = validate(content, bag: &bag)
        steps.done("validate")
        guard var theme = loaded.theme else { return nil }
        if !loaded.siteTemplatesDeferred || bag.hasErrors { theme.checkSiteTemplates(bag: &bag) }
        guard !bag.hasErrors else {
            await bodyProblems(model, theme: theme, bag: &bag)
            return nil
        }
        return (model, theme)
    }

    /// With errors in court.yml, facts or front matter, the bodies that did load are still rendered
    /// (into nothing) so their own errors come in the same run. Broken-link errors are left out
    /// then: a page missing because its file has an error would make links to it look broken.
    func bodyProblems(_ model: SiteModel, theme: Theme, bag: inout DiagnosticBag) async {
        let report = await renderer(for: model, theme: theme).render(to: DiscardingSink())
        bag.add(contentsOf: report.diagnostics.filter { !$0.message.hasPrefix("broken internal link") && !$0.message.hasPrefix("broken navigation link") })
    }

    /// Renders into `sink` without touching the output folder (`gavel check`, tests).
    public func run(into sink: some OutputSink) async throws(DiagnosticsError) -> Result {
        var bag = DiagnosticBag()
        guard let (model, theme) = await prepare(bag: &bag) else { throw DiagnosticsError(bag.all) }
        let report = await renderer(for: model, theme: theme).render(to: sink)
        bag.add(contentsOf: report.diagnostics)
        guard !bag.hasErrors else { throw DiagnosticsError(bag.all) }
        return Result(fingerprints: report.fingerprints, written: nil, warnings: bag.all)
    }

    /// The build, step by step: take the Output's lock (and end there when the last build's witness
    /// shows nothing would change), read the state beside it, load and validate the content, render
    /// (staging changed files), commit the new site into Output in one exchange, and write the state
    /// for next time. Output changes only in the commit, and only when every earlier step succeeded;
    /// state is written only after it.
    public func run(write: Bool) async throws(DiagnosticsError) -> Result {
        guard write else { return try await run(into: DiscardingSink()) }
        let steps = StepLog(timings: options.timings, observer: options.stepObserver)
        var writer = OutputWriter(output: options.output)
        writer.makesSpare = options.makesSpare
        writer.flushes = options.outlivesProcess

        let lock: FileIO.Lock
        switch BuildState.lock(options.output) {
        case let .success(held): lock = held
        case let .failure(problem): throw DiagnosticsError([problem])
        }
        defer { withExtendedLifetime(lock) {} }
        var bag = DiagnosticBag()
        if let problem = writer.checkOwnership() { bag.add(problem) }
        steps.done("lock")

        // A build that would change nothing says so from the witness the last one left.
        if options.usesWitness, !options.makesSpare, !bag.hasErrors, !BuildWitness.newestInputMoved(for: options.output),
           let witness = BuildWitness.load(for: options.output), witness.inputsHold(for: options),
           let cached = BuildCache.fileStamps(for: options.output), witness.outputHolds(writer.output.path, files: cached) {
            steps.done("unchanged")
            var summary = OutputWriter.Summary()
            summary.unchanged = witness.files
            summary.listedFolders = 0
            let paths = cached.paths
            return Result(count: paths.count, files: { Set(paths.map { String(decoding: $0, as: UTF8.self) }) }, written: summary, warnings: [])
        }
        BuildWitness.remove(for: options.output)
        BuildState.removeStrayTemporaries(for: options.output)
        // Stamps of what this build reads count only if older than this mark (see `BuildWitness`),
        // read on the lock file and from the kernel's clock; the earlier of the two.
        let mark = writer.markTime().map { (device: $0.device, time: min($0.time, FileIO.coarseNow())) }

        var state: BuildState
        // Trusted: a private folder, and the state this process left for it (see `trustsOutput`).
        var trusted = false
        // Told what changed since the kept state was made: only with that state (see `changedContent`).
        var changed: Set<String>?
        let remembered = options.memory?.recall(for: options.output)
        if remembered != nil { trusted = options.trustsOutput }
        writer.trustsTrees = trusted
        // Only the commit needs the record of the trees, and its first look at Output (marking the
        // clock, reading the manifest and the spare: only the commit touches it). Both are done while
        // the content is read, validated and planned: one core, much of that time.
        let output = options.output, starter = writer
        async let commitStart = { () -> (trees: TreeRecord?, start: OutputWriter.CommitStart) in
            let trees = remembered.map(\.trees) ?? BuildState.loadTrees(for: output)
            return (trees, starter.startCommit(trees: trees))
        }()
        // The render cache is wanted only once the site is planned: it is read while the notice
        // index is and the content loads (the end of its reading, its table of 17,000 entries, is
        // on one core: the content waited for it when both files were read before the content).
        async let readCache = remembered == nil ? BuildState.loadCache(for: output) : nil
        // The page skeletons the last build left (see `SkeletonFile`), for the render.
        async let readSkeletons = SkeletonFile.load(for: output)
        if let remembered {
            state = remembered
            changed = options.changedContent
        } else {
            state = BuildState(cache: nil, notices: BuildState.loadNotices(for: options.output, contentRoot: options.content.path, displayRoot: options.contentDisplay))
        }
        var loaded = await loadInputs(bag: &bag, indexing: true, previous: state.notices, changed: changed, steps: steps, defersSiteTemplates: true)
        let notices = loaded.notices
        // The stamps of what this build read, for the next one's witness, are taken while it is
        // validated and planned.
        let roots = [options.content] + (options.templates.map { [$0] } ?? [])
        let usesWitness = options.usesWitness
        // The notices folders as the load listed them, with the stamps it took, after the mark: they
        // need no second look. Handed to the scan and gone when it is done: held to the build's end,
        // a stamp for each of 10,000 notices (0.7 MB) was at a full build's peak.
        let listings = HandedOver(loaded.listings)
        loaded.listings = [:]
        async let inputs = usesWitness ? mark.flatMap { BuildWitness.scan(roots, device: $0.device, listed: listings.take() ?? [:]) } : nil
        guard let (model, validTheme) = await validated(loaded, bag: &bag, steps: steps), !bag.hasErrors else {
            throw DiagnosticsError(bag.all)
        }
        var theme = validTheme

        do {
            try writer.prepare()
        } catch {
            throw DiagnosticsError([.error(SourceLocation(file: writer.staging.path), "cannot create the staging folder: \(error)")])
        }
        if remembered == nil { state.cache = await readCache }
        // A rebuild renders the courts whose content changed, each its notice pages from a template
        // parsed when a page first needs it (swift-mustache's parser: some 12 million instructions
        // for it). It is parsed while the site is planned, one core's work, unless the last build
        // left skeletons of that template for the same global fingerprint as its cache (the global
        // one this build works out below, most likely).
        let rebuilding = state.cache != nil
        let keptSkeletons = await readSkeletons
        let likelySkeletons = Set(keptSkeletons.flatMap { $0.global == state.cache?.global ? $0.skeletons.map(\.template) : nil } ?? [])
        let prefetching = theme
        let prefetched = SiteRenderer.templatesOfChangedCourts.filter { !likelySkeletons.contains($0) }
        async let templatesParsed: Void = rebuilding ? prefetching.parse(prefetched) : ()
        // The site's templates parse if the last build, which left this state only because it
        // succeeded, had these very inputs (its global fingerprint holds the theme's bytes): then
        // each is parsed when a page first needs it, as a one-notice rebuild needs few. Otherwise
        // they are all parsed now, and their errors told: without state, on another core while the
        // site is planned.
        async let checkedBesideThePlan = rebuilding ? [] : prefetching.siteTemplateProblems()
        let plan = PagePlan(model: model, theme: theme)
        writer.expectWritten(plan.files.count)
        var cache = SiteRenderer.RenderCache(previous: state.cache, global: BuildCache.globalFingerprint(options: options, model: model, theme: theme, plan: plan),
                                             outputRoot: writer.output.path, model: model)
        cache.trustsFiles = trusted
        if !rebuilding {
            bag.add(contentsOf: await checkedBesideThePlan)
            theme.unchecked = [:]
        } else if state.cache?.global != cache.global {
            theme.checkSiteTemplates(bag: &bag)
        }
        if bag.hasErrors {
            _ = await commitStart
            _ = await inputs
            await templatesParsed
            writer.abort()
            throw DiagnosticsError(bag.all)
        }
        steps.done("plan")
        // The manifest's order, from the plan (the last build's order when it still holds), while the
        // site renders.
        async let order = plan.sortedPaths(reusing: state.cache?.order)
        var siteRenderer = renderer(for: model, theme: theme, plan: plan, cache: cache)
        // Skeletons made under another global fingerprint may not fit these templates: not used.
        if let keptSkeletons, keptSkeletons.global == cache.global { siteRenderer.keep(skeletons: keptSkeletons.skeletons) }
        var report = await siteRenderer.render(to: writer)
        await templatesParsed
        // A page's template that did not parse, which only a state vouching wrongly can bring about:
        // the check tells it, and the build fails below with nothing committed.
        if theme.failedOnDemand { theme.checkSiteTemplates(bag: &bag) }
        if report.searchEntriesMissing {
            // The last build's docs shards could not give back a reused page's entry: render it all.
            cache.previous = nil
            var again = renderer(for: model, theme: theme, plan: plan, cache: cache)
            // The same templates: the skeletons had so far stand.
            again.skeletons = siteRenderer.skeletons
            siteRenderer = again
            report = await siteRenderer.render(to: writer)
        }
        bag.add(contentsOf: report.diagnostics)
        steps.done("render")
        guard !bag.hasErrors else {
            _ = await commitStart
            _ = await inputs
            _ = await order
            writer.abort()
            // A body found changed since its notice was indexed must be read afresh next time; any
            // failed build drops the index rather than tell those cases apart.
            NoticeIndex.remove(for: options.output)
            throw DiagnosticsError(bag.all)
        }

        // The cache and the notice index are written (under temporary names) while the commit runs,
        // for `gavel build`; serve, which tells open pages to reload before it writes the state, writes them after.
        let stamps = writer.stamps, global = cache.global, fingerprints = report.fingerprints
        // Skeletons made this build are kept with those it was given; none made, the file stands.
        let skeletons = siteRenderer.skeletons.toKeep()
        // Sorted while the site rendered: done by now.
        let sorted = await order
        // Handed over whole, so stamping its few emitted files does not copy all 17,000 entries.
        let rendered = HandedOver(report.cacheEntries), read = state
        report.cacheEntries = [:]
        let prepare: @Sendable () async -> BuildState.Prepared = { [notices, output] in
            await BuildState.Prepared.make(for: output, entries: rendered, stamps: stamps, global: global, order: sorted.order, fingerprints: fingerprints,
                                           notices: notices, previous: read, skeletons: skeletons)
        }
        let defers = options.defersState
        async let early: BuildState.Prepared? = defers ? nil : await prepare()

        // A rebuild's witness has its ten thousand records of inputs made while the commit runs on one
        // core, not after it (the scan is done by now: it ran while the site was planned and
        // rendered); a build from nothing writes them as it makes them (see `BuildWitness.records`).
        let witnessInputs = await inputs
        async let witnessRecords = rebuilding ? witnessInputs.map { BuildWitness.records(of: $0) } : nil

        let summary: OutputWriter.Summary
        let (recorded, started) = await commitStart
        state.trees = recorded
        do {
            summary = try writer.commit(report.fingerprints, start: started, trees: recorded, order: sorted.paths)
        } catch {
            await early?.discard()
            throw DiagnosticsError(error.diagnostics)
        }
        steps.done("commit")

        // The previous site's tree goes while the rest is done: neither waits for the other.
        async let oldTreeRemoved: Void = writer.removeOldTree()
        let trees = writer.treesAfterCommit
        // What follows only makes the state, so it is done when the state is written (for `gavel
        // serve`, after open pages are told to reload).
        let madeWitnessRecords = await witnessRecords
        let witnessClock = mark != nil && witnessInputs != nil && bag.all.isEmpty ? BuildWitness.clock(of: model) : nil
        await oldTreeRemoved
        let options = self.options, previous = state, prepared = await early
        let persist: @Sendable () async -> Void = {
            // The lock is held until the state is written.
            defer { lock.release() }
            let made = if let prepared { prepared } else { await prepare() }
            // A witness only for a build with nothing to tell (a warning is told every time) whose
            // cache describes every file.
            var witness: BuildWitness?
            if let mark, let witnessInputs, let witnessClock, made.describesEveryFile,
               let manifest = NoticeIndex.Stamp.of(options.output.path + "/" + OutputWriter.manifestName) {
                witness = BuildWitness(options: BuildWitness.fingerprint(options), marker: mark.time, zones: witnessClock.zones,
                                       goLives: witnessClock.goLives, inputs: witnessInputs, manifest: manifest, files: made.entries.count,
                                       madeInputRecords: madeWitnessRecords)
            }
            await BuildState.commit(for: options.output, prepared: made, trees: trees == previous.trees ? nil : trees, witness: witness)
            // What the files now hold (a failed write removed its file, so the next build reads
            // again), as they read back.
            options.memory?.remember(BuildState(cache: BuildCache(global: made.global, entries: made.entries, order: made.order), notices: made.notices, trees: trees),
                                     for: options.output)
        }
        var result = Result(fingerprints: report.fingerprints, written: summary, warnings: bag.all, searchIndex: report.search)
        result.pagesKeptByData = report.keptByData
        result.pagesFromKeptSkeletons = siteRenderer.skeletons.pagesFromKeptSkeletons
        // The writer holds the record of the trees the commit left: 22,000 folders at 10,000 notices;
        // the renderer the page skeletons, the commit's start the spare's 11,000 folders (freeing
        // them was 1-2 M instructions each, the commit's on one core).
        result.leftovers = Leftovers(values: [state, model, plan, cache, report, notices as any Sendable, prepared as any Sendable, writer,
                                              siteRenderer, keptSkeletons as any Sendable, started])
        if options.defersState {
            result.pendingState = PendingState(work: persist)
            return result
        }
        await persist()
        steps.done("state")
        return result
    }
}
