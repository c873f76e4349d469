/// Turns a Markdown body into HTML for one page: court variables filled in, internal links checked
/// against the pages the build writes, and written relative to the page.
public struct BodyRenderer: Sendable {
    public var markdown: Markdown
    public var linker: SiteLinker
    public var sitePaths: SitePaths
    public var siteAllowsRawHTML: Bool

    /// A notice's body, read again from its file.
    public func render(_ notice: Notice, variables: CourtVariables?, bag: inout DiagnosticBag) -> String {
        switch notice.body.read() {
        case let .success(source): return render(source, variables: variables, on: notice.sitePath, bag: &bag)
        case let .failure(problem): bag.add(problem); return ""
        }
    }

    /// `variables` are those of the court the body belongs to (nil for a site page).
    /// `siteWide` pages (the all-courts checklist) follow site.yml's `allow_raw_html`, never one court's.
    public func render(_ source: MarkdownSource, variables: CourtVariables?, on page: String, siteWide: Bool = false, bag: inout DiagnosticBag) -> String {
        var text = source.text
        if let variables { text = variables.fill(source, bag: &bag) }
        let allowRaw = siteWide ? siteAllowsRawHTML : variables?.court.allowRawHTML ?? siteAllowsRawHTML
        var problems: [Diagnostic] = []
        let html = markdown.render(text, allowRawHTML: allowRaw) { link in
            if link.destination.allSatisfy(\.isWhitespace) {
                // Nodes the autolink extension makes have no position (0): the body's first line stands in.
                let location = SourceLocation(file: source.file, line: source.firstLine + max(1, link.line) - 1, column: max(1, link.column))
                problems.append(.error(location, link.isImage ? "image with no address" : "link with no address",
                                       hint: "write the address between the parentheses, as in [the checklist](/checklist/)"))
                return nil
            }
            guard let target = SiteLinker.resolve(link.destination, from: page) else { return nil }
            let pathOnly = String(target.prefix { $0 != "#" && $0 != "?" })
            guard sitePaths.contains(pathOnly) else {
                // Nodes the autolink extension makes have no position (0): the body's first line stands in.
                let location = SourceLocation(file: source.file, line: source.firstLine + max(1, link.line) - 1, column: max(1, link.column))
                let suggestion = DidYouMean.suggest(pathOnly, among: sitePaths.all)
                problems.append(.error(location, "broken internal link '\(link.destination)': no page at /\(pathOnly)",
                                       hint: suggestion.map { "did you mean '/\($0)'?" } ?? "link to a page the site has, such as /courts/<court>/"))
                return nil
            }
            return linker.href(from: page, to: target)
        }
        bag.add(contentsOf: problems)
        return html
    }
}
