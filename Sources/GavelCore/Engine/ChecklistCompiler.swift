/// Turns a court's checked steps into the engine's form, with date-times as instants in the court's zone.
public enum ChecklistCompiler {
    public static func compile(_ m: SiteModel.CourtModel) -> CompiledChecklist {
        let zone = m.court.timeZone
        var fields: [String: RuleValue] = [
            "id": .string(m.court.id), "name": .string(m.court.name), "short_name": .string(m.court.shortName),
            "kind": .string(m.court.kind.rawValue), "timezone": .string(zone.identifier),
        ]
        if let goLive = m.court.goLiveInstant { fields["go_live"] = .instant(goLive) }
        return CompiledChecklist(courtID: m.court.id, timeZone: zone, fields: fields, steps: m.steps.map { s in
            CompiledChecklist.Step(
                id: s.module.id, scope: s.module.scope, requires: s.module.requires.map(\.value),
                appliesIf: s.appliesIf.specialised(for: zone), doneIf: s.doneIf.specialised(for: zone),
                availableFrom: s.availableFrom?.specialised(for: zone), dueBy: s.dueBy?.specialised(for: zone))
        })
    }
}
