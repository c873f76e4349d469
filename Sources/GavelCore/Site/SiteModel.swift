import Foundation

/// The content after validation, with what each page needs worked out once: which notices are shown,
/// which are archived, and each court's steps specialised for it.
public struct SiteModel: Sendable {
    public var content: SiteContent
    public var steps: [String: CheckedStep]
    public var courts: [CourtModel]
    public var now: Instant

    /// The court with this id.
    public func court(_ id: String) -> Court? { courts.first { $0.court.id == id }?.court }

    public struct CourtModel: Sendable {
        public var court: Court
        /// Notices that are published (drafts only in a drafts build), newest first.
        public var notices: [Notice]
        public var steps: [CheckedStep]

        public var currentNotices: [Notice] { notices.filter { !$0.isArchived(now: today) } }
        /// A notice this court wrote, rather than one another court lists here too (`also_courts`).
        public func owns(_ notice: Notice) -> Bool { notice.court == court.id }
        public var archivedNotices: [Notice] { notices.filter { $0.isArchived(now: today) } }
        public var today: LocalDate
    }

    /// The newest `limit` current notices of every court, newest first (then by court and slug), for
    /// home and the site feed. Sorts small keys: the site's notices are never copied into one list.
    public func newestCurrentNotices(limit: Int) -> [(Court, Notice)] {
        // The best `limit` so far, kept in order; most notices lose to the last one on the date alone.
        var best: [(date: LocalDate, court: String, slug: String, c: Int, n: Int)] = []
        func newer(_ a: (date: LocalDate, court: String, slug: String, c: Int, n: Int), _ b: (date: LocalDate, court: String, slug: String, c: Int, n: Int)) -> Bool {
            (a.date, a.court, a.slug) > (b.date, b.court, b.slug)
        }
        guard limit > 0 else { return [] }
        for (c, m) in courts.enumerated() {
            for (n, notice) in m.notices.enumerated() where !notice.isArchived(now: m.today) && m.owns(notice) {
                if best.count == limit, let last = best.last, notice.date < last.date { continue }
                let key = (date: notice.date, court: notice.court, slug: notice.slug, c: c, n: n)
                if best.count == limit, let last = best.last, !newer(key, last) { continue }
                let at = best.firstIndex { newer(key, $0) } ?? best.count
                best.insert(key, at: at)
                if best.count > limit { best.removeLast() }
            }
        }
        return best.map { (courts[$0.c].court, courts[$0.c].notices[$0.n]) }
    }

    public init(content: SiteContent, steps: [String: CheckedStep], courtSteps: [String: [CheckedStep]]? = nil, now: Instant) {
        self.content = content
        self.steps = steps
        self.now = now
        // A joint notice is written once, in its own court, and listed by the courts it names.
        var joint: [String: [Notice]] = [:]
        for court in content.courts {
            for notice in court.notices {
                for other in notice.alsoCourts where other.value != court.id { joint[other.value, default: []].append(notice) }
            }
        }
        courts = content.courts.sorted { $0.name < $1.name }.map { court in
            let today = court.clock.today(at: now)
            var listed = court.notices
            if let others = joint[court.id] {
                listed = (listed + others).sorted { ($0.date, $0.slug, $0.court) > ($1.date, $1.slug, $1.court) }
            }
            // Usually every notice is published: the list is then kept as it is, not copied notice by
            // notice (each copy retains a dozen strings and arrays).
            func published(_ i: Int) -> Bool { listed[i].publish.map { $0 <= today } ?? true }
            return CourtModel(
                court: court,
                notices: listed.indices.allSatisfy(published) ? listed : listed.indices.filter(published).map { listed[$0] },
                steps: courtSteps?[court.id] ?? court.checklist.compactMap { steps[$0.step.value] },
                today: today)
        }
    }
}

extension Notice {
    /// Archived once the court's today is after `expires`: kept as a page, dropped from lists and feeds.
    public func isArchived(now today: LocalDate) -> Bool {
        expires.map { today > $0 } ?? false
    }

    public var sitePath: String { "courts/\(court)/notices/\(slug)/" }
}

extension CourtKind {
    public var label: String {
        switch self {
        case .district: return "District court"
        case .bankruptcy: return "Bankruptcy court"
        case .appellate: return "Court of appeals"
        case .national: return "National court"
        }
    }
}
