extension SiteRenderer {
    /// The navigation's site links, checked as a body's links are: `/faqq/` is an error at its line in
    /// site.yml, not a link to nowhere on every page.
    func navigationProblems() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for item in model.content.site.navigation {
            guard let target = SiteLinker.resolve(item.url.value, from: "") else { continue }
            let pathOnly = String(target.prefix { $0 != "#" && $0 != "?" })
            guard !plan.sitePaths.contains(pathOnly) else { continue }
            let suggestion = DidYouMean.suggest(pathOnly, among: plan.sitePaths.all)
            problems.append(.error(item.url.location, "broken navigation link '\(item.url.value)': no page at /\(pathOnly)",
                                   hint: suggestion.map { "did you mean '/\($0)'?" } ?? "link to a page the site has, such as /courts/<court>/"))
        }
        return problems
    }
}
