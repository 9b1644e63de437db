import Foundation
import Lang
import OrderedCollections

/// Turns script values into the API's Codable shapes, with errors that name the argument
/// and the path inside it. JSONDecoder ignores unknown keys; a typo such as
/// `awsvpcConfig` must not be dropped silently, so those are checked first.
enum ShapeDecoding {
    static func decode<T: Codable>(_ type: T.Type, _ value: Value, argument: String, builtin: String) throws -> T {
        let text: String
        do {
            text = try JSON.encode(value)
        } catch {
            throw ScriptError("\(builtin)(): '\(argument)' cannot be sent to ECS: \(error)", code: "TypeError")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        let result: T
        do {
            result = try decoder.decode(T.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            // `{subnet: [...]}` lacks the required `subnets`: the typo is the better message.
            if case .keyNotFound(let key, let ctx) = error, let typo = misspelling(of: key.stringValue, at: ctx.codingPath, in: value) {
                let path = render(ctx.codingPath, argument: argument)
                throw ScriptError("\(builtin)(): unknown field '\(typo)'" + (path.isEmpty ? "" : " in \(path)") + " (did you mean '\(key.stringValue)'?)",
                                  code: "ValueError")
            }
            throw ScriptError("\(builtin)(): \(describe(error, argument: argument))", code: "TypeError")
        }
        // What the shape knows, re-encoded, shows which of the user's keys it dropped.
        let known = try JSON.decode(String(decoding: try WireJSON.encode(result), as: UTF8.self))
        try checkKeys(value, known: known, path: argument, builtin: builtin)
        return result
    }

    /// A key of the map at `path` in `value` that looks like a misspelt `missing`.
    private static func misspelling(of missing: String, at path: [any CodingKey], in value: Value) -> String? {
        var v = value
        for k in path {
            switch (v, k.intValue) {
            case (.list(let items), let i?) where items.indices.contains(i): v = items[i]
            case (.map(let m), nil): guard let next = m.entries[k.stringValue] else { return nil }; v = next
            default: return nil
            }
        }
        guard case .map(let m) = v else { return nil }
        return m.entries.keys.first { $0 != missing && suggestion(for: $0, among: [missing]) == missing }
    }

    private static func checkKeys(_ given: Value, known: Value, path: String, builtin: String) throws {
        switch (given, known) {
        case let (.map(g), .map(k)):
            for (key, v) in g.entries {
                if case .nil = v { continue }
                guard let kv = k.entries[key] else {
                    var message = "\(builtin)(): unknown field '\(key)'" + (path.isEmpty ? "" : " in \(path)")
                    let candidates = allowedKeys(path: path, known: k)
                    // A shortened name is far from the long one by edit distance: check prefixes too.
                    let hint = suggestion(for: key, among: candidates)
                        ?? candidates.first { key.count >= 5 && $0.lowercased().hasPrefix(key.lowercased()) }
                    if let hint { message += " (did you mean '\(hint)'?)" }
                    throw ScriptError(message, code: "ValueError")
                }
                try checkKeys(v, known: kv, path: path.isEmpty ? key : "\(path).\(key)", builtin: builtin)
            }
        case let (.list(g), .list(k)):
            for (i, (gv, kv)) in zip(g, k).enumerated() {
                try checkKeys(gv, known: kv, path: "\(path)[\(i)]", builtin: builtin)
            }
        default:
            break
        }
    }

    /// The known keys present in this object; a suggestion among them is the best we have.
    private static func allowedKeys(path: String, known: MapStorage) -> [String] {
        Array(known.entries.keys) + commonFields
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

    /// A Codable shape as a script value.
    static func value<T: Encodable>(_ shape: T) throws -> Value {
        try JSON.decode(String(decoding: try WireJSON.encode(shape), as: UTF8.self))
    }
}
