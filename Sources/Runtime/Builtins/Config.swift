import Foundation
import Lang
import OrderedCollections

/// `config(path?)`: an ecspresso.yml becomes the default for what follows.
enum ConfigBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("config", [.optional("path", type: .string)],
            "Loads an ecspresso-style ecspresso.yml (region, cluster, task_definition, service_definition, timeout) and makes it the default for what follows. Returns what it read as a Map.") { args in
            let path = try args.optionalString("path") ?? "ecspresso.yml"
            let defaults = try RunDefaults(configFile: session.resolvePath(path), environment: session.options.environment,
                                           extStr: session.options.extStr)
            session.setDefaults(defaults)
            return describe(defaults)
        }.returning(.shapedMap("Config"))
    }

    static func describe(_ d: RunDefaults) -> Value {
        var m = OrderedDictionary<String, Value>()
        m["region"] = d.region.map(Value.string) ?? .nil
        m["cluster"] = d.cluster.map(Value.string) ?? .nil
        m["task_definition"] = d.taskDefinitionPath.map(Value.string) ?? .nil
        m["timeout"] = d.timeout.map { .duration(Int($0.components.seconds) * 1_000_000_000) } ?? .nil
        for (k, v) in d.parameters { m[k] = v }
        return .map(m)
    }
}

extension RunDefaults {
    /// Reads an ecspresso.yml and its service definition.
    public init(configFile path: String, environment: [String: String], extStr: [String: String] = [:]) throws {
        let config = try EcspressoConfig.load(path: path, environment: environment)
        self.init()
        source = path
        region = config.region
        cluster = config.cluster
        taskDefinitionPath = config.taskDefinitionPath
        timeout = config.timeout
        parameters = try config.serviceDefaults(environment: environment, extStr: extStr)
    }
}
