import Lang

/// An `--envfile`, read as ecspresso reads it (hashicorp/go-envparse): `KEY=VALUE` lines,
/// an optional `export ` before the key, `#` comments, values bare, 'single quoted'
/// (literal) or "double quoted" (with `\n`, `\t`, `\"`, `\\`, `\$` escapes).
public enum EnvFile {
    /// The file's variables, in order (a later line wins).
    public static func load(path: String, files: any ScriptHost = SystemHost()) throws -> [(String, String)] {
        try parse(try DefinitionFile.readText(path, files: files), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> [(String, String)] {
        var out: [(String, String)] = []
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = n + 1
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop { $0 == " " || $0 == "\t" } }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigError(file: file, line: lineNumber, column: 1, message: "expected KEY=VALUE, got '\(line)'")
            }
            let key = line[..<eq].trimmingSpaces
            guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
                  key.unicodeScalars.allSatisfy({ $0 == "_" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }) else {
                throw ConfigError(file: file, line: lineNumber, column: 1, message: "invalid variable name '\(key)'")
            }
            var value = line[line.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
            let column = line.distance(from: line.startIndex, to: value.startIndex) + 1
            var result = ""
            if value.hasPrefix("'") {
                value = value.dropFirst()
                guard let close = value.firstIndex(of: "'") else {
                    throw ConfigError(file: file, line: lineNumber, column: column, message: "unterminated single-quoted value")
                }
                result = String(value[..<close])
                try checkRest(value[value.index(after: close)...], file: file, line: lineNumber, column: column)
            } else if value.hasPrefix("\"") {
                value = value.dropFirst()
                var closed = false
                var i = value.startIndex
                while i < value.endIndex {
                    let c = value[i]
                    if c == "\"" { closed = true; break }
                    if c == "\\", value.index(after: i) < value.endIndex {
                        i = value.index(after: i)
                        switch value[i] {
                        case "n": result += "\n"
                        case "t": result += "\t"
                        case "r": result += "\r"
                        case "\\", "\"", "$", "`": result.append(value[i])
                        default: result += "\\" + String(value[i])
                        }
                    } else {
                        result.append(c)
                    }
                    i = value.index(after: i)
                }
                guard closed else {
                    throw ConfigError(file: file, line: lineNumber, column: column, message: "unterminated double-quoted value")
                }
                try checkRest(value[value.index(after: i)...], file: file, line: lineNumber, column: column)
            } else {
                // A bare value ends at a comment (` #`) and loses trailing spaces.
                var bare = value
                if let hash = bare.range(of: " #") ?? bare.range(of: "\t#") { bare = bare[..<hash.lowerBound] }
                result = String(bare.trimmingSpaces)
            }
            out.append((String(key), result))
        }
        return out
    }

    private static func checkRest(_ rest: Substring, file: String, line: Int, column: Int) throws {
        let trimmed = rest.trimmingSpaces
        if !trimmed.isEmpty, !trimmed.hasPrefix("#") {
            throw ConfigError(file: file, line: line, column: column, message: "unexpected text after the quoted value: '\(trimmed)'")
        }
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
