/// Output/checklist/<court>.json: the court's checklist compiled for the engines (docs/checklist-format.md).
public enum ChecklistDocument {
    public static let version = 1

    static func build(_ m: SiteModel.CourtModel, model: SiteModel, english: RuleEnglish, renderBody: (CheckedStep) -> String) -> JSONValue {
        let c = m.court
        // The same court fields the Swift engine evaluates with, in a stable order.
        let compiled = ChecklistCompiler.compile(m)
        let fields: [(String, JSONValue)] = ["id", "name", "short_name", "kind", "timezone", "go_live"].compactMap { key in
            compiled.fields[key].map { (key, $0.json) }
        }

        var named = Set<String>()
        for step in m.steps {
            for tree in [step.appliesIf, step.doneIf, step.availableFrom, step.dueBy].compactMap({ $0 }) { named.formUnion(tree.namedFacts) }
        }
        let facts = model.content.facts.filter { named.contains($0.id) }.map { f -> JSONValue in
            .object([("id", .string(f.id)), ("type", .string(f.type.rawValue)), ("scope", .string(f.scope.rawValue)),
                     ("question", .string(f.question)), ("help", .string(f.help)), ("label", .string(f.label)),
                     ("options", .array(f.options.map { .string($0) }))])
        }
        let steps = m.steps.map { step -> JSONValue in
            let tree = { (t: RuleTree?) -> JSONValue in t.map { $0.specialised(for: c.timeZone).json } ?? .null }
            let sentence = { (kind: RuleKind, t: RuleTree?) -> JSONValue in
                english.sentence(kind, t, tick: kind == .doneIf && step.tick != nil).map { .string($0) } ?? .null
            }
            return .object([
                ("id", .string(step.module.id)), ("title", .string(step.module.title)), ("summary", .string(step.module.summary)),
                ("scope", .string(step.module.scope.rawValue)),
                ("requires", .array(step.module.requires.map { .string($0.value) })),
                ("applies_if", tree(step.appliesIf)), ("done_if", tree(step.doneIf)),
                ("available_from", tree(step.availableFrom)), ("due_by", tree(step.dueBy)),
                ("tick", step.tick.map { .string($0) } ?? .null),
                ("english", .object([
                    ("applies_if", step.module.rules[.appliesIf] == nil ? .null : sentence(.appliesIf, step.appliesIf)),
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
