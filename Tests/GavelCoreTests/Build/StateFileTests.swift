import Testing
@testable import GavelCore

@Suite struct StateFileTests {
    /// State lines are cut into cells with memchr; the cells, positions included, must be exactly what
    /// the standard library's split gives, empty cells kept, on slices that do not start at zero.
    @Test func cellsAreWhatSplitGives() {
        let lines = ["", "\t", "\t\t", "a", "a\t", "\ta", "a\tb", "a\t\tb", "\t\ta\t\t", "path/x.html\t1f\t2e\t\t0\t9", "é\tü\u{1F}x"]
        for text in lines {
            // Inside a larger buffer, as a line of a file is.
            let bytes = Array("XX\n".utf8) + Array(text.utf8) + Array("\nYY".utf8)
            let line = bytes[3..<(3 + text.utf8.count)]
            for separator in [UInt8(0x09), 0x1F] {
                let want = line.split(separator: separator, omittingEmptySubsequences: false)
                let got = StateFile.cells(line, separator: separator)
                #expect(got.map(\.startIndex) == want.map(\.startIndex), "\(text.debugDescription)")
                #expect(got.map(\.endIndex) == want.map(\.endIndex), "\(text.debugDescription)")
            }
        }
    }

    /// A notice's group is its court's folder, read from its path as bytes.
    @Test func aNoticesGroupIsItsCourtsFolder() {
        let cases = ["courts/wiwb/notices/a.md": "wiwb", "courts//notices/a.md": "", "courts/wiwb": "", "courts/": "",
                     "pages/courts/x/y.md": "", "court/wiwb/x.md": "", "courts/é-ü/notices/a.md": "é-ü", "": ""]
        for (path, group) in cases {
            #expect(NoticeIndex.group(of: path) == group, "\(path)")
            let parts = path.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
            #expect(group == (parts.count == 3 && parts[0] == "courts" ? String(parts[1]) : ""), "the rule it replaced, for \(path)")
        }
    }
}
