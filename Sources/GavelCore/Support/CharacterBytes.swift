/// Text handled on its UTF-8 bytes where that gives exactly what handling it a Character at a time
/// gives. An ASCII byte other than a carriage return, with ASCII on both sides of it (or an end of the
/// text), is a Character of its own: a grapheme break falls on each side. Next to any other byte it
/// may not be (a combining mark after it, a prepended mark before it); then the caller goes by
/// Characters.
enum CharacterBytes {
    /// Whether the byte at `i` is a Character of its own, by its neighbours (see above).
    static func standsAlone(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        !(i > 0 && bytes[i - 1] >= 0x80 || i + 1 < bytes.count && bytes[i + 1] >= 0x80)
    }

    /// Appends `bytes` to `out` with each byte that `special` picks written by `replace`; false, with
    /// nothing appended, when a special byte may not be a Character of its own.
    static func replacing(_ bytes: UnsafeBufferPointer<UInt8>, where special: (UInt8) -> Bool, into out: inout [UInt8],
                          by replace: (UInt8, inout [UInt8]) -> Void) -> Bool {
        for i in bytes.indices where special(bytes[i]) && !standsAlone(bytes, at: i) { return false }
        var run = 0
        for i in bytes.indices where special(bytes[i]) {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
            replace(bytes[i], &out)
            run = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        return true
    }
}
