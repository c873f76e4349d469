import Foundation

/// Brings the output folder in line with a rendered site: writes only files whose bytes changed (each
/// through a temporary file and a rename), and removes files the site no longer has. Nothing is touched
/// until the whole site has rendered without error, so a failed build leaves the previous Output as it was.
public struct OutputWriter {
    public var output: URL
    static let marker = ".gavel-output"

    public struct Summary: Sendable {
        public var written = 0
        public var unchanged = 0
        public var removed = 0
        public init() {}
    }

    public init(output: URL) { self.output = output }

    /// Refuses to manage a folder with files in it that Gavel did not create, so a mistyped
    /// `--output` cannot delete someone's work.
    public func checkOwnership() -> Diagnostic? {
        let fm = FileManager.default
        guard let items = try? fm.contentsOfDirectory(atPath: output.path), !items.isEmpty else { return nil }
        if items.contains(Self.marker) { return nil }
        return .error(SourceLocation(file: output.path), "refusing to write into a folder that Gavel did not create",
                      hint: "choose an empty or new --output folder, or remove this one")
    }

    public func sync(_ files: [OutputFile]) throws -> Summary {
        let fm = FileManager.default
        try fm.createDirectory(at: output, withIntermediateDirectories: true)
        var summary = Summary()
        var keep = Set<String>([Self.marker])
        let markerURL = output.appendingPathComponent(Self.marker)
        if !fm.fileExists(atPath: markerURL.path) {
            try Data("This folder is written by gavel build; its files are replaced on every build.\n".utf8).write(to: markerURL)
        }
        var createdDirectories = Set<String>()
        for file in files {
            keep.insert(file.path)
            let url = output.appendingPathComponent(file.path)
            if let existing = fm.contents(atPath: url.path), existing.count == file.bytes.count, existing.elementsEqual(file.bytes) {
                summary.unchanged += 1
                continue
            }
            let dir = url.deletingLastPathComponent()
            if createdDirectories.insert(dir.path).inserted {
                try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            }
            try Data(file.bytes).write(to: url, options: .atomic)
            summary.written += 1
        }
        summary.removed = try removeStale(keeping: keep)
        return summary
    }

    func removeStale(keeping keep: Set<String>) throws -> Int {
        let fm = FileManager.default
        var removed = 0
        var directories: [String] = []
        for case let relative as String in fm.enumerator(atPath: output.path)?.allObjects ?? [] {
            let url = output.appendingPathComponent(relative)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { continue }
            if isDir.boolValue { directories.append(relative); continue }
            if !keep.contains(relative) {
                try fm.removeItem(at: url)
                removed += 1
            }
        }
        for relative in directories.sorted(by: >) {
            let url = output.appendingPathComponent(relative)
            if (try? fm.contentsOfDirectory(atPath: url.path))?.isEmpty == true { try? fm.removeItem(at: url) }
        }
        return removed
    }
}
