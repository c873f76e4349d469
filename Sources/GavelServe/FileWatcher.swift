import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches folders (and everything under them) and reports each burst of changes once it has settled.
///
/// On Linux it uses inotify, with a watch on every subfolder and new watches as folders appear; when
/// inotify is not available (or on other systems) it compares modification times every `pollInterval`.
final class FileWatcher: Sendable {
    enum Mode: String, Sendable {
        case automatic, polling
    }

    struct Settings: Sendable {
        var debounce: Duration = .milliseconds(25)
        /// The quiet time instead when the burst's last change completed a file (closed after writing,
        /// or moved into place): an editor's save is whole then, and waiting longer only delays it.
        /// (inotify only; polling sees no such events.)
        var settled: Duration = .milliseconds(5)
        var pollInterval: Duration = .milliseconds(300)
        var mode: Mode = .automatic
    }

    let roots: [URL]
    let settings: Settings
    /// Each element is one settled burst of changes.
    let changes: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    private let stopping = Locked(false)
    private let finished = DispatchSemaphore(value: 0)
    /// The pipe that wakes the inotify loop for `stop()`; closed by `stop()` once the loop has ended.
    private let wakePipe: Locked<(read: Int32, write: Int32)> = Locked((-1, -1))
    /// How the watcher ended up watching: "inotify" or "polling".
    let method: Locked<String> = Locked("")
    /// The files changed since `takeChanges` was last called, and whether the events named every change.
    private let changed = Locked(ChangedFiles())
    /// True while inotify names each changed file; never again once it could not (see `takeChanges`).
    private let namesFiles = Locked(false)

    struct ChangedFiles: Sendable {
        var paths: Set<String> = []
        var complete = true
    }

    init(roots: [URL], settings: Settings = Settings()) {
        self.roots = roots.map(\.standardizedFileURL)
        self.settings = settings
        (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts watching on a thread of its own; returns once the watches are in place.
    func start() {
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            #if canImport(Glibc)
            if settings.mode == .automatic, let inotify = InotifyLoop(watcher: self) {
                method.withLock { $0 = "inotify" }
                namesFiles.withLock { $0 = true }
                ready.signal()
                inotify.run()
                finished.signal()
                return
            }
            #endif
            method.withLock { $0 = "polling" }
            pollLoop(ready: ready)
            finished.signal()
        }
        thread.name = "gavel-serve-watcher"
        thread.start()
        ready.wait()
    }

    /// Stops the thread and ends `changes`; waits for the thread to finish.
    func stop() {
        let already = stopping.withLock { s -> Bool in
            defer { s = true }
            return s
        }
        guard !already else { return }
        let pipe = wakePipe.current
        if pipe.write >= 0 {
            var byte: UInt8 = 1
            _ = write(pipe.write, &byte, 1)
        }
        finished.wait()
        if pipe.write >= 0 {
            close(pipe.write)
            close(pipe.read)
        }
        continuation.finish()
    }

    var isStopping: Bool { stopping.current }

    fileprivate func report() { continuation.yield(()) }

    /// The files changed since the last call (paths under `roots`, as the watcher names them), or nil
    /// when that cannot be known: polling, an overflowed event queue, a folder that appeared or went
    /// (files can land in a new folder before it is watched), or a folder that could not be watched,
    /// after which the watcher never names files again. A change the events name only after this call
    /// is in the next one's answer, and makes a report of its own.
    func takeChanges() -> Set<String>? {
        let taken = changed.withLock { value in
            defer { value = ChangedFiles() }
            return value
        }
        guard namesFiles.current, taken.complete else { return nil }
        return taken.paths
    }

    /// Adds what one read of the event queue found.
    fileprivate func noteChanges(_ paths: Set<String>, complete: Bool) {
        changed.withLock { value in
            value.paths.formUnion(paths)
            value.complete = value.complete && complete
        }
    }

    /// From now on no change is named file by file.
    fileprivate func stopNamingFiles() { namesFiles.withLock { $0 = false } }

    /// Names that editors write beside a file while saving it; changing them changes nothing.
    static func isScratch(_ name: String) -> Bool {
        name.hasSuffix("~") || name.hasSuffix(".swp") || name.hasSuffix(".swx") || name.hasPrefix(".#") || name == "4913"
    }

    // MARK: Polling

    struct Stamp: Equatable {
        var modified: Date?
        var size: Int?
    }

    func snapshot() -> [String: Stamp] {
        var result: [String: Stamp] = [:]
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey, .isDirectoryKey]
        for root in roots {
            let rootValues = try? root.resourceValues(forKeys: Set(keys))
            result[root.path] = Stamp(modified: rootValues?.contentModificationDate, size: nil)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys) else { continue }
            for case let url as URL in walker {
                if Self.isScratch(url.lastPathComponent) { continue }
                let values = try? url.resourceValues(forKeys: Set(keys))
                result[url.path] = Stamp(modified: values?.contentModificationDate, size: values?.isDirectory == true ? nil : values?.fileSize)
            }
        }
        return result
    }

    private func pollLoop(ready: DispatchSemaphore) {
        var last = snapshot()
        ready.signal()
        while !isStopping {
            Thread.sleep(forTimeInterval: settings.pollInterval.seconds)
            guard !isStopping else { break }
            var now = snapshot()
            guard now != last else { continue }
            // Let a burst of writes settle before reporting it once.
            while !isStopping {
                Thread.sleep(forTimeInterval: settings.debounce.seconds)
                let again = snapshot()
                if again == now { break }
                now = again
            }
            last = now
            report()
        }
    }
}

extension Duration {
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

#if canImport(Glibc)
/// The inotify side of `FileWatcher`; lives on the watcher's thread only.
private final class InotifyLoop {
    let watcher: FileWatcher
    let fd: Int32
    let wakeRead: Int32
    let wakeWrite: Int32
    /// Watch descriptor to folder path.
    var folders: [Int32: String] = [:]
    /// Roots whose folder went away (deleted or renamed); re-added when they come back.
    var missingRoots: Set<String> = []

    static let folderMask: UInt32 = UInt32(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO
        | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF) | UInt32(IN_ONLYDIR)

    init?(watcher: FileWatcher) {
        self.watcher = watcher
        let fd = inotify_init1(Int32(IN_NONBLOCK) | Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        for root in watcher.roots {
            if !addTree(root.path) { missingRoots.insert(root.path) }
        }
        // A root that exists but cannot be watched (no inotify watches left, say): poll instead.
        if watcher.roots.contains(where: { FileManager.default.fileExists(atPath: $0.path) && missingRoots.contains($0.path) }) {
            close(fd)
            close(wakeRead)
            close(wakeWrite)
            return nil
        }
        watcher.wakePipeForStop(read: wakeRead, write: wakeWrite)
    }

    /// Watches `path` and every folder below it. Returns false if `path` itself could not be watched;
    /// a folder below it that is there but could not be watched or listed makes the watcher stop
    /// naming changed files (one gone meanwhile has nothing to miss).
    @discardableResult
    func addTree(_ path: String) -> Bool {
        // Watching a folder already watched (one moved within the tree) gives its descriptor again,
        // which then names it by its new path.
        let wd = inotify_add_watch(fd, path, Self.folderMask)
        guard wd >= 0 else { return false }
        folders[wd] = path
        guard let items = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { watcher.stopNamingFiles() }
            return true
        }
        for item in items {
            let child = path + "/" + item
            // lstat: a symlinked folder is not followed.
            if let attributes = try? FileManager.default.attributesOfItem(atPath: child),
               attributes[.type] as? FileAttributeType == .typeDirectory, !addTree(child),
               FileManager.default.fileExists(atPath: child) {
                watcher.stopNamingFiles()
            }
        }
        return true
    }

    func run() {
        defer { close(fd) }
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 8)
        defer { buffer.deallocate() }
        var pendingSince: ContinuousClock.Instant?
        var debounce = watcher.settings.debounce
        while !watcher.isStopping {
            var timeout: Int32 = missingRoots.isEmpty ? 1000 : 300
            if let since = pendingSince {
                let left = debounce - (ContinuousClock.now - since)
                timeout = max(0, Int32((left.seconds * 1000).rounded(.up)))
            }
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeout)
            if watcher.isStopping { break }
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[0].revents & Int16(POLLIN) != 0, let completed = drain(buffer, size: bufferSize) {
                pendingSince = ContinuousClock.now
                debounce = completed ? watcher.settings.settled : watcher.settings.debounce
            }
            if !missingRoots.isEmpty {
                for root in missingRoots where FileManager.default.fileExists(atPath: root) {
                    if addTree(root) {
                        missingRoots.remove(root)
                        // What the root holds now came without events.
                        watcher.noteChanges([], complete: false)
                        pendingSince = ContinuousClock.now
                        debounce = watcher.settings.debounce
                    }
                }
            }
            if let since = pendingSince, ContinuousClock.now - since >= debounce {
                pendingSince = nil
                watcher.report()
            }
        }
    }

    /// Reads every queued event; nil when none is a change worth a rebuild, else whether the last
    /// one that is completed a file (see `Settings.settled`).
    func drain(_ buffer: UnsafeMutableRawPointer, size: Int) -> Bool? {
        var relevant = false, completed = false
        // The files the events name, and whether every change was named so.
        var paths = Set<String>(), named = true
        defer { if relevant { watcher.noteChanges(paths, complete: named) } }
        while true {
            let count = read(fd, buffer, size)
            if count <= 0 { break }
            var offset = 0
            while offset + 16 <= count {
                let wd = buffer.load(fromByteOffset: offset, as: Int32.self)
                let mask = buffer.load(fromByteOffset: offset + 4, as: UInt32.self)
                let nameLength = Int(buffer.load(fromByteOffset: offset + 12, as: UInt32.self))
                var name = ""
                if nameLength > 0 {
                    let start = buffer.advanced(by: offset + 16).assumingMemoryBound(to: CChar.self)
                    name = String(cString: start)
                }
                offset += 16 + nameLength
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    relevant = true
                    completed = false
                    named = false
                    continue
                }
                let folder = folders[wd]
                if mask & UInt32(IN_IGNORED) != 0 {
                    if let folder, watcher.roots.contains(where: { $0.path == folder }) { missingRoots.insert(folder) }
                    folders.removeValue(forKey: wd)
                    continue
                }
                if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF)) != 0 {
                    if let folder, watcher.roots.contains(where: { $0.path == folder }) { missingRoots.insert(folder) }
                    relevant = true
                    completed = false
                    named = false
                    continue
                }
                if mask & UInt32(IN_ISDIR) != 0, mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0, let folder {
                    // A new folder: watch it and what it already holds (files may land before the watch).
                    let added = folder + "/" + name
                    if !addTree(added), FileManager.default.fileExists(atPath: added) { watcher.stopNamingFiles() }
                    relevant = true
                    completed = false
                    named = false
                    continue
                }
                if !name.isEmpty && FileWatcher.isScratch(name) { continue }
                // A file, named; anything else (a folder moved or removed, the folder itself, a folder
                // not known) is not a change of one file.
                if let folder, !name.isEmpty, mask & UInt32(IN_ISDIR) == 0 {
                    paths.insert(folder + "/" + name)
                } else {
                    named = false
                }
                // Opening or reading a file is no change; everything in the mask is.
                relevant = true
                completed = mask & UInt32(IN_ISDIR) == 0 && mask & (UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO)) != 0
            }
        }
        return relevant ? completed : nil
    }
}

extension FileWatcher {
    fileprivate func wakePipeForStop(read: Int32, write: Int32) { wakePipe.withLock { $0 = (read, write) } }
}
#endif
