import Foundation

/// The build, as an ordered list of named steps: load, validate, render, write.
public struct SiteBuild {
    public var options: BuildOptions

    public init(options: BuildOptions) { self.options = options }

    public struct Result: Sendable {
        public var files: [OutputFile]
        public var written: OutputWriter.Summary?
        public var warnings: [Diagnostic]
    }

    /// Everything up to rendering, shared by `build`, `check` and `eval`.
    public struct Validated: Sendable {
        public var model: SiteModel
        public var theme: Theme?
    }

    public func load(bag: inout DiagnosticBag) -> SiteContent? {
        ContentLoader(root: options.content, displayRoot: options.contentDisplay, includeDrafts: options.includeDrafts).load(bag: &bag)
    }

    public func validate(_ content: SiteContent, bag: inout DiagnosticBag) -> SiteModel {
        var content = content
        if let base = options.baseURL { content.site.baseURL = base.hasSuffix("/") ? base : base + "/" }
        let steps = StepRuleCompiler.compile(content, bag: &bag)
        ContentValidator.validate(content, checked: steps, bag: &bag)
        return SiteModel(content: content, steps: steps, now: options.now)
    }

    public func render(_ model: SiteModel, theme: Theme, bag: inout DiagnosticBag) -> [OutputFile] {
        let basePath = URL(string: model.content.site.baseURL)?.path ?? "/"
        let linker = SiteLinker(offline: options.offline, basePath: basePath.isEmpty ? "/" : basePath)
        return SiteRenderer(model: model, theme: theme, linker: linker, markdown: Markdown()).render(bag: &bag)
    }

    /// Runs every step; writes only when `write` is true and nothing failed.
    public func run(write: Bool) throws(DiagnosticsError) -> Result {
        var bag = DiagnosticBag()
        let writer = OutputWriter(output: options.output)
        if write, let problem = writer.checkOwnership() { bag.add(problem) }
        let content = load(bag: &bag)
        let theme = Theme.load(from: options.templates, displayRoot: options.templatesDisplay, bag: &bag)
        guard let content else { throw DiagnosticsError(bag.all) }
        let model = validate(content, bag: &bag)
        guard !bag.hasErrors, let theme else { throw DiagnosticsError(bag.all) }
        let files = render(model, theme: theme, bag: &bag)
        guard !bag.hasErrors else { throw DiagnosticsError(bag.all) }
        var summary: OutputWriter.Summary?
        if write {
            do {
                summary = try writer.sync(files)
            } catch {
                throw DiagnosticsError([.error(SourceLocation(file: options.output.path), "cannot write the site: \(error.localizedDescription)")])
            }
        }
        return Result(files: files, written: summary, warnings: bag.all)
    }
}
