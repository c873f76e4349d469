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
    public var scope: Scope
    public var location: SourceLocation
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
    public var body: MarkdownSource
    public var file: String
    public var location: SourceLocation
}

public struct DowntimeWindow: Sendable {
    public var title: String
    public var start: LocalDateTime
    public var end: LocalDateTime
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
    public var goLive: LocalDateTime?
    public var downtime: [DowntimeWindow]
    public var contacts: [Contact]
    public var checklist: [Located<String>]
    public var allowRawHTML: Bool?
    public var notices: [Notice]
    public var file: String

    public var goLiveInstant: Instant? { goLive?.instant(in: timeZone) }
}

public struct CalendarEvent: Sendable {
    public var title: String
    public var start: LocalDateTime
    public var end: LocalDateTime
}

/// A court's notice (courts/<court>/notices/<slug>.md).
public struct Notice: Sendable {
    public var court: String
    public var slug: String
    public var title: String
    public var date: LocalDate
    public var summary: String?
    public var tags: [String]
    public var draft: Bool
    public var publish: LocalDate?
    public var expires: LocalDate?
    public var events: [CalendarEvent]
    public var body: NoticeBody
    public var file: String
    /// A fingerprint of the notice's file, for incremental builds.
    public var sourceHash: UInt64 = 0
}

/// Where a notice's Markdown body is. Bodies stay on disk and are read again when their page is
/// rendered: a site of 50,000 notices would otherwise hold 100 MB of Markdown for the whole build.
public struct NoticeBody: Sendable {
    /// The file on disk, and where the body starts in its bytes.
    public var diskPath: String
    public var offset: Int
    /// The file as diagnostics name it, and the line the body starts on.
    public var file: String
    public var firstLine: Int
    /// The whole file's fingerprint when it was loaded: a file changed since then is not mixed in.
    public var sourceHash: UInt64

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
    /// The notices as read this time, for the next build's `NoticeIndex` (empty unless asked for).
    public var noticeIndex: NoticeIndex? = nil
    /// The hash of every file read besides notices (which carry their own), by path within Content/:
    /// what the build cache keys site-wide pages on.
    public var inputHashes: [String: UInt64] = [:]

    public func fact(_ id: String) -> FactDefinition? { facts.first { $0.id == id } }
}
