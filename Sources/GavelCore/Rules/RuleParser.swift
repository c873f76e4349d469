/// Parses rule text into a `RuleExpr` with the usual precedence: `or` < `and` < `not` < comparison.
public struct RuleParser {
    var tokens: [RuleLexer.Token]
    var position = 0
    /// Deeply nested input must give an error, not exhaust the stack.
    var depth = 0
    static let maxDepth = 64

    public static func parse(_ text: String) -> Result<RuleExpr, RuleSyntaxError> {
        switch RuleLexer.tokens(text) {
        case let .failure(error): return .failure(error)
        case let .success(tokens):
            var parser = RuleParser(tokens: tokens)
            do {
                if case .end = parser.current.kind {
                    throw RuleSyntaxError(offset: 0, message: "the rule is empty", hint: "write an expression such as 'pacer.upgraded', or remove the field")
                }
                let expr = try parser.parseOr()
                guard case .end = parser.current.kind else {
                    throw parser.unexpected("'and', 'or' or the end of the rule")
                }
                return .success(expr)
            } catch let error as RuleSyntaxError {
                return .failure(error)
            } catch {
                return .failure(RuleSyntaxError(offset: 0, message: "\(error)"))
            }
        }
    }

    var current: RuleLexer.Token { tokens[min(position, tokens.count - 1)] }

    func isKeyword(_ word: String) -> Bool {
        if case let .name(n) = current.kind { return n == word }
        return false
    }

    func isSymbol(_ s: String) -> Bool {
        if case let .symbol(x) = current.kind { return x == s }
        return false
    }

    func unexpected(_ expected: String) -> RuleSyntaxError {
        let found: String
        switch current.kind {
        case .end: found = "the end of the rule"
        case let .name(n): found = "'\(n)'"
        case let .symbol(s): found = "'\(s)'"
        case let .string(s): found = "\"\(s)\""
        case let .number(n): found = "\(n)"
        case let .date(d): found = "\(d)"
        case let .dateTime(d): found = "\(d)"
        case let .instant(i): found = "\(i)"
        }
        return RuleSyntaxError(offset: current.offset, message: "expected \(expected), found \(found)")
    }

    mutating func parseOr() throws -> RuleExpr {
        let start = current.offset
        var items = [try parseAnd()]
        while isKeyword("or") {
            position += 1
            items.append(try parseAnd())
        }
        return items.count == 1 ? items[0] : .or(items, offset: start)
    }

    mutating func parseAnd() throws -> RuleExpr {
        let start = current.offset
        var items = [try parseNot()]
        while isKeyword("and") {
            position += 1
            items.append(try parseNot())
        }
        return items.count == 1 ? items[0] : .and(items, offset: start)
    }

    mutating func parseNot() throws -> RuleExpr {
        if isKeyword("not") {
            let start = current.offset
            position += 1
            depth += 1
            defer { depth -= 1 }
            guard depth < Self.maxDepth else { throw RuleSyntaxError(offset: start, message: "the rule is nested too deeply") }
            return .not(try parseNot(), offset: start)
        }
        return try parseComparison()
    }

    mutating func parseComparison() throws -> RuleExpr {
        let left = try parsePrimary()
        if case let .symbol(s) = current.kind, let op = ComparisonOperator(rawValue: s) {
            position += 1
            let right = try parsePrimary()
            return .compare(op, left, right, offset: left.offset)
        }
        if isKeyword("in") {
            position += 1
            return .membership(left, try parseList(), negated: false, offset: left.offset)
        }
        if isKeyword("not"), position + 1 < tokens.count, case .name("in") = tokens[position + 1].kind {
            position += 2
            return .membership(left, try parseList(), negated: true, offset: left.offset)
        }
        if isKeyword("is") {
            position += 1
            var negated = false
            if isKeyword("not") { negated = true; position += 1 }
            guard isKeyword("answered") else { throw unexpected("'answered' after 'is'") }
            position += 1
            return .answered(left, negated: negated, offset: left.offset)
        }
        return left
    }

    /// True at the end of the rule: a bracket still open there is reported where it opens, which
    /// is where the fix goes (the end may be lines later in a multi-line rule).
    var atEnd: Bool {
        if case .end = current.kind { return true }
        return false
    }

    mutating func parseList() throws -> [(RuleValue, Int)] {
        guard isSymbol("[") else { throw unexpected("'[' to start a list") }
        let opening = current.offset
        position += 1
        var values: [(RuleValue, Int)] = []
        if isSymbol("]") { throw RuleSyntaxError(offset: current.offset, message: "the list is empty") }
        while true {
            let offset = current.offset
            guard let value = literal() else { throw unexpected("a value (text, number, date or true/false)") }
            position += 1
            values.append((value, offset))
            if isSymbol(",") { position += 1; continue }
            if isSymbol("]") { position += 1; break }
            if atEnd { throw RuleSyntaxError(offset: opening, message: "this '[' is never closed", hint: "end the list with ']'") }
            throw unexpected("',' or ']'")
        }
        return values
    }

    func literal() -> RuleValue? {
        switch current.kind {
        case let .number(n): return .number(n)
        case let .string(s): return .string(s)
        case let .date(d): return .date(d)
        case let .dateTime(d): return .localDateTime(d)
        case let .instant(i): return .instant(i)
        case .name("true"): return .bool(true)
        case .name("false"): return .bool(false)
        default: return nil
        }
    }

    static let keywords: Set<String> = ["and", "or", "not", "in", "is", "answered"]

    mutating func parsePrimary() throws -> RuleExpr {
        let token = current
        if let value = literal() {
            position += 1
            return .literal(value, offset: token.offset)
        }
        switch token.kind {
        case .name("date") where position + 1 < tokens.count && tokens[position + 1].kind == .symbol("("):
            position += 2
            depth += 1
            defer { depth -= 1 }
            guard depth < Self.maxDepth else { throw RuleSyntaxError(offset: token.offset, message: "the rule is nested too deeply") }
            let inner = try parseOr()
            guard isSymbol(")") else { throw unexpected("')' to close 'date('") }
            position += 1
            return .dateOf(inner, offset: token.offset)
        case let .name(n) where !Self.keywords.contains(n):
            position += 1
            return .name(n, offset: token.offset)
        case .symbol("("):
            position += 1
            depth += 1
            defer { depth -= 1 }
            guard depth < Self.maxDepth else { throw RuleSyntaxError(offset: token.offset, message: "the rule is nested too deeply") }
            let inner = try parseOr()
            guard isSymbol(")") else {
                if atEnd { throw RuleSyntaxError(offset: token.offset, message: "this '(' is never closed", hint: "add ')' where the group ends") }
                throw unexpected("')' to close the '('")
            }
            position += 1
            return inner
        default:
            throw unexpected("a fact, a value or '('")
        }
    }
}
