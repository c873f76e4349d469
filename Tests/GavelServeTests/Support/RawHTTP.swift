import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deliberately plain HTTP/1.1 client on a socket: it sends the request target byte for byte (no
/// client-side normalizing of `..`, `%2e` or `\`), which is what the traversal tests need. Blocking
/// calls run on GCD threads, never on the cooperative pool the server's handlers need.
enum RawHTTP {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers[name.lowercased()] }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func request(port: Int, _ target: String, method: String = "GET", timeout: Double = 10) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try blockingRequest(port: port, target, method: method, timeout: timeout) })
            }
        }
    }

    static func get(_ port: Int, _ target: String) async throws -> Response {
        try await request(port: port, target)
    }

    /// Opens a connection to 127.0.0.1:port with a receive timeout.
    static func connectSocket(port: Int, timeout: Double) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw Failure(description: "connect to port \(port): \(message)")
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) throws {
        var bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(String(cString: strerror(errno)))") }
            sent += n
        }
    }

    static func blockingRequest(port: Int, _ target: String, method: String, timeout: Double) throws -> Response {
        let fd = try connectSocket(port: port, timeout: timeout)
        defer { close(fd) }
        try send(fd, "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n")
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0 else { throw Failure(description: "recv after \(data.count) bytes of \(method) \(target): \(String(cString: strerror(errno)))") }
            data.append(contentsOf: buffer[0..<n])
        }
        return try parse(data, head: method == "HEAD")
    }

    static func parse(_ data: [UInt8], head: Bool) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = data.firstRange(of: separator) else { throw Failure(description: "no response head in \(data.count) bytes") }
        let headText = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line in \(headText)") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[end.upperBound...])
        if !head, headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            guard let lineEnd = data[i...].firstRange(of: Array("\r\n".utf8)) else { break }
            let size = Int(String(decoding: data[i..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";")[0], radix: 16) ?? 0
            if size == 0 { break }
            let start = lineEnd.upperBound
            out.append(contentsOf: data[start..<min(start + size, data.count)])
            i = start + size + 2
        }
        return out
    }
}

/// Reads `/__gavel/events` as a browser's EventSource would, on a thread of its own.
final class EventStreamClient: @unchecked Sendable {
    struct Event: Sendable {
        var name: String
        var data: String
    }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Event] = []
    private var consumed = 0
    private var open = true
    private var rawBytes: [UInt8] = []
    var raw: String { lock.withLock { String(decoding: rawBytes, as: UTF8.self) } }

    init(port: Int) throws {
        fd = try RawHTTP.connectSocket(port: port, timeout: 60)
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        try RawHTTP.send(fd, "GET /__gavel/events HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n\r\n")
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    var all: [Event] { lock.withLock { received } }

    /// Waits at most `seconds` for the next event with this name that no earlier call returned.
    func next(_ name: String, within seconds: Double) async -> Event? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let found: Event? = lock.withLock {
                guard let index = received[consumed...].firstIndex(where: { $0.name == name }) else { return nil }
                consumed = index + 1
                return received[index]
            }
            if let found { return found }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Ends the stream. The descriptor is closed by the reading thread, under the lock, so this never
    /// touches a number the process has since reused for another socket.
    func close() {
        lock.withLock {
            if open { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    private func readLoop() {
        defer {
            lock.withLock {
                Glibc.close(fd)
                open = false
            }
            continuation.finish()
        }
        var pending: [UInt8] = []
        var head = true
        var chunked = false
        var stream: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        let crlf = Array("\r\n".utf8)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            pending.append(contentsOf: buffer[0..<n])
            lock.withLock { rawBytes.append(contentsOf: buffer[0..<n]) }
            if head {
                guard let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) else { continue }
                chunked = String(decoding: pending[..<end.lowerBound], as: UTF8.self).lowercased().contains("transfer-encoding: chunked")
                pending.removeSubrange(..<end.upperBound)
                head = false
            }
            // Undo the chunked framing, then read events from the plain stream.
            if chunked {
                while let lineEnd = pending.firstRange(of: crlf) {
                    let sizeText = String(decoding: pending[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
                    guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return }
                    if size == 0 { return }
                    guard pending.count >= lineEnd.upperBound + size + 2 else { break }
                    stream.append(contentsOf: pending[lineEnd.upperBound..<(lineEnd.upperBound + size)])
                    pending.removeSubrange(..<(lineEnd.upperBound + size + 2))
                }
            } else {
                stream.append(contentsOf: pending)
                pending.removeAll()
            }
            while let blank = stream.firstRange(of: Array("\n\n".utf8)) {
                let block = stream[..<blank.lowerBound]
                stream.removeSubrange(..<blank.upperBound)
                var name = "message", data: [String] = []
                for rawLine in block.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                    let line = String(decoding: rawLine, as: UTF8.self)
                    if line.hasPrefix("event:") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
                    if line.hasPrefix("data:") { data.append(line.dropFirst(5).trimmingCharacters(in: .whitespaces)) }
                }
                if !data.isEmpty {
                    let event = Event(name: name, data: data.joined(separator: "\n"))
                    lock.withLock { received.append(event) }
                    continuation.yield(event)
                }
            }
        }
    }
}
