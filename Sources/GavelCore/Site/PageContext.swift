/// The data common to every page, and the link helper for the page being rendered.
struct PageContext {
    var path: String
    var linker: SiteLinker
    var site: SiteConfig
    var manifest: [String: String]

    func href(_ target: String) -> String { linker.href(from: path, to: target) }

    func asset(_ name: String) -> String { manifest[name].map(href) ?? "" }

    /// The page's own entry of the context: what differs between pages that share everything else.
    func page(kind: String, title: String, description: String) -> [String: Any] {
        Dictionary(uniqueKeysWithValues: pageEntries(kind: kind, title: title, description: description).map { ($0.key, $0.value as Any) })
    }

    /// `page`'s entries, each a text.
    func pageEntries(kind: String, title: String, description: String) -> [(key: String, value: String)] {
        let canonicalPath = path == "404.html" ? "" : path
        return [("title", title), ("description", description.isEmpty ? site.description : description),
                ("canonical", site.baseURL + canonicalPath), ("kind", kind)]
    }

    func base(kind: String, title: String, description: String, breadcrumbs: [(String, String)] = [], scripts: [[String: Any]] = []) -> [String: Any] {
        [
            "site": ["title": site.title, "description": site.description, "language": site.language],
            "page": page(kind: kind, title: title, description: description),
            "generator": "Gavel " + GavelVersion.number,
            "nav": site.navigation.map { item -> [String: Any] in
                let target = SiteLinker.resolve(item.url.value, from: "") ?? item.url.value
                let isExternal = SiteLinker.resolve(item.url.value, from: "") == nil
                return ["title": item.title, "href": isExternal ? item.url.value : href(target), "current": target == path]
            },
            "home_href": href(""),
            "search_href": href("search/"),
            "feed_href": href("feed.xml"),
            "checklist_href": href("checklist/"),
            "assets": [
                "css": asset("site.css"), "search_js": asset("search.js"), "search_index_js": href("search/meta.js"),
                "engine_js": asset("checklist-engine.js"), "engine_classic_js": asset("checklist-engine.classic.js"), "checklist_js": asset("checklist.js"),
            ],
            "scripts": scripts,
            "breadcrumbs": breadcrumbs.map { ["title": $0.0, "href": href($0.1)] },
        ]
    }
}

extension Dictionary where Key == String, Value == Any {
    func merging(_ other: [String: Any]) -> [String: Any] {
        merging(other) { _, new in new }
    }
}
