/// What an attorney has told the checklist: one JSON document shared by the export file, the
/// `#answers=` link and `gavel eval --facts`.
public struct Answers: Sendable {
    public var courts: [String]
    public var person: [String: JSONValue]
    public var perCourt: [String: [String: JSONValue]]

    public init(courts: [String] = [], person: [String: JSONValue] = [:], perCourt: [String: [String: JSONValue]] = [:]) {
        self.courts = courts
        self.person = person
        self.perCourt = perCourt
    }

    /// Reads the document's shape; the values are checked against facts by `AnswersValidator`.
    public init(json: JSONValue) throws(AnswersShapeError) {
        guard case let .object(pairs) = json else { throw AnswersShapeError(message: "the answers file must be a JSON object") }
        let known = ["courts", "answers", "court_answers"]
        for (key, _) in pairs where !known.contains(key) {
            throw AnswersShapeError(message: "unknown key '\(key)'", hint: DidYouMean.hint(key, among: known) ?? "known keys: courts, answers, court_answers")
        }
        var courts: [String] = []
        if let c = json["courts"], c != .null {
            guard let list = c.arrayValue else { throw AnswersShapeError(message: "'courts' must be a list of court ids") }
            for item in list {
                guard let s = item.stringValue else { throw AnswersShapeError(message: "'courts' must be a list of court ids") }
                courts.append(s)
            }
        }
        var person: [String: JSONValue] = [:]
        if let a = json["answers"], a != .null {
            guard let pairs = a.objectValue else { throw AnswersShapeError(message: "'answers' must be an object of fact ids to values") }
            for (k, v) in pairs where v != .null { person[k] = v }
        }
        var perCourt: [String: [String: JSONValue]] = [:]
        if let ca = json["court_answers"], ca != .null {
            guard let pairs = ca.objectValue else { throw AnswersShapeError(message: "'court_answers' must be an object of court ids to answers") }
            for (court, value) in pairs {
                guard let inner = value.objectValue else { throw AnswersShapeError(message: "'court_answers.\(court)' must be an object of fact ids to values") }
                var map: [String: JSONValue] = [:]
                for (k, v) in inner where v != .null { map[k] = v }
                perCourt[court] = map
            }
        }
        self.init(courts: courts, person: person, perCourt: perCourt)
    }

    public func value(of fact: String, scope: Scope, court: String) -> JSONValue? {
        switch scope {
        case .person: return person[fact]
        case .court: return perCourt[court]?[fact]
        }
    }
}

public struct AnswersShapeError: Error, Sendable {
    public var message: String
    public var hint: String?
}
