import Foundation

/// A content file read from disk: its path as shown in diagnostics and its text, known to be UTF-8.
public struct SourceFile: Sendable {
    public var path: String
    public var text: String
    /// The hash of the bytes read: what the build cache keys pages on, so an edit saved after the file
    /// was read is never recorded against pages made from the old bytes.
    public var hash: UInt64

    public init(path: String, text: String) {
        self.path = path
        self.text = text
        hash = ContentHash.of(text)
    }

    init(path: String, text: String, hash: UInt64) {
        self.path = path
        self.text = text
        self.hash = hash
    }

    /// Reads a file, reporting unreadable, empty and non-UTF-8 files at their location.
    public static func read(_ url: URL, displayPath: String, allowEmpty: Bool = false) -> Result<SourceFile, Diagnostic> {
        read(atPath: url.path, displayPath: displayPath, allowEmpty: allowEmpty)
    }

    public static func read(atPath path: String, displayPath: String, allowEmpty: Bool = false) -> Result<SourceFile, Diagnostic> {
        var info = stat()
        return read(atPath: path, displayPath: displayPath, allowEmpty: allowEmpty, info: &info)
    }

    /// As `read`, with the file's status from before it was read.
    static func read(atPath path: String, displayPath: String, allowEmpty: Bool = false, info: inout stat) -> Result<SourceFile, Diagnostic> {
        guard let data = FileIO.read(path, info: &info) else {
            return .failure(unreadable(path, displayPath: displayPath))
        }
        if data.isEmpty && !allowEmpty {
            return .failure(.error(SourceLocation(file: displayPath), "file is empty", hint: "a content file needs at least its required fields"))
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return .failure(.error(invalidUTF8Location(data, file: displayPath), "file is not valid UTF-8", hint: "save the file with UTF-8 encoding"))
        }
        return .success(SourceFile(path: displayPath, text: text, hash: ContentHash.of(data)))
    }

    /// Why a file could not be read, said for what is there: Gavel never follows a symbolic link out
    /// of its folders, and never waits on a FIFO or device.
    static func unreadable(_ path: String, displayPath: String) -> Diagnostic {
        let at = SourceLocation(file: displayPath)
        switch FileIO.kind(path) {
        case .symbolicLink:
            return .error(at, "is a symbolic link, which Gavel does not follow", hint: "put the file itself here instead of a link to it")
        case .other:
            return .error(at, "is not a regular file (a FIFO, socket or device)", hint: "content files must be plain files")
        case .directory:
            return .error(at, "is a folder where a file belongs")
        case .missing:
            return .error(at, "cannot read file: it does not exist")
        case .file:
            return .error(at, "cannot read file: \(String(cString: strerror(errno)))", hint: "check the file's permissions")
        }
    }

    /// Finds the line and column of the first byte that breaks UTF-8.
    static func invalidUTF8Location(_ data: some Collection<UInt8>, file: String) -> SourceLocation {
        var line = 1, lineStart = 0
        let bytes = [UInt8](data)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length: Int
            switch b {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            var valid = length > 0 && i + length <= bytes.count
            if valid && length > 1 {
                for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { valid = false }
            }
            if !valid || String(validating: bytes[i..<(i + length)], as: UTF8.self) == nil {
                let column = String(decoding: bytes[lineStart..<i], as: UTF8.self).count + 1
                return SourceLocation(file: file, line: line, column: column)
            }
            if b == 0x0A { line += 1; lineStart = i + 1 }
            i += length
        }
        return SourceLocation(file: file)
    }
}
