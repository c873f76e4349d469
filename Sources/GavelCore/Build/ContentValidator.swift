/// Checks that hold across files: court checklists against the steps, ids that must be unique, and
/// the courts a joint notice names.
public enum ContentValidator {
    public static func validate(_ content: SiteContent, checked: [String: CheckedStep], courtSteps: [String: [CheckedStep]] = [:], bag: inout DiagnosticBag) {
        var courtIDs: [String: String] = [:]
        let cyclic = stepsOnCycles(content)
        for court in content.courts {
            if let other = courtIDs[court.id] {
                bag.error(SourceLocation(file: court.file), "duplicate court id '\(court.id)'", hint: "also used by \(other)")
            }
            courtIDs[court.id] = court.file
            validateChecklist(court, content: content, steps: courtSteps[court.id], cyclic: cyclic, bag: &bag)
        }
        for court in content.courts {
            for notice in court.notices {
                for other in notice.alsoCourts {
                    if other.value == court.id {
                        bag.error(other.location, "'also_courts' names the notice's own court '\(court.id)'", hint: "list only the other courts")
                    } else if courtIDs[other.value] == nil {
                        bag.error(other.location, "unknown court '\(other.value)' in 'also_courts'",
                                  hint: DidYouMean.hint(other.value, among: courtIDs.keys) ?? "courts are the folders in courts/")
                    }
                }
            }
        }
    }

    /// Steps that wait, through `requires`, for themselves: the members of strongly connected
    /// components of more than one step (Tarjan's algorithm, iterative, linear in steps and
    /// requirements). Their cycle is reported where it is written; advice on their order in a
    /// checklist could not be followed, so none is given.
    static func stepsOnCycles(_ content: SiteContent) -> Set<String> {
        var index: [String: Int] = [:], low: [String: Int] = [:]
        var onStack = Set<String>(), stack: [String] = [], cyclic = Set<String>()
        var counter = 0
        func requirements(_ id: String) -> [String] {
            (content.steps[id]?.requires.map(\.value) ?? []).filter { content.steps[$0] != nil }
        }
        for root in content.stepOrder where index[root] == nil {
            var work: [(id: String, next: Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack.insert(root)
            while let top = work.last {
                let edges = requirements(top.id)
                if top.next < edges.count {
                    work[work.count - 1].next += 1
                    let w = edges[top.next]
                    if index[w] == nil {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack.insert(w)
                        work.append((w, 0))
                    } else if onStack.contains(w) {
                        low[top.id] = min(low[top.id] ?? 0, index[w] ?? 0)
                    }
                    continue
                }
                work.removeLast()
                if let parent = work.last { low[parent.id] = min(low[parent.id] ?? 0, low[top.id] ?? 0) }
                guard low[top.id] == index[top.id] else { continue }
                var component: [String] = []
                while let w = stack.popLast() {
                    onStack.remove(w)
                    component.append(w)
                    if w == top.id { break }
                }
                if component.count > 1 { cyclic.formUnion(component) }
            }
        }
        return cyclic
    }

    static func validateChecklist(_ court: Court, content: SiteContent, steps: [CheckedStep]?, cyclic: Set<String> = [], bag: inout DiagnosticBag) {
        var position: [String: Int] = [:]
        for (index, entry) in court.checklist.enumerated() {
            let id = entry.step
            guard content.steps[id.value] != nil else {
                bag.error(id.location, "unknown step '\(id.value)' in the checklist of '\(court.id)'",
                          hint: DidYouMean.hint(id.value, among: content.steps.keys) ?? "steps are the files in steps/")
                continue
            }
            if position[id.value] != nil {
                bag.error(id.location, "step '\(id.value)' is listed twice in the checklist of '\(court.id)'",
                          hint: "give one entry all of this court's settings for it")
                continue
            }
            position[id.value] = index
        }
        // The step's own requires and this court's additions.
        let effective = Dictionary((steps ?? []).map { ($0.module.id, $0.requires) }, uniquingKeysWith: { a, _ in a })
        for entry in court.checklist {
            let id = entry.step
            guard let step = content.steps[id.value], let index = position[id.value], !cyclic.contains(id.value) else { continue }
            for required in effective[id.value] ?? step.requires.map(\.value) where content.steps[required] != nil {
                switch position[required] {
                case nil:
                    bag.error(id.location, "the checklist of '\(court.id)' lacks '\(required)', which '\(id.value)' requires",
                              hint: "add '\(required)' before '\(id.value)'")
                case let requiredIndex? where requiredIndex > index:
                    bag.error(id.location, "'\(id.value)' comes before '\(required)', which it requires",
                              hint: "list '\(required)' first")
                default: break
                }
            }
        }
    }
}
