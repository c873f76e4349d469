extension String {
    /// The parts one after another, made in one allocation. `a + "/" + b` makes a string per `+`
    /// and grows it as it goes, about 700 instructions an append; a rebuild at 10,000 notices joins
    /// paths and addresses some 200,000 times. The bytes are the same either way.
    static func concatenating(_ parts: String...) -> String { concatenating(parts) }

    /// The same, from a list.
    static func concatenating(_ parts: [String]) -> String {
        var count = 0
        for part in parts { count += part.utf8.count }
        return String(unsafeUninitializedCapacity: count) { out in
            guard let base = out.baseAddress else { return 0 }
            var at = 0
            for var part in parts {
                part.withUTF8 { bytes in
                    let room = Swift.min(bytes.count, count - at)
                    if let start = bytes.baseAddress { (base + at).update(from: start, count: room) }
                    at += room
                }
            }
            return at
        }
    }

    /// `folder` and `name` joined by a slash, as `concatenating` makes strings.
    static func path(_ folder: String, _ name: String) -> String { concatenating(folder, "/", name) }
}
