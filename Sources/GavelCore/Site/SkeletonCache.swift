import Synchronization

/// A page context taken apart for skeleton rendering: every text value in it (in a fixed order), the
/// shape of everything else Mustache can branch on, and the same context with a marker in place of
/// each non-empty text. Every text is replaced, so no value of one page can leak into another page
/// made from the same skeleton.
struct SlottedContext {
    private(set) var values: [String] = []
    /// Keys, list lengths, flags, numbers, and for each text whether it is empty, spans lines or ends
    /// with a line break (what Mustache's truthiness and partial indentation look at).
    private(set) var shape: [UInt8] = []
    private(set) var markerContext: [String: Any] = [:]

    /// Nil when the context holds anything but text, flags, whole numbers, lists and string-keyed maps.
    init?(_ context: [String: Any]) {
        guard let markers = walk(context) as? [String: Any] else { return nil }
        markerContext = markers
    }

    static func marker(_ index: Int) -> String { "\u{E000}gV\(index)&\u{E001}" }

    private mutating func walk(_ value: Any) -> Any? {
        if let text = value as? String {
            let bytes = text.utf8
            shape.append(text.isEmpty ? 0 : (bytes.contains(0x0A) ? 2 : 1) | (bytes.last == 0x0A ? 4 : 0))
            values.append(text)
            return text.isEmpty ? text : Self.marker(values.count - 1)
        }
        if type(of: value) == Bool.self, let flag = value as? Bool {
            shape.append(flag ? 8 : 9)
            return flag
        }
        if type(of: value) == Int.self, let number = value as? Int {
            shape.append(10)
            withUnsafeBytes(of: number.littleEndian) { shape.append(contentsOf: $0) }
            return number
        }
        if let map = value as? [String: Any] {
            shape.append(11)
            var out: [String: Any] = [:]
            out.reserveCapacity(map.count)
            for key in map.keys.sorted() {
                shape.append(contentsOf: key.utf8)
                shape.append(0)
                guard let item = map[key], let replaced = walk(item) else { return nil }
                out[key] = replaced
            }
            shape.append(12)
            return out
        }
        if let list = value as? [Any] {
            shape.append(13)
            var out: [Any] = []
            out.reserveCapacity(list.count)
            for item in list {
                guard let replaced = walk(item) else { return nil }
                out.append(replaced)
            }
            shape.append(14)
            return out
        }
        return nil
    }
}

/// The skeletons of one build, shared by every task that renders pages, keyed by template and shape.
///
/// Safety: a skeleton is used only if every marker came back intact (a value passed through a transform
/// such as `uppercased` breaks its marker) and only after the first page made from it matched a real
/// Mustache render byte for byte; a theme that sorts lists (`sorted(…)`, which would order markers
/// rather than values) gets no skeletons at all. Anything else is rendered by Mustache.
final class SkeletonCache: Sendable {
    private struct Key: Hashable {
        var template: String
        var shape: [UInt8]
    }
    /// Per key: the skeleton, or nil once it proved unusable.
    private let store = Mutex<[Key: PageSkeleton?]>([:])
    let enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    func render(_ template: String, _ context: [String: Any], theme: Theme) -> [UInt8] {
        guard enabled, let slotted = SlottedContext(context) else { return Array(theme.render(template, context).utf8) }
        let key = Key(template: template, shape: slotted.shape)
        switch store.withLock({ $0[key] }) {
        case let .some(.some(skeleton)):
            if let bytes = skeleton.fill(slotted.values) { return bytes }
            return Array(theme.render(template, context).utf8)
        case .some(.none):
            return Array(theme.render(template, context).utf8)
        case .none:
            // First page of this shape: make the skeleton, and keep it only if it reproduces this page.
            let real = Array(theme.render(template, context).utf8)
            var skeleton = PageSkeleton(rendered: theme.render(template, slotted.markerContext))
            if skeleton?.fill(slotted.values) != real { skeleton = nil }
            store.withLock { $0[key] = .some(skeleton) }
            return real
        }
    }
}
