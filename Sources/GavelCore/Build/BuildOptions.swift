import Foundation

public struct BuildOptions: Sendable {
    public var content: URL
    public var templates: URL
    public var output: URL
    /// How the folders are shown in diagnostics ("Content", "Templates").
    public var contentDisplay: String
    public var templatesDisplay: String
    public var includeDrafts = false
    public var baseURL: String?
    public var offline = false
    /// The build's clock: which notices are published or expired, and countdown texts.
    public var now: Instant

    public init(content: String = "Content", templates: String = "Templates", output: String = "Output", now: Instant = Instant(Date())) {
        self.content = URL(fileURLWithPath: content)
        self.templates = URL(fileURLWithPath: templates)
        self.output = URL(fileURLWithPath: output)
        contentDisplay = content
        templatesDisplay = templates
        self.now = now
    }
}
