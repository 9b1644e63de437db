import Foundation
import Lang
import OrderedCollections

/// `config(path?)`: an ecspresso.yml becomes the default for what follows.
enum ConfigBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("config", [.optional("path", type: .string)],
            "Loads an ecspresso config (ecspresso.yml, .yaml, .json or .jsonnet: region, cluster, service, task_definition, service_definition, timeout, plugins) and makes it the default for what follows. With no path, the first of ./ecspresso.yml, .yaml, .json, .jsonnet. Returns what it read as a Map.") { args in
            let path: String
            if let given = try args.optionalString("path") {
                path = given
            } else {
                path = EcspressoConfig.discover(in: session.options.workingDirectory, files: args.host) ?? EcspressoConfig.defaultFileName
            }
            return describe(try await session.loadConfig(session.options.resolvePath(path, files: args.host), files: args.host))
        }.returning(.shapedMap("Config"))
    }

    static func describe(_ d: RunDefaults) -> Value {
        var m = OrderedDictionary<String, Value>()
        m["region"] = d.region.map(Value.string) ?? .nil
        m["cluster"] = d.cluster.map(Value.string) ?? .nil
        m["service"] = d.service.map(Value.string) ?? .nil
        m["task_definition"] = d.taskDefinitionPath.map(Value.string) ?? .nil
        m["timeout"] = d.timeout.map { .duration(Int($0.components.seconds) * 1_000_000_000) } ?? .nil
        for (k, v) in d.parameters { m[k] = Value(json: v) }
        return .map(m)
    }
}

extension RunDefaults {
    /// What the config at `path` gives as far as is known without a call, for the checks
    /// before a script runs: local tfstate plugins are read; when the service definition
    /// needs a lookup that calls AWS (ssm, secretsmanager_arn, an `s3://` state),
    /// `parameters` is left empty and `incomplete` set.
    ///
    /// `files`: where the files are read from (a script's host; by default this machine's files).
    public init(configFile path: String, environment: [String: String], extStr: [String: String] = [:],
                extCode: [String: String] = [:], files: any ScriptHost = SystemHost()) throws {
        let config = try EcspressoConfig.load(path: path, environment: environment, extStr: extStr, extCode: extCode, files: files)
        self.init()
        source = path
        region = config.region
        cluster = config.cluster
        service = config.service
        taskDefinitionPath = config.taskDefinitionPath
        timeout = config.timeout
        let plugins = try ConfigPlugins.offline(config.plugins, configFile: path, files: files)
        self.plugins = plugins
        do {
            parameters = try config.serviceDefaults(environment: environment, extStr: extStr, extCode: extCode,
                                                    functions: plugins.functions, files: files).mapValues(JSONValue.init(script:))
        } catch is TemplateLookupNeeded {
            incomplete = true
        }
    }
}

extension EcspressoConfig {
    /// ecspresso's default `--config`.
    public static let defaultFileName = "ecspresso.yml"

    /// The config ecspresso finds when `--config` is not given: the first of ecspresso.yml,
    /// ecspresso.yaml, ecspresso.json, ecspresso.jsonnet in `directory` (as written, relative),
    /// as `files` has them: on the machine's files, one that exists (reading it says what is
    /// wrong with it); on any other host's, one it gives.
    public static func discover(in directory: String, files: any ScriptHost = SystemHost()) -> String? {
        for ext in ["yml", "yaml", "json", "jsonnet"] {
            let name = "ecspresso." + ext
            let path = (directory as NSString).appendingPathComponent(name)
            if files.sharesFileSystem ? FileManager.default.fileExists(atPath: path) : (try? files.readFile(path)) != nil {
                return name
            }
        }
        return nil
    }
}

extension ECSSession {
    /// Loads an ecspresso config and makes it the session's defaults, as `config()` and
    /// `--config` do: the config (templates with `env`/`must_env` only), then its plugins (a
    /// tfstate in s3:// is read with the config's region), then its service definition (with
    /// the plugins' functions). On failure the previous defaults stay.
    ///
    /// `files`: where the files are read from: the host of the script that calls `config()`,
    /// this machine's for the command line.
    @discardableResult
    public func loadConfig(_ path: String, files: any ScriptHost = SystemHost()) async throws -> RunDefaults {
        let config = try EcspressoConfig.load(path: path, environment: options.environment, extStr: options.extStr,
                                              extCode: options.extCode, files: files)
        var d = RunDefaults()
        d.source = path
        d.region = config.region
        d.cluster = config.cluster
        d.service = config.service
        d.taskDefinitionPath = config.taskDefinitionPath
        d.timeout = config.timeout
        let previous = defaults
        // The AWS client the plugins read through uses the config's region.
        setDefaults(d)
        do {
            let plugins = try await ConfigPlugins.setup(config.plugins, configFile: path, files: files, reader: awsReader)
            d.plugins = plugins
            d.parameters = try await config.serviceDefaults(context: definitionContext(plugins: plugins, files: files))
                .mapValues(JSONValue.init(script:))
        } catch {
            setDefaults(previous)
            throw error
        }
        setDefaults(d)
        return d
    }

    /// Reads through the session's AWS client, built on first use.
    var awsReader: @Sendable () async throws -> any AWSCaller {
        { [weak self] in
            guard let self else { throw CancellationError() }
            return try await self.backend().awsReader()
        }
    }

    /// What definition files are read with: the session's variables and the config's
    /// plugins (without a config, ecspresso's default ones: `ssm`, `secretsmanager_arn`),
    /// the files read from `files` (a script's host, or this machine's for the command line).
    public func definitionContext(files: any ScriptHost) -> DefinitionContext {
        definitionContext(plugins: defaults.plugins ?? ConfigPlugins(states: [], reader: awsReader), files: files)
    }

    func definitionContext(plugins: ConfigPlugins?, files: any ScriptHost) -> DefinitionContext {
        DefinitionContext(environment: options.environment, extStr: options.extStr, extCode: options.extCode, plugins: plugins,
                          files: files)
    }
}
