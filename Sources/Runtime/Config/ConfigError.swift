/// A problem in a configuration file (ecspresso.yml, a task or service definition, a template),
/// located as precisely as the file's format allows.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file the problem is in, as the caller named it (or as jsonnet named an imported file).
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// 1-based column counted in Unicode scalars, when known.
    public var column: Int?
    /// What was wrong and, where it helps, what to do about it.
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`, leaving out the parts that are not known.
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return "\(location): \(message)"
    }
}

/// Line and column arithmetic shared by the config readers.
enum TextPosition {
    /// The 1-based line and column (in Unicode scalars) of the scalar at `offset`.
    static func of(offset: Int, in scalars: [Unicode.Scalar]) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for k in 0..<min(offset, scalars.count) {
            if scalars[k] == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    /// The 1-based line and column of the character at `characterOffset` (Yams counts reader
    /// errors in characters).
    static func of(characterOffset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for ch in text.prefix(characterOffset) {
            if ch == "\n" || ch == "\r\n" { line += 1; column = 1 } else { column += ch.unicodeScalars.count }
        }
        return (line, column)
    }
}
