import Lang
import OrderedCollections

/// `overrides(...)`: a TaskOverride built from friendly arguments and checked.
enum OverridesBuiltin {
    static let containerFields = ["container", "command", "env", "cpu", "memory"]

    static let parameters = ["container", "command", "env", "cpu", "memory", "containers", "taskRoleArn",
                             "executionRoleArn", "ephemeralStorage"]

    static func make() -> Builtin {
        Builtin("overrides", parameters.map { BuiltinParameter.optional($0, .named) },
                doc: "Builds and checks a TaskOverride: overrides(container: \"app\", command: [...], env: {...}), or containers: [...] for several.") { args, _ in
            try build(args)
        }.returning(.shapedMap("Overrides"))
    }

    static func build(_ args: Arguments) throws -> Value {
        var given = OrderedDictionary<String, Value>()
        for name in parameters where args.isGiven(name) { given[name] = args[name] }
        return try build(given)
    }

    /// The TaskOverride of `overrides()`'s given arguments, by name, checked. Pure, so it
    /// also runs before a script starts.
    static func build(_ given: OrderedDictionary<String, Value>) throws -> Value {
        let args = Given(values: given)
        var out = OrderedDictionary<String, Value>()
        var containers: [Value] = []
        if args.isGiven("containers") {
            if args.isGiven("container") || args.isGiven("command") || args.isGiven("env") {
                throw ScriptErrors.value("overrides", "give either 'containers' or 'container' with 'command'/'env', not both")
            }
            guard case .list(let list) = args["containers"] else {
                throw ScriptErrors.type("overrides", "containers", "a List of Maps", args["containers"])
            }
            for (i, item) in list.enumerated() {
                guard case .map(let m) = item else {
                    throw ScriptErrors.type("overrides", "containers[\(i)]", "a Map", item)
                }
                containers.append(try container(m.entries, path: "containers[\(i)]"))
            }
        } else if args.isGiven("container") {
            var m = OrderedDictionary<String, Value>()
            m["name"] = args["container"]
            for k in ["command", "env", "cpu", "memory"] where args.isGiven(k) { m[k] = args[k] }
            containers.append(try container(m, path: "container"))
        } else if args.isGiven("command") || args.isGiven("env") {
            throw ScriptErrors.value("overrides", "'command' and 'env' need 'container:' to say which container they change")
        }
        if !containers.isEmpty { out["containerOverrides"] = .list(containers) }
        // Task-level cpu and memory are strings in the API ("512", "1 vCPU").
        if !args.isGiven("container") {
            for k in ["cpu", "memory"] where args.isGiven(k) { out[k] = try stringish(args[k], k) }
        }
        for k in ["taskRoleArn", "executionRoleArn"] where args.isGiven(k) { out[k] = args[k] }
        if args.isGiven("ephemeralStorage") {
            switch args["ephemeralStorage"] {
            case .int(let gib): out["ephemeralStorage"] = .map(["sizeInGiB": .int(gib)])
            case let v: out["ephemeralStorage"] = v
            }
        }
        let value = Value.map(out)
        // Checked as run() will check it, on the JSON it becomes; nothing is encoded here.
        do {
            let json = try JSONValue.argument(value, "overrides", builtin: "overrides")
            _ = try ShapeDecoding.decode(TaskOverride.self, json, argument: "overrides")
            try RunPlan.checkSize(overrides: json)
        } catch {
            throw ScriptErrors.convert(error, builtin: "overrides")
        }
        return value
    }

    /// One container override from script-friendly keys (`container`/`name`, `env` as a Map).
    static func container(_ m: OrderedDictionary<String, Value>, path: String) throws -> Value {
        var out = OrderedDictionary<String, Value>()
        for (k, v) in m {
            switch k {
            case "container", "name":
                guard case .string = v else { throw ScriptErrors.type("overrides", "\(path).name", "a String", v) }
                out["name"] = v
            case "env", "environment":
                switch v {
                case .map(let env):
                    out["environment"] = .list(try env.entries.map { name, value in
                        .map(["name": .string(name), "value": .string(try envValue(value, "\(path).env.\(name)"))])
                    })
                default:
                    out["environment"] = v
                }
            case "command":
                guard case .list(let parts) = v else { throw ScriptErrors.type("overrides", "\(path).command", "a List of Strings", v) }
                for (i, p) in parts.enumerated() {
                    guard case .string = p else { throw ScriptErrors.type("overrides", "\(path).command[\(i)]", "a String", p) }
                }
                out["command"] = v
            default:
                out[k] = v
            }
        }
        guard out["name"] != nil else { throw ScriptErrors.value("overrides", "\(path) needs a container name") }
        return .map(out)
    }

    /// The given arguments, read as `Arguments` is.
    private struct Given {
        let values: OrderedDictionary<String, Value>
        func isGiven(_ name: String) -> Bool { values[name] != nil }
        subscript(_ name: String) -> Value { values[name] ?? .nil }
    }

    private static func envValue(_ v: Value, _ path: String) throws -> String {
        switch v {
        case .string(let s): return s
        case .int, .float, .bool: return v.text
        default: throw ScriptErrors.type("overrides", path, "a String", v)
        }
    }

    private static func stringish(_ v: Value, _ name: String) throws -> Value {
        switch v {
        case .string: return v
        case .int(let i): return .string(String(i))
        default: throw ScriptErrors.type("overrides", name, "a String or an Int", v)
        }
    }
}
