import Foundation

extension ContentLoader {
    /// A court whose court.yml cannot be read still has notices: their files are read and their
    /// front matter checked, so an error in court.yml does not hide theirs. There is no court to
    /// build them for, so nothing is returned.
    func checkNoticesWithoutCourt(_ folder: String, bag: inout DiagnosticBag) -> Court? {
        for name in listing("courts/\(folder)/notices") where Self.isMarkdownName(name) {
            var info = stat()
            _ = parseNotice("courts/\(folder)/notices/\(name)", court: folder, bag: &bag, info: &info)
        }
        return nil
    }
}
