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
