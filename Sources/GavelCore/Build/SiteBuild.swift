import Foundation

/// The build, as an ordered list of named steps: load, validate, render, write.
public struct SiteBuild {
    public var options: BuildOptions

    public init(options: BuildOptions) { self.options = options }

    public struct Result: Sendable {
        /// Every file the build produced.
        public var files: Set<String>
        /// The same, in order.
        public var paths: [String] { files.sorted() }
        public var written: OutputWriter.Summary?
        public var warnings: [Diagnostic]
    }

    /// Everything up to rendering, shared by `build`, `check` and `eval`.
    public struct Validated: Sendable {
        public var model: SiteModel
        public var theme: Theme?
    }

    /// `previous` lets unchanged notices be taken from the last build's index; `indexing` stamps the
    /// notices for the next one (only a build that writes keeps an index).
    public func load(bag: inout DiagnosticBag, indexing: Bool = false, previous: NoticeIndex? = nil) async -> SiteContent? {
        await ContentLoader(root: options.content, displayRoot: options.contentDisplay, includeDrafts: options.includeDrafts,
                            indexing: indexing, previous: previous).load(bag: &bag)
    }

    public func validate(_ content: SiteContent, bag: inout DiagnosticBag) -> SiteModel {
        var content = content
        if let base = options.baseURL { content.site.baseURL = base.hasSuffix("/") ? base : base + "/" }
        let steps = StepRuleCompiler.compile(content, bag: &bag)
        ContentValidator.validate(content, checked: steps, bag: &bag)
        return SiteModel(content: content, steps: steps, now: options.now)
    }

    public func renderer(for model: SiteModel, theme: Theme, cache: SiteRenderer.RenderCache? = nil) -> SiteRenderer {
        let basePath = URL(string: model.content.site.baseURL)?.path ?? "/"
        let linker = SiteLinker(offline: options.offline, basePath: basePath.isEmpty ? "/" : basePath)
        return SiteRenderer(model: model, theme: theme, linker: linker, markdown: Markdown(), cache: cache)
    }

    /// Load and validate; the model and theme, or every error found.
    func prepare(bag: inout DiagnosticBag, indexing: Bool = false, previous: NoticeIndex? = nil) async -> (SiteModel, Theme)? {
        let clock = ContinuousClock()
        let start = clock.now
        // Templates load while the content does.
        let templates = options.templates, templatesDisplay = options.templatesDisplay
        async let loadedTheme = { () -> (Theme?, [Diagnostic]) in
            var themeBag = DiagnosticBag()
            let theme = Theme.load(from: templates, displayRoot: templatesDisplay, bag: &themeBag)
            return (theme, themeBag.all)
        }()
        let content = await load(bag: &bag, indexing: indexing, previous: previous)
        let (theme, themeProblems) = await loadedTheme
        bag.add(contentsOf: themeProblems)
        options.timings?.record("load", since: start)
        guard let content else { return nil }
        let validateStart = clock.now
        let model = validate(content, bag: &bag)
        options.timings?.record("validate", since: validateStart)
        guard !bag.hasErrors, let theme else { return nil }
        return (model, theme)
    }

    /// Renders into `sink` without touching the output folder (`gavel check`, tests).
    public func run(into sink: some OutputSink) async throws(DiagnosticsError) -> Result {
        var bag = DiagnosticBag()
        guard let (model, theme) = await prepare(bag: &bag) else { throw DiagnosticsError(bag.all) }
        let report = await renderer(for: model, theme: theme).render(to: sink)
        bag.add(contentsOf: report.diagnostics)
        guard !bag.hasErrors else { throw DiagnosticsError(bag.all) }
        return Result(files: Set(report.fingerprints.keys), written: nil, warnings: bag.all)
    }

    /// The build: load, validate, render (staging changed files), then write. Output is touched only
    /// in the last step, and only when every earlier step succeeded.
    public func run(write: Bool) async throws(DiagnosticsError) -> Result {
        guard write else { return try await run(into: DiscardingSink()) }
        var bag = DiagnosticBag()
        let writer = OutputWriter(output: options.output)
        if let problem = writer.checkOwnership() { bag.add(problem) }
        // Like the cache, the notice index is trusted only next to the Output it was written with.
        let outputExists = FileManager.default.fileExists(atPath: options.output.path)
        let previousIndex = outputExists ? NoticeIndex.load(for: options.output, contentRoot: options.content.path, displayRoot: options.contentDisplay) : nil
        // The cache is trusted only next to the Output it describes; it is read while the content loads.
        let output = options.output
        async let previousCache = outputExists ? BuildCache.load(for: output) : nil
        guard let (model, theme) = await prepare(bag: &bag, indexing: true, previous: previousIndex), !bag.hasErrors else { throw DiagnosticsError(bag.all) }
        do {
            try writer.prepare()
        } catch {
            throw DiagnosticsError([.error(SourceLocation(file: writer.staging.path), "cannot create the staging folder: \(error)")])
        }
        let renderStart = ContinuousClock().now
        let previous = await previousCache
        var cache = SiteRenderer.RenderCache(previous: previous, global: BuildCache.globalFingerprint(options: options, model: model),
                                             outputRoot: writer.output.path, model: model)
        // Search entries are read only when the search index is to be made again.
        if cache.previous != nil, !cache.searchIndexReusable, cache.previous?.loadSearch(for: options.output) != true {
            cache.previous = nil
        }
        let report = await renderer(for: model, theme: theme, cache: cache).render(to: writer)
        options.timings?.record("render", since: renderStart)
        bag.add(contentsOf: report.diagnostics)
        guard !bag.hasErrors else {
            writer.abort()
            // A body found changed since its notice was indexed must be read afresh next time; any
            // failed build drops the index rather than tell those cases apart.
            NoticeIndex.remove(for: options.output)
            throw DiagnosticsError(bag.all)
        }
        do {
            let commitStart = ContinuousClock().now
            defer { options.timings?.record("write", since: commitStart) }
            // A changed cache goes first: should the commit fail, it would describe pages that are not
            // there, so it is removed and the next build renders everything. An unchanged one stays.
            let unchanged = previous?.global == cache.global && previous?.entries == report.cacheEntries
            if !unchanged { BuildCache.remove(for: options.output) }
            // The last build's cache lists every file it wrote; without one, Output is listed instead.
            let files = Set(report.fingerprints.keys)
            let stale = previous.map { $0.entries.keys.filter { report.fingerprints[$0] == nil } }
            let summary = try writer.commit(keeping: files, stale: stale)
            // The two files beside Output are independent of each other: written side by side.
            let output = options.output, global = cache.global, entries = report.cacheEntries
            let index = model.content.noticeIndex.flatMap { index in previousIndex.map { index.sameStamps(as: $0) } == true ? nil : index }
            await withTaskGroup(of: Void.self) { group in
                if !unchanged {
                    let next = BuildCache(global: global, entries: entries)
                    group.addTask { try? next.save(for: output) }
                }
                if let index {
                    group.addTask {
                        NoticeIndex.remove(for: output)
                        try? index.save(for: output)
                    }
                }
            }
            return Result(files: files, written: summary, warnings: bag.all)
        } catch {
            writer.abort()
            throw DiagnosticsError([.error(SourceLocation(file: options.output.path), "cannot write the site: \(error)")])
        }
    }
}
