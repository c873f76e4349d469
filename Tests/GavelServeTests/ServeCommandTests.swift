import Foundation
import Testing
@testable import GavelServe
#if canImport(Glibc)
import Glibc
#endif

/// `gavel serve` as a person runs it: the real executable, signals, exit codes.
@Suite(.serialized) struct ServeCommandTests {
    static let binary = Paths.root.appendingPathComponent(".build/debug/gavel")

    final class Running: @unchecked Sendable {
        let process = Process()
        let out = Locked("")
        let err = Locked("")

        init(_ arguments: [String], in directory: URL, environment: [String: String]? = nil) throws {
            try #require(FileManager.default.isExecutableFile(atPath: ServeCommandTests.binary.path), "build the gavel product first (swift build)")
            process.executableURL = ServeCommandTests.binary
            process.arguments = arguments
            process.currentDirectoryURL = directory
            if let environment { process.environment = environment }
            let outPipe = Pipe(), errPipe = Pipe()
            process.standardOutput = outPipe
            process.standardError = errPipe
            outPipe.fileHandleForReading.readabilityHandler = { [out] handle in
                let data = handle.availableData
                out.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
            errPipe.fileHandleForReading.readabilityHandler = { [err] handle in
                let data = handle.availableData
                err.withLock { $0 += String(decoding: data, as: UTF8.self) }
            }
            try process.run()
        }

        /// Waits for a line of standard output matching `pattern`; returns its first capture.
        func await(_ pattern: String, within seconds: Double = 20) async throws -> String? {
            let regex = try NSRegularExpression(pattern: pattern)
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                let text = out.current
                if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                   let range = Range(match.range(at: 1), in: text) {
                    return String(text[range])
                }
                if !process.isRunning { return nil }
                try await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        func waitForExit(within seconds: Double = 20) async throws -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning {
                process.terminate()
                return nil
            }
            return process.terminationStatus
        }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func aSignalStopsCleanlyAndRemovesTheTemporaryOutput(signal: Int32) async throws {
        let site = try Paths.siteCopy()
        defer { try? FileManager.default.removeItem(at: site) }
        let run = try Running(["serve", "--port", "0"], in: site)
        let port = try #require(try await run.await(#"Serving http://127\.0\.0\.1:(\d+)/"#), "stderr: \(run.err.current)")
        let output = try #require(try await run.await(#"output: (\S+) \(temporary"#))
        #expect(FileManager.default.fileExists(atPath: output + "/index.html"))
        let page = try await RawHTTP.get(Int(port)!, "/courts/wiwb/")
        #expect(page.status == 200)
        // An open page's event stream must not hold the shutdown up.
        let events = try EventStreamClient(port: Int(port)!)
        defer { events.close() }
        _ = await events.next("hello", within: 5)

        kill(run.process.processIdentifier, signal)
        let status = try await run.waitForExit(within: 10)
        #expect(status == 0, "stderr: \(run.err.current)")
        #expect(!FileManager.default.fileExists(atPath: output), "the temporary output is removed")
        let folder = (output as NSString).deletingLastPathComponent
        #expect(!FileManager.default.fileExists(atPath: folder), "and the private folder around it, with the build's cache")
        #expect(run.err.current.contains("built "))
    }

    /// `serve` and `build` have their threads' heaps ask for transparent huge pages where the kernel
    /// gives them only on request, without starting the program again (its environment is the one it
    /// was given), and leave a choice the user made about huge pages alone.
    @Test(arguments: ["", "glibc.malloc.tcache_count=7", "glibc.malloc.hugetlb=0"])
    func aBuildingCommandAsksForHugePagesInItsOwnProcess(preset: String) async throws {
        let site = try Paths.siteCopy()
        defer { try? FileManager.default.removeItem(at: site) }
        var environment = ProcessInfo.processInfo.environment
        environment["GLIBC_TUNABLES"] = preset.isEmpty ? nil : preset
        let run = try Running(["serve", "--port", "0"], in: site, environment: environment)
        _ = try #require(try await run.await(#"Serving http://127\.0\.0\.1:(\d+)/"#), "stderr: \(run.err.current)")
        let process = "/proc/\(run.process.processIdentifier)"
        // Memory that asked for huge pages is flagged `hg` by the kernel: a thread's heap, 64 MiB (two
        // such heaps side by side show as one mapping of twice the size).
        // (Read to its end: the kernel states no size for the file, and a read of the size it states
        // stops after a few mappings, before the threads' heaps.)
        let smaps = try #require(FileHandle(forReadingAtPath: process + "/smaps"))
        let maps = String(decoding: try smaps.readToEnd() ?? Data(), as: UTF8.self)
        try smaps.close()
        let heapKiB = 64 << 10
        var size = 0, askingHeaps = 0
        for line in maps.split(separator: "\n") {
            if line.hasPrefix("Size:") { size = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0 }
            if line.hasPrefix("VmFlags:"), line.split(separator: " ").contains("hg"), size > 0, size % heapKiB == 0 { askingHeaps += size / heapKiB }
        }
        let policy = (try? String(contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
        let asks = policy.contains("[madvise]") && !preset.contains("hugetlb")
        #expect(asks ? askingHeaps >= 2 : askingHeaps == 0, "policy: \(policy), heaps asking: \(askingHeaps)")
        // The environment is the one the program was given: nothing was added for a second start
        // (glibc cuts this copy at each colon as it reads it, hence the search for the setting alone).
        let started = String(decoding: try Data(contentsOf: URL(fileURLWithPath: process + "/environ")).map { $0 == 0 ? 0x0A : $0 }, as: UTF8.self)
        #expect(preset.isEmpty ? !started.contains("GLIBC_TUNABLES=") : started.contains("GLIBC_TUNABLES=" + preset), "\(started)")
        kill(run.process.processIdentifier, SIGTERM)
        #expect(try await run.waitForExit(within: 10) == 0, "stderr: \(run.err.current)")
    }

    @Test func aPortInUseIsAClearError() async throws {
        let site = try Paths.siteCopy()
        defer { try? FileManager.default.removeItem(at: site) }
        // Hold a port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        let run = try Running(["serve", "--port", String(port)], in: site)
        let status = try await run.waitForExit()
        #expect(status == 1)
        let stderr = run.err.current
        #expect(stderr.contains("port \(port)") && stderr.contains("already in use"), "\(stderr)")
        #expect(stderr.contains("--port"), "\(stderr)")
    }

    @Test func aNonLoopbackHostIsWarnedAbout() async throws {
        let site = try Paths.siteCopy()
        defer { try? FileManager.default.removeItem(at: site) }
        // 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes, then a clear error.
        let run = try Running(["serve", "--host", "192.0.2.1", "--port", "0"], in: site)
        let status = try await run.waitForExit()
        #expect(status == 1)
        #expect(run.err.current.contains("warning: --host 192.0.2.1 is not a loopback address"), "\(run.err.current)")
        #expect(run.err.current.contains("cannot listen on 192.0.2.1"), "\(run.err.current)")
        // Usage errors exit with 2.
        let bad = try Running(["serve", "--port", "70000"], in: site)
        #expect(try await bad.waitForExit() == 2)
    }
}
