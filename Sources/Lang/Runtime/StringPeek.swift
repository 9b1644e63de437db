/// Finds the String inside a string value's box, for appending in place (`s += t`, string
/// interpolation). A string's payload is boxed (`indirect`), and the box itself is
/// immutable to Swift: without this, every append takes the String out of its box and
/// boxes the result again, a heap allocation and a free per append.
///
/// It relies on the layout of an indirect case: a payload word pointing at a heap object
/// whose String follows the object's header. The layout is checked once against known
/// values, and any difference makes `stringTag` nil, which sends every caller down its
/// general path.
enum StringPeek {
    private static let tagOffset = MemoryLayout<Value>.size - 1
    /// A heap object's header: its metadata pointer and its reference counts.
    private static let headerSize = 2 * MemoryLayout<UInt>.size

    /// The tag byte of `.string`, or nil when the layout is not the one expected.
    static let stringTag: UInt8? = {
        // A payload of one word can only be a pointer to the box: a String is two words.
        guard MemoryLayout<Value>.size == MemoryLayout<UInt>.size + 1,
              MemoryLayout<String>.size == 2 * MemoryLayout<UInt>.size else { return nil }
        let text = String(repeating: "layout probe ", count: 4)
        var v: Value = .string(text)
        let (word, tag) = withUnsafeBytes(of: &v) { raw in (raw.load(as: UInt.self), raw[tagOffset]) }
        guard let box = UnsafeRawPointer(bitPattern: word) else { return nil }
        var expected = text
        let same = withUnsafeBytes(of: &expected) { e in
            (0..<e.count).allSatisfy { box.load(fromByteOffset: headerSize + $0, as: UInt8.self) == e[$0] }
        }
        guard same else { return nil }
        // Every other kind must have another tag (or the check could mistake it).
        let others: [Value] = [.nil, .bool(true), .int(1), .float(1), .duration(1), .list([]), .map(MapStorage()),
                               .range(RangeValue(lower: 0, upper: 1, closed: false)),
                               .record(Record(typeName: "R", fields: [:])), .cell(Cell(nil))]
        for var o in others where withUnsafeBytes(of: &o, { $0[tagOffset] }) == tag { return nil }
        return tag
    }()

    /// The String in the value at `p`, when it is a string whose box nothing else holds;
    /// `tag` is `stringTag`. Changing it changes the value and nothing else.
    @inline(__always) static func uniqueString(_ p: UnsafeMutablePointer<Value>, tag: UInt8?) -> UnsafeMutablePointer<String>? {
        guard let tag else { return nil }
        let raw = UnsafeMutableRawPointer(p)
        guard raw.load(fromByteOffset: tagOffset, as: UInt8.self) == tag else { return nil }
        // The payload word read in place as the box's reference: checking it retains nothing.
        let unique = raw.withMemoryRebound(to: AnyObject.self, capacity: 1) { isKnownUniquelyReferenced(&$0.pointee) }
        guard unique, let box = raw.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return (box + headerSize).assumingMemoryBound(to: String.self)
    }
}
