/// Checks that hold across files: court checklists against the steps, and ids that must be unique.
public enum ContentValidator {
    public static func validate(_ content: SiteContent, checked: [String: CheckedStep], bag: inout DiagnosticBag) {
        var courtIDs: [String: String] = [:]
        let cyclic = stepsOnCycles(content)
        for court in content.courts {
            if let other = courtIDs[court.id] {
                bag.error(SourceLocation(file: court.file), "duplicate court id '\(court.id)'", hint: "also used by \(other)")
            }
            courtIDs[court.id] = court.file
            validateChecklist(court, content: content, cyclic: cyclic, bag: &bag)
        }
    }

    /// Steps that wait, through `requires`, for themselves. Their cycle is reported where it is
    /// written; advice on their order in a checklist could not be followed, so none is given.
    static func stepsOnCycles(_ content: SiteContent) -> Set<String> {
        var cyclic = Set<String>()
        for start in content.stepOrder {
            var seen = Set<String>()
            var stack = content.steps[start]?.requires.map(\.value) ?? []
            while let id = stack.popLast() {
                if id == start { cyclic.insert(start); break }
                guard seen.insert(id).inserted else { continue }
                stack += content.steps[id]?.requires.map(\.value) ?? []
            }
        }
        return cyclic
    }

    static func validateChecklist(_ court: Court, content: SiteContent, cyclic: Set<String> = [], bag: inout DiagnosticBag) {
        var position: [String: Int] = [:]
        for (index, entry) in court.checklist.enumerated() {
            guard content.steps[entry.value] != nil else {
                bag.error(entry.location, "unknown step '\(entry.value)' in the checklist of '\(court.id)'",
                          hint: DidYouMean.hint(entry.value, among: content.steps.keys) ?? "steps are the files in steps/")
                continue
            }
            if position[entry.value] != nil {
                bag.error(entry.location, "step '\(entry.value)' is listed twice in the checklist of '\(court.id)'")
                continue
            }
            position[entry.value] = index
        }
        for entry in court.checklist {
            guard let step = content.steps[entry.value], let index = position[entry.value], !cyclic.contains(entry.value) else { continue }
            for required in step.requires where content.steps[required.value] != nil {
                switch position[required.value] {
                case nil:
                    bag.error(entry.location, "the checklist of '\(court.id)' lacks '\(required.value)', which '\(entry.value)' requires",
                              hint: "add '\(required.value)' before '\(entry.value)'")
                case let requiredIndex? where requiredIndex > index:
                    bag.error(entry.location, "'\(entry.value)' comes before '\(required.value)', which it requires",
                              hint: "list '\(required.value)' first")
                default: break
                }
            }
        }
    }
}
