import Foundation

/// The page skeletons a build made (see `SkeletonCache`), kept beside Output
/// (`.Output.gavel-skeletons`) for the next build: a rebuild after one edit renders a notice page or
/// two, each the first of its shape in its process, which Mustache rendered from a template parsed for
/// it (about 20 M of a one-notice rebuild's 673 M instructions at 10,000 notices). Like all of Gavel's state
/// it only saves time: a skeleton is used only by a build with the global fingerprint the file names
/// (the theme's files, the options and this Gavel's identity are in it), and a missing or damaged file
/// is ignored.
enum SkeletonFile {
    static func location(for output: URL) -> URL { BuildState.sibling(of: output, "gavel-skeletons") }

    static func remove(for output: URL) {
        unlink(location(for: output).path)
    }

    // MARK: - File format
    //
    // A header `gavel-skeletons <identity> <checksum> <global>` (see `StateFile`), then a body of
    // records (`StateFile.Records`): the number of skeletons, then for each its template's name, its
    // shape (as a text of bytes), the number of its parts, and each part: a byte (0 text, 1 a value as
    // it is, 2 a value escaped), then the text, or the value's place.

    /// The skeletons in the file, with the global fingerprint they were made under; nil when there is
    /// none or anything in it is off.
    static func load(for output: URL) -> (global: UInt64, skeletons: [SkeletonCache.Kept])? {
        guard let (head, bytes, body) = StateFile.readBody(location(for: output).path, kind: "gavel-skeletons"), head.count == 1,
              let global = BuildCache.hex(ArraySlice(head[0].utf8)) else { return nil }
        let skeletons = bytes.withUnsafeBytes { raw -> [SkeletonCache.Kept]? in
            var reader = StateFile.Records.Reader(raw, from: body)
            // A count is trusted only as far as the bytes left could hold that many (nine bytes a
            // skeleton at least, five a part).
            guard let value = reader.number(), let count = Int(exactly: value), count <= (raw.count - reader.offset) / 9 else { return nil }
            var skeletons: [SkeletonCache.Kept] = []
            skeletons.reserveCapacity(count)
            for _ in 0..<count {
                guard let template = reader.text(), let shape = reader.textBytes().map(Array.init),
                      let partCount = reader.number32().flatMap({ Int(exactly: $0) }), partCount <= (raw.count - reader.offset) / 5 else { return nil }
                var parts: [PageSkeleton.Part] = []
                parts.reserveCapacity(partCount)
                for _ in 0..<partCount {
                    guard let tag = reader.byte() else { return nil }
                    switch tag {
                    case 0:
                        guard let text = reader.textBytes() else { return nil }
                        parts.append(.text(Array(text)))
                    case 1, 2:
                        guard let place = reader.number().flatMap({ Int(exactly: $0) }) else { return nil }
                        parts.append(.value(place, escaped: tag == 2))
                    default:
                        return nil
                    }
                }
                skeletons.append(SkeletonCache.Kept(template: template, shape: shape, skeleton: PageSkeleton(parts: parts)))
            }
            return reader.atEnd ? skeletons : nil
        }
        return skeletons.map { (global, $0) }
    }

    /// The file for `skeletons`, made under `global`, written beside its place.
    static func file(for output: URL, global: UInt64, _ skeletons: [SkeletonCache.Kept]) throws(FileIO.Failure) -> FileIO.Replacement {
        var out = StateFile.Writer(location(for: output).path, kind: "gavel-skeletons", head: [String(global, radix: 16)])
        // A skeleton of more parts than a count holds is left out (a text of 4 GiB or more is written
        // so that the file does not read: see `Records`).
        let written = skeletons.filter { UInt32(exactly: $0.skeleton.parts.count) != nil }
        StateFile.Records.append(UInt64(written.count), to: &out.bytes)
        out.endRecord()
        for kept in written {
            StateFile.Records.append(text: kept.template, to: &out.bytes)
            StateFile.Records.append(bytes: kept.shape, to: &out.bytes)
            StateFile.Records.append32(UInt32(truncatingIfNeeded: kept.skeleton.parts.count), to: &out.bytes)
            for part in kept.skeleton.parts {
                switch part {
                case let .text(text):
                    out.bytes.append(0)
                    StateFile.Records.append(bytes: text, to: &out.bytes)
                case let .value(place, escaped):
                    out.bytes.append(escaped ? 2 : 1)
                    StateFile.Records.append(UInt64(clamping: place), to: &out.bytes)
                }
            }
            out.endRecord()
        }
        return try out.finish()
    }
}
