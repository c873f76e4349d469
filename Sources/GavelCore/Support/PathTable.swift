import Foundation

/// A path as a table's key, hashed with a hash of its own. The standard library hashes a string's
/// bytes with SipHash, seeded per process: about 330 instructions for a path of the site
/// (`courts/c0050/notices/n0100/index.html`), and a one-notice rebuild at 10,000 notices hashed
/// 211,000 paths. This hash takes the bytes eight at a time (about 80 instructions for such a path);
/// the table's per-process seed is mixed in afterwards, so the order of a table's keys still differs
/// from one run to the next, as Dictionary's does, and nothing can come to lean on it. The hash is
/// not kept with the key: kept, it made the tables of a rebuild 1.3 MB larger.
///
/// It is not a keyed hash: content crafted to make paths collide would slow a build down, not change
/// what it makes (keys are still compared whole). Paths come from the court's own folder.
public struct PathKey: Hashable, Sendable, CustomStringConvertible {
    public let path: String

    public init(_ path: String) { self.path = path }

    public var description: String { path }

    var hash: UInt64 { path.utf8.withContiguousStorageIfAvailable { Self.hash($0) } ?? Self.hash(Array(path.utf8)) }

    static func hash(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBufferPointer { hash($0) } }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let multiplier: UInt64 = 0xBF58_476D_1CE4_E5B9
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return finished(h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))) &* multiplier
            h ^= h >> 31
            i += 8
        }
        if i < bytes.count {
            // The bytes left, lowest first: taken from the path's last eight when it has eight (the
            // same word the loop below makes a byte at a time, in one load).
            var word: UInt64 = 0
            if bytes.count >= 8 {
                word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)) >> UInt64(8 * (8 - (bytes.count - i)))
            } else {
                for k in i..<bytes.count { word |= UInt64(bytes[k]) << UInt64(8 * (k - i)) }
            }
            h = (h ^ word) &* multiplier
            h ^= h >> 31
        }
        return finished(h)
    }

    private static func finished(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }

    /// The same bytes: a path names a file by its bytes, so two Unicode spellings of one name (one
    /// String to Swift, two files on disk) are two keys.
    public static func == (a: PathKey, b: PathKey) -> Bool {
        guard a.path.utf8.count == b.path.utf8.count else { return false }
        return a.path.utf8.withContiguousStorageIfAvailable { x in
            b.path.utf8.withContiguousStorageIfAvailable { y in
                guard x.count == y.count else { return false }
                guard let p = x.baseAddress, let q = y.baseAddress else { return true }
                return memcmp(p, q, x.count) == 0
            }
        }.flatMap { $0 } ?? a.path.utf8.elementsEqual(b.path.utf8)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    /// What Set and Dictionary ask for: the path's hash with their seed mixed in.
    public func _rawHashValue(seed: Int) -> Int {
        var h = hash ^ UInt64(UInt(bitPattern: seed))
        h ^= h >> 32
        h &*= 0xD6E8_FEB8_6659_FD93
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }
}

/// A table of values by path (the render cache's entries and the site's fingerprints by file, the
/// record of the trees' folder stamps, the notice index's entries), used as a dictionary with string
/// keys is, each key hashed with `PathKey`'s hash.
public struct PathTable<Value> {
    private(set) var storage: [PathKey: Value]

    public init() { storage = [:] }

    public init(minimumCapacity: Int) { storage = Dictionary(minimumCapacity: minimumCapacity) }

    init(storage: [PathKey: Value]) { self.storage = storage }

    public subscript(path: String) -> Value? {
        get { storage[PathKey(path)] }
        set { storage[PathKey(path)] = newValue }
    }

    public subscript(key: PathKey) -> Value? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }
    public var keys: LazyMapCollection<Dictionary<PathKey, Value>.Keys, String> { storage.keys.lazy.map(\.path) }
    public var values: Dictionary<PathKey, Value>.Values { storage.values }

    public mutating func reserveCapacity(_ minimumCapacity: Int) { storage.reserveCapacity(minimumCapacity) }

    @discardableResult
    public mutating func removeValue(forKey path: String) -> Value? { storage.removeValue(forKey: PathKey(path)) }

    public mutating func removeAll() { storage.removeAll() }

    /// Whether `path` has a value, found by its key alone (reading the value out would copy it).
    public func contains(_ path: String) -> Bool { storage.index(forKey: PathKey(path)) != nil }

    /// Whether every path of `other` has a value here (its keys as they are, not hashed again).
    public func containsEvery<Other>(pathOf other: PathTable<Other>) -> Bool {
        other.storage.keys.allSatisfy { storage.index(forKey: $0) != nil }
    }

    public mutating func merge(_ other: some Sequence<(String, Value)>, uniquingKeysWith combine: (Value, Value) throws -> Value) rethrows {
        try storage.merge(other.lazy.map { (PathKey($0.0), $0.1) }, uniquingKeysWith: combine)
    }

    public mutating func merge(table other: PathTable<Value>, uniquingKeysWith combine: (Value, Value) throws -> Value) rethrows {
        try storage.merge(other.storage, uniquingKeysWith: combine)
    }

    public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> PathTable<T> {
        PathTable<T>(storage: try storage.mapValues(transform))
    }

    public func filter(_ isIncluded: ((key: String, value: Value)) throws -> Bool) rethrows -> PathTable<Value> {
        PathTable(storage: try storage.filter { try isIncluded(($0.key.path, $0.value)) })
    }
}

extension PathTable: Collection {
    public typealias Index = Dictionary<PathKey, Value>.Index

    public var startIndex: Index { storage.startIndex }
    public var endIndex: Index { storage.endIndex }
    public func index(after i: Index) -> Index { storage.index(after: i) }

    public subscript(position: Index) -> (key: String, value: Value) {
        let element = storage[position]
        return (element.key.path, element.value)
    }

    /// Dictionary's own iterator, quicker than walking its indices.
    public struct Iterator: IteratorProtocol {
        var base: Dictionary<PathKey, Value>.Iterator
        public mutating func next() -> (key: String, value: Value)? {
            base.next().map { ($0.key.path, $0.value) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }
    public var underestimatedCount: Int { storage.count }
}

extension PathTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        storage = Dictionary(minimumCapacity: elements.count)
        for (path, value) in elements { storage[PathKey(path)] = value }
    }
}

extension PathTable: Equatable where Value: Equatable {}
extension PathTable: Sendable where Value: Sendable {}

/// A set of paths, each hashed as a `PathKey`, used as a set of strings is.
public struct PathSet: Sendable, Equatable {
    private(set) var storage: Set<PathKey>

    public init() { storage = [] }

    public init(minimumCapacity: Int) { storage = Set(minimumCapacity: minimumCapacity) }

    public init(_ paths: some Sequence<String>) {
        storage = Set(minimumCapacity: paths.underestimatedCount)
        for path in paths { storage.insert(PathKey(path)) }
    }

    private init(storage: Set<PathKey>) { self.storage = storage }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    public func contains(_ path: String) -> Bool { storage.contains(PathKey(path)) }

    @discardableResult
    public mutating func insert(_ path: String) -> (inserted: Bool, memberAfterInsert: String) {
        let (inserted, member) = storage.insert(PathKey(path))
        return (inserted, member.path)
    }

    @discardableResult
    public mutating func remove(_ path: String) -> String? { storage.remove(PathKey(path))?.path }

    public mutating func reserveCapacity(_ minimumCapacity: Int) { storage.reserveCapacity(minimumCapacity) }
    public mutating func removeAll() { storage.removeAll() }

    public func union(_ other: PathSet) -> PathSet { PathSet(storage: storage.union(other.storage)) }
    public func union(_ other: some Sequence<String>) -> PathSet { union(PathSet(other)) }
    public mutating func formUnion(_ other: PathSet) { storage.formUnion(other.storage) }
    public mutating func formUnion(_ other: some Sequence<String>) { for path in other { storage.insert(PathKey(path)) } }
    public func intersection(_ other: PathSet) -> PathSet { PathSet(storage: storage.intersection(other.storage)) }
    public func subtracting(_ other: PathSet) -> PathSet { PathSet(storage: storage.subtracting(other.storage)) }
    public func subtracting(_ other: some Sequence<String>) -> PathSet { subtracting(PathSet(other)) }
    public func symmetricDifference(_ other: PathSet) -> PathSet { PathSet(storage: storage.symmetricDifference(other.storage)) }
    public func symmetricDifference(_ other: some Sequence<String>) -> PathSet { symmetricDifference(PathSet(other)) }
    public func filter(_ isIncluded: (String) throws -> Bool) rethrows -> PathSet {
        PathSet(storage: try storage.filter { try isIncluded($0.path) })
    }
}

extension PathSet: Collection {
    public typealias Index = Set<PathKey>.Index

    public var startIndex: Index { storage.startIndex }
    public var endIndex: Index { storage.endIndex }
    public func index(after i: Index) -> Index { storage.index(after: i) }
    public subscript(position: Index) -> String { storage[position].path }

    /// Set's own iterator, quicker than walking its indices.
    public struct Iterator: IteratorProtocol {
        var base: Set<PathKey>.Iterator
        public mutating func next() -> String? { base.next()?.path }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }
    public var underestimatedCount: Int { storage.count }
}

extension PathSet: ExpressibleByArrayLiteral {
    public init(arrayLiteral paths: String...) { self.init(paths) }
}
