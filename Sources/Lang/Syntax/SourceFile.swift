import Synchronization

/// One script's text with a line table, so byte offsets turn into line and column.
public final class SourceFile: Sendable {
    /// The name shown in diagnostics: the path as the user gave it, `<stdin>`, `-e` or `<repl>`.
    public let name: String
    /// The raw UTF-8 bytes of the file.
    public let bytes: [UInt8]
    let lineStarts: [Int]
    /// Index in `SourceRegistry`, so ranges can name their file without holding a reference.
    let id: Int

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        self.lineStarts = starts
        self.id = SourceRegistry.nextID()
        SourceRegistry.add(self)
    }

    deinit { SourceRegistry.remove(id) }

    public convenience init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// 1-based line and column of a byte offset; the column counts characters, not bytes.
    public func location(of offset: Int) -> SourceLocation {
        let offset = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        var column = 1
        var i = lineStarts[lo]
        while i < offset {
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        // A continuation byte at `offset` itself belongs to the previous character.
        return SourceLocation(line: lo + 1, column: column)
    }

    /// The text of a 1-based line without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// Byte offset where a 1-based line starts.
    func lineStart(_ line: Int) -> Int { lineStarts[max(0, min(line - 1, lineStarts.count - 1))] }
}

/// A 1-based line and column.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public var description: String { "\(line):\(column)" }
}

/// The source files alive in this process, by id, so a `SourceRange` can be plain data:
/// the interpreter copies ranges on hot paths, and a class reference there would cost a
/// retain and release each time. The registry holds files weakly: what compiled code,
/// diagnostics and the REPL keep of a file keeps it, and a language server that parses a
/// document on every keystroke gets each version's memory back.
enum SourceRegistry {
    private final class Entry: @unchecked Sendable {
        weak var file: SourceFile?
        init(_ f: SourceFile) { file = f }
    }
    private static let files = Mutex<[Int: Entry]>([:])
    private static let counter = Atomic<Int>(0)

    /// What a range of a file no longer alive reads from: nothing, under a name that says so.
    static let released = SourceFile(name: "<released>", bytes: [])

    static func nextID() -> Int { counter.add(1, ordering: .relaxed).newValue - 1 }

    static func add(_ f: SourceFile) { files.withLock { $0[f.id] = Entry(f) } }

    static func remove(_ id: Int) { files.withLock { _ = $0.removeValue(forKey: id) } }

    static func file(_ id: Int) -> SourceFile { files.withLock { $0[id]?.file } ?? released }

    /// How many files are alive (for tests of the memory a long session keeps).
    static var count: Int { files.withLock { $0.count } }

    /// The names of the files alive, for tests. The files are released outside the lock:
    /// the last release of one removes it from the registry, which takes the lock.
    static var liveNames: [String] {
        let live = files.withLock { $0.values.compactMap(\.file) }
        return live.map(\.name)
    }
}

/// A span of bytes in a source file.
public struct SourceRange: Sendable, Equatable {
    let fileID: Int
    public let start: Int
    public let end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.fileID = file.id
        self.start = start
        self.end = max(start, end)
    }

    private init(fileID: Int, start: Int, end: Int) {
        self.fileID = fileID
        self.start = start
        self.end = end
    }

    public var file: SourceFile { SourceRegistry.file(fileID) }

    public var location: SourceLocation { file.location(of: start) }

    /// `file:line:column`.
    public var description: String { "\(file.name):\(location)" }

    /// The smallest range that covers both.
    public func to(_ other: SourceRange) -> SourceRange {
        SourceRange(fileID: fileID, start: min(start, other.start), end: max(end, other.end))
    }
}
