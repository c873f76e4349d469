import Foundation

/// Turns a court's checked steps into the engine's form, with date-times as instants in the court's zone.
public enum ChecklistCompiler {
    public static func compile(_ m: SiteModel.CourtModel) -> CompiledChecklist {
        let zone = m.court.timeZone
        var fields: [String: RuleValue] = [
            "id": .string(m.court.id), "name": .string(m.court.name), "short_name": .string(m.court.shortName),
            "kind": .string(m.court.kind.rawValue), "timezone": .string(zone.identifier),
        ]
        if let goLive = m.court.goLive { fields["go_live"] = value(goLive, in: zone) } else if m.court.live { fields["go_live"] = .pastGoLive }
        for (name, date) in m.court.dates { fields["dates." + name] = value(date, in: zone) }
        return CompiledChecklist(courtID: m.court.id, timeZone: zone, fields: fields, steps: m.steps.map { s in
            CompiledChecklist.Step(
                id: s.module.id, scope: s.module.scope, requires: s.requires,
                appliesIf: s.appliesIf.specialised(for: zone), doneIf: s.doneIf.specialised(for: zone),
                availableFrom: s.availableFrom?.specialised(for: zone), dueBy: s.dueBy?.specialised(for: zone),
                unavailable: s.unavailable.map { w in
                    let span = w.span(in: zone)
                    return CompiledChecklist.Window(start: span.start, end: span.end, reason: w.reason)
                }.sorted { $0.start < $1.start },
                optional: s.optional)
        })
    }

    /// A court's date as the engines read it: an instant, marked with its day when no time was given.
    static func value(_ time: StatedTime, in zone: TimeZone) -> RuleValue {
        switch time {
        case let .dateTime(local): return .instant(local.instant(in: zone))
        case let .day(date): return .dayStart(date, date.start(in: zone))
        }
    }
}
