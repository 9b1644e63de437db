/// What the VM's reads of a `Value` through its memory layout rely on: the tag byte after
/// the payload word. Each peek checks its own kind's layout once, against known values,
/// and answers nil (its callers' general path) if it differs.
enum ValueLayout {
    static let tagOffset = MemoryLayout<Value>.size - 1

    /// The tag byte of `v`; a `Value?` has its `Value`'s layout, and `nil` a tag of its own.
    static func tag(of v: Value?) -> UInt8 {
        var v = v
        return withUnsafeBytes(of: &v) { $0[tagOffset] }
    }

    /// True when no value of another kind than those `isOwnKind` accepts, nor a missing
    /// one, has `tag` (or a peek could mistake it for its own kind).
    static func tagIsOnly(_ tag: UInt8, _ isOwnKind: (Value) -> Bool) -> Bool {
        Self.tag(of: nil) != tag && samples.allSatisfy { v in isOwnKind(v) || Self.tag(of: v) != tag }
    }

    /// A value of every kind, made once for the peeks' checks at start-up.
    static let samples: [Value] = [
        .nil, .bool(true), .int(1), .float(1), .duration(1), .string("s"), .list([]), .map(MapStorage()),
        .range(RangeValue(lower: 0, upper: 1, closed: false)), .function(FunctionPeek.probeClosure()),
        .builtin(Builtin("probe", doc: "", body: { _, _ in .nil })), .record(Record(typeName: "R", fields: [:])),
        .cell(Cell(nil)),
    ]
}

/// Tells a value that holds no reference by its tag byte alone, in place, for the VM's
/// register writes and frame pops. `Value.isTrivial` is the definition; compiled, it tests
/// the tag twice and, for `nil` (whose tag the spare bit patterns of optionals share), the
/// payload too.
enum TrivialPeek {
    /// Bit `t` set for the tags of Bool, Int, Float and Duration (the first four payload
    /// cases, numbered in declaration order) and of nil (the only case without a payload,
    /// numbered after the twelve that have one).
    static let mask: UInt32 = 0b1_0000_0000_1111

    /// Whether `mask` tells exactly the values `isTrivial` accepts, with this compiler's layout.
    static let matchesLayout: Bool = ValueLayout.samples.allSatisfy { v in
        var v = v
        return withUnsafeMutablePointer(to: &v) { isTrivial($0) } == v.isTrivial
    }

    @inline(__always) static func isTrivial(_ p: UnsafeMutablePointer<Value>) -> Bool {
        let tag = UnsafeRawPointer(p).load(fromByteOffset: ValueLayout.tagOffset, as: UInt8.self)
        return (mask >> UInt32(tag & 31)) & 1 != 0
    }
}

/// Reads the function out of a `Value?` in place, without a retain, for the VM's calls of
/// module-level functions.
enum FunctionPeek {
    /// The tag byte of `.function`, or nil when the layout is not the one expected.
    static let functionTag: UInt8? = {
        let c = probeClosure()
        var v: Value? = .function(c)
        let word = withUnsafeBytes(of: &v) { $0.load(as: UInt.self) }
        guard word == UInt(bitPattern: Unmanaged.passUnretained(c).toOpaque()) else { return nil }
        let tag = ValueLayout.tag(of: v)
        return ValueLayout.tagIsOnly(tag, { if case .function = $0 { true } else { false } }) ? tag : nil
    }()

    static func probeClosure() -> Closure {
        let file = SourceFile(name: "<probe>", text: "")
        let r = SourceRange(file: file, start: 0, end: 0)
        let proto = FunctionProto(name: "probe", parameterNames: [], defaults: [], frameSize: 1, body: EmptyStmt(r),
                                  expressionBody: nil, boxedParameters: [], captureSlots: [], range: r, file: file)
        return Closure(proto: proto, captures: [])
    }

    /// The closure in `p`, when it holds one; `tag` is `functionTag`.
    @inline(__always) static func closure(_ p: UnsafeMutablePointer<Value?>, tag: UInt8?) -> Unmanaged<Closure>? {
        guard let tag else { return nil }
        let raw = UnsafeRawPointer(p)
        guard raw.load(fromByteOffset: ValueLayout.tagOffset, as: UInt8.self) == tag,
              let object = raw.load(as: UnsafeRawPointer?.self) else { return nil }
        return Unmanaged.fromOpaque(object)
    }
}

/// Finds the String inside a string value's box, for appending in place (`s += t`, string
/// interpolation). A string's payload is boxed (`indirect`), and the box itself is
/// immutable to Swift: without this, every append takes the String out of its box and
/// boxes the result again, a heap allocation and a free per append. It relies on the
/// layout of an indirect case: a payload word pointing at a heap object whose String
/// follows the object's header.
enum StringPeek {
    /// A heap object's header: its metadata pointer and its reference counts.
    private static let headerSize = 2 * MemoryLayout<UInt>.size

    /// The tag byte of `.string`, or nil when the layout is not the one expected.
    static let stringTag: UInt8? = {
        // A payload of one word can only be a pointer to the box: a String is two words.
        guard MemoryLayout<Value>.size == MemoryLayout<UInt>.size + 1,
              MemoryLayout<String>.size == 2 * MemoryLayout<UInt>.size else { return nil }
        let text = String(repeating: "layout probe ", count: 4)
        var v: Value = .string(text)
        let word = withUnsafeBytes(of: &v) { $0.load(as: UInt.self) }
        guard let box = UnsafeRawPointer(bitPattern: word) else { return nil }
        var expected = text
        let same = withUnsafeBytes(of: &expected) { e in
            (0..<e.count).allSatisfy { box.load(fromByteOffset: headerSize + $0, as: UInt8.self) == e[$0] }
        }
        let tag = ValueLayout.tag(of: v)
        return same && ValueLayout.tagIsOnly(tag, { if case .string = $0 { true } else { false } }) ? tag : nil
    }()

    /// The String in the value at `p`, when it is a string whose box nothing else holds;
    /// `tag` is `stringTag`. Changing it changes the value and nothing else.
    @inline(__always) static func uniqueString(_ p: UnsafeMutablePointer<Value>, tag: UInt8?) -> UnsafeMutablePointer<String>? {
        guard let tag else { return nil }
        let raw = UnsafeMutableRawPointer(p)
        guard raw.load(fromByteOffset: ValueLayout.tagOffset, as: UInt8.self) == tag else { return nil }
        // The payload word read in place as the box's reference: checking it retains nothing.
        let unique = raw.withMemoryRebound(to: AnyObject.self, capacity: 1) { isKnownUniquelyReferenced(&$0.pointee) }
        guard unique, let box = raw.load(as: UnsafeMutableRawPointer?.self) else { return nil }
        return (box + headerSize).assumingMemoryBound(to: String.self)
    }
}
