import Foundation

/// Markdown text with the file line on which it starts, so cmark's positions map back to the file.
public struct MarkdownSource: Sendable {
    public var text: String
    public var file: String
    public var firstLine: Int
}

public struct NavigationItem: Sendable {
    public var title: String
    public var url: Located<String>
}

/// site.yml
public struct SiteConfig: Sendable {
    public var title: String
    public var baseURL: String
    public var language: String
    public var description: String
    public var allowRawHTML: Bool
    public var navigation: [NavigationItem]
    public var file: String
}

public enum FactType: String, Sendable, CaseIterable {
    case boolean, date, choice, number, text
}

public enum Scope: String, Sendable, CaseIterable {
    case person, court
}

/// One question the checklist may ask (facts.yml).
public struct FactDefinition: Sendable {
    public var id: String
    public var type: FactType
    public var question: String
    public var help: String
    public var label: String
    public var options: [String]
    /// Words for options, shown on pages while rules and answers use the ids (`{id, label}` options).
    public var optionLabels: [String: String] = [:]
    public var scope: Scope
    public var location: SourceLocation

    /// How pages name an option: its label, else its id.
    public func label(ofOption id: String) -> String { optionLabels[id] ?? id }
}

public struct ExternalLink: Sendable {
    public var title: String
    public var url: String
}

public enum RuleKind: String, Sendable, CaseIterable {
    case appliesIf = "applies_if", doneIf = "done_if", availableFrom = "available_from", dueBy = "due_by"
}

/// A reusable step module (steps/<id>.md).
public struct StepModule: Sendable {
    public var id: String
    public var title: String
    public var summary: String
    public var scope: Scope
    public var requires: [Located<String>]
    public var rules: [RuleKind: Located<String>]
    public var learnMore: [ExternalLink]
    /// Shown with its status, never counted against readiness.
    public var optional: Located<Bool>? = nil
    /// When the step cannot be done (registrations frozen).
    public var unavailable: [UnavailableWindow] = []
    public var body: MarkdownSource
    public var file: String
    public var location: SourceLocation
}

/// A span during which a step cannot be done; it opens again at `end`.
public struct UnavailableWindow: Sendable {
    public var start: Located<StatedTime>
    /// A day alone means through the end of that day.
    public var end: Located<StatedTime>
    public var reason: String

    /// The span as instants in a court's zone: [start, end).
    public func span(in zone: TimeZone) -> (start: Instant, end: Instant) {
        let endInstant: Instant
        switch end.value {
        case let .dateTime(local): endInstant = local.instant(in: zone)
        case let .day(date): endInstant = date.next.start(in: zone)
        }
        return (start.value.instant(in: zone), endInstant)
    }
}

/// One entry of a court's checklist: a step, with this court's own settings for it.
public struct ChecklistEntry: Sendable {
    public var step: Located<String>
    /// Rules that replace the step's own for this court.
    public var rules: [RuleKind: Located<String>] = [:]
    /// Added to the step's own `requires`.
    public var requires: [Located<String>] = []
    /// Added to the step's own windows.
    public var unavailable: [UnavailableWindow] = []
    public var optional: Located<Bool>? = nil

    public init(step: Located<String>) { self.step = step }
}

public struct DowntimeWindow: Sendable {
    public var title: String
    public var start: LocalDateTime
    /// A date-time, a day alone (some time that day), or nil: open, with `endNote`.
    public var end: StatedTime?
    public var endNote: String?
}

public struct Contact: Sendable {
    public var label: String
    public var phone: String?
    public var email: String?
    public var hours: String?
}

public enum CourtKind: String, Sendable, CaseIterable {
    case district, bankruptcy, appellate, national
}

/// One court (courts/<id>/court.yml) with its notices.
public struct Court: Sendable {
    public var id: String
    public var name: String
    public var shortName: String
    public var kind: CourtKind
    public var timeZone: TimeZone
    public var clock: CourtClock
    /// As the court stated it: a date-time, a day alone, or nil (not yet scheduled, or live with no date).
    public var goLive: StatedTime?
    /// What the court has said while it gives no date ("expected in November 2021").
    public var goLiveNote: String? = nil
    /// Already on NextGen though no date is given.
    public var live: Bool = false
    public var downtime: [DowntimeWindow]
    public var contacts: [Contact]
    /// The court's other named dates (`court.dates.<name>`), in the order written.
    public var dates: [(name: String, value: StatedTime)] = []
    public var checklist: [ChecklistEntry]
    public var allowRawHTML: Bool?
    public var notices: [Notice]
    public var file: String

    public var goLiveInstant: Instant? { goLive?.instant(in: timeZone) }

    public func date(named name: String) -> StatedTime? { dates.first { $0.name == name }?.value }

    /// Whether go-live has passed at `now`: a live court without a date always has.
    public func isLive(at now: Instant) -> Bool { live || (goLiveInstant.map { $0 <= now } ?? false) }
}

public struct CalendarEvent: Sendable {
    public var title: String
    public var start: LocalDateTime
    public var end: LocalDateTime
}

/// A court's notice (courts/<court>/notices/<slug>.md).
///
/// Its fields are kept in one shared box: a notice passes from the notice index into the model,
/// its court's list, sorted newest first, and its pages, and each copy of a dozen fields retained
/// each of its strings and arrays (20,000 copies in a one-notice rebuild at 10,000 notices) and
/// held its 280 bytes again (the model's lists were 14 MB of a full build's peak at 50,000 notices,
/// beside the same notices in the index). A copy is now one reference; changing a field of one
/// copy gives that copy a box of its own.
public struct Notice: Sendable {
    struct Fields: Sendable {
        var court: String
        var slug: String
        var title: StoredText
        var date: LocalDate
        var summary: StoredText?
        var tags: StoredTexts
        var draft: Bool
        var publish: LocalDate?
        var expires: LocalDate?
        var events: [CalendarEvent]
        var alsoCourts: [Located<String>]
        var body: NoticeBody
        var sourceHash: UInt64
    }

    private final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    public init(court: String, slug: String, title: String, date: LocalDate, summary: String?, tags: [String], draft: Bool,
                publish: LocalDate?, expires: LocalDate?, events: [CalendarEvent], alsoCourts: [Located<String>] = [],
                body: NoticeBody, sourceHash: UInt64 = 0) {
        box = Box(Fields(court: court, slug: slug, title: .string(title), date: date, summary: summary.map(StoredText.string), tags: .strings(tags),
                         draft: draft, publish: publish, expires: expires, events: events, alsoCourts: alsoCourts, body: body, sourceHash: sourceHash))
    }

    /// A notice with its texts as the notice index holds them (see `StoredText`).
    init(fields: Fields) {
        box = Box(fields)
    }

    /// Changes one field in a box of this copy's own (the others keep theirs).
    private mutating func change(_ edit: (inout Fields) -> Void) {
        var fields = box.fields
        edit(&fields)
        box = Box(fields)
    }

    public var court: String { get { box.fields.court } set { change { $0.court = newValue } } }
    public var slug: String { get { box.fields.slug } set { change { $0.slug = newValue } } }
    public var title: String { get { box.fields.title.string } set { change { $0.title = .string(newValue) } } }
    public var date: LocalDate { get { box.fields.date } set { change { $0.date = newValue } } }
    public var summary: String? { get { box.fields.summary?.string } set { change { $0.summary = newValue.map(StoredText.string) } } }
    public var tags: [String] { get { box.fields.tags.strings } set { change { $0.tags = .strings(newValue) } } }
    public var draft: Bool { get { box.fields.draft } set { change { $0.draft = newValue } } }
    public var publish: LocalDate? { get { box.fields.publish } set { change { $0.publish = newValue } } }
    public var expires: LocalDate? { get { box.fields.expires } set { change { $0.expires = newValue } } }
    public var events: [CalendarEvent] { get { box.fields.events } set { change { $0.events = newValue } } }
    /// Other courts that list this notice (a joint notice is written once).
    public var alsoCourts: [Located<String>] { get { box.fields.alsoCourts } set { change { $0.alsoCourts = newValue } } }
    public var body: NoticeBody { get { box.fields.body } set { change { $0.body = newValue } } }
    /// A fingerprint of the notice's file, for incremental builds.
    public var sourceHash: UInt64 { get { box.fields.sourceHash } set { change { $0.sourceHash = newValue } } }
    /// The file as diagnostics name it.
    public var file: String { box.fields.body.file }

    /// True when the title or summary has `{{` (see `CourtVariables.mayName`), asked of every notice
    /// on every build: looked for in the index's bytes, not in texts made for it.
    var mayNameCourtVariables: Bool {
        box.fields.title.mayNameCourtVariables || box.fields.summary?.mayNameCourtVariables == true
    }
}

/// A text of a notice as it was had: a String, or UTF-8 bytes in the notice index's file, made into a
/// String each time it is asked for. A rebuild takes ten thousand notices from the index and shows
/// the titles, summaries and tags of a few (the edited court's); made into Strings as the index was
/// read, they were about 15 million instructions and 3 MB of every one-notice rebuild at 10,000
/// notices. The bytes decode as the index's reader always did (`String(decoding:as:)`).
enum StoredText: Sendable {
    case string(String)
    case utf8(ArraySlice<UInt8>)

    var string: String {
        switch self {
        case let .string(text): text
        case let .utf8(bytes): String(decoding: bytes, as: UTF8.self)
        }
    }

    var mayNameCourtVariables: Bool {
        switch self {
        case let .string(text): CourtVariables.mayName(text)
        case let .utf8(bytes): bytes.withUnsafeBufferPointer { CourtVariables.mayName(utf8: $0) }
        }
    }
}

/// A notice's tags as they were had: Strings, or the notice index's record of them (a count, then
/// each tag's length and bytes, checked whole when the index was read), made into Strings each time
/// they are asked for (see `StoredText`).
enum StoredTexts: Sendable {
    case strings([String])
    case records(ArraySlice<UInt8>, count: Int)

    var strings: [String] {
        switch self {
        case let .strings(texts):
            return texts
        case let .records(bytes, count):
            // Checked as the index was read; read again with the index's reader all the same.
            return bytes.withUnsafeBytes { raw in
                var reader = StateFile.Records.Reader(raw, from: 0)
                var texts: [String] = []
                texts.reserveCapacity(count)
                while texts.count < count, let text = reader.text() { texts.append(text) }
                return texts
            }
        }
    }
}

/// Where a notice's Markdown body is. Bodies stay on disk and are read again when their page is
/// rendered: a site of 50,000 notices would otherwise hold 100 MB of Markdown for the whole build.
public struct NoticeBody: Sendable {
    /// The file on disk: its folder, shared by every notice, and where it is under it, joined only
    /// when the body is read, which a rebuild does for a few notices of ten thousand.
    public var folder: String
    var place: Place
    public var diskPath: String { folder.isEmpty ? relative : .path(folder, relative) }
    public var offset: Int
    /// The file as diagnostics name it: the content folder as shown, shared by every notice, and the
    /// file's path under it (`shownAs`, or where it is), joined only when asked, for a diagnostic.
    /// The line the body starts on.
    var fileFolder: String
    var shownAs: String?
    public var file: String {
        let fileName = shownAs ?? relative
        return fileFolder.isEmpty ? fileName : fileFolder.hasSuffix("/") ? .concatenating(fileFolder, fileName) : .path(fileFolder, fileName)
    }
    public var firstLine: Int
    /// The whole file's fingerprint when it was loaded: a file changed since then is not mixed in.
    public var sourceHash: UInt64

    /// Where the file is under `folder`: a court's notice, by its court's folder (one string, shared
    /// by the court's notices) and its file name (short enough to be held in place), or any path.
    /// Made from the notice index, a path for each of ten thousand notices was an allocation of its own.
    enum Place: Sendable {
        case notice(court: String, name: String)
        case path(String)
    }

    /// The file's path under `folder`.
    public var relative: String {
        switch place {
        case let .notice(court, name): NoticeIndex.relative(court: court, name: name)
        case let .path(path): path
        }
    }

    public func read() -> Result<MarkdownSource, Diagnostic> {
        guard let bytes = FileIO.read(diskPath), offset <= bytes.count else {
            return .failure(.error(SourceLocation(file: file), "cannot read file"))
        }
        guard ContentHash.of(bytes) == sourceHash else {
            return .failure(.error(SourceLocation(file: file), "file changed while the site was being built", hint: "build again"))
        }
        return .success(MarkdownSource(text: String(decoding: bytes[offset...], as: UTF8.self), file: file, firstLine: firstLine))
    }
}

extension NoticeBody {
    /// The body of the notice `name` of the court whose folder is `court`, under the content folder
    /// at `folder` on disk and shown in diagnostics as `displayFolder`.
    init(folder: String, court: String, name: String, offset: Int, displayFolder: String, firstLine: Int, sourceHash: UInt64) {
        self.init(folder: folder, place: .notice(court: court, name: name), offset: offset, fileFolder: displayFolder, shownAs: nil,
                  firstLine: firstLine, sourceHash: sourceHash)
    }

    /// The body of the file at `relative` under the content folder, at `folder` on disk and shown in
    /// diagnostics as `displayFolder`.
    init(folder: String, relative: String, offset: Int, displayFolder: String, firstLine: Int, sourceHash: UInt64) {
        self.init(folder: folder, place: .path(relative), offset: offset, fileFolder: displayFolder, shownAs: nil, firstLine: firstLine,
                  sourceHash: sourceHash)
    }

    /// A body in the file at `diskPath`, shown in diagnostics as `file`.
    init(diskPath: String, offset: Int, file: String, firstLine: Int, sourceHash: UInt64) {
        self.init(folder: "", place: .path(diskPath), offset: offset, fileFolder: "", shownAs: file, firstLine: firstLine, sourceHash: sourceHash)
    }
}

/// A free-standing page (pages/<slug>.md).
public struct Page: Sendable {
    public var slug: String
    public var title: String
    public var summary: String?
    public var body: MarkdownSource
    public var file: String
}

/// Everything under Content/, loaded and checked field by field.
public struct SiteContent: Sendable {
    public var site: SiteConfig
    public var facts: [FactDefinition]
    public var steps: [String: StepModule]
    public var stepOrder: [String]
    public var courts: [Court]
    public var pages: [Page]
    /// The hash of every file read besides notices (which carry their own), by path within Content/:
    /// what the build cache keys site-wide pages on.
    public var inputHashes: [String: UInt64] = [:]

    public func fact(_ id: String) -> FactDefinition? { facts.first { $0.id == id } }
}
