/// The addresses a link may point at ("courts/wiwb/", "feed.xml"). A notice's address
/// (`courts/<court>/notices/<slug>/`) is kept as its slug under its court: made into a string and
/// put in one set with the rest, the 10,000 of them (at 10,000 notices) were a quarter of the plan's
/// work, on every build, for the few links a rebuild checks.
public struct SitePaths: Sendable {
    private var addresses: Set<String> = []
    private var noticeSlugs: [String: PathSet] = [:]
    public private(set) var count = 0

    public init() {}

    /// These addresses, a notice's among them kept as any other.
    public init(_ addresses: some Sequence<String>) {
        for address in addresses { insert(address) }
    }

    /// One address; a notice's is kept as its slug, as `insertNotices` keeps it, so an address is
    /// held (and counted) once however it came.
    mutating func insert(_ address: String) {
        if let (court, slug) = Self.notice(in: address) {
            insertNotices(court: court, slugs: [slug])
        } else if addresses.insert(address).inserted {
            count += 1
        }
    }

    /// The addresses of `court`'s notices `slugs` (a court's at once: a set made at its size).
    mutating func insertNotices(court: String, slugs: PathSet) {
        guard !slugs.isEmpty else { return }
        guard var known = noticeSlugs[court] else {
            noticeSlugs[court] = slugs
            count += slugs.count
            return
        }
        noticeSlugs[court] = nil
        for slug in slugs where known.insert(slug).inserted { count += 1 }
        noticeSlugs[court] = known
    }

    public func contains(_ address: String) -> Bool {
        if addresses.contains(address) { return true }
        guard let (court, slug) = Self.notice(in: address) else { return false }
        return noticeSlugs[court]?.contains(slug) == true
    }

    /// The court and slug of a notice's address (`courts/<court>/notices/<slug>/`), read from its
    /// bytes: a court's other addresses start the same way and are not split into strings, and
    /// a court or slug put together into an address comes back whole whatever it holds but "/".
    static func notice(in address: String) -> (court: String, slug: String)? {
        let bytes = address.utf8
        let slash = UInt8(ascii: "/")
        guard bytes.starts(with: "courts/".utf8), bytes.last == slash else { return nil }
        let courtStart = bytes.index(bytes.startIndex, offsetBy: 7)
        guard let courtEnd = bytes[courtStart...].firstIndex(of: slash), courtEnd > courtStart,
              bytes[bytes.index(after: courtEnd)...].starts(with: "notices/".utf8) else { return nil }
        let slugStart = bytes.index(courtEnd, offsetBy: 9)
        guard let slugEnd = bytes[slugStart...].firstIndex(of: slash), slugEnd > slugStart,
              bytes.index(after: slugEnd) == bytes.endIndex else { return nil }
        return (String(decoding: bytes[courtStart ..< courtEnd], as: UTF8.self), String(decoding: bytes[slugStart ..< slugEnd], as: UTF8.self))
    }

    /// Every address (made only when asked: for suggestions on a broken link).
    public var all: [String] {
        var all = Array(addresses)
        all.reserveCapacity(count)
        for (court, slugs) in noticeSlugs {
            for slug in slugs { all.append(.concatenating("courts/", court, "/notices/", slug, "/")) }
        }
        return all
    }

    /// A fingerprint of the set, the same whatever order the addresses came in: the sum of each
    /// address's mixed hash (a notice's hashed from its bytes put together in a buffer, not a string).
    func fingerprint() -> UInt64 {
        var sum: UInt64 = 0
        func add(_ hash: UInt64) {
            var mixed = hash &* 0xFF51_AFD7_ED55_8CCD
            mixed ^= mixed >> 33
            sum = sum &+ mixed
        }
        for address in addresses { add(ContentHash.of(address)) }
        var buffer: [UInt8] = []
        for (court, slugs) in noticeSlugs {
            buffer.removeAll(keepingCapacity: true)
            buffer.append(contentsOf: "courts/".utf8)
            buffer.append(contentsOf: court.utf8)
            buffer.append(contentsOf: "/notices/".utf8)
            let prefix = buffer.count
            for slug in slugs {
                buffer.removeSubrange(prefix...)
                buffer.append(contentsOf: slug.utf8)
                buffer.append(UInt8(ascii: "/"))
                add(ContentHash.of(buffer))
            }
        }
        return sum
    }
}
