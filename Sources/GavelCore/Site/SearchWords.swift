import Foundation

/// The words of a search entry, found exactly as `Templates/assets/search.js` finds them, so that the
/// sharded index gives the same results the browser's scan over every entry gave.
///
/// search.js works on UTF-16 code units: `fold` turns each unit into one unit (lower case, accents and
/// curly quotes straightened), and a word is a run of units that are letters or numbers (`\p{L}`,
/// `\p{N}`). A surrogate half is never part of a word. A query term matches where a word of the folded
/// text starts with it.
struct SearchWords {
    /// Folded unit and whether it belongs to a word, for units seen before (a cache of one
    /// tokenizer's, never shared between tasks).
    private var folded: [UInt16: (UInt16, Bool)] = [:]

    /// The folded form of one UTF-16 unit, as search.js's `fold` gives it.
    mutating func fold(_ unit: UInt16) -> (unit: UInt16, isWord: Bool) {
        switch unit {
        case 0x41...0x5A: return (unit + 0x20, true)
        case 0x61...0x7A, 0x30...0x39: return (unit, true)
        case 0...0x7F: return (unit, false)
        case 0xD800...0xDFFF: return (unit, false)
        default: break
        }
        if let known = folded[unit] { return known }
        let result = Self.foldSlow(unit)
        folded[unit] = result
        return result
    }

    private static func foldSlow(_ unit: UInt16) -> (UInt16, Bool) {
        guard let scalar = Unicode.Scalar(unit) else { return (unit, false) }
        let original = String(Character(scalar))
        var f: String
        if unit == 0x2019 || unit == 0x2018 {
            f = "'"
        } else if unit == 0x201C || unit == 0x201D {
            f = "\""
        } else {
            // c.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
            var kept = String.UnicodeScalarView()
            for s in original.decomposedStringWithCanonicalMapping.unicodeScalars where !(0x300...0x36F).contains(s.value) { kept.append(s) }
            f = String(kept).lowercased()
        }
        if f.utf16.count != 1 {
            let lower = original.lowercased()
            f = lower.utf16.count == 1 ? lower : original
        }
        let out = f.utf16.first ?? unit
        return (out, isWordUnit(out))
    }

    /// `/[\p{L}\p{N}]/u` on one unit.
    static func isWordUnit(_ unit: UInt16) -> Bool {
        guard let scalar = Unicode.Scalar(unit) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }
}
