import ArgumentParser
import Foundation
import GavelCore

struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Evaluate the checklist for an attorney's answers with the Swift engine.")

    @OptionGroup var site: SiteOptions
    @Option(name: [.customLong("answers"), .customLong("facts")], help: "The answers file (JSON, as exported by the checklist page); --facts is its former name.") var facts: String
    @Option(name: .customLong("court"), help: "A court to evaluate; repeatable. Default: the courts in the answers file.") var courts: [String] = []
    @Option(help: "The evaluating clock, an ISO-8601 instant. Default: now.") var now: String?
    @Flag(help: "Print the evaluation result as JSON.") var json = false

    func run() async throws {
        var clock = Instant(Date())
        if let now {
            guard let parsed = Instant(parsing: now) else {
                throw ValidationError("--now must be an ISO-8601 instant in the years 1000 to 9999, with Z or an offset below 24 hours, such as 2020-03-30T13:00:00Z")
            }
            clock = parsed
        }
        var bag = DiagnosticBag()
        let build = SiteBuild(options: site.buildOptions())
        guard let content = await build.load(bag: &bag) else { return fail(bag) }
        let model = build.validate(content, bag: &bag)
        guard !bag.hasErrors else { return fail(bag) }

        guard case let .success(file) = SourceFile.read(URL(fileURLWithPath: facts), displayPath: facts) else {
            bag.error(SourceLocation(file: facts), "cannot read the answers file", hint: "export it from the checklist page, or write it by hand as in the README")
            return fail(bag)
        }
        let answers: Answers
        switch JSONValue.parse(file.text) {
        case let .failure(e):
            bag.error(SourceLocation(file: facts, line: e.line, column: e.column), "invalid JSON: \(e.message)")
            return fail(bag)
        case let .success(value):
            do {
                answers = try Answers(json: value)
            } catch {
                bag.error(SourceLocation(file: facts), error.message, hint: error.hint)
                return fail(bag)
            }
        }
        AnswersValidator(content: model.content, file: facts, text: file.text).validate(answers, bag: &bag)
        let wanted = courts.isEmpty ? answers.courts : courts
        if wanted.isEmpty {
            bag.error(SourceLocation(file: facts), "no court to evaluate", hint: "list courts in the file's \"courts\" or pass --court ID")
        }
        var chosen: [SiteModel.CourtModel] = []
        var seen = Set<String>()
        // A court listed twice is one court to evaluate.
        for id in wanted where seen.insert(id).inserted {
            if let m = model.courts.first(where: { $0.court.id == id }) {
                chosen.append(m)
            } else if courts.contains(id) {
                bag.error(SourceLocation(file: "--court"), "unknown court '\(id)'", hint: DidYouMean.hint(id, among: model.courts.map(\.court.id)))
            }
        }
        guard !bag.hasErrors else { return fail(bag) }

        let result = ChecklistEngine().evaluate(chosen.map(ChecklistCompiler.compile), answers: answers, now: clock)
        if json {
            print(result.json.serialized(pretty: true))
        } else {
            print(EvalReport(model: model, courts: chosen, result: result, now: clock).text, terminator: "")
        }
    }

    func fail(_ bag: DiagnosticBag) {
        site.report(bag.all)
        Foundation.exit(1)
    }
}
