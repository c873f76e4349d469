import Yams

/// Where a YAML node starts, counted from 1 as libyaml counts (columns in Unicode scalars).
public struct YAMLMark: Sendable, Equatable {
    public var line: Int
    public var column: Int
}

/// A YAML value with where it was written: what `YAMLReader` hands out, whichever parser made it.
public indirect enum YAMLNode: Sendable {
    public enum Style: Sendable, Equatable { case plain, singleQuoted, doubleQuoted, literal, folded, other }

    case scalar(String, Style, YAMLMark)
    case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)
    case sequence([YAMLNode], YAMLMark)

    public var mark: YAMLMark {
        switch self {
        case let .scalar(_, _, mark), let .mapping(_, mark), let .sequence(_, mark): mark
        }
    }

    /// The text of a scalar; nil for a mapping or a list.
    public var string: String? {
        if case let .scalar(text, _, _) = self { return text }
        return nil
    }

    var isNullScalar: Bool {
        if case let .scalar(text, style, _) = self {
            return style == .plain && ["", "~", "null", "Null", "NULL"].contains(text)
        }
        return false
    }

    /// Yams' tree in this form.
    init(_ node: Node) {
        var budget = Int.max
        self = Self.converting(node, budget: &budget) ?? .scalar("", .other, YAMLMark(line: 1, column: 1))
    }

    /// Yams' tree in this form, or nil once more than `budget` nodes have been made. Yams shares an
    /// anchored value among its aliases, but this tree copies it at each: ten lines of aliases to
    /// aliases would otherwise expand to billions of nodes (a "billion laughs").
    static func converting(_ node: Node, budget: inout Int) -> YAMLNode? {
        budget -= 1
        guard budget >= 0 else { return nil }
        let mark = node.mark.map { YAMLMark(line: $0.line, column: $0.column) } ?? YAMLMark(line: 1, column: 1)
        switch node {
        case let .scalar(scalar):
            let style: Style = switch scalar.style {
            case .plain: .plain
            case .singleQuoted: .singleQuoted
            case .doubleQuoted: .doubleQuoted
            case .literal: .literal
            case .folded: .folded
            default: .other
            }
            return .scalar(scalar.string, style, mark)
        case let .mapping(mapping):
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            pairs.reserveCapacity(mapping.count)
            for (key, value) in mapping {
                guard let k = converting(key, budget: &budget), let v = converting(value, budget: &budget) else { return nil }
                pairs.append((k, v))
            }
            return .mapping(pairs, mark)
        case let .sequence(sequence):
            var items: [YAMLNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence {
                guard let converted = converting(item, budget: &budget) else { return nil }
                items.append(converted)
            }
            return .sequence(items, mark)
        case .alias:
            return .scalar("", .other, mark)
        }
    }
}

extension YAMLNode: Equatable {
    public static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, s, m), .scalar(y, t, n)): x == y && s == t && m == n
        case let (.sequence(x, m), .sequence(y, n)): x == y && m == n
        case let (.mapping(x, m), .mapping(y, n)):
            m == n && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }
}
