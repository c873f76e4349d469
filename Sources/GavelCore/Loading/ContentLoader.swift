import Foundation
import Synchronization
import Yams

/// Reads Content/ into typed models. Every problem goes into the bag; loading goes on past errors so a
/// run reports all of them.
public struct ContentLoader: Sendable {
    public let root: URL
    /// `root.path`, worked out once: URL.path is slow enough to show when called per notice.
    let rootPath: String
    /// How paths are shown in diagnostics, e.g. "Content".
    public var displayRoot: String
    public var includeDrafts: Bool
    /// When set, notices are stamped for the next build's index, and those unchanged since `previous`
    /// was written are taken from it without being read.
    public var indexing: Bool
    public var previous: NoticeIndex?
    /// When known, the only files (relative paths) that can differ from what `previous` records: any
    /// other notice it has is taken without a `stat` (see `BuildOptions.changedContent`).
    public var changedSincePrevious: Set<String>?
    /// What was read (each file's hash, for the build cache) and the links found in the folders.
    let log = ReadLog()
    /// The content folder held open while indexing: notices are stamped from it.
    let folder: FileIO.OpenFolder?
    /// When the load began: a notice file changed less than two seconds before is not indexed
    /// (`NoticeIndex.isSettled`).
    let started = Date()

    /// Shared by the courts' concurrent loads.
    final class ReadLog: Sendable {
        let hashes = Mutex<[String: UInt64]>([:])
        let problems = Mutex<[Diagnostic]>([])
        /// The notices as read this time, for the next build's `NoticeIndex` (when indexing).
        let notices = Mutex<NoticeIndex?>(nil)
        /// Each court's notices folder as listed (when indexing), by its path under the content folder.
        let listings = Mutex<[String: FolderListing]>([:])
    }

    /// A notices folder as a load listed it: its entries (visible ones, links aside: a link is an
    /// error), sorted, and the stamp this load took of each notice it checked or read (nil for any
    /// other entry). The build's witness takes its inputs from it instead of listing the folder
    /// again and looking each notice up in the index (see `BuildWitness.scan`); both were taken after
    /// the build's mark, as a walk's would be.
    struct FolderListing: Sendable {
        var names: [String]
        var stamps: [NoticeIndex.Stamp?]
    }

    public init(root: URL, displayRoot: String, includeDrafts: Bool = false, indexing: Bool = false, previous: NoticeIndex? = nil) {
        self.root = root
        rootPath = root.path
        self.displayRoot = displayRoot
        self.includeDrafts = includeDrafts
        self.indexing = indexing
        self.previous = indexing ? previous : nil
        folder = indexing && previous != nil ? FileIO.OpenFolder(rootPath) : nil
    }

    /// A court's notices as loaded, with their files' stamps, for the next index (its group there),
    /// by file name (see `NoticeIndex.Group`).
    typealias Indexed = PathTable<NoticeIndex.Entry>

    static let siteKeys = ["title", "base_url", "language", "description", "allow_raw_html", "navigation"]
    static let factKeys = ["id", "type", "question", "help", "label", "options", "scope"]
    static let stepKeys = ["id", "title", "summary", "scope", "requires", "applies_if", "done_if", "available_from", "due_by", "learn_more",
                           "optional", "unavailable"]
    static let courtKeys = ["id", "name", "short_name", "kind", "timezone", "go_live", "go_live_note", "live", "downtime", "contacts", "dates",
                            "checklist", "allow_raw_html"]
    static let entryKeys = ["step", "applies_if", "done_if", "available_from", "due_by", "requires", "unavailable", "optional"]
    static let noticeKeys = ["title", "date", "summary", "tags", "draft", "publish", "expires", "events", "also_courts"]
    static let pageKeys = ["title", "summary"]

    func display(_ relative: String) -> String {
        displayRoot.isEmpty ? relative : (displayRoot.hasSuffix("/") ? .concatenating(displayRoot, relative) : .path(displayRoot, relative))
    }

    /// The visible entries of a folder, sorted. A symbolic link is reported, never followed: Gavel
    /// reads nothing from outside Content/.
    func listing(_ relative: String) -> [String] {
        listingIfReadable(relative) ?? []
    }

    /// As `listing`; nil, with an error naming the folder, when what is there cannot be listed: an
    /// unreadable folder or a file where a folder belongs must not make its pages vanish. An absent
    /// folder is an empty one.
    func listingIfReadable(_ relative: String) -> [String]? {
        switch folderListing(relative) {
        case .missing: []
        case .failed: nil
        case let .listed(names): names
        }
    }

    enum Listing {
        /// No folder there (an empty one, to the site).
        case missing
        /// Not a folder that can be listed (reported).
        case failed
        case listed([String])
    }

    /// As `listingIfReadable`, telling a folder that is not there from an empty one.
    func folderListing(_ relative: String) -> Listing {
        let path = relative.isEmpty ? rootPath : .path(rootPath, relative)
        let at = SourceLocation(file: display(relative))
        var problem: Diagnostic?
        switch FileIO.kind(path) {
        case .missing: return .missing
        case .directory: break
        case .symbolicLink: problem = .error(at, "is a symbolic link, which Gavel does not follow", hint: "put the folder itself here instead of a link to it")
        case .file, .other: problem = .error(at, "is a file where a folder belongs", hint: "move the file away and make '\(relative)' a folder")
        }
        let entries = problem == nil ? FileIO.listedEntries(of: path) : nil
        if problem == nil, entries == nil {
            problem = .error(at, "cannot read folder: \(String(cString: strerror(errno)))", hint: "check the folder's permissions")
        }
        if let problem {
            log.problems.withLock { $0.append(problem) }
            return .failed
        }
        var names: [String] = []
        for (name, kind) in entries ?? [] where !name.hasPrefix(".") {
            if kind == .symbolicLink {
                let entry = relative.isEmpty ? name : .path(relative, name)
                log.problems.withLock {
                    $0.append(.error(SourceLocation(file: display(entry)), "is a symbolic link, which Gavel does not follow",
                                     hint: "put the file or folder itself here instead of a link to it"))
                }
                continue
            }
            names.append(name)
        }
        return .listed(names.sorted())
    }

    /// True for a real folder (the content folder itself may be reached through a link: it was named).
    func isDirectory(_ relative: String) -> Bool {
        guard !relative.isEmpty else {
            var info = stat()
            return stat(rootPath, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        }
        return FileIO.kind(rootPath + "/" + relative) == .directory
    }

    public func load(bag: inout DiagnosticBag) async -> SiteContent? {
        guard isDirectory("") else {
            bag.error(SourceLocation(file: displayRoot), "content folder not found")
            return nil
        }
        let site = loadSite(bag: &bag)
        let facts = loadFacts(bag: &bag)
        var steps: [String: StepModule] = [:]
        var stepOrder: [String] = []
        // Without its steps nothing can be checked against them: the one error names the folder.
        let stepFiles = listingIfReadable("steps")
        for name in stepFiles ?? [] where Self.isMarkdownName(name) {
            guard let step = loadStep("steps/" + name, bag: &bag) else { continue }
            if let other = steps[step.id] {
                bag.error(step.location, "duplicate step id '\(step.id)'", hint: "also defined in \(other.file)")
                continue
            }
            steps[step.id] = step
            stepOrder.append(step.id)
        }
        // Courts load concurrently; each reports into its own bag, merged in folder order.
        let folders = listing("courts").filter { name in
            if isDirectory("courts/" + name) { return true }
            log.problems.withLock {
                $0.append(.error(SourceLocation(file: display("courts/" + name)), "is a file where a court's folder belongs",
                                 hint: "each court is a folder courts/<id>/ holding court.yml"))
            }
            return false
        }
        // Each court gets its zone's clock on its own task, not one after another once all are loaded.
        let clocks = CourtClock.Shared()
        let loaded = await withTaskGroup(of: (Int, Court?, [Diagnostic], Indexed, FolderListing?).self) { group in
            for (index, name) in folders.enumerated() {
                group.addTask {
                    var courtBag = DiagnosticBag()
                    var indexed: Indexed = [:]
                    var listed: FolderListing?
                    var court = loadCourt(folder: name, bag: &courtBag, indexed: &indexed, listed: &listed)
                    if let zone = court?.timeZone { court?.clock = clocks.clock(for: zone) }
                    return (index, court, courtBag.all, indexed, listed)
                }
            }
            var results: [(Int, Court?, [Diagnostic], Indexed, FolderListing?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        var courts: [Court] = []
        var index = indexing ? NoticeIndex(contentRoot: rootPath, displayRoot: displayRoot) : nil
        var listings: [String: FolderListing] = [:]
        for (position, court, diagnostics, indexed, listed) in loaded {
            bag.add(contentsOf: diagnostics)
            if let court { courts.append(court) }
            index?.set(group: folders[position], indexed)
            if let listed { listings["courts/\(folders[position])/notices"] = listed }
        }
        if indexing { log.listings.withLock { $0 = listings } }
        var pages: [Page] = []
        for name in listing("pages") where Self.isMarkdownName(name) {
            if let page = loadPage("pages/" + name, bag: &bag) { pages.append(page) }
        }
        bag.add(contentsOf: log.problems.withLock { $0 })
        guard let site, stepFiles != nil else { return nil }
        log.notices.withLock { $0 = index }
        return SiteContent(site: site, facts: facts, steps: steps, stepOrder: stepOrder, courts: courts, pages: pages,
                           inputHashes: log.hashes.withLock { $0 })
    }

    // MARK: - site.yml

    func loadSite(bag: inout DiagnosticBag) -> SiteConfig? {
        let path = display("site.yml")
        guard case let .success(file) = readReporting("site.yml", bag: &bag) else { return nil }
        let reader = YAMLReader(file: path)
        let node = reader.parse(file.text, bag: &bag)
        guard let map = reader.map(node, what: "site.yml", known: Self.siteKeys, required: ["title", "base_url"], bag: &bag) else { return nil }
        var navigation: [NavigationItem] = []
        for item in reader.list(map, "navigation", bag: &bag) {
            guard let m = reader.map(item, what: "a navigation item", known: ["title", "url"], required: ["title", "url"], at: reader.location(of: item), bag: &bag),
                  let title = reader.string(m, "title", bag: &bag), let url = reader.string(m, "url", bag: &bag) else { continue }
            LinkSafety.check(url, what: "navigation link '\(title.value)'", bag: &bag)
            navigation.append(NavigationItem(title: title.value, url: url))
        }
        let base = reader.string(map, "base_url", bag: &bag)
        if let base { LinkSafety.checkBase(base, bag: &bag) }
        var baseURL = base?.value ?? "/"
        if !baseURL.hasSuffix("/") { baseURL += "/" }
        return SiteConfig(
            title: reader.string(map, "title", bag: &bag)?.value ?? "",
            baseURL: baseURL,
            language: reader.string(map, "language", bag: &bag)?.value ?? "en-US",
            description: reader.string(map, "description", bag: &bag)?.value ?? "",
            allowRawHTML: reader.bool(map, "allow_raw_html", bag: &bag) ?? false,
            navigation: navigation,
            file: path)
    }

    // MARK: - facts.yml

    func loadFacts(bag: inout DiagnosticBag) -> [FactDefinition] {
        let path = display("facts.yml")
        guard case let .success(file) = readReporting("facts.yml", bag: &bag) else { return [] }
        let reader = YAMLReader(file: path)
        guard let node = reader.parse(file.text, bag: &bag) else { return [] }
        guard case let .sequence(items, _) = node else {
            bag.error(reader.location(of: node), "facts.yml must be a list of facts", hint: "start each fact with '- id: ...'")
            return []
        }
        var facts: [FactDefinition] = []
        var seen: [String: SourceLocation] = [:]
        for item in items {
            let at = reader.location(of: item)
            guard let map = reader.map(item, what: "a fact", known: Self.factKeys, required: ["id", "type", "question"], at: at, bag: &bag),
                  let id = reader.string(map, "id", bag: &bag) else { continue }
            if !Self.isDottedName(id.value) {
                bag.error(id.location, "fact id '\(id.value)' must be lowercase words joined by dots or underscores", hint: "for example 'pacer.created'")
                continue
            }
            if id.value.hasPrefix("done.") || id.value == "court" || id.value.hasPrefix("court.") || ["today", "now", "true", "false", "and", "or", "not", "in", "is", "answered"].contains(id.value) {
                bag.error(id.location, "fact id '\(id.value)' is reserved", hint: "'done.<step>', 'court.*', 'today' and 'now' are built in")
                continue
            }
            if let first = seen[id.value] {
                bag.error(id.location, "duplicate fact id '\(id.value)'", hint: "first defined at line \(first.line)")
                continue
            }
            seen[id.value] = id.location
            guard let typeText = reader.string(map, "type", bag: &bag) else { continue }
            guard let type = FactType(rawValue: typeText.value) else {
                bag.error(typeText.location, "unknown fact type '\(typeText.value)'",
                          hint: DidYouMean.hint(typeText.value, among: FactType.allCases.map(\.rawValue)) ?? "use one of: boolean, date, choice, number, text")
                continue
            }
            // Options are ids, or {id, label} so pages show words while rules and answers use ids.
            var options: [Located<String>] = []
            var optionLabels: [String: String] = [:]
            for item in reader.list(map, "options", bag: &bag) {
                if let text = item.string {
                    options.append(Located(text, at: reader.textLocation(of: item)))
                } else if let m = reader.map(item, what: "an option", known: ["id", "label"], required: ["id", "label"], at: reader.location(of: item), bag: &bag),
                          let optionID = reader.string(m, "id", bag: &bag), let label = reader.string(m, "label", bag: &bag) {
                    options.append(optionID)
                    optionLabels[optionID.value] = label.value
                }
            }
            if type == .choice && options.isEmpty {
                bag.error(id.location, "choice fact '\(id.value)' needs 'options'")
            } else if type != .choice && !options.isEmpty {
                bag.error(options[0].location, "only a choice fact has 'options'")
            }
            var optionSet = Set<String>()
            for option in options where !optionSet.insert(option.value).inserted {
                bag.error(option.location, "duplicate option '\(option.value)'")
            }
            var scope = Scope.person
            if let s = reader.string(map, "scope", bag: &bag) {
                if let parsed = Scope(rawValue: s.value) { scope = parsed } else {
                    bag.error(s.location, "unknown scope '\(s.value)'", hint: "use 'person' or 'court'")
                }
            }
            let question = reader.string(map, "question", bag: &bag)?.value ?? ""
            facts.append(FactDefinition(
                id: id.value, type: type, question: question,
                help: reader.string(map, "help", bag: &bag)?.value ?? "",
                label: reader.string(map, "label", bag: &bag)?.value ?? question,
                options: options.map(\.value), optionLabels: optionLabels, scope: scope, location: id.location))
        }
        return facts
    }

    static func isDottedName(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return !s.isEmpty && parts.allSatisfy { part in
            guard let first = part.first, first.isLetter, first.isLowercase || !first.isCased else { return false }
            return part.allSatisfy { ($0.isLetter && $0.isLowercase) || $0.isNumber || $0 == "_" }
        }
    }

    /// Whether a file name ends in ".md", read from its bytes: String's `hasSuffix` compares
    /// characters, about 240 instructions a name, and a court's listing has one name per notice.
    /// (An ASCII suffix ends the bytes exactly when it ends the characters.)
    static func isMarkdownName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { bytes in
            bytes.count >= 3 && bytes[bytes.count - 3] == UInt8(ascii: ".") && bytes[bytes.count - 2] == UInt8(ascii: "m")
                && bytes[bytes.count - 1] == UInt8(ascii: "d")
        }
    }

    /// "courts/wiwb/notices/go-live.md" -> "go-live" (plain Swift: this runs once per notice).
    static func baseName(_ relative: String) -> String {
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        return isMarkdownName(name) ? String(name.dropLast(3)) : name
    }

    /// Lowercase ASCII letters, digits and hyphens, not starting with a hyphen; read from the bytes
    /// (a character that is one of those is that one byte, and any other has a byte that is none).
    static func isSlug(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { bytes in
            guard let first = bytes.first, first != UInt8(ascii: "-") else { return false }
            return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") }
        }
    }

    // MARK: - steps/<id>.md

    func loadStep(_ relative: String, bag: inout DiagnosticBag) -> StepModule? {
        guard case let .success(file) = readReporting(relative, bag: &bag) else { return nil }
        guard let (doc, reader, map) = frontMatter(file, what: "step front matter", known: Self.stepKeys, required: ["id", "title"], bag: &bag),
              let id = reader.string(map, "id", bag: &bag) else { return nil }
        let expected = Self.baseName(relative)
        if id.value != expected {
            bag.error(id.location, "step id '\(id.value)' differs from its file name '\(expected).md'", hint: "name the file '\(id.value).md' or set id: \(expected)")
        }
        if !Self.isSlug(id.value) {
            bag.error(id.location, "step id '\(id.value)' must use lowercase letters, digits and hyphens")
        }
        var scope = Scope.person
        if let s = reader.string(map, "scope", bag: &bag) {
            if let parsed = Scope(rawValue: s.value) { scope = parsed } else {
                bag.error(s.location, "unknown scope '\(s.value)'", hint: "use 'person' or 'court'")
            }
        }
        var rules: [RuleKind: Located<String>] = [:]
        for kind in RuleKind.allCases {
            if let text = reader.tracedString(map, kind.rawValue, bag: &bag) { rules[kind] = text }
        }
        var links: [ExternalLink] = []
        // A URL, a {title, url}, or a list of either.
        var items: [YAMLNode] = []
        if let node = map.node("learn_more"), !node.isNullScalar {
            if case let .sequence(list, _) = node { items = list } else { items = [node] }
        }
        for item in items {
            if let url = item.string {
                links.append(ExternalLink(title: url, url: url))
                continue
            }
            guard let m = reader.map(item, what: "a learn_more link", known: ["title", "url"], required: ["title", "url"], at: reader.location(of: item), bag: &bag),
                  let title = reader.string(m, "title", bag: &bag), let url = reader.string(m, "url", bag: &bag) else { continue }
            LinkSafety.check(url, what: "learn_more link '\(title.value)'", bag: &bag)
            links.append(ExternalLink(title: title.value, url: url.value))
        }
        var optional: Located<Bool>?
        if let node = map.node("optional"), let value = reader.bool(map, "optional", bag: &bag) { optional = Located(value, at: reader.location(of: node)) }
        let unavailable = unavailableWindows(map, reader: reader, zone: nil, bag: &bag)
        return StepModule(
            id: id.value, title: reader.string(map, "title", bag: &bag)?.value ?? id.value,
            summary: reader.string(map, "summary", bag: &bag)?.value ?? "",
            scope: scope, requires: reader.stringList(map, "requires", bag: &bag), rules: rules, learnMore: links,
            optional: optional, unavailable: unavailable,
            body: MarkdownSource(text: doc.body, file: file.path, firstLine: doc.bodyFirstLine),
            file: file.path, location: id.location)
    }

    // MARK: - courts/<id>/court.yml

    /// The court in `courts/<folder>/`, its notices' entries for the next index put in `indexed`,
    /// and (when indexing) its notices folder as listed in `listed` (see `FolderListing`).
    func loadCourt(folder: String, bag: inout DiagnosticBag, indexed: inout Indexed, listed: inout FolderListing?) -> Court? {
        let relative = "courts/\(folder)/court.yml"
        let path = display(relative)
        if !Self.isSlug(folder) {
            bag.error(SourceLocation(file: display("courts/\(folder)")), "court folder name '\(folder)' must use lowercase letters, digits and hyphens",
                      hint: "it is the court's id and its address, as 'gavel new court' requires")
        }
        guard case let .success(file) = readReporting(relative, bag: &bag) else { return checkNoticesWithoutCourt(folder, bag: &bag) }
        let reader = YAMLReader(file: path)
        let problems = bag.all.count
        let node = reader.parse(file.text, bag: &bag)
        // Only comments or blank lines parse to nothing: that is "court.yml is empty", not no court.
        guard node != nil || bag.all.count == problems, let map = reader.map(node, what: "court.yml", known: Self.courtKeys,
                                             required: ["id", "name", "kind", "timezone"], bag: &bag),
              let id = reader.string(map, "id", bag: &bag) else { return checkNoticesWithoutCourt(folder, bag: &bag) }
        if id.value != folder {
            bag.error(id.location, "court id '\(id.value)' differs from its folder name '\(folder)'", hint: "a court's id is its folder's name: set id: \(folder)")
        }
        var kind = CourtKind.district
        if let k = reader.string(map, "kind", bag: &bag) {
            if let parsed = CourtKind(rawValue: k.value) { kind = parsed } else {
                bag.error(k.location, "unknown court kind '\(k.value)'",
                          hint: DidYouMean.hint(k.value, among: CourtKind.allCases.map(\.rawValue)) ?? "use district, bankruptcy, appellate or national")
            }
        }
        var zone = TimeZone(identifier: "UTC") ?? TimeZone.current
        if let z = reader.string(map, "timezone", bag: &bag) {
            if let parsed = Self.timeZone(z.value) { zone = parsed } else {
                bag.error(z.location, "unknown time zone '\(z.value)'",
                          hint: TimeZoneNames.hint(for: z.value) ?? "use an IANA name such as America/Chicago")
            }
        }
        var downtime: [DowntimeWindow] = []
        for item in reader.list(map, "downtime", bag: &bag) {
            guard let m = reader.map(item, what: "a downtime window", known: ["title", "start", "end", "end_note"], required: ["start"], at: reader.location(of: item), bag: &bag),
                  let start = reader.existing(reader.localDateTime(m, "start", bag: &bag), in: zone, bag: &bag) else { continue }
            let end = reader.existing(reader.statedTime(m, "end", bag: &bag), in: zone, bag: &bag)
            let endNote = reader.string(m, "end_note", bag: &bag)
            if end == nil && m.node("end") == nil && endNote == nil {
                bag.error(reader.location(of: item), "a downtime window needs an 'end', or an 'end_note' saying what the court said of it",
                          hint: "write end: 2020-03-30T08:00 (or a day alone), or end_note: \"until further notice\"")
                continue
            }
            if let end {
                let ends: Bool
                switch end.value {
                case let .dateTime(local): ends = local <= start.value
                case let .day(date): ends = date < start.value.date
                }
                if ends {
                    bag.error(end.location, "downtime ends (\(end.value)) before it starts (\(start.value))")
                    continue
                }
            }
            downtime.append(DowntimeWindow(title: reader.string(m, "title", bag: &bag)?.value ?? "CM/ECF unavailable", start: start.value,
                                           end: end?.value, endNote: endNote?.value))
        }
        var contacts: [Contact] = []
        for item in reader.list(map, "contacts", bag: &bag) {
            guard let m = reader.map(item, what: "a contact", known: ["label", "phone", "email", "hours"], required: ["label"], at: reader.location(of: item), bag: &bag) else { continue }
            contacts.append(Contact(label: reader.string(m, "label", bag: &bag)?.value ?? "",
                                    phone: reader.string(m, "phone", bag: &bag)?.value,
                                    email: reader.string(m, "email", bag: &bag)?.value,
                                    hours: reader.string(m, "hours", bag: &bag)?.value))
        }
        var notices: [Notice] = []
        let noticesFolder = "courts/\(folder)/notices"
        var names: [String] = []
        var stamps: [NoticeIndex.Stamp?]?
        if case let .listed(listedNames) = folderListing(noticesFolder) {
            names = listedNames
            if indexing { stamps = Array(repeating: nil, count: names.count) }
        }
        notices.reserveCapacity(names.count)
        // The notices are stamped from their own folder, opened once; where it cannot be (gone, a
        // link), from their whole paths.
        let noticesOpened = self.folder.flatMap { FileIO.OpenFolder(noticesFolder, in: $0) }
        // The court's entries in the last index, looked up once rather than for each notice.
        let known = previous?.group(folder)
        // The court's entries start as the last index's (the table shared, not filled again: most
        // notices are as they were); `loadNotice` takes out or replaces an entry whose file is not.
        var startsFromKnown = false
        if indexing, indexed.isEmpty, let known {
            indexed = known
            startsFromKnown = true
        } else {
            indexed.reserveCapacity(names.count)
        }
        var kept = 0
        for (position, name) in names.enumerated() where Self.isMarkdownName(name) {
            var stamp: NoticeIndex.Stamp?
            let loaded = loadNotice(name, court: folder, known: known, in: noticesOpened, bag: &bag,
                                    indexed: &indexed, startsFromKnown: startsFromKnown, kept: &kept, stamp: &stamp)
            stamps?[position] = stamp
            guard let notice = loaded else { continue }
            if notice.draft && !includeDrafts { continue }
            notices.append(notice)
        }
        // Entries of files no longer listed go (each kept entry is a listed file's, one per file).
        if startsFromKnown, let known, kept < known.count {
            let files = PathSet(names.lazy.filter(Self.isMarkdownName))
            indexed = indexed.filter { files.contains($0.key) }
        }
        if let stamps { listed = FolderListing(names: names, stamps: stamps) }
        var dates: [(name: String, value: StatedTime)] = []
        if let node = map.node("dates"), !node.isNullScalar {
            if let datesMap = reader.map(node, what: "'dates'", known: [], allowingAny: true, bag: &bag) {
                for (key, keyLocation, _) in datesMap.entries {
                    guard Self.isDateName(key) else {
                        bag.error(keyLocation, "date name '\(key)' must use lowercase letters, digits and underscores", hint: "it is named in rules as court.dates.<name>")
                        continue
                    }
                    if let value = reader.existing(reader.statedTime(datesMap, key, bag: &bag), in: zone, bag: &bag) { dates.append((key, value.value)) }
                }
            }
        }
        let goLive = reader.existing(reader.statedTime(map, "go_live", bag: &bag), in: zone, bag: &bag)
        let live = reader.bool(map, "live", bag: &bag) ?? false
        let note = reader.string(map, "go_live_note", bag: &bag)
        if live, let goLive {
            bag.error(goLive.location, "a court with 'live: true' gives no go_live date", hint: "keep the date and drop 'live', or drop the date")
        }
        let name = reader.string(map, "name", bag: &bag)?.value ?? folder
        return Court(
            id: id.value, name: name, shortName: reader.string(map, "short_name", bag: &bag)?.value ?? name,
            kind: kind, timeZone: zone, clock: CourtClock(unlabelled: zone), goLive: goLive?.value, goLiveNote: note?.value, live: live,
            downtime: downtime, contacts: contacts, dates: dates, checklist: checklistEntries(map, reader: reader, zone: zone, bag: &bag),
            allowRawHTML: reader.bool(map, "allow_raw_html", bag: &bag),
            notices: Self.newestFirst(notices), file: path)
    }

    /// Notices newest first, then by slug descending. Sorted as positions and gathered once (when a
    /// notice was its whole value, moving them while sorting cost a rebuild 5 ms at 10,000 notices;
    /// a notice is one reference now, and positions still read the dates made below). Each date is one
    /// number, in the dates' order (a month below 16 and a day below 32 fit their bits), so most
    /// comparisons do not reach into the notices: comparing their dates there was 10 of a one-notice
    /// rebuild's 800 million instructions.
    static func newestFirst(_ notices: [Notice]) -> [Notice] {
        let dates = notices.map { $0.date.year << 9 | $0.date.month << 5 | $0.date.day }
        let order = notices.indices.sorted { a, b in
            dates[a] != dates[b] ? dates[a] > dates[b] : notices[a].slug > notices[b].slug
        }
        return order.map { notices[$0] }
    }

    static func isDateName(_ s: String) -> Bool {
        !s.isEmpty && s.first?.isLetter == true && s.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }

    /// A court's checklist: step ids, or steps with this court's own settings.
    func checklistEntries(_ map: YAMLMap, reader: YAMLReader, zone: TimeZone, bag: inout DiagnosticBag) -> [ChecklistEntry] {
        var entries: [ChecklistEntry] = []
        for item in reader.list(map, "checklist", bag: &bag) {
            if let id = item.string {
                entries.append(ChecklistEntry(step: Located(id, at: reader.textLocation(of: item))))
                continue
            }
            guard let m = reader.map(item, what: "a checklist entry", known: Self.entryKeys, required: ["step"], at: reader.location(of: item), bag: &bag),
                  let step = reader.string(m, "step", bag: &bag) else { continue }
            var entry = ChecklistEntry(step: step)
            for kind in RuleKind.allCases {
                if let text = reader.string(m, kind.rawValue, bag: &bag) { entry.rules[kind] = text }
            }
            entry.requires = reader.stringList(m, "requires", bag: &bag)
            entry.unavailable = unavailableWindows(m, reader: reader, zone: zone, bag: &bag)
            if let node = m.node("optional"), let value = reader.bool(m, "optional", bag: &bag) { entry.optional = Located(value, at: reader.location(of: node)) }
            entries.append(entry)
        }
        return entries
    }

    /// `unavailable: [{start, end, reason}]`; with no court zone yet (a step's own), times are checked
    /// against each court's zone when the checklist is built.
    func unavailableWindows(_ map: YAMLMap, reader: YAMLReader, zone: TimeZone?, bag: inout DiagnosticBag) -> [UnavailableWindow] {
        var windows: [UnavailableWindow] = []
        for item in reader.list(map, "unavailable", bag: &bag) {
            guard let m = reader.map(item, what: "an unavailable window", known: ["start", "end", "reason"], required: ["start", "end", "reason"],
                                     at: reader.location(of: item), bag: &bag),
                  var start = reader.statedTime(m, "start", bag: &bag), var end = reader.statedTime(m, "end", bag: &bag),
                  let reason = reader.string(m, "reason", bag: &bag) else { continue }
            if let zone {
                guard let s = reader.existing(start, in: zone, bag: &bag), let e = reader.existing(end, in: zone, bag: &bag) else { continue }
                start = s
                end = e
            }
            let window = UnavailableWindow(start: start, end: end, reason: reason.value)
            let span = window.span(in: zone ?? TimeZone(identifier: "UTC") ?? .current)
            guard span.end > span.start else {
                bag.error(end.location, "the window ends (\(end.value)) before it starts (\(start.value))",
                          hint: "a day alone as 'end' means through the end of that day")
                continue
            }
            if let other = windows.first(where: { let o = $0.span(in: zone ?? TimeZone(identifier: "UTC") ?? .current); return o.start < span.end && span.start < o.end }) {
                bag.error(start.location, "this window overlaps the one from \(other.start.value) to \(other.end.value)", hint: "join them into one window")
                continue
            }
            windows.append(window)
        }
        return windows
    }

    /// Only real IANA names: Foundation also accepts abbreviations and offsets, which are not stable.
    static func timeZone(_ name: String) -> TimeZone? {
        guard name == "UTC" || TimeZoneNames.isKnown(name) else { return nil }
        return TimeZone(identifier: name)
    }

    // MARK: - notices and pages

    /// The notice in the court's `notices` folder (open as `notices` when it could be opened) named
    /// `name`, from the last index's entries of its court (`known`, by file name) when its file is
    /// as it was, otherwise read. Its entry goes into `indexed` when it loaded without a problem;
    /// when `indexed` `startsFromKnown` (holds `known`'s entries), an entry taken as it was is left
    /// where it is and counted in `kept`, and any other entry for the name goes.
    func loadNotice(_ name: String, court: String, known table: NoticeIndex.Group?, in notices: FileIO.OpenFolder?, bag: inout DiagnosticBag,
                    indexed: inout Indexed, startsFromKnown: Bool, kept: inout Int, stamp taken: inout NoticeIndex.Stamp?) -> Notice? {
        // Its path, made only to read the file or to ask the watcher (most notices are neither).
        var relative: String { NoticeIndex.relative(court: court, name: name) }
        // With an index to check, the file is stamped first; otherwise its stamp comes from reading it.
        // Either way the stamp is taken before the bytes: a file changed in between is read next time.
        // A notice the watcher did not name is as the index has it; any other is stamped to compare.
        if indexing, previous != nil {
            let unnamed = changedSincePrevious.map { !$0.contains(relative) } ?? false
            let stamp = unnamed ? nil
                : notices.map { $0.status(name, following: true) }.map { $0.flatMap(NoticeIndex.Stamp.ofFile) } ?? NoticeIndex.Stamp.of(.path(rootPath, relative))
            taken = stamp
            let known = unnamed ? table?[name] : stamp.flatMap { stamp in table?[name].flatMap { $0.stamp == stamp ? $0 : nil } }
            if let known, known.notice.court == court {
                if startsFromKnown { kept += 1 } else { indexed[name] = known }
                return known.notice
            }
            if startsFromKnown { indexed[name] = nil }
        }
        let problems = bag.all.count
        var info = stat()
        let parsed = parseNotice(relative, court: court, bag: &bag, info: &info)
        // Stamped by the read when it got that far (a regular file's only), after any stamp above.
        if info.st_ino != 0 { taken = NoticeIndex.Stamp.ofFile(info) }
        guard let notice = parsed else { return nil }
        // A joint notice is always read: its other courts are checked with their places in the file.
        if indexing, bag.all.count == problems, notice.alsoCourts.isEmpty, NoticeIndex.isSettled(NoticeIndex.Stamp(info), now: started) {
            indexed[name] = NoticeIndex.Entry(stamp: NoticeIndex.Stamp(info), notice: notice, record: nil)
        }
        return notice
    }

    func parseNotice(_ relative: String, court: String, bag: inout DiagnosticBag, info: inout stat) -> Notice? {
        let read = SourceFile.read(atPath: .path(rootPath, relative), displayPath: display(relative), info: &info)
        if case let .failure(d) = read { bag.add(d) }
        guard case let .success(file) = read else { return nil }
        let slug = Self.baseName(relative)
        if !Self.isSlug(slug) {
            bag.error(SourceLocation(file: file.path), "notice file name '\(slug).md' must use lowercase letters, digits and hyphens", hint: "it becomes the notice's address")
        }
        guard let (doc, reader, map) = frontMatter(file, what: "notice front matter", known: Self.noticeKeys, required: ["title", "date"], bag: &bag),
              let title = reader.string(map, "title", bag: &bag), let date = reader.localDate(map, "date", bag: &bag) else { return nil }
        var events: [CalendarEvent] = []
        for item in reader.list(map, "events", bag: &bag) {
            guard let m = reader.map(item, what: "an event", known: ["title", "start", "end"], required: ["title", "start", "end"], at: reader.location(of: item), bag: &bag),
                  let t = reader.string(m, "title", bag: &bag),
                  let start = reader.localDateTime(m, "start", bag: &bag), let end = reader.localDateTime(m, "end", bag: &bag) else { continue }
            if end.value < start.value {
                bag.error(end.location, "event '\(t.value)' ends (\(end.value)) before it starts (\(start.value))")
                continue
            }
            events.append(CalendarEvent(title: t.value, start: start.value, end: end.value))
        }
        let publish = reader.localDate(map, "publish", bag: &bag)
        let expires = reader.localDate(map, "expires", bag: &bag)
        if let publish, let expires, expires.value < publish.value {
            bag.error(expires.location, "notice expires (\(expires.value)) before it is published (\(publish.value))")
        }
        let hash = file.hash
        return Notice(
            court: court, slug: slug, title: title.value, date: date.value,
            summary: reader.string(map, "summary", bag: &bag)?.value,
            tags: reader.stringList(map, "tags", bag: &bag).map(\.value),
            draft: reader.bool(map, "draft", bag: &bag) ?? false,
            publish: publish?.value, expires: expires?.value, events: events,
            alsoCourts: reader.stringList(map, "also_courts", bag: &bag),
            body: NoticeBody(folder: rootPath, relative: relative, offset: doc.bodyOffset, displayFolder: displayRoot, firstLine: doc.bodyFirstLine,
                             sourceHash: hash),
            sourceHash: hash)
    }

    func loadPage(_ relative: String, bag: inout DiagnosticBag) -> Page? {
        guard case let .success(file) = readReporting(relative, bag: &bag) else { return nil }
        let slug = Self.baseName(relative)
        if !Self.isSlug(slug) || ["courts", "checklist", "search", "assets", "feed.xml"].contains(slug) {
            bag.error(SourceLocation(file: file.path), "page name '\(slug)' cannot be used", hint: "use lowercase letters, digits and hyphens, and none of: courts, checklist, search, assets")
        }
        guard let (doc, reader, map) = frontMatter(file, what: "page front matter", known: Self.pageKeys, required: ["title"], bag: &bag),
              let title = reader.string(map, "title", bag: &bag) else { return nil }
        return Page(slug: slug, title: title.value, summary: reader.string(map, "summary", bag: &bag)?.value,
                    body: MarkdownSource(text: doc.body, file: file.path, firstLine: doc.bodyFirstLine), file: file.path)
    }

    // MARK: - shared

    func readReporting(_ relative: String, bag: inout DiagnosticBag) -> Result<SourceFile, Diagnostic> {
        let result = SourceFile.read(atPath: rootPath + "/" + relative, displayPath: display(relative))
        switch result {
        case let .failure(d): bag.add(d)
        case let .success(file): log.hashes.withLock { $0[relative] = file.hash }
        }
        return result
    }

    func frontMatter(_ file: SourceFile, what: String, known: [String], required: [String], bag: inout DiagnosticBag) -> (FrontMatterDocument, YAMLReader, YAMLMap)? {
        let doc: FrontMatterDocument
        switch FrontMatterDocument.split(file) {
        case let .success(d): doc = d
        case let .failure(d): bag.add(d); return nil
        }
        let reader = YAMLReader(file: file.path, firstLine: doc.yamlFirstLine, text: doc.yaml)
        let problems = bag.all.count
        let node = reader.parse(doc.yaml, bag: &bag)
        // Blank, or only comments: parsed to nothing without an error.
        if node == nil && bag.all.count == problems {
            bag.error(SourceLocation(file: file.path), "\(what) is empty", hint: "required fields: \(required.joined(separator: ", "))")
            return nil
        }
        guard let node, let map = reader.map(node, what: what, known: known, required: required, bag: &bag) else { return nil }
        return (doc, reader, map)
    }
}
