/// Where each value of a JSON document is, by path (`containerDefinitions[1].name`), so that
/// errors found after decoding can still point at a line and column.
///
/// An object member's location is that of its key; a list element's, that of its first
/// character; the whole document's path is "".
struct JSONLocation {
    private var positions: [String: (line: Int, column: Int)] = [:]

    /// Maps every path of `text`, which must already have decoded without error; a document
    /// this reader does not follow just yields fewer locations.
    init(text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.skipSpace()
        scanner.value(path: "", depth: 0)
        positions = scanner.positions
    }

    /// The location of `path`, or of its nearest ancestor that has one.
    func position(of path: String) -> (line: Int, column: Int)? {
        var p = Substring(path)
        while true {
            if let found = positions[String(p)] { return found }
            if p.isEmpty { return nil }
            if let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) { p = p[..<cut] } else { p = "" }
        }
    }

    /// `parent.key`, or `key` at the top.
    static func member(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : parent + "." + key }

    /// `parent[index]`, 0-based as in the JSON document.
    static func element(_ parent: String, _ index: Int) -> String { parent + "[\(index)]" }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        var line = 1
        var column = 1
        var positions: [String: (line: Int, column: Int)] = [:]

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func advance() {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { advance() }
        }

        mutating func mark(_ path: String) {
            if positions[path] == nil { positions[path] = (line, column) }
        }

        mutating func value(path: String, depth: Int) {
            guard i < bytes.count, depth < 512 else { return }
            mark(path)
            switch bytes[i] {
            case UInt8(ascii: "{"):
                advance()
                while true {
                    skipSpace()
                    guard i < bytes.count else { return }
                    if bytes[i] == UInt8(ascii: "}") { advance(); return }
                    if bytes[i] == UInt8(ascii: ",") { advance(); continue }
                    guard bytes[i] == UInt8(ascii: "\"") else { return }
                    let keyLine = line, keyColumn = column
                    guard let key = string() else { return }
                    let memberPath = JSONLocation.member(path, key)
                    if positions[memberPath] == nil { positions[memberPath] = (keyLine, keyColumn) }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return }
                    advance()
                    skipSpace()
                    value(path: memberPath, depth: depth + 1)
                }
            case UInt8(ascii: "["):
                advance()
                var index = 0
                while true {
                    skipSpace()
                    guard i < bytes.count else { return }
                    if bytes[i] == UInt8(ascii: "]") { advance(); return }
                    if bytes[i] == UInt8(ascii: ",") { advance(); index += 1; continue }
                    let before = i
                    value(path: JSONLocation.element(path, index), depth: depth + 1)
                    if i == before { return }
                }
            case UInt8(ascii: "\""):
                _ = string()
            default:
                while i < bytes.count, !",]} \n\r\t".utf8.contains(bytes[i]) { advance() }
            }
        }

        /// The decoded text of the string at `i` (escapes other than \" and \\ are kept as
        /// written: keys that need them are not paths anyone names).
        mutating func string() -> String? {
            advance()
            var out: [UInt8] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: "\"") { advance(); return String(decoding: out, as: UTF8.self) }
                if c == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    advance()
                    let e = bytes[i]
                    if e == UInt8(ascii: "\"") || e == UInt8(ascii: "\\") { out.append(e) } else { out += [c, e] }
                    advance()
                    continue
                }
                out.append(c)
                advance()
            }
            return nil
        }
    }
}
