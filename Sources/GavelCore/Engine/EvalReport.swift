/// The readable checklist `gavel eval` prints for people.
public struct EvalReport {
    public var model: SiteModel
    public var courts: [SiteModel.CourtModel]
    public var result: EvaluationResult
    public var now: Instant

    public init(model: SiteModel, courts: [SiteModel.CourtModel], result: EvaluationResult, now: Instant) {
        self.model = model
        self.courts = courts
        self.result = result
        self.now = now
    }

    static func label(_ status: StepStatus) -> String {
        switch status {
        case .notApplicable: return "not applicable"
        case .done: return "done"
        case .needsAnswers: return "needs answers"
        case .blocked: return "blocked"
        case .notYet: return "not yet"
        case .todo: return "to do"
        }
    }

    static func label(_ readiness: Readiness) -> String {
        switch readiness {
        case .actionNeeded: return "action needed"
        case .needsAnswers: return "needs answers"
        case .ready: return "ready"
        }
    }

    public var text: String {
        var out = ""
        for (m, courtResult) in zip(courts, result.courts) {
            let c = m.court
            out += "\(c.name) (\(c.id)): \(Self.label(courtResult.readiness))\n"
            if let goLive = c.goLive, let instant = c.goLiveInstant {
                out += "  go-live: \(goLive.text(clock: c.clock))\(instant <= now ? " (passed)" : "")\n"
            } else if c.live {
                out += "  go-live: already live" + (c.goLiveNote.map { " (\($0))" } ?? "") + "\n"
            } else {
                out += "  go-live: not yet scheduled" + (c.goLiveNote.map { " (\($0))" } ?? "") + "\n"
            }
            for (step, s) in zip(m.steps, courtResult.steps) {
                var line = "  [\(Self.label(s.status))] \(step.module.title)"
                if step.module.scope == .person { line += " (all courts)" }
                if step.optional { line += " (optional)" }
                switch s.status {
                case .todo where s.overdue: line += " (overdue)"
                case .notYet:
                    if let day = s.opensOn {
                        line += " — opens on \(day.longText)"
                    } else {
                        line += s.opensAt.map { " — opens \(PeopleTime.format($0, clock: c.clock))" } ?? " — opening date not yet known"
                    }
                case .needsAnswers:
                    let questions = s.missing.map { id in model.content.fact(id).map { "\(id) (\($0.question))" } ?? id }
                    line += "\n      answer: " + questions.joined(separator: "\n              ")
                case .blocked:
                    let waiting = step.requires.filter { r in
                        let st = courtResult.steps.first { $0.id == r }?.status
                        return st != .done && st != .notApplicable
                    }
                    // Titles, as the lines above name the steps, not their ids.
                    line += " — waits for: " + waiting.map { model.content.steps[$0]?.title ?? $0 }.joined(separator: ", ")
                default: break
                }
                out += line + "\n"
            }
            out += "\n"
        }
        return out
    }
}
