import Foundation
import Lang
import OrderedCollections

/// Turns request parameters into the API's Codable shapes, with errors that name the
/// argument and the path inside it. A decoder ignores unknown keys; a typo such as
/// `awsvpcConfig` must not be dropped silently, so the keys the shape did not ask for are
/// refused. Nothing is encoded: the one encoding of a request is the one that sends it.
enum ShapeDecoding {
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, argument: String) throws -> T {
        let result: T
        let asked: ShapeDecoder.Asked
        do {
            (result, asked) = try ShapeDecoder.decode(T.self, from: value)
        } catch let error as DecodingError {
            // `{subnet: [...]}` lacks the required `subnets`: the typo is the better message.
            if case .keyNotFound(let key, let ctx) = error, let typo = misspelling(of: key.stringValue, at: ctx.codingPath, in: value) {
                let path = render(ctx.codingPath, argument: argument)
                throw RequestError.value("unknown field '\(typo)'" + (path.isEmpty ? "" : " in \(path)") + " (did you mean '\(key.stringValue)'?)")
            }
            throw RequestError(.type, describe(error, argument: argument))
        }
        try checkKeys(value, asked: asked, at: "", path: argument)
        return result
    }

    /// A key of the object at `path` in `value` that looks like a misspelt `missing`.
    private static func misspelling(of missing: String, at path: [any CodingKey], in value: JSONValue) -> String? {
        var v = value
        for k in path {
            switch (v, k.intValue) {
            case (.array(let items), let i?) where items.indices.contains(i): v = items[i]
            case (.object(let m), nil): guard let next = m[k.stringValue] else { return nil }; v = next
            default: return nil
            }
        }
        guard case .object(let m) = v else { return nil }
        return m.keys.first { $0 != missing && suggestion(for: $0, among: [missing]) == missing }
    }

    /// Every non-null key given must be one its shape asked for. `at` is the place as
    /// ``ShapeDecoder/pathKey(_:)`` writes it, `path` as messages do.
    private static func checkKeys(_ given: JSONValue, asked: ShapeDecoder.Asked, at place: String, path: String) throws {
        switch given {
        case .object(let members):
            let known = asked.keys[place] ?? []
            for (key, v) in members where !v.isNull {
                guard known.contains(key) else {
                    var message = "unknown field '\(key)'" + (path.isEmpty ? "" : " in \(path)")
                    // The keys the shape kept: the ones given that it knows.
                    let candidates = members.keys.filter { known.contains($0) && members[$0]?.isNull == false }.sorted() + commonFields
                    // A shortened name is far from the long one by edit distance: check prefixes too.
                    let hint = suggestion(for: key, among: candidates)
                        ?? candidates.first { key.count >= 5 && $0.lowercased().hasPrefix(key.lowercased()) }
                    if let hint { message += " (did you mean '\(hint)'?)" }
                    throw RequestError.value(message)
                }
                try checkKeys(v, asked: asked, at: "\(place).\(key)", path: path.isEmpty ? key : "\(path).\(key)")
            }
        case .array(let items):
            for (i, item) in items.enumerated() {
                try checkKeys(item, asked: asked, at: "\(place)[\(i)]", path: "\(path)[\(i)]")
            }
        default:
            break
        }
    }

    /// Field names across the request shapes, so a misspelt one that was left out of
    /// the object entirely still gets a suggestion.
    private static let commonFields = [
        "awsvpcConfiguration", "subnets", "securityGroups", "assignPublicIp", "containerOverrides", "command",
        "environment", "environmentFiles", "memoryReservation", "resourceRequirements", "ephemeralStorage",
        "executionRoleArn", "taskRoleArn", "inferenceAcceleratorOverrides", "capacityProvider", "weight", "base",
        "expression", "field", "sizeInGiB", "managedEBSVolume", "roleArn", "name", "value", "key", "type",
    ]

    /// `argument.key[0].other`, as messages name a place in an argument.
    private static func render(_ keys: [any CodingKey], argument: String) -> String {
        keys.reduce(argument) { p, k in k.intValue.map { "\(p)[\($0)]" } ?? (p.isEmpty ? k.stringValue : "\(p).\(k.stringValue)") }
    }

    static func describe(_ error: DecodingError, argument: String) -> String {
        func path(_ keys: [any CodingKey]) -> String { render(keys, argument: argument) }
        switch error {
        case .typeMismatch(let type, let ctx):
            return "\(path(ctx.codingPath)) must be \(typeName(type))"
        case .valueNotFound(let type, let ctx):
            return "\(path(ctx.codingPath)) must be \(typeName(type)), not nil"
        case .keyNotFound(let key, let ctx):
            return "\(path(ctx.codingPath)) needs '\(key.stringValue)'"
        case .dataCorrupted(let ctx):
            return "\(path(ctx.codingPath)): \(ctx.debugDescription)"
        @unknown default:
            return "\(argument) has the wrong shape"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "String": return "a String"
        case "Int": return "an Int"
        case "Bool": return "a Bool"
        case "Double": return "a number"
        default:
            if name.hasPrefix("Array") { return "a List" }
            if name.hasPrefix("Dictionary") { return "a Map" }
            return "a Map (\(name))"
        }
    }
}
