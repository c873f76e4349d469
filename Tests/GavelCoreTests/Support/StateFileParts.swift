import Foundation
import Testing
@testable import GavelCore

/// A state file taken apart: its kind, its header's fields after the checksum, and its body. Tests
/// write a changed body back under the same header with a good checksum, to reach what the
/// checksum would otherwise stop.
struct StateFileParts {
    let kind: String
    let head: [String]
    let body: [UInt8]

    init(_ path: String) throws {
        let file = try #require(FileIO.read(path))
        let newline = try #require(file.firstIndex(of: 0x0A))
        let fields = String(decoding: file[..<newline], as: UTF8.self).split(separator: " ").map(String.init)
        kind = try #require(fields.first)
        head = Array(fields.dropFirst(3))
        body = Array(file[(newline + 1)...])
    }

    /// `body` written at `path` under this file's kind and header, with its checksum.
    func write(_ body: [UInt8], to path: String) throws {
        try StateFile.write(path, kind: kind, head: head, body: body)
    }
}
