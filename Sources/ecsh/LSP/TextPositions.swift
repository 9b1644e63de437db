/// Byte offsets of a UTF-8 text against the Language Server Protocol's positions: a
/// 0-based line and a character counted in UTF-16 code units.
struct TextPositions {
    private let bytes: [UInt8]
    private let lineStarts: [Int]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The byte offset of a position; past the end of a line, the line's end.
    func offset(line: Int, character: Int) -> Int {
        guard line >= 0 else { return 0 }
        guard line < lineStarts.count else { return bytes.count }
        var i = lineStarts[line]
        var units = 0
        while i < bytes.count, bytes[i] != 0x0A, units < character {
            let (length, width) = Self.scalar(at: i, bytes)
            units += width
            i += length
        }
        return i
    }

    /// The position of a byte offset.
    func position(of offset: Int) -> (line: Int, character: Int) {
        let offset = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        var i = lineStarts[lo]
        var units = 0
        while i < offset {
            let (length, width) = Self.scalar(at: i, bytes)
            units += width
            i += length
        }
        return (lo, units)
    }

    /// The byte length of the UTF-8 sequence at `i` and its width in UTF-16 units.
    private static func scalar(at i: Int, _ b: [UInt8]) -> (Int, Int) {
        let lead = b[i]
        if lead < 0x80 { return (1, 1) }
        if lead >= 0xF0 { return (min(4, b.count - i), 2) }
        if lead >= 0xE0 { return (min(3, b.count - i), 1) }
        if lead >= 0xC0 { return (min(2, b.count - i), 1) }
        return (1, 1)
    }
}
