import Foundation
import Synchronization
import GavelTheme
import Mustache

/// The templates and static assets of a theme, loaded and parsed once per build.
public struct Theme: Sendable {
    /// The templates parsed when the theme was loaded: the site's own (so their errors are told at
    /// once, unless they are deferred: see `unchecked`), and the built-in ones too when `onDemand` is nil.
    public var library: MustacheLibrary
    /// The built-in templates, and the site's deferred ones, parsed when a page first needs them
    /// (see `TemplatesOnDemand`).
    var onDemand: TemplatesOnDemand?
    /// Logical asset name ("site.css") to its fingerprinted site path ("assets/site.3f2a9c1e.css").
    public var manifest: [String: String]
    /// Fingerprinted site path to bytes.
    public var assetFiles: [(path: String, bytes: [UInt8])]
    /// Templates/service-worker.js, written to the site root as sw.js with the build's file list.
    public var serviceWorker: [UInt8]?
    /// True when a template sorts a list (`sorted(…)`): then pages are not made from skeletons, whose
    /// markers would be sorted instead of the values.
    public var sortsLists = false
    /// The hash of every file read from the templates folder, as read: part of what the build cache
    /// keys every page on.
    public var sourceHash: UInt64 = 0
    /// The site's templates loaded without being parsed (`load(..., defersSiteTemplates: true)`), by
    /// name, with the file diagnostics name: until `checkSiteTemplates`, nothing has told whether
    /// they parse. A build checks them unless the state shows the last build succeeded with these
    /// very bytes; then each is parsed when a page first needs it, like a built-in one.
    var unchecked: [String: String] = [:]

    static let requiredTemplates = ["layout", "home", "court", "notice", "page", "step", "checklist", "search", "404"]

    /// Where the built-in theme's files are said to be in diagnostics (they are never at fault in a
    /// released Gavel; a theme under development can be).
    public static let builtInDisplayRoot = "(built-in theme)"

    /// One file of the theme being assembled: the built-in one or the site's, and where it is shown.
    struct SourceEntry {
        var bytes: [UInt8]
        var display: String
        var fromSite: Bool
    }

    /// The built-in theme with a site's templates folder over it, file by file (SPEC section 6): a
    /// court may replace only `layout.mustache`, or add its seal to the assets. `root` nil means the
    /// built-in theme alone; a `root` given but missing is an error. Links in the folder are reported,
    /// never followed. `reusing`: a theme assembled before (`gavel serve` keeps its last), returned as
    /// it is when the files read now are those it was made from (its `sourceHash`).
    /// `defersSiteTemplates`: the site's templates are not parsed now (see `unchecked`).
    public static func load(overrides root: URL?, displayRoot: String, builtIn: [(path: String, bytes: [UInt8])] = BuiltInTheme.files,
                            reusing previous: Theme? = nil, defersSiteTemplates: Bool = false, bag: inout DiagnosticBag) -> Theme? {
        let problems = bag.all.count
        var entries: [String: SourceEntry] = [:]
        for file in builtIn {
            entries[file.path] = SourceEntry(bytes: file.bytes, display: builtInDisplayRoot + "/" + file.path, fromSite: false)
        }
        if let root {
            var info = stat()
            guard stat(root.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                bag.error(SourceLocation(file: displayRoot), "templates folder not found",
                          hint: "leave out --templates to use the built-in theme alone")
                return nil
            }
            // Links are listed as files by the walk and never followed: Gavel reads nothing from outside.
            let files = FileIO.walk(root.path).files.filter { !$0.split(separator: "/").contains { $0.hasPrefix(".") } }.sorted()
            for relative in files {
                let display = displayRoot + "/" + relative
                guard FileIO.kind(root.path + "/" + relative) == .file else {
                    bag.add(SourceFile.unreadable(root.path + "/" + relative, displayPath: display))
                    continue
                }
                // Only what a theme is made of is read; anything else in the folder (a README) is not.
                guard relative.hasSuffix(".mustache") || relative.hasPrefix("assets/") || relative == "service-worker.js" else { continue }
                guard let bytes = FileIO.read(root.path + "/" + relative) else {
                    bag.add(SourceFile.unreadable(root.path + "/" + relative, displayPath: display))
                    continue
                }
                entries[relative] = SourceEntry(bytes: bytes, display: display, fromSite: true)
            }
        }
        let hash = sourceHash(of: entries)
        // Parsing every template again cost a rebuild about 11 ms of CPU at each save.
        if let previous, bag.all.count == problems, previous.sourceHash == hash {
            var kept = previous
            if !defersSiteTemplates { kept.checkSiteTemplates(bag: &bag) }
            return kept
        }
        return assemble(entries, sourceHash: hash, defersSiteTemplates: defersSiteTemplates, bag: &bag)
    }

    /// The hash of every file a theme is made from: its path, which theme it came from and its bytes.
    static func sourceHash(of entries: [String: SourceEntry]) -> UInt64 {
        var read = ContentHash.Accumulator()
        for (relative, entry) in entries.sorted(by: { $0.key < $1.key }) {
            read.add(relative)
            read.add(entry.fromSite ? 1 : 0)
            read.add(ContentHash.of(entry.bytes))
        }
        return read.value
    }

    /// The built-in theme under a site's templates folder; see `load(overrides:displayRoot:builtIn:bag:)`.
    public static func load(from root: URL, displayRoot: String, bag: inout DiagnosticBag) -> Theme? {
        load(overrides: root, displayRoot: displayRoot, bag: &bag)
    }

    private static let sortedCall = Array("sorted(".utf8)

    /// Whether `bytes` hold `needle`. Searched here: `String.contains` and `firstRange(of:)` both
    /// went through Foundation's generic searches, 4 and 13 M instructions a build for 22 KB.
    static func holds(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return needle.isEmpty }
        var start = 0
        let last = bytes.count - needle.count
        while start <= last {
            if bytes[start] == first, bytes[start ..< start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    /// Parses the templates, fingerprints the assets and hashes every file used, whichever theme it
    /// came from: an overridden or added asset is fingerprinted, listed and cached like a built-in one.
    static func assemble(_ entries: [String: SourceEntry], sourceHash: UInt64, defersSiteTemplates: Bool = false, bag: inout DiagnosticBag) -> Theme? {
        var library = MustacheLibrary()
        // Every template's text, by name; the built-in ones are parsed later when they can be.
        var texts: [String: String] = [:]
        var builtIn: Set<String> = []
        // The site's templates left unparsed, with the file each is shown as.
        var deferred: [String: String] = [:]
        var sortsLists = false
        var manifest: [String: String] = [:]
        var assets: [(String, [UInt8])] = []
        var serviceWorker: [UInt8]?
        for (relative, entry) in entries.sorted(by: { $0.key < $1.key }) {
            if relative.hasSuffix(".mustache") {
                let name = String(relative.dropLast(".mustache".count))
                guard let text = String(validating: entry.bytes, as: UTF8.self) else {
                    bag.error(SourceFile.invalidUTF8Location(entry.bytes, file: entry.display), "file is not valid UTF-8", hint: "save the file with UTF-8 encoding")
                    continue
                }
                if Self.holds(entry.bytes, Self.sortedCall) { sortsLists = true }
                texts[name] = text
                if !entry.fromSite {
                    builtIn.insert(name)
                    continue
                }
                if defersSiteTemplates {
                    deferred[name] = entry.display
                    continue
                }
                do {
                    try library.register(text, named: name)
                } catch {
                    Self.report(error, in: entry.display, bag: &bag)
                }
            } else if relative.hasPrefix("assets/") {
                let logical = String(relative.dropFirst("assets/".count))
                var variants = [(logical, entry.bytes)]
                if let classic = Self.classicScript(logical, bytes: entry.bytes) { variants.append(classic) }
                for (name, content) in variants {
                    let fingerprinted = Self.fingerprinted(name, bytes: content)
                    manifest[name] = "assets/" + fingerprinted
                    assets.append(("assets/" + fingerprinted, content))
                }
            } else if relative == "service-worker.js" {
                serviceWorker = entry.bytes
            }
        }
        // A template that failed to parse is reported once, as that, not also as missing.
        for name in requiredTemplates where entries[name + ".mustache"] == nil {
            bag.error(SourceLocation(file: builtInDisplayRoot + "/" + name + ".mustache"), "missing template '\(name).mustache'")
        }
        var onDemand: TemplatesOnDemand?
        var unchecked: [String: String] = [:]
        if !builtIn.isEmpty || !deferred.isEmpty {
            if let references = TemplatesOnDemand.references(texts) {
                onDemand = TemplatesOnDemand(texts: texts.filter { builtIn.contains($0.key) || deferred[$0.key] != nil }, references: references)
                unchecked = deferred
            } else {
                // A template whose partials cannot be told from its text: all are parsed now.
                for name in builtIn.sorted() {
                    guard let text = texts[name] else { continue }
                    do { try library.register(text, named: name) } catch {
                        bag.error(SourceLocation(file: builtInDisplayRoot + "/" + name + ".mustache"), "template error: \(error)")
                    }
                }
                for (name, display) in deferred.sorted(by: { $0.key < $1.key }) {
                    guard let text = texts[name] else { continue }
                    do { try library.register(text, named: name) } catch { Self.report(error, in: display, bag: &bag) }
                }
            }
        }
        return Theme(library: library, onDemand: onDemand, manifest: manifest, assetFiles: assets, serviceWorker: serviceWorker,
                     sortsLists: sortsLists, sourceHash: sourceHash, unchecked: unchecked)
    }

    /// A site template's parse error, at the line and column the parser stopped at.
    static func report(_ error: any Error, in file: String, bag: inout DiagnosticBag) {
        if let error = error as? MustacheTemplate.ParserError {
            bag.error(SourceLocation(file: file, line: error.context.lineNumber, column: error.context.columnNumber), "template error: \(error.error)")
        } else {
            bag.error(SourceLocation(file: file), "template error: \(error)")
        }
    }

    /// Parses the site's templates left unparsed (`unchecked`), telling their errors as a load that
    /// parses them does; each parsed one is kept for the pages that need it.
    public mutating func checkSiteTemplates(bag: inout DiagnosticBag) {
        bag.add(contentsOf: siteTemplateProblems())
        unchecked = [:]
    }

    /// What `checkSiteTemplates` tells, without marking the templates checked: for a check made on
    /// another core while the site is planned.
    func siteTemplateProblems() -> [Diagnostic] {
        var bag = DiagnosticBag()
        for (name, display) in unchecked.sorted(by: { $0.key < $1.key }) {
            if let error = onDemand?.check(name) { Self.report(error, in: display, bag: &bag) }
        }
        return bag.all
    }

    /// True when a template parsed on demand did not parse: only a site's template the state wrongly
    /// vouched for can (see `unchecked`); its page would be empty, so the build checks and fails.
    var failedOnDemand: Bool { onDemand?.failed ?? false }

    /// Browsers refuse ES modules on file:// pages, so a module whose only export is its last line
    /// (`export { … };`) also ships as a classic script: that line dropped, the rest in its own scope.
    static func classicScript(_ name: String, bytes: [UInt8]) -> (String, [UInt8])? {
        guard name.hasSuffix(".js"), !name.hasSuffix(".classic.js") else { return nil }
        // UTF-8 without carriage returns, as the built-in theme's scripts are, is read as bytes, its
        // lines found with memchr: as Characters it took 5 ms of every build, cut into an array of
        // lines 3-4 ms. Where bytes and Characters could differ, it is read as text, where "\r\n"
        // is one Character and Unicode's spaces count as blank (see `classicBody`).
        if !bytes.contains(0x0D) {
            switch bytes.withUnsafeBufferPointer({ classicBody(name, utf8: $0) }) {
            case let .twin(twin): return (String(name.dropLast(3)) + ".classic.js", twin)
            case .none: return nil
            case .asText: break
            }
        }
        return classicScript(name, text: String(decoding: bytes, as: UTF8.self))
    }

    /// What reading a module as bytes found.
    private enum ClassicBody {
        case twin([UInt8])
        case none
        /// Bytes may not tell what Characters would: read it as text.
        case asText
    }

    /// `classicScript`'s file for a module without carriage returns. Without them a line feed is a
    /// Character of its own, so lines are the same as bytes or as text, and the text before a line
    /// feed matches an ASCII prefix exactly when its bytes do, unless the byte after the prefix
    /// starts a scalar that joins the prefix's last Character (a combining mark): then, with "no
    /// twin" where the last line with ink has none in ASCII (a line of no-break spaces is blank as
    /// text), or with UTF-8 that is not valid (repaired as text), it says `.asText`.
    private static func classicBody(_ name: String, utf8 buffer: UnsafeBufferPointer<UInt8>) -> ClassicBody {
        guard let base = buffer.baseAddress else { return .none }
        let ascii = buffer.allSatisfy { $0 < 0x80 }
        if !ascii, String(validating: buffer, as: UTF8.self) == nil { return .asText }
        var joined = false
        func starts(_ at: Int, _ end: Int, with prefix: StaticString) -> Bool {
            let length = prefix.utf8CodeUnitCount
            guard end - at >= length, memcmp(base + at, prefix.utf8Start, length) == 0 else { return false }
            if at + length < end, buffer[at + length] >= 0x80 { joined = true }
            return true
        }
        // The last line that is not blank, and the first that starts an export or an import.
        var start = 0, last: Int?, lastEnd = 0, firstModuleLine: Int?
        while start <= buffer.count {
            let end = FileIO.index(of: 0x0A, in: buffer, from: start) ?? buffer.count
            if !UnsafeBufferPointer(rebasing: buffer[start..<end]).allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                last = start
                lastEnd = end
            }
            if firstModuleLine == nil, starts(start, end, with: "export ") || starts(start, end, with: "import ") { firstModuleLine = start }
            start = end + 1
        }
        guard let last, starts(last, lastEnd, with: "export {"), firstModuleLine == last, !joined else {
            // No twin. Text agrees where the last line with ink has ink that is ASCII (then it is the
            // last such line as text too, and its Characters start as its bytes do), unless a mark
            // joined a prefix: a classic script ending in `})();` never goes the slow way.
            let inked = last.map { UnsafeBufferPointer(rebasing: buffer[$0..<lastEnd]).contains { $0 < 0x80 && $0 != 0x20 && $0 != 0x09 } } ?? false
            return ascii || inked && !joined ? .none : .asText
        }
        var classic = Array(classicOpening(name).utf8)
        if last > 0 { classic.append(contentsOf: buffer[0..<(last - 1)]) }
        classic.append(contentsOf: classicClosing.utf8)
        return .twin(classic)
    }

    /// `classicScript` for any text.
    static func classicScript(_ name: String, text: String) -> (String, [UInt8])? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        guard let last = lines.last, last.hasPrefix("export {"),
              !lines.dropLast().contains(where: { $0.hasPrefix("export ") || $0.hasPrefix("import ") }) else { return nil }
        let body = lines.dropLast().joined(separator: "\n")
        return (String(name.dropLast(3)) + ".classic.js", Array((classicOpening(name) + body + classicClosing).utf8))
    }

    static func classicOpening(_ name: String) -> String { "// Classic-script twin of \(name), for pages opened from disk.\n(function () {\n" }
    static let classicClosing = "\n})();\n"

    /// "site.css" with its content hash: "site.1a2b3c4d.css".
    static func fingerprinted(_ name: String, bytes: [UInt8]) -> String {
        let hash = String(ContentHash.fnv1a64(bytes), radix: 16).leftPadded(to: 16).prefix(10)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name + "." + hash }
        return name[..<dot] + "." + hash + name[dot...]
    }

    /// Parses `templates` (and what they need) now, rather than when a page first needs them.
    public func parse(_ templates: [String]) {
        for template in templates { _ = onDemand?.library(for: template, parsed: library) }
    }

    public func render(_ template: String, _ context: [String: Any]) -> String {
        (onDemand?.library(for: template, parsed: library) ?? library).render(context, withTemplate: template) ?? ""
    }
}

/// The built-in templates, each parsed the first time a page needs it or a partial of it. The
/// parser of swift-mustache measures what is left of a template at every tag, so parsing the theme
/// cost a rebuild about 120 million instructions (9% of a one-notice rebuild at 10,000 notices),
/// most of them for templates such a rebuild never renders (court, step, search, 404: their pages are
/// reused). Which templates a template needs is read from its text: `{{>name}}` and `{{<name}}`.
/// A theme where that cannot be known (a changed delimiter, a partial named at render time) is
/// parsed whole when loaded instead. A site's own templates are here only when deferred (see
/// `Theme.unchecked`): otherwise they are parsed when loaded, so their errors are told.
final class TemplatesOnDemand: Sendable {
    private let texts: [String: String]
    /// Each template's partials and parents, by name (any template's, built-in or the site's).
    private let references: [String: Set<String>]
    /// For each template rendered so far, a library of it and everything it needs.
    private let libraries = Mutex<[String: MustacheLibrary]>([:])
    private let parsed = Mutex<[String: MustacheTemplate]>([:])
    private let failures = Mutex(false)

    init(texts: [String: String], references: [String: Set<String>]) {
        self.texts = texts
        self.references = references
    }

    /// The partials and parents each template names, or nil when some template's cannot be read
    /// from its text.
    static func references(_ texts: [String: String]) -> [String: Set<String>]? {
        var all: [String: Set<String>] = [:]
        for (name, text) in texts {
            var names: Set<String> = []
            let bytes = Array(text.utf8)
            var i = 0
            while i + 2 < bytes.count {
                guard bytes[i] == UInt8(ascii: "{"), bytes[i + 1] == UInt8(ascii: "{") else {
                    i += 1
                    continue
                }
                let kind = bytes[i + 2]
                if kind == UInt8(ascii: "=") { return nil }
                i += 2
                guard kind == UInt8(ascii: ">") || kind == UInt8(ascii: "<") else { continue }
                let start = i + 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "}") { end += 1 }
                let tag = String(decoding: bytes[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                if tag.hasPrefix("*") { return nil }
                names.insert(String(tag.prefix { !$0.isWhitespace }))
                i = end
            }
            all[name] = names
        }
        return all
    }

    /// A library holding `template` and every template it needs, from `parsed` (the site's own) or
    /// parsed now.
    func library(for template: String, parsed given: MustacheLibrary) -> MustacheLibrary {
        if let made = libraries.withLock({ $0[template] }) { return made }
        var needed: Set<String> = [template]
        var queue = [template]
        while let name = queue.popLast() {
            for next in references[name] ?? [] where needed.insert(next).inserted { queue.append(next) }
        }
        var templates: [String: MustacheTemplate] = [:]
        for name in needed {
            if let template = given.getTemplate(named: name) {
                templates[name] = template
            } else if let template = parse(name) {
                templates[name] = template
            }
        }
        let made = MustacheLibrary(templates: templates)
        libraries.withLock { $0[template] = made }
        return made
    }

    /// A template, parsed once (two pages needing it at once may both parse it: the same template
    /// either way). One that does not parse is left out, and `failed` says so.
    private func parse(_ name: String) -> MustacheTemplate? {
        if let done = parsed.withLock({ $0[name] }) { return done }
        guard let text = texts[name] else { return nil }
        guard let template = try? MustacheTemplate(string: text) else {
            failures.withLock { $0 = true }
            return nil
        }
        parsed.withLock { $0[name] = template }
        return template
    }

    /// Parses `name` now, keeping it; its error if it does not parse.
    func check(_ name: String) -> (any Error)? {
        if parsed.withLock({ $0[name] }) != nil { return nil }
        guard let text = texts[name] else { return nil }
        do {
            let template = try MustacheTemplate(string: text)
            parsed.withLock { $0[name] = template }
            return nil
        } catch {
            return error
        }
    }

    /// True once a template needed by a page did not parse.
    var failed: Bool { failures.withLock { $0 } }
}

/// Fast, stable, non-cryptographic hashes for fingerprints and change detection.
public enum ContentHash {
    /// Eight bytes at a time: for the bytes of every page and notice of a build (hundreds of MB on a
    /// large site), where byte-at-a-time FNV showed in profiles. Not used for asset names, which keep
    /// their FNV fingerprints.
    public static func of(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var i = 0
        while i + 8 <= raw.count {
            hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < raw.count {
            tail |= UInt64(raw[i]) << shift
            shift += 8
            i += 1
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }

    public static func of(_ text: String) -> UInt64 {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { of(UnsafeRawBufferPointer($0)) } ?? of(Array(text.utf8))
    }

    public static func of(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { of($0) } }

    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        // Contiguous bytes (arrays, native strings' UTF-8) are hashed through a buffer: iterating a
        // String's UTF8View element by element is several times slower.
        if let hash = bytes.withContiguousStorageIfAvailable({ buffer in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for b in buffer {
                hash ^= UInt64(b)
                hash &*= 0x0000_0100_0000_01B3
            }
            return hash
        }) {
            return hash
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Theme {
    /// The files of the theme inside this binary, by their path inside a templates folder.
    public static var builtInFiles: [(path: String, bytes: [UInt8])] { BuiltInTheme.files }
}
