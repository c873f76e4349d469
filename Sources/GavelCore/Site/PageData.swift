/// The fingerprint of what a template page is made from: the build's global input, the template's
/// name and the data handed to it. A Mustache page's bytes are a function of exactly these (the
/// theme's files are part of the global input), so a page whose fingerprint is the one its file was
/// made from last time is that file, byte for byte, and need not be rendered again: home, say, after
/// an edit to a notice's body, which changes no title, date or summary it lists.
enum PageData {
    /// Nil when the data holds a value of a kind not listed here (the page is then simply rendered).
    static func fingerprint(global: UInt64, template: String, _ data: [String: Any]) -> UInt64? {
        var hash = ContentHash.Accumulator()
        hash.add("page \(global) \(template)")
        return add(data, to: &hash) ? hash.value : nil
    }

    /// Each value with a tag for its kind, so that `true`, `1` and `"1"` (which sections treat
    /// differently) never hash alike; a dictionary's keys in sorted order, each with its value.
    private static func add(_ value: Any, to hash: inout ContentHash.Accumulator) -> Bool {
        switch value {
        case let text as String:
            hash.add("s")
            hash.add(text)
        case let flag as Bool:
            hash.add(flag ? "t" : "f")
        case let number as Int:
            hash.add("i")
            hash.add(UInt64(bitPattern: Int64(number)))
        case let table as [String: Any]:
            hash.add("d")
            hash.add(UInt64(table.count))
            for key in table.keys.sorted() {
                hash.add(key)
                guard let inner = table[key], add(inner, to: &hash) else { return false }
            }
        case let list as [Any]:
            hash.add("a")
            hash.add(UInt64(list.count))
            for item in list where !add(item, to: &hash) { return false }
        default:
            // An optional held as `Any`: absent, or the value it holds.
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { return false }
            guard let inner = mirror.children.first?.value else {
                hash.add("n")
                return true
            }
            return add(inner, to: &hash)
        }
        return true
    }
}
