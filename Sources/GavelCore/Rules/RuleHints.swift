/// Hints for mistakes people make writing rules, kept apart from the lexer and checker they serve.
enum RuleHints {
    /// `username_length >= "8"`: a number, date or date-time written in quotes is text.
    static func quotedLiteral(_ expr: RuleExpr, comparedWith type: RuleType) -> String? {
        guard case let .literal(.string(text), _) = expr else { return nil }
        switch type {
        case .number where Double(text) != nil: return "write the number without quotes: \(text)"
        case .date where LocalDate(parsing: text) != nil: return "write the date without quotes: \(text)"
        case .instant where LocalDateTime(parsing: text) != nil: return "write the date-time without quotes: \(text)"
        default: return nil
        }
    }

    /// The hint for a character the rule language does not have.
    static func unexpected(_ c: Character) -> String? {
        switch c {
        case "=": return "compare with '=='"
        case "&": return "write 'and'"
        case "|": return "write 'or'"
        case "!": return "write 'not', or '!=' to compare"
        case "'": return "text goes in double quotes"
        case "\u{201C}", "\u{201D}", "\u{201E}", "\u{00AB}", "\u{00BB}":
            return "that is a curly quote, as a word processor types it: write text in straight double quotes (\")"
        case "\u{2018}", "\u{2019}": return "that is a curly quote, as a word processor types it: write text in straight double quotes (\")"
        case "+", "-", "*", "/":
            return "rules have no arithmetic, on dates or numbers: compare with the value written out, such as pacer.created < 2014-08-11 or available_from: 2020-03-26T08:00"
        default: return nil
        }
    }
}
