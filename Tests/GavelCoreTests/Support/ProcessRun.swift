import Foundation

/// A finished child process: its exit status and everything it printed.
struct ProcessRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Runs `executable` to the end in `directory`; `environment` nil inherits the tests' own.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]? = nil) throws -> ProcessRun {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessRun(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }
}
