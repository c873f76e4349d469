import ArgumentParser
import Foundation
import GavelCore

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "new", abstract: "Write a scaffold that builds as written: a court, a notice or a step.")

    enum Kind: String, ExpressibleByArgument, CaseIterable { case court, notice, step }

    @Argument(help: "What to create: court, notice or step.") var kind: Kind
    @Argument(help: "Its id: the court's folder, the notice's slug or the step's id (lowercase letters, digits, hyphens).") var name: String
    @Option(help: "The court a notice belongs to.") var court: String?
    @Option(help: "The content folder.") var content = "Content"

    func validate() throws {
        guard Scaffold.isValidName(name) else {
            throw ValidationError("'\(name)' must use lowercase letters, digits and hyphens")
        }
        if kind == .notice && court == nil { throw ValidationError("a notice needs --court ID") }
    }

    func run() throws {
        let scaffold = Scaffold(content: URL(fileURLWithPath: content), today: Instant(Date()).local(in: .current).date)
        let path: String
        do {
            switch kind {
            case .court: path = try scaffold.court(name)
            case .notice: path = try scaffold.notice(name, court: court ?? "")
            case .step: path = try scaffold.step(name)
            }
        } catch let error as Scaffold.Failure {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(1)
        }
        print("created \(path)")
    }
}
