import Foundation
import Lang
import OrderedCollections

/// The checks a script's ECS calls get before anything runs: what `config()`,
/// `register()` and `run()` would refuse, found without a session, a backend or a network
/// call, so that `ecsh check` (and the check before every run) can report them at the
/// line of the call.
///
/// Every function is synchronous and reads at most the files it is given. Errors are the
/// ones the built-ins raise at run time: a ``ConfigError`` (file, line, column) for a
/// file, a `ScriptError` (`run(): ...`, code ValueError or TypeError) for arguments.
public enum OfflineChecks {
    /// `config("path")`: the ecspresso.yml and its service definition, read as `config()`
    /// reads them. A relative path is read from `options.workingDirectory`; every file from
    /// `files` (the checked script's host).
    public static func config(_ path: String, options: SessionOptions, files: any ScriptHost) throws -> RunDefaults {
        try RunDefaults(configFile: options.resolvePath(path, files: files), environment: options.environment, extStr: options.extStr,
                        extCode: options.extCode, files: files)
    }

    /// `register("file")`: the task definition file, rendered and checked against
    /// ``TaskDefinitionRules`` (the first broken rule is thrown with its line in the file).
    /// `plugins`: the config's (local tfstate files are read); nil when its templates look
    /// a value up in AWS (`ssm`, `secretsmanager_arn`, an `s3://` state), which only the run knows.
    public static func taskDefinition(file path: String, options: SessionOptions, plugins: ConfigPlugins? = nil,
                                      files: any ScriptHost) throws -> TaskDefinitionDescription? {
        let functions = (try plugins ?? ConfigPlugins.offline([], configFile: path, files: files)).functions
        do {
            return TaskDefinitions.local(try TaskDefinitionFile.load(path: options.resolvePath(path, files: files), environment: options.environment,
                                                                     extStr: options.extStr, extCode: options.extCode,
                                                                     functions: functions, files: files))
        } catch is TemplateLookupNeeded {
            return nil
        }
    }

    /// `register()` with no argument: the config's `task_definition`; nil when the config
    /// names none (which `register()` refuses at run time) or it is not known yet.
    public static func taskDefinition(config: RunDefaults, options: SessionOptions,
                                      files: any ScriptHost) throws -> TaskDefinitionDescription? {
        guard let path = config.taskDefinitionPath else { return nil }
        return try taskDefinition(file: path, options: options, plugins: config.plugins, files: files)
    }

    /// `register({...})`: a literal Map, checked against ``TaskDefinitionRules`` as
    /// `register()` checks it (ScriptError `register(): ...`).
    public static func taskDefinition(map definition: Value) throws -> TaskDefinitionDescription {
        try TaskDefinitions.check(definition)
        return TaskDefinitions.local(definition)
    }

    /// `overrides(...)` with these named arguments: the TaskOverride `run(overrides:)`
    /// would get, checked as `overrides()` checks it (ScriptError `overrides(): ...`).
    /// Names that are not `overrides()` parameters are a TypeError.
    public static func overrides(arguments: OrderedDictionary<String, Value>) throws -> Value {
        if let bad = arguments.keys.first(where: { !OverridesBuiltin.parameters.contains($0) }) {
            throw ScriptError("overrides() has no parameter named '\(bad)'", code: "TypeError")
        }
        return try OverridesBuiltin.build(arguments)
    }

    /// Every check `run()` makes before RunTask (``RunPlan/request(definition:defaults:cluster:unknown:)``).
    ///
    /// - Parameters:
    ///   - arguments: `run()`'s named arguments by name (RunTask's API names, `count`,
    ///     `watch`; `wait`, `timeout`, `logs` and `stopOnInterrupt` are not looked at).
    ///   - unknown: names of arguments that are given but not known before running (not a
    ///     literal); the checks that need them are skipped.
    ///   - definition: what is known of the task definition; `TaskDefinitionDescription()`
    ///     when nothing is (a family name, `taskdef()`): container names are then not checked.
    ///   - defaults: the config in effect (`RunDefaults()` when none).
    ///   - cluster: `--cluster`, which comes before the config's.
    public static func run(arguments: OrderedDictionary<String, Value>, unknown: Set<String> = [],
                           definition: TaskDefinitionDescription, defaults: RunDefaults, cluster: String? = nil,
                           builtin: String = "run") throws {
        // A service definition that looks values up in AWS is known only at run time.
        if defaults.incomplete { return }
        var parameters = OrderedDictionary<String, Value>()
        for (k, v) in arguments where ECSBuiltins.runTaskParameters.contains(k) && k != "count" {
            parameters[k] = v
        }
        var plan = RunPlan(parameters: try JSONValue.arguments(parameters, builtin: builtin))
        if !unknown.contains("count") {
            switch arguments["count"] {
            case nil, .nil?: break
            case .int(let n)?: plan.count = n
            case let v?: throw ScriptErrors.type(builtin, "count", "an Int", v)
            }
        }
        if !unknown.contains("watch") {
            switch arguments["watch"] {
            case nil, .nil?: break
            case .string(let s)?: plan.watch = s
            case let v?: throw ScriptErrors.type(builtin, "watch", "a String", v)
            }
        }
        do {
            _ = try plan.request(definition: definition, defaults: defaults, cluster: cluster,
                                 unknown: unknown.intersection(ECSBuiltins.runTaskParameters + ["count", "watch"]))
        } catch {
            throw ScriptErrors.convert(error, builtin: builtin)
        }
    }
}

extension SessionOptions {
    /// `path` read from the working directory, for reading from `files`: on the machine's
    /// files it is left as written when it already means the same file, so messages show the
    /// user's path; for any other host it is always joined, since the process's current
    /// directory means nothing to it.
    public func resolvePath(_ path: String, files: any ScriptHost) -> String {
        if path.hasPrefix("/") || (files.sharesFileSystem && workingDirectory == FileManager.default.currentDirectoryPath) {
            return path
        }
        return URL(fileURLWithPath: workingDirectory).appendingPathComponent(path).path
    }
}
