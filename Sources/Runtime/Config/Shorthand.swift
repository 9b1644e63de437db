import Lang
import OrderedCollections

/// The AWS CLI's shorthand syntax, the part of it `--network-configuration` needs:
/// `awsvpcConfiguration={subnets=[a,b],securityGroups=[c],assignPublicIp=ENABLED}`.
///
/// `key=value` pairs separated by commas; a value is a word, `[w1,w2]` or `{k=v,...}`.
/// Every value is a String (the shape it is decoded into says what it must be). It is
/// strict where the AWS CLI guesses: no quoting, no bare words where a pair belongs.
public enum Shorthand {
    public static func parse(_ text: String) throws -> Value {
        var p = Parser(Array(text.unicodeScalars), text: text)
        let pairs = try p.pairs(until: nil)
        return .map(pairs)
    }

    struct Parser {
        let chars: [Unicode.Scalar]
        let text: String
        var i = 0

        init(_ chars: [Unicode.Scalar], text: String) {
            self.chars = chars
            self.text = text
        }

        static let special: Set<Unicode.Scalar> = [",", "=", "[", "]", "{", "}"]

        var current: Unicode.Scalar? { i < chars.count ? chars[i] : nil }

        func error(_ message: String) -> ShorthandError {
            ShorthandError(message: message, offset: i, text: text)
        }

        mutating func skipSpaces() {
            while let c = current, c == " " { i += 1 }
        }

        mutating func word(_ what: String) throws -> String {
            skipSpaces()
            var out = ""
            while let c = current, !Self.special.contains(c) {
                out.unicodeScalars.append(c)
                i += 1
            }
            let w = out.trimmingSpaces
            if w.isEmpty {
                let found = current.map { "'\($0)'" } ?? "the end"
                throw error("expected \(what), found \(found)")
            }
            return w
        }

        mutating func expect(_ c: Unicode.Scalar, after: String) throws {
            skipSpaces()
            guard current == c else {
                let found = current.map { "'\($0)'" } ?? "the end"
                throw error("expected '\(c)' \(after), found \(found)")
            }
            i += 1
        }

        /// `k=v,k=v` up to `close` (or the end of the text).
        mutating func pairs(until close: Unicode.Scalar?) throws -> OrderedDictionary<String, Value> {
            var out = OrderedDictionary<String, Value>()
            while true {
                let key = try word("a key")
                if key.unicodeScalars.contains(where: { !($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }) {
                    throw error("'\(key)' is not a key: keys are letters, digits, _ and -")
                }
                try expect("=", after: "after '\(key)'")
                if out[key] != nil { throw error("'\(key)' is given twice") }
                out[key] = try value(key)
                skipSpaces()
                if current == "," { i += 1; continue }
                if current == close { if close != nil { i += 1 }; return out }
                let expected = close.map { "',' or '\($0)'" } ?? "',' or the end"
                let found = current.map { "'\($0)'" } ?? "the end"
                throw error("expected \(expected) after the value of '\(key)', found \(found)")
            }
        }

        mutating func value(_ key: String) throws -> Value {
            skipSpaces()
            switch current {
            case "{":
                i += 1
                return .map(try pairs(until: "}"))
            case "[":
                i += 1
                var items: [Value] = []
                skipSpaces()
                if current == "]" { i += 1; return .list([]) }
                while true {
                    skipSpaces()
                    if current == "{" {
                        i += 1
                        items.append(.map(try pairs(until: "}")))
                    } else {
                        items.append(.string(try word("a value in the list of '\(key)'")))
                    }
                    skipSpaces()
                    if current == "," { i += 1; continue }
                    if current == "]" { i += 1; return .list(items) }
                    let found = current.map { "'\($0)'" } ?? "the end"
                    throw error("expected ',' or ']' in the list of '\(key)', found \(found)")
                }
            default:
                return .string(try word("a value for '\(key)'"))
            }
        }
    }
}

/// Shorthand text that does not parse: what was expected, and where.
public struct ShorthandError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Where, counted in characters from 0.
    public var offset: Int
    public var text: String

    public var description: String { "\(message) at character \(offset + 1) of '\(text)'" }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
