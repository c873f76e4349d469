/// The pages and files of one court: its page, notices, walkthrough, checklist, feed, calendar and data.
extension SiteRenderer {
    /// Renders a court's files, handing each to `write` as it is made, with its cache entry (nil
    /// without a cache), which `write` may replace: held until the court was done, a court's pages
    /// were 2 MB at 10,000 notices, on each thread rendering one, at a full build's peak.
    func renderCourt(_ m: SiteModel.CourtModel, index: Int, search: inout SearchIndex, cacheEntries: inout PathTable<BuildCache.Entry>,
                     keptByData: inout Int, bag: inout DiagnosticBag, write: (OutputFile, inout BuildCache.Entry?) -> Void) {
        let c = m.court
        // (A court whose notices and every other input are unchanged is reused whole, without coming
        // here: see `reusableCourt`.)
        let courtInput = cache?.fingerprint(.court(index), model: model)
        // The feed stands while the notices it lists do (see `PagePlan.Input.feed`).
        let feedPath = "courts/\(c.id)/feed.xml", feedInput = cache?.fingerprint(.feed(court: index), model: model)
        let variables = CourtVariables(court: c)
        var searchEntries: [String: [UInt8]] = [:]
        // The court's template pages: each is kept as its file is when made from the same data as
        // last time (a notice's body edited changes neither the court's page nor its walkthrough).
        var dataPrints: [String: UInt64] = [:]
        func made(_ file: OutputFile) {
            var entry = cacheEntries[file.path]
            // Notice pages come with their own inputs; the other files have the court's, or the feed its own.
            if entry == nil, let courtInput {
                entry = BuildCache.Entry(input: file.path == feedPath ? feedInput ?? courtInput : courtInput, output: ContentHash.of(file.bytes), size: file.bytes.count,
                                         search: searchEntries[file.path], data: dataPrints[file.path])
            }
            write(file, &entry)
            cacheEntries[file.path] = entry
        }
        func templatePage(_ address: String, template: String, _ data: [String: Any]) {
            let file = SiteLinker.file(for: address)
            if let cache, let courtInput, let print = PageData.fingerprint(global: cache.global, template: template, data) {
                if let kept = cache.madeFromSameData(file, input: courtInput, data: print, search: searchEntries[file]) {
                    cacheEntries[file] = kept
                    keptByData += 1
                    return
                }
                dataPrints[file] = print
            }
            made(page(address, template: template, many: true, data))
        }
        let courtPath = "courts/\(c.id)/"
        let ctx = context(courtPath)
        searchEntries[SiteLinker.file(for: courtPath)] = search.add(file: SiteLinker.file(for: courtPath), title: c.name, path: courtPath, summary: courtCard(m, ctx: ctx)["go_live_status"] as? String ?? "", html: "")
        templatePage(courtPath, template: "court", ctx.base(kind: "court", title: c.name, description: "NextGen CM/ECF at the \(c.name)",
            breadcrumbs: [("Home", "")]).merging(["court": courtCard(m, ctx: ctx, full: true)]))

        // The bodies the feed lists (its newest 50 notices), kept for it; the court's others go with their pages.
        let feedPlaces = SiteFeeds.newestPlaces(of: m), listedByFeed = Set(feedPlaces)
        var noticeBodies: [String: String] = [:]
        // Each notice page's path as the plan has it, by the notice's place in the court's list: made
        // again here, a second copy of each (10,000 at 10,000 notices) was kept as the key of both
        // tables until the build's end.
        var plannedPaths = [String?](repeating: nil, count: m.notices.count)
        for file in plan.files[plan.courtRanges[index]] {
            if case let .notice(_, n) = file.input, plannedPaths.indices.contains(n) { plannedPaths[n] = file.path }
        }
        let noticePages = NoticePages(renderer: self, court: m)
        var nearby = cache?.nearbyFolders()
        for (n, notice) in m.notices.enumerated() where m.owns(notice) {
            let path = notice.sitePath
            let file = plannedPaths[n] ?? SiteLinker.file(for: path)
            let archived = notice.isArchived(now: m.today)
            let input = cache?.fingerprint(.notice(court: index, notice: n), model: model)
            if let input, let reused = cache?.reusable(file, input: input, nearby: &nearby) {
                if let hash = reused.searchHash { search.appendReused(file: file, hash: hash) }
                cacheEntries[file] = reused
                continue
            }
            let html = body.render(notice, variables: variables, bag: &bag)
            if listedByFeed.contains(n) { noticeBodies[path] = html }
            let entry = archived ? nil : search.add(file: file, title: notice.title, path: path, summary: notice.summary ?? "", html: html)
            let output = OutputFile(path: file, bytes: noticePages.render(notice, html: html, archived: archived))
            if let input {
                cacheEntries[file] = BuildCache.Entry(input: input, output: ContentHash.of(output.bytes), size: output.bytes.count, search: entry)
            }
            made(output)
        }

        for (index, step) in m.steps.enumerated() {
            let path = "courts/\(c.id)/steps/\(step.module.id)/"
            let sctx = context(path)
            let html = body.render(step.module.body, variables: variables, on: path, bag: &bag)
            searchEntries[SiteLinker.file(for: path)] = search.add(file: SiteLinker.file(for: path), title: "\(step.module.title) — \(c.shortName)", path: path, summary: step.module.summary, html: html)
            var data: [String: Any] = [
                "court": courtCard(m, ctx: sctx),
                "step": [
                    "id": step.module.id, "title": step.module.title, "summary": step.module.summary,
                    "number": index + 1, "total": m.steps.count, "body_html": html,
                    "scope_text": Self.scopeText(step.module.scope), "rules": rules(step, court: c),
                    "learn_more": step.module.learnMore.map { ["title": $0.title, "url": $0.url] },
                    "has_learn_more": !step.module.learnMore.isEmpty,
                    "requires": step.module.requires.compactMap { r -> [String: Any]? in
                        guard let s = model.content.steps[r.value] else { return nil }
                        return ["title": s.title, "href": sctx.href("courts/\(c.id)/steps/\(s.id)/")]
                    },
                    "has_requires": !step.module.requires.isEmpty,
                ] as [String: Any],
            ]
            if index > 0 {
                let prev = m.steps[index - 1].module
                data["previous"] = ["title": prev.title, "href": sctx.href("courts/\(c.id)/steps/\(prev.id)/")]
            }
            if index + 1 < m.steps.count {
                let next = m.steps[index + 1].module
                data["next"] = ["title": next.title, "href": sctx.href("courts/\(c.id)/steps/\(next.id)/")]
            }
            templatePage(path, template: "step", sctx.base(kind: "step", title: "\(step.module.title) — \(c.shortName)",
                description: step.module.summary,
                breadcrumbs: [("Home", ""), (c.name, courtPath), ("Checklist", "courts/\(c.id)/checklist/")]).merging(data))
        }

        // The court's checklist shows its steps, not its notices: after a notice's edit it is made
        // from the same data, and neither rendered nor its template parsed.
        let checklistPath = "courts/\(c.id)/checklist/"
        templatePage(checklistPath, template: "checklist", checklistData(courts: [m], path: checklistPath, bag: &bag))
        let document = ChecklistDocument.build(m, model: model, english: RuleEnglish(facts: model.content.facts, stepTitles: model.content.steps.mapValues(\.title), court: c),
                                               renderBody: { step in body.render(step.module.body, variables: variables, on: "courts/\(c.id)/checklist/", bag: &bag) })
        made(OutputFile(path: "checklist/\(c.id).json", text: document.serialized(pretty: true) + "\n"))
        made(OutputFile(path: "checklist/\(c.id).js", text: ChecklistDocument.scriptTwin(courtID: c.id, document: document)))
        if let feedInput, let kept = cache?.reusable(feedPath, input: feedInput, nearby: &nearby) {
            cacheEntries[feedPath] = kept
        } else {
            made(SiteFeeds.atom(title: "\(c.name): NextGen CM/ECF notices", selfPath: feedPath, site: site, linker: linker,
                                    notices: feedPlaces.map { (c, m.notices[$0]) }, renderBody: { _, notice in
                                        // A page reused from the cache was not rendered; its body is cheap to make again.
                                        if let html = noticeBodies[notice.sitePath] { return html }
                                        var ignored = DiagnosticBag()
                                        // A joint notice's body names its own court's data.
                                        let own = m.owns(notice) ? variables : model.court(notice.court).map(CourtVariables.init(court:))
                                        return body.render(notice, variables: own, bag: &ignored)
                                    }))
        }
        made(SiteCalendar.ics(for: m, site: site, zones: zones))
    }

    /// Every file of a court, in plan order (which is the order its search entries are made), when all
    /// can be reused.
    func reusableCourt(_ index: Int) -> [(String, BuildCache.Entry)]? {
        guard let cache else { return nil }
        let files = plan.files[plan.courtRanges[index]]
        var out: [(String, BuildCache.Entry)] = []
        out.reserveCapacity(files.count)
        var nearby = cache.nearbyFolders()
        // The planned file is in hand: its input is had without looking it up by its path again.
        for file in files {
            guard let input = cache.fingerprint(file.input, model: model), let entry = cache.reusable(file.path, input: input, nearby: &nearby) else { return nil }
            out.append((file.path, entry))
        }
        return out
    }

    /// A checklist page: one court's, or every court's with person-scoped steps shown once.
    func renderChecklist(courts: [SiteModel.CourtModel], path: String, bag: inout DiagnosticBag) -> OutputFile {
        page(path, template: "checklist", many: path != "checklist/", checklistData(courts: courts, path: path, bag: &bag))
    }

    /// What a checklist page is made from (see `renderChecklist`).
    func checklistData(courts: [SiteModel.CourtModel], path: String, bag: inout DiagnosticBag) -> [String: Any] {
        let ctx = context(path)
        let isAll = path == "checklist/"
        var entries: [[String: Any]] = []
        var personIndex: [String: Int] = [:]
        var courtStepGroups: [[[String: Any]]] = []
        var personEntries: [[String: Any]] = []
        for m in courts {
            let variables = CourtVariables(court: m.court)
            var group: [[String: Any]] = []
            for step in m.steps {
                let id = step.module.id
                if step.module.scope == .person, let i = personIndex[id] {
                    personEntries[i]["court_ids"] = (personEntries[i]["court_ids"] as? String ?? "") + " " + m.court.id
                    personEntries[i]["court_names"] = (personEntries[i]["court_names"] as? String ?? "") + ", " + m.court.shortName
                    continue
                }
                // A person-scoped step is done once, but a court may set its own rules for it: where
                // the courts differ, each court's rules are shown under its name.
                let ownRules = !step.courtRules.isEmpty || !step.unavailable.isEmpty
                var ruleLines = rules(step, court: step.module.scope == .person && !ownRules ? nil : m.court)
                if step.module.scope == .person && isAll {
                    let versions = courts.compactMap { c in c.steps.first { $0.module.id == id }.map { (c.court, $0) } }
                    let varies = versions.contains { !$0.1.courtRules.isEmpty || !$0.1.unavailable.isEmpty || $0.1.optional != step.optional }
                    if varies {
                        ruleLines = versions.flatMap { court, version in
                            rules(version, court: court).map { ["label": "\(court.shortName): \($0["label"] as? String ?? "")", "text": $0["text"] ?? ""] as [String: Any] }
                        }
                    }
                }
                var entry: [String: Any] = [
                    "id": id, "court_ids": m.court.id, "court_names": m.court.shortName, "title": step.module.title,
                    "summary": step.module.summary, "scope": step.module.scope.rawValue, "scope_text": Self.scopeText(step.module.scope),
                    "href": ctx.href("courts/\(m.court.id)/steps/\(id)/"),
                    "rules": ruleLines,
                    "body_html": body.render(step.module.body, variables: variables, on: path, siteWide: isAll, bag: &bag),
                ]
                if step.optional { entry["optional"] = true }
                if step.module.scope == .person && isAll {
                    personIndex[id] = personEntries.count
                    personEntries.append(entry)
                } else {
                    group.append(entry)
                }
            }
            courtStepGroups.append(group)
        }
        entries = personEntries + courtStepGroups.flatMap { $0 }
        let title = isAll ? "Your NextGen checklist for every court" : "NextGen checklist — \(courts.first?.court.name ?? "")"
        var breadcrumbs = [("Home", "")]
        if !isAll, let c = courts.first?.court { breadcrumbs.append((c.name, "courts/\(c.id)/")) }
        let dataScripts = courts.map { ["src": ctx.href("checklist/\($0.court.id).js"), "module": false] as [String: Any] }
        // The template loads the data twins itself; `scripts` carries only the page's programs.
        let scripts: [[String: Any]] = theme.manifest["checklist.js"] == nil ? [] : [
            ["src": ctx.asset("checklist-engine.classic.js"), "module": false], ["src": ctx.asset("checklist.js"), "module": false],
        ]
        return ctx.base(kind: "checklist", title: title,
            description: "What to do before and after each court's move to NextGen CM/ECF", breadcrumbs: breadcrumbs, scripts: scripts).merging([
            "is_all_courts": isAll, "courts": courts.map { courtCard($0, ctx: ctx) }, "steps": entries, "checklist_data": dataScripts,
        ])
    }
}
