import Foundation

/// Which addresses a court may publish in `learn_more`, `navigation` and `base_url`: links that open
/// a page, a mail or a phone call, never ones that run code (`javascript:`) or carry a document
/// inline (`data:`), which a page's visitors would follow trusting the court.
enum LinkSafety {
    static let linkSchemes: Set<String> = ["http", "https", "mailto", "tel"]

    /// The scheme as a browser reads it (lowercased; leading spaces and control characters, and tabs
    /// and line breaks anywhere, ignored), or nil for a relative address.
    static func scheme(_ url: String) -> String? {
        var letters = ""
        var started = false
        for c in url.unicodeScalars {
            if !started && (c.value <= 0x20) { continue }
            if c == "\t" || c == "\n" || c == "\r" { continue }
            started = true
            if c == ":" { return letters.isEmpty ? nil : letters.lowercased() }
            guard c.isASCII, (c.properties.isAlphabetic || (!letters.isEmpty && ("0"..."9" ~= c || c == "+" || c == "-" || c == "."))) else {
                return nil
            }
            letters.unicodeScalars.append(c)
        }
        return nil
    }

    /// Reports a link that is empty or has a scheme other than http, https, mailto or tel.
    static func check(_ url: Located<String>, what: String, bag: inout DiagnosticBag) {
        if url.value.trimmingCharacters(in: .whitespaces).isEmpty {
            bag.error(url.location, "\(what) has an empty address", hint: "write the page's address, such as https://pacer.uscourts.gov/ or /about/")
        } else if let scheme = scheme(url.value), !linkSchemes.contains(scheme) {
            bag.error(url.location, "\(what) uses the address scheme '\(scheme):', which a site must not publish",
                      hint: "use an https:, http:, mailto: or tel: address, or a site path such as /about/")
        }
    }

    /// `base_url` is where the site is published: an http or https address, or a path.
    static func checkBase(_ url: Located<String>, bag: inout DiagnosticBag) {
        guard let scheme = scheme(url.value) else {
            if !url.value.hasPrefix("/") {
                bag.error(url.location, "base_url '\(url.value)' is neither an address nor a path", hint: "write https://nextgen.example.gov/ or /")
            }
            return
        }
        if scheme != "http" && scheme != "https" {
            bag.error(url.location, "base_url uses the address scheme '\(scheme):'", hint: "the site is published at an https: (or http:) address")
        }
    }
}
