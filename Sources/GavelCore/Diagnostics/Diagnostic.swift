import Foundation

/// A position in a file the user wrote; lines and columns count from 1.
public struct SourceLocation: Hashable, Sendable, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int = 1, column: Int = 1) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.line, a.column) < (b.file, b.line, b.column)
    }
}

/// The one kind of message Gavel gives about content: where, how bad, what, and what to do.
public struct Diagnostic: Error, Hashable, Sendable, Comparable {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var location: SourceLocation
    public var severity: Severity
    public var message: String
    public var hint: String?

    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String, hint: String? = nil) {
        self.location = location
        self.severity = severity
        self.message = Self.shortened(message)
        self.hint = hint.map(Self.shortened)
    }

    /// Messages quote what the user wrote; a megabyte-long name is shown by its ends, not printed whole.
    static let longestMessage = 400

    static func shortened(_ text: String) -> String {
        guard text.utf8.count > longestMessage else { return text }
        let scalars = text.unicodeScalars
        guard scalars.count > longestMessage else { return text }
        let head = String(String.UnicodeScalarView(scalars.prefix(longestMessage - 100)))
        let tail = String(String.UnicodeScalarView(scalars.suffix(60)))
        return head + "…(\(scalars.count - longestMessage + 40) characters)…" + tail
    }

    public static func error(_ location: SourceLocation, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, at: location, message, hint: hint)
    }

    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        if a.location != b.location { return a.location < b.location }
        return a.message < b.message
    }
}

/// Thrown when a run found errors; holds all of them, sorted.
public struct DiagnosticsError: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) {
        // A shared body rendered on several pages reports a problem once.
        self.diagnostics = Array(Set(diagnostics)).sorted()
    }
}

/// Collects diagnostics through a run so that every problem is reported at once.
public struct DiagnosticBag: Sendable {
    public private(set) var all: [Diagnostic] = []
    public init() {}

    public var hasErrors: Bool { all.contains { $0.severity == .error } }

    public mutating func add(_ d: Diagnostic) { all.append(d) }
    public mutating func add(contentsOf ds: [Diagnostic]) { all.append(contentsOf: ds) }
    public mutating func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        all.append(.error(location, message, hint: hint))
    }

    /// Throws every error collected so far, sorted, if there is one.
    public func throwIfErrors() throws {
        if hasErrors { throw DiagnosticsError(all) }
    }
}
