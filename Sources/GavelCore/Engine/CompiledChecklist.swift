import Foundation

/// What an engine needs of one court's compiled checklist (docs/checklist-format.md).
public struct CompiledChecklist: Sendable {
    public struct Step: Sendable {
        public var id: String
        public var scope: Scope
        public var requires: [String]
        public var appliesIf: RuleTree
        public var doneIf: RuleTree
        public var availableFrom: RuleTree?
        public var dueBy: RuleTree?
        /// Spans when the step cannot be done, [start, end).
        public var unavailable: [Window] = []
        public var optional = false
    }

    public struct Window: Sendable {
        public var start: Instant
        public var end: Instant
        public var reason: String
    }

    public var courtID: String
    public var timeZone: TimeZone
    public var fields: [String: RuleValue]
    public var steps: [Step]

    public init(courtID: String, timeZone: TimeZone, fields: [String: RuleValue], steps: [Step]) {
        self.courtID = courtID
        self.timeZone = timeZone
        self.fields = fields
        self.steps = steps
    }

    /// Reads the engine's part of a compiled checklist document; nil if it is not one.
    public init?(json: JSONValue) {
        guard let court = json["court"], let id = court["id"]?.stringValue,
              let zoneName = court["timezone"]?.stringValue, let zone = TimeZone(identifier: zoneName),
              let stepsJSON = json["steps"]?.arrayValue else { return nil }
        var fields: [String: RuleValue] = [:]
        for (key, value) in court["fields"]?.objectValue ?? [] {
            guard let v = RuleValue(json: value) else { return nil }
            fields[key] = v
        }
        var steps: [Step] = []
        for s in stepsJSON {
            guard let sid = s["id"]?.stringValue, let applies = s["applies_if"].flatMap(RuleTree.init(json:)),
                  let done = s["done_if"].flatMap(RuleTree.init(json:)) else { return nil }
            func optionalTree(_ key: String) -> RuleTree?? {
                guard let node = s[key], node != .null else { return .some(nil) }
                return RuleTree(json: node).map { .some($0) }
            }
            guard let from = optionalTree("available_from"), let due = optionalTree("due_by") else { return nil }
            var windows: [Window] = []
            for w in s["unavailable"]?.arrayValue ?? [] {
                guard let start = w["start"]?.stringValue.flatMap(Instant.init(parsing:)), let end = w["end"]?.stringValue.flatMap(Instant.init(parsing:)) else { return nil }
                windows.append(Window(start: start, end: end, reason: w["reason"]?.stringValue ?? ""))
            }
            var optional = false
            if case let .bool(b)? = s["optional"] { optional = b }
            steps.append(Step(
                id: sid, scope: s["scope"]?.stringValue.flatMap(Scope.init(rawValue:)) ?? .person,
                requires: (s["requires"]?.arrayValue ?? []).compactMap(\.stringValue),
                appliesIf: applies, doneIf: done, availableFrom: from, dueBy: due, unavailable: windows, optional: optional))
        }
        self.init(courtID: id, timeZone: zone, fields: fields, steps: steps)
    }
}
