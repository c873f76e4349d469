/// Splits rule text into tokens. Names may hold dots, underscores and inner hyphens (`done.link-accounts`).
struct RuleLexer {
    enum Kind: Equatable {
        case name(String)
        case number(Double)
        case string(String)
        case date(LocalDate)
        case dateTime(LocalDateTime)
        case instant(Instant)
        case symbol(String)
        case end
    }

    struct Token: Equatable {
        var kind: Kind
        var offset: Int
        var length: Int
    }

    static func tokens(_ text: String) -> Result<[Token], RuleSyntaxError> {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            let start = i
            if c.isLetter || c == "_" {
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "."
                    || (chars[i] == "-" && i + 1 < chars.count && (chars[i + 1].isLetter || chars[i + 1].isNumber)) {
                    i += 1
                }
                let word = String(chars[start..<i])
                if word.hasSuffix(".") || word.contains("..") {
                    return .failure(RuleSyntaxError(offset: start, message: "'\(word)' is not a valid name", hint: "names are words joined by single dots, like pacer.created"))
                }
                tokens.append(Token(kind: .name(word), offset: start, length: i - start))
            } else if c.isASCII && (c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber)) {
                i += 1
                while i < chars.count, chars[i].isASCII,
                      chars[i].isNumber || chars[i] == "." || chars[i] == "-" || chars[i] == ":" || chars[i] == "T" || chars[i] == "Z" || chars[i] == "+" {
                    i += 1
                }
                let word = String(chars[start..<i])
                if word.count == 10, word.contains("-"), !word.hasPrefix("-") {
                    guard let date = LocalDate(parsing: word) else {
                        return .failure(RuleSyntaxError(offset: start, message: "'\(word)' is not a valid date", hint: "write a real date as YYYY-MM-DD, in the years 1000 to 9999"))
                    }
                    tokens.append(Token(kind: .date(date), offset: start, length: i - start))
                } else if word.count > 16, word.contains("T"), word.hasSuffix("Z") || word.dropFirst(16).contains("+") || word.dropFirst(16).contains("-") {
                    // An instant with its offset: it needs no court, so it may stand in any step.
                    guard let value = Instant(parsing: word), word.count == 17 || word.count == 22 else {
                        return .failure(RuleSyntaxError(offset: start, message: "'\(word)' is not a valid date-time with an offset",
                                                        hint: "write YYYY-MM-DDTHH:MMZ or YYYY-MM-DDTHH:MM-05:00"))
                    }
                    tokens.append(Token(kind: .instant(value), offset: start, length: i - start))
                } else if word.count > 10, word.contains("T") {
                    guard let value = LocalDateTime(parsing: word) else {
                        return .failure(RuleSyntaxError(offset: start, message: "'\(word)' is not a valid date-time", hint: "write a real local date-time as YYYY-MM-DDTHH:MM, from \(LocalDateTime.range)"))
                    }
                    tokens.append(Token(kind: .dateTime(value), offset: start, length: i - start))
                } else if let number = Double(word), number.isFinite, !word.contains("T"), !word.contains(":") {
                    tokens.append(Token(kind: .number(number), offset: start, length: i - start))
                } else {
                    return .failure(RuleSyntaxError(offset: start, message: "'\(word)' is not a number, a date or a date-time",
                                                    hint: "dates are written YYYY-MM-DD and date-times YYYY-MM-DDTHH:MM"))
                }
            } else if c == "\"" {
                i += 1
                var value = ""
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count {
                        value.append(chars[i + 1])
                        i += 2
                        continue
                    }
                    if chars[i] == "\"" { closed = true; i += 1; break }
                    value.append(chars[i])
                    i += 1
                }
                guard closed else {
                    return .failure(RuleSyntaxError(offset: start, message: "this text is never closed", hint: "end it with a double quote"))
                }
                tokens.append(Token(kind: .string(value), offset: start, length: i - start))
            } else {
                let two = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    tokens.append(Token(kind: .symbol(two), offset: start, length: 2))
                    i += 2
                } else if "<>()[],".contains(c) {
                    tokens.append(Token(kind: .symbol(String(c)), offset: start, length: 1))
                    i += 1
                } else {
                    return .failure(RuleSyntaxError(offset: start, message: "unexpected character '\(c)'", hint: RuleHints.unexpected(c)))
                }
            }
        }
        tokens.append(Token(kind: .end, offset: chars.count, length: 0))
        return .success(tokens)
    }
}
