/// The notice pages of one court. Everything on them but the notice itself (navigation, breadcrumbs,
/// the court card, asset links) is the same for the whole court, so it is worked out once; each notice
/// page is then spliced into a skeleton (see `PageSkeleton`) or, failing that, rendered by Mustache.
struct NoticePages {
    let renderer: SiteRenderer
    let model: SiteModel.CourtModel
    /// The context every notice page of the court shares; each page adds "page" and "notice".
    let shared: [String: Any]
    /// Site paths that the navigation marks as current: a notice among them gets its own context.
    let navTargets: Set<String>
    /// Links that are the same from every notice page of the court.
    let ownHref: String, courtHref: String
    let useSkeletons: Bool
    /// Per shape: the skeleton, or nil once it proved unusable.
    private var skeletons: [[UInt8]: PageSkeleton?] = [:]

    init(renderer: SiteRenderer, court m: SiteModel.CourtModel, useSkeletons: Bool) {
        self.renderer = renderer
        model = m
        self.useSkeletons = useSkeletons
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
    }

    /// The bytes of one notice page whose body is already rendered.
    mutating func render(_ notice: Notice, html: String, archived: Bool) -> [UInt8] {
        let path = notice.sitePath
        guard useSkeletons, !navTargets.contains(path) else {
            let ctx = renderer.context(path)
            var data = renderer.noticeItem(notice, court: model.court, ctx: ctx)
            data.merge(noticeExtras(notice, html: html, value: ValueSlots(markers: false))) { _, new in new }
            return Array(renderer.theme.render("notice", ctx.base(kind: "notice", title: notice.title, description: notice.summary ?? "",
                breadcrumbs: [("Home", ""), (model.court.name, "courts/\(model.court.id)/")]).merging(["court": shared["court"] ?? [:], "notice": data])).utf8)
        }
        let real = ValueSlots(markers: false)
        let data = context(notice, html: html, archived: archived, value: real)
        switch skeletons[real.shape] {
        case let .some(.some(skeleton)):
            if let bytes = skeleton.fill(real.values) { return bytes }
            return Array(renderer.theme.render("notice", data).utf8)
        case .some(.none):
            return Array(renderer.theme.render("notice", data).utf8)
        case .none:
            // First page of this shape: make the skeleton, and keep it only if it reproduces this page.
            let rendered = Array(renderer.theme.render("notice", data).utf8)
            let markers = ValueSlots(markers: true)
            var skeleton = PageSkeleton(rendered: renderer.theme.render("notice", context(notice, html: html, archived: archived, value: markers)))
            if skeleton?.fill(real.values) != rendered { skeleton = nil }
            skeletons[real.shape] = .some(skeleton)
            return rendered
        }
    }

    /// The whole context of a notice page, with every value that differs between notices passed
    /// through `value` and everything else Mustache could branch on recorded in its shape.
    private func context(_ notice: Notice, html: String, archived: Bool, value: ValueSlots) -> [String: Any] {
        let c = model.court
        var ctx = shared
        let pageContext = renderer.context(notice.sitePath)
        ctx["page"] = pageContext.page(kind: "notice", title: notice.title, description: notice.summary ?? "", value: value.callAsFunction)
        value.shape(archived ? 1 : 0)
        var data: [String: Any] = [
            "title": value(notice.title), "href": value(ownHref),
            "date_text": value(notice.date.longText), "date_iso": value(notice.date.description),
            "court_name": c.name, "court_href": courtHref, "archived": archived,
        ]
        value.shape(notice.summary == nil ? 0 : 1)
        if let summary = notice.summary { data["summary"] = value(summary) }
        data.merge(noticeExtras(notice, html: html, value: value)) { _, new in new }
        ctx["notice"] = data
        return ctx
    }

    /// Body, tags and key dates of a notice.
    private func noticeExtras(_ notice: Notice, html: String, value: ValueSlots) -> [String: Any] {
        let c = model.court
        value.shape(notice.tags.count)
        value.shape(notice.events.count)
        return [
            "body_html": value(html),
            "tags": notice.tags.map { value($0) },
            "has_tags": !notice.tags.isEmpty,
            "events": notice.events.map { e -> [String: Any] in
                let start = e.start.instant(in: c.timeZone), end = e.end.instant(in: c.timeZone)
                return ["title": value(e.title), "start_text": value(PeopleTime.format(start, clock: c.clock)),
                        "end_text": value(PeopleTime.format(end, clock: c.clock)),
                        "start_iso": value(start.description), "end_iso": value(end.description)]
            },
            "has_events": !notice.events.isEmpty,
        ]
    }
}
