import Foundation

/// A path as a table's key, hashed with a hash of its own. The standard library hashes a string's
/// bytes with SipHash, seeded per process: about 330 instructions for a path of the site
/// (`courts/c0050/notices/n0100/index.html`), and a one-notice rebuild at 10,000 notices hashed
/// 211,000 paths. This hash takes the bytes eight at a time (about 80 instructions for such a path);
/// a set's per-process seed is mixed in afterwards (`PathSet`), so the order of its paths still
/// differs from one run to the next, as a Set's does; a `PathTable` keeps the order its paths were put
/// in. Nothing may lean on either order. The hash is not kept with the key: kept, it made the tables of
/// a rebuild 1.3 MB larger.
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
///
/// The keys and values lie side by side in two lists, in the order they were put in (a removal moves
/// the last into the gap), found through a table of their places (open addressing, probed in turn,
/// at most three quarters full). A Dictionary keeps each key and value in a bucket of a table at
/// most three quarters full, so its buckets are a quarter to five eighths empty: the build's table of
/// 17,000 render cache entries (at 10,000 notices) took 3.1 MB, 1.8 MB kept so. Its order is
/// the order of putting in; nothing may lean on it, as on a Dictionary's.
public struct PathTable<Value> {
    private(set) var pathKeys: [PathKey] = []
    private(set) var valueList: [Value] = []
    /// Each slot holds a place in the lists plus one, or 0 when empty; a power of two of them.
    private var slots: [Int32] = []

    public init() {}

    public init(minimumCapacity: Int) { reserveCapacity(minimumCapacity) }

    public subscript(path: String) -> Value? {
        get { self[PathKey(path)] }
        set { self[PathKey(path)] = newValue }
    }

    public subscript(key: PathKey) -> Value? {
        get { place(of: key).map { valueList[$0] } }
        set {
            if let newValue {
                insert(key, newValue) { _, new in new }
            } else {
                remove(key)
            }
        }
    }

    public var count: Int { pathKeys.count }
    public var isEmpty: Bool { pathKeys.isEmpty }
    public var keys: LazyMapSequence<[PathKey], String> { pathKeys.lazy.map(\.path) }
    public var values: [Value] { valueList }

    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        pathKeys.reserveCapacity(minimumCapacity)
        valueList.reserveCapacity(minimumCapacity)
        let wanted = Self.slotCount(for: minimumCapacity)
        if wanted > slots.count { rehash(slotCount: wanted) }
    }

    @discardableResult
    public mutating func removeValue(forKey path: String) -> Value? { remove(PathKey(path)) }

    public mutating func removeAll() {
        pathKeys.removeAll()
        valueList.removeAll()
        slots.removeAll()
    }

    /// Whether `path` has a value, found by its key alone (reading the value out would copy it).
    public func contains(_ path: String) -> Bool { place(of: PathKey(path)) != nil }

    /// Whether every path of `other` has a value here (its keys as they are, not made again).
    public func containsEvery<Other>(pathOf other: PathTable<Other>) -> Bool {
        other.pathKeys.allSatisfy { place(of: $0) != nil }
    }

    public mutating func merge(_ other: some Sequence<(String, Value)>, uniquingKeysWith combine: (Value, Value) throws -> Value) rethrows {
        for (path, value) in other { try insert(PathKey(path), value, combine) }
    }

    public mutating func merge(table other: PathTable<Value>, uniquingKeysWith combine: (Value, Value) throws -> Value) rethrows {
        reserveCapacity(count + other.count)
        for i in other.pathKeys.indices { try insert(other.pathKeys[i], other.valueList[i], combine) }
    }

    public func mapValues<T>(_ transform: (Value) throws -> T) rethrows -> PathTable<T> {
        // The same keys in the same places: the slots hold as they are.
        PathTable<T>(pathKeys: pathKeys, valueList: try valueList.map(transform), slots: slots)
    }

    public func filter(_ isIncluded: ((key: String, value: Value)) throws -> Bool) rethrows -> PathTable<Value> {
        var kept = PathTable()
        for i in pathKeys.indices where try isIncluded((pathKeys[i].path, valueList[i])) {
            kept.insert(pathKeys[i], valueList[i]) { _, new in new }
        }
        return kept
    }

    private init(pathKeys: [PathKey], valueList: [Value], slots: [Int32]) {
        self.pathKeys = pathKeys
        self.valueList = valueList
        self.slots = slots
    }

    // MARK: The table of places

    /// Slots for `count` keys at most three quarters full (a power of two, at least eight).
    private static func slotCount(for count: Int) -> Int {
        var slots = 8
        while slots / 4 * 3 < count { slots *= 2 }
        return slots
    }

    private func home(_ key: PathKey) -> Int { Int(truncatingIfNeeded: key.hash) & (slots.count - 1) }

    /// The slot holding `key`, or the empty one where it would go; and its place in the lists.
    private func find(_ key: PathKey) -> (slot: Int, place: Int?) {
        let mask = slots.count - 1
        var slot = home(key)
        while true {
            let held = Int(slots[slot])
            if held == 0 { return (slot, nil) }
            if pathKeys[held - 1] == key { return (slot, held - 1) }
            slot = (slot + 1) & mask
        }
    }

    private func place(of key: PathKey) -> Int? {
        slots.isEmpty ? nil : find(key).place
    }

    private mutating func insert(_ key: PathKey, _ value: Value, _ combine: (Value, Value) throws -> Value) rethrows {
        if slots.isEmpty || pathKeys.count + 1 > slots.count / 4 * 3 {
            rehash(slotCount: Self.slotCount(for: pathKeys.count + 1))
        }
        let (slot, place) = find(key)
        if let place {
            valueList[place] = try combine(valueList[place], value)
            return
        }
        slots[slot] = Int32(pathKeys.count + 1)
        pathKeys.append(key)
        valueList.append(value)
    }

    @discardableResult
    private mutating func remove(_ key: PathKey) -> Value? {
        guard !slots.isEmpty else { return nil }
        let (slot, found) = find(key)
        guard let place = found else { return nil }
        emptySlot(slot)
        let last = pathKeys.count - 1
        if place != last {
            // The last key moves into the gap: its slot names its new place.
            slots[slotHolding(last)] = Int32(place + 1)
            pathKeys.swapAt(place, last)
            valueList.swapAt(place, last)
        }
        pathKeys.removeLast()
        return valueList.removeLast()
    }

    /// The slot that holds list place `place`.
    private func slotHolding(_ place: Int) -> Int {
        let mask = slots.count - 1
        var slot = home(pathKeys[place])
        while Int(slots[slot]) != place + 1 { slot = (slot + 1) & mask }
        return slot
    }

    /// Empties `slot`, moving back the keys after it that would no longer be found past the gap
    /// (deletion without markers, for linear probing).
    private mutating func emptySlot(_ slot: Int) {
        let mask = slots.count - 1
        var gap = slot
        var next = slot
        while true {
            next = (next + 1) & mask
            let held = Int(slots[next])
            if held == 0 { break }
            let wanted = home(pathKeys[held - 1])
            // The key at `next` stays when its home lies cyclically after the gap, up to `next`.
            let stays = gap <= next ? (gap < wanted && wanted <= next) : (gap < wanted || wanted <= next)
            if stays { continue }
            slots[gap] = slots[next]
            gap = next
        }
        slots[gap] = 0
    }

    private mutating func rehash(slotCount: Int) {
        slots = [Int32](repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for place in pathKeys.indices {
            var slot = home(pathKeys[place])
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(place + 1)
        }
    }
}

extension PathTable: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { pathKeys.count }

    public subscript(position: Int) -> (key: String, value: Value) {
        (pathKeys[position].path, valueList[position])
    }

    /// The two lists walked side by side, quicker than through the indices.
    public struct Iterator: IteratorProtocol {
        var keys: IndexingIterator<[PathKey]>
        var values: IndexingIterator<[Value]>
        public mutating func next() -> (key: String, value: Value)? {
            guard let key = keys.next(), let value = values.next() else { return nil }
            return (key.path, value)
        }
    }

    public func makeIterator() -> Iterator { Iterator(keys: pathKeys.makeIterator(), values: valueList.makeIterator()) }
    public var underestimatedCount: Int { pathKeys.count }
}

extension PathTable: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        reserveCapacity(elements.count)
        for (path, value) in elements { self[path] = value }
    }
}

/// Two tables are equal when they hold the same paths with equal values, in whatever order.
extension PathTable: Equatable where Value: Equatable {
    public static func == (a: PathTable, b: PathTable) -> Bool {
        guard a.count == b.count else { return false }
        for i in a.pathKeys.indices {
            guard let place = b.place(of: a.pathKeys[i]), b.valueList[place] == a.valueList[i] else { return false }
        }
        return true
    }
}

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
