import Foundation

/// Writes a set of files into a folder that holds nothing yet: what `gavel init` and
/// `gavel theme export` do. Nothing is ever overwritten.
public enum NewFolder {
    public struct Failure: Error, Sendable { public var message: String }

    /// Refuses a folder with anything in it but hidden entries (a fresh `git init` leaves `.git`),
    /// and a path that is a file or a link; creates the folder when it is missing. Returns the paths
    /// written, as `folder/relative`.
    public static func write(_ files: [(path: String, bytes: [UInt8])], into folder: URL, shownAs display: String) throws(Failure) -> [String] {
        switch FileIO.kind(folder.path) {
        case .missing:
            break
        case .directory:
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
                throw Failure(message: "\(display): cannot list the folder: \(error.localizedDescription)")
            }
            let visible = entries.filter { !$0.hasPrefix(".") }.sorted()
            if !visible.isEmpty {
                let named = visible.prefix(3).joined(separator: ", ") + (visible.count > 3 ? ", ..." : "")
                throw Failure(message: "\(display) is not empty (\(named)); nothing was written. Choose a new or empty folder.")
            }
        case .symbolicLink:
            throw Failure(message: "\(display) is a symbolic link, which Gavel does not follow; nothing was written")
        case .file, .other:
            throw Failure(message: "\(display) is a file, not a folder; nothing was written")
        }
        var written: [String] = []
        for file in files {
            let url = folder.appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.bytes).write(to: url, options: .withoutOverwriting)
            } catch {
                throw Failure(message: "\(display)/\(file.path): cannot write: \(error.localizedDescription)")
            }
            written.append(display == "." ? file.path : display + "/" + file.path)
        }
        return written
    }
}
