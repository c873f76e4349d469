/// The notice pages of one court. Everything on them but the notice itself (navigation, breadcrumbs,
/// the court card, asset links) is the same for the whole court, so that part of the context is
/// worked out once; each page then comes from the build's skeletons (see `SkeletonCache`).
struct NoticePages {
    let renderer: SiteRenderer
    let model: SiteModel.CourtModel
    /// The context every notice page of the court shares; each page adds "page" and "notice".
    let shared: [String: Any]
    /// Site paths that the navigation marks as current: a notice among them gets its own context.
    let navTargets: Set<String>
    /// Links that are the same from every notice page of the court.
    let ownHref: String, courtHref: String
    /// The shared entries already read for skeletons, so each page reads only its own, in the order
    /// a page's context is read (nil when one cannot be read: then pages are read whole).
    let layout: [(key: String, part: SlottedContext.Part?)]?
    /// The entries each page sets itself (never read as shared parts).
    static let ownKeys: Set<String> = ["page", "notice"]

    init(renderer: SiteRenderer, court m: SiteModel.CourtModel) {
        self.renderer = renderer
        model = m
        let c = m.court
        // All notices sit at the same depth under the same folder, so links to anything outside the
        // notice's own folder come out the same from every one of them.
        let ctx = renderer.context("courts/\(c.id)/notices/-/")
        var shared = ctx.base(kind: "notice", title: "", description: "", breadcrumbs: [("Home", ""), (c.name, "courts/\(c.id)/")])
        shared["court"] = renderer.courtCard(m, ctx: ctx)
        self.shared = shared
        ownHref = ctx.href("courts/\(c.id)/notices/-/")
        courtHref = ctx.href("courts/\(c.id)/")
        navTargets = Set(renderer.site.navigation.compactMap { SiteLinker.resolve($0.url.value, from: "") })
        let parts = shared.filter { !Self.ownKeys.contains($0.key) }.compactMapValues { SlottedContext.Part($0) }
        layout = SlottedContext.layout(shared: shared.keys, parts: parts, own: Self.ownKeys)
    }

    /// The bytes of one notice page whose body is already rendered.
    func render(_ notice: Notice, html: String, archived: Bool) -> [UInt8] {
        // A notice the navigation points at shows as current there: it gets its own page chrome.
        guard !navTargets.contains(notice.sitePath) else {
            return renderer.skeletons.render("notice", context(notice, html: html, archived: archived), theme: renderer.theme)
        }
        let own = ownEntries(notice, html: html, archived: archived)
        guard let layout, let slotted = SlottedContext(layout: layout, own: own, context: { [shared] in shared.merging(own.mapValues(\.any)) }) else {
            return renderer.skeletons.render("notice", context(notice, html: html, archived: archived), theme: renderer.theme)
        }
        return renderer.skeletons.render("notice", slotted, theme: renderer.theme)
    }

    /// The whole context of a notice page.
    func context(_ notice: Notice, html: String, archived: Bool) -> [String: Any] {
        let c = model.court
        var ctx = navTargets.contains(notice.sitePath)
            ? renderer.context(notice.sitePath).base(kind: "notice", title: "", description: "", breadcrumbs: [("Home", ""), (c.name, "courts/\(c.id)/")])
                .merging(["court": shared["court"] ?? [:]])
            : shared
        for (key, value) in ownEntries(notice, html: html, archived: archived) { ctx[key] = value.any }
        return ctx
    }

    /// The entries of a notice page's context that are its own (`ownKeys`), typed (see `PageValue`).
    func ownEntries(_ notice: Notice, html: String, archived: Bool) -> [String: PageValue] {
        let c = model.court
        let page = renderer.context(notice.sitePath).pageEntries(kind: "notice", title: notice.title, description: notice.summary ?? "")
        // In key order, so that reading them for skeletons needs no sorting (any order gives the same).
        var data: [(key: String, value: PageValue)] = [
            ("archived", .flag(archived)), ("body_html", .text(html)), ("court_href", .text(courtHref)), ("court_name", .text(c.name)),
            ("date_iso", .text(notice.date.description)), ("date_text", .text(notice.date.longText)),
            ("events", .list(notice.events.map { e -> PageValue in
                let start = e.start.instant(in: c.timeZone), end = e.end.instant(in: c.timeZone)
                return .map([("end_iso", .text(end.description)), ("end_text", .text(PeopleTime.format(end, clock: c.clock))),
                             ("start_iso", .text(start.description)), ("start_text", .text(PeopleTime.format(start, clock: c.clock))),
                             ("title", .text(e.title))])
            })),
            ("has_events", .flag(!notice.events.isEmpty)), ("has_tags", .flag(!notice.tags.isEmpty)), ("href", .text(ownHref)),
        ]
        if let summary = notice.summary { data.append(("summary", .text(summary))) }
        data += [("tags", .list(notice.tags.map(PageValue.text))), ("title", .text(notice.title))]
        return ["page": .map(page.sorted { $0.key < $1.key }.map { ($0.key, .text($0.value)) }), "notice": .map(data)]
    }
}
