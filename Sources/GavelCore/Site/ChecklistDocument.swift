/// Output/checklist/<court>.json: the court's checklist compiled for the engines (docs/checklist-format.md).
public enum ChecklistDocument {
    public static let version = 2

    static func build(_ m: SiteModel.CourtModel, model: SiteModel, english: RuleEnglish, renderBody: (CheckedStep) -> String) -> JSONValue {
        let c = m.court
        // The same court fields the Swift engine evaluates with, in a stable order.
        let compiled = ChecklistCompiler.compile(m)
        let fields: [(String, JSONValue)] = (["id", "name", "short_name", "kind", "timezone", "go_live"] + c.dates.map { "dates." + $0.name }).compactMap { key in
            compiled.fields[key].map { (key, $0.json) }
        }

        var named = Set<String>()
        for step in m.steps {
            for tree in [step.appliesIf, step.doneIf, step.availableFrom, step.dueBy].compactMap({ $0 }) { named.formUnion(tree.namedFacts) }
        }
        let facts = model.content.facts.filter { named.contains($0.id) }.map { f -> JSONValue in
            .object([("id", .string(f.id)), ("type", .string(f.type.rawValue)), ("scope", .string(f.scope.rawValue)),
                     ("question", .string(f.question)), ("help", .string(f.help)), ("label", .string(f.label)),
                     ("options", .array(f.options.map { .string($0) })),
                     ("option_labels", .array(f.options.map { .string(f.label(ofOption: $0)) }))])
        }
        let windows = Dictionary(compiled.steps.map { ($0.id, $0.unavailable) }, uniquingKeysWith: { a, _ in a })
        let steps = m.steps.map { step -> JSONValue in
            let tree = { (t: RuleTree?) -> JSONValue in t.map { $0.specialised(for: c.timeZone).json } ?? .null }
            let sentence = { (kind: RuleKind, t: RuleTree?) -> JSONValue in
                english.sentence(kind, t, tick: kind == .doneIf && step.tick != nil).map { .string($0) } ?? .null
            }
            return .object([
                ("id", .string(step.module.id)), ("title", .string(step.module.title)), ("summary", .string(step.module.summary)),
                ("scope", .string(step.module.scope.rawValue)),
                ("requires", .array(step.requires.map { .string($0) })),
                ("applies_if", tree(step.appliesIf)), ("done_if", tree(step.doneIf)),
                ("available_from", tree(step.availableFrom)), ("due_by", tree(step.dueBy)),
                ("tick", step.tick.map { .string($0) } ?? .null),
                ("optional", .bool(step.optional)),
                ("unavailable", .array((windows[step.module.id] ?? []).map { w in
                    .object([("start", .string(w.start.description)), ("end", .string(w.end.description)), ("reason", .string(w.reason)),
                             ("text", .string("\(PeopleTime.format(w.start, clock: c.clock)) to \(PeopleTime.format(w.end, clock: c.clock))"))])
                })),
                ("english", .object([
                    ("applies_if", step.module.rules[.appliesIf] == nil && !step.courtRules.contains(.appliesIf) ? .null : sentence(.appliesIf, step.appliesIf)),
                    ("done_if", sentence(.doneIf, step.doneIf)),
                    ("available_from", sentence(.availableFrom, step.availableFrom)),
                    ("due_by", sentence(.dueBy, step.dueBy)),
                ])),
                ("url", .string("courts/\(c.id)/steps/\(step.module.id)/")),
                ("body_html", .string(renderBody(step))),
            ])
        }
        return .object([
            ("format", .string("gavel-checklist")), ("version", .number(Double(version))),
            ("court", .object([
                ("id", .string(c.id)), ("name", .string(c.name)), ("short_name", .string(c.shortName)),
                ("kind", .string(c.kind.rawValue)), ("timezone", .string(c.timeZone.identifier)),
                ("go_live", c.goLiveInstant.map { .string($0.description) } ?? .null),
                ("go_live_text", c.goLive.map { .string($0.text(clock: c.clock)) } ?? .null),
                ("go_live_note", c.goLiveNote.map { .string($0) } ?? .null),
                ("live", .bool(c.live)),
                ("fields", .object(fields)),
            ])),
            ("facts", .array(facts)),
            ("steps", .array(steps)),
        ])
    }

    /// The `.js` twin, loadable through a <script> element from file:// where fetch() is refused.
    static func scriptTwin(courtID: String, document: JSONValue) -> String {
        var key = ""
        JSONValue.writeString(courtID, into: &key)
        return "(globalThis.GAVEL_CHECKLISTS = globalThis.GAVEL_CHECKLISTS || {})[\(key)] = \(document.serialized());\n"
    }
}
