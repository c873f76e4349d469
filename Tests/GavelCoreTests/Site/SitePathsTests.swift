import Testing
@testable import GavelCore

/// A notice's address kept as its slug under its court is the address kept as a string: the same
/// answers, the same count and list, the same fingerprint in any order.
@Suite struct SitePathsTests {
    /// A combining accent among the letters: one that starts a slug joins the "/" before it into one
    /// character, which must not hide the slug from its address.
    static let slugParts = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "-", "0", "1", "2", "3", "é", "\u{301}"]

    static func randomSlug(_ generator: inout some RandomNumberGenerator) -> String {
        (0..<Int.random(in: 1...12, using: &generator)).map { _ in slugParts.randomElement(using: &generator) ?? "a" }.joined()
    }

    @Test func aNoticeKeptAsItsSlugIsItsAddress() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            var asSlugs = SitePaths(), asStrings = SitePaths()
            var notices: [(String, String)] = []
            var others: [String] = ["", "courts/", "courts/c1/", "courts/c1/steps/s/", "feed.xml", "courts/c1/notices/"]
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                notices.append(("c\(Int.random(in: 1...4, using: &generator))", Self.randomSlug(&generator)))
            }
            for _ in 0..<Int.random(in: 0...10, using: &generator) { others.append(Self.randomSlug(&generator) + "/") }
            for (court, slug) in notices {
                asSlugs.insertNotices(court: court, slugs: [slug])
                asStrings.insert("courts/\(court)/notices/\(slug)/")
            }
            for address in others.shuffled(using: &generator) {
                asSlugs.insert(address)
                asStrings.insert(address)
            }
            #expect(asSlugs.count == asStrings.count)
            #expect(Set(asSlugs.all) == Set(asStrings.all) && asSlugs.all.count == asSlugs.count)
            #expect(asSlugs.fingerprint() == asStrings.fingerprint())
            // The fingerprint is the sum of each address's mixed hash, as a set of strings gives it.
            var sum: UInt64 = 0
            for address in Set(others + notices.map { "courts/\($0.0)/notices/\($0.1)/" }) {
                var mixed = ContentHash.of(address) &* 0xFF51_AFD7_ED55_8CCD
                mixed ^= mixed >> 33
                sum = sum &+ mixed
            }
            #expect(asSlugs.fingerprint() == sum)
            // Built again in another order, the fingerprint is the same.
            var reordered = SitePaths()
            for (court, slug) in notices.reversed() { reordered.insertNotices(court: court, slugs: [slug]) }
            for address in others.reversed() { reordered.insert(address) }
            #expect(reordered.fingerprint() == asSlugs.fingerprint())
            var probes = asStrings.all + others
            for (court, slug) in notices {
                probes += ["courts/\(court)/notices/\(slug)", "courts/\(court)/notices/\(slug)/index.html", "courts/\(court)/notices/\(slug)x/",
                           "courts/\(court)x/notices/\(slug)/", "courts//notices/\(slug)/", "/courts/\(court)/notices/\(slug)/"]
            }
            probes += ["courts/c1/notices//", "courts/c1/notices/a/b/", "courts/c1/news/a/"]
            for probe in probes {
                #expect(asSlugs.contains(probe) == asStrings.contains(probe), "\(probe)")
                #expect(asSlugs.contains(probe) == Set(asStrings.all).contains(probe), "\(probe)")
            }
        }
    }

    /// One more address, a notice's or another, changes the fingerprint.
    @Test func anAddressAddedChangesTheFingerprint() {
        var paths = SitePaths(["", "courts/c1/", "feed.xml"])
        paths.insertNotices(court: "c1", slugs: ["a"])
        var more = paths
        more.insertNotices(court: "c1", slugs: ["b"])
        var other = paths
        other.insert("about/")
        #expect(Set([paths.fingerprint(), more.fingerprint(), other.fingerprint()]).count == 3)
        var again = paths
        again.insertNotices(court: "c1", slugs: ["a"])
        #expect(again.fingerprint() == paths.fingerprint() && again.count == paths.count)
        // The same notice given as its address is the same address.
        again.insert("courts/c1/notices/a/")
        #expect(again.fingerprint() == paths.fingerprint() && again.count == paths.count && again.all.count == paths.count)
    }
}
