import Foundation
import OrderedCollections

/// Decodes the API's Codable shapes straight from a ``JSONValue``, with JSONDecoder's
/// rules and errors, and notes which keys each object was asked for: what a shape does
/// not ask for, it would drop. No text is written or parsed on the way. Dates are read as
/// `Date`'s own Codable form, not as epoch seconds: no request shape has one.
struct ShapeDecoder {
    /// Keys asked for, by the path of their object (``pathKey(_:)``).
    final class Asked {
        var keys: [String: Set<String>] = [:]
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> (T, Asked) {
        let asked = Asked()
        let result = try T(from: Node(value: value, codingPath: [], asked: asked))
        return (result, asked)
    }

    /// `a.b[0].c`: one string per place in a document, the same for coding paths and walks.
    static func pathKey(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { p, k in k.intValue.map { "\(p)[\($0)]" } ?? "\(p).\(k.stringValue)" }
    }

    private struct Node: Decoder {
        let value: JSONValue
        let codingPath: [any CodingKey]
        let asked: Asked
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            switch value {
            case .object(let members):
                return KeyedDecodingContainer(Keyed<Key>(members: members, codingPath: codingPath, asked: asked))
            case .null:
                throw DecodingError.valueNotFound([String: Any].self, context(codingPath, "Cannot get keyed decoding container -- found null value instead"))
            default:
                throw DecodingError.typeMismatch([String: Any].self, context(codingPath, "Expected to decode Dictionary<String, Any> but found \(value.kindWithArticle) instead."))
            }
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            switch value {
            case .array(let items):
                return Unkeyed(items: items, codingPath: codingPath, asked: asked)
            case .null:
                throw DecodingError.valueNotFound([Any].self, context(codingPath, "Cannot get unkeyed decoding container -- found null value instead"))
            default:
                throw DecodingError.typeMismatch([Any].self, context(codingPath, "Expected to decode Array<Any> but found \(value.kindWithArticle) instead."))
            }
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(value: value, codingPath: codingPath, asked: asked) }
    }

    private static func context(_ path: [any CodingKey], _ text: String) -> DecodingError.Context {
        DecodingError.Context(codingPath: path, debugDescription: text)
    }

    private struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ i: Int) { intValue = i }
        init?(stringValue: String) { return nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: OrderedDictionary<String, JSONValue>
        let codingPath: [any CodingKey]
        let asked: Asked

        init(members: OrderedDictionary<String, JSONValue>, codingPath: [any CodingKey], asked: Asked) {
            self.members = members
            self.codingPath = codingPath
            self.asked = asked
        }

        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

        private func note(_ key: Key) -> JSONValue? {
            asked.keys[ShapeDecoder.pathKey(codingPath), default: []].insert(key.stringValue)
            return members[key.stringValue]
        }

        func contains(_ key: Key) -> Bool { note(key) != nil }

        func decodeNil(forKey key: Key) throws -> Bool {
            guard let v = note(key) else {
                throw DecodingError.keyNotFound(key, context(codingPath, "No value associated with key \(key.stringValue)."))
            }
            return v.isNull
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let v = note(key) else {
                throw DecodingError.keyNotFound(key, context(codingPath, "No value associated with key \(key.stringValue)."))
            }
            return try T(from: Node(value: v, codingPath: codingPath + [key], asked: asked))
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let v = note(key), !v.isNull else { return nil }
            return try T(from: Node(value: v, codingPath: codingPath + [key], asked: asked))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try Node(value: note(key) ?? .null, codingPath: codingPath + [key], asked: asked).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try Node(value: note(key) ?? .null, codingPath: codingPath + [key], asked: asked).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { Node(value: .object(members), codingPath: codingPath, asked: asked) }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            Node(value: note(key) ?? .null, codingPath: codingPath + [key], asked: asked)
        }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        let items: [JSONValue]
        let codingPath: [any CodingKey]
        let asked: Asked
        var currentIndex = 0

        init(items: [JSONValue], codingPath: [any CodingKey], asked: Asked) {
            self.items = items
            self.codingPath = codingPath
            self.asked = asked
        }

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private mutating func next<T>(_ type: T.Type) throws -> (JSONValue, [any CodingKey]) {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(type, context(codingPath + [Index(currentIndex)], "Unkeyed container is at end."))
            }
            defer { currentIndex += 1 }
            return (items[currentIndex], codingPath + [Index(currentIndex)])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex].isNull else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let (v, path) = try next(type)
            return try T(from: Node(value: v, codingPath: path, asked: asked))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            let (v, path) = try next([String: Any].self)
            return try Node(value: v, codingPath: path, asked: asked).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let (v, path) = try next([Any].self)
            return try Node(value: v, codingPath: path, asked: asked).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder {
            let (v, path) = try next(JSONValue.self)
            return Node(value: v, codingPath: path, asked: asked)
        }
    }

    private struct Single: SingleValueDecodingContainer {
        let value: JSONValue
        let codingPath: [any CodingKey]
        let asked: Asked

        func decodeNil() -> Bool { value.isNull }

        private func mismatch<T>(_ type: T.Type) -> DecodingError {
            if value.isNull {
                return .valueNotFound(type, context(codingPath, "Expected \(type) value but found null instead."))
            }
            return .typeMismatch(type, context(codingPath, "Expected to decode \(type) but found \(value.kindWithArticle) instead."))
        }

        func decode(_ type: Bool.Type) throws -> Bool {
            guard case .bool(let b) = value else { throw mismatch(type) }
            return b
        }

        func decode(_ type: String.Type) throws -> String {
            guard case .string(let s) = value else { throw mismatch(type) }
            return s
        }

        func decode(_ type: Double.Type) throws -> Double {
            switch value {
            case .double(let d): return d
            case .int(let i): return Double(i)
            default: throw mismatch(type)
            }
        }

        func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

        /// As JSONDecoder: a number with a fraction of zero is an integer; others do not fit.
        private func integer<T: BinaryInteger & FixedWidthInteger>(_ type: T.Type) throws -> T {
            let fitted: T?
            switch value {
            case .int(let i): fitted = T(exactly: i)
            case .double(let d): fitted = T(exactly: d)
            default: throw mismatch(type)
            }
            guard let fitted else {
                let number = if case .int(let i) = value { String(i) } else if case .double(let d) = value { d.description } else { "" }
                throw DecodingError.dataCorrupted(context(codingPath, "Parsed JSON number <\(number)> does not fit in \(type)."))
            }
            return fitted
        }

        func decode(_ type: Int.Type) throws -> Int { try integer(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try T(from: Node(value: value, codingPath: codingPath, asked: asked))
        }
    }
}
