import Foundation
import Lang
import OrderedCollections
import Yams

/// The parts of an ecspresso config file (`ecspresso.yml`, or `.json`/`.jsonnet`) that ecsh uses.
///
/// Keys are ecspresso's snake_case (`task_definition`); the camelCase spellings
/// (`taskDefinition`) are accepted too. Keys ecsh does not use (`filter_command`,
/// `appspec`, `codedeploy`, ...) are ignored. Nothing is defaulted here: ecspresso's defaults
/// (cluster "default", region from AWS_REGION, timeout 10m) are the caller's to apply.
public struct EcspressoConfig: Sendable {
    /// The config file, as given to `load`.
    public var path: String
    public var region: String?
    public var cluster: String?
    public var service: String?
    /// `task_definition`, resolved against the config file's directory.
    public var taskDefinitionPath: String?
    /// `service_definition`, resolved against the config file's directory.
    public var serviceDefinitionPath: String?
    /// `timeout`: a Go duration (`10m`, `1h30m`, `90s`) or a number of seconds.
    public var timeout: Duration?
    /// `required_version`, as written (a version constraint such as ">= 2.0.0").
    public var requiredVersion: String?
    /// `plugins:`, in order.
    public var plugins: [ConfigPluginSpec] = []

    public init(path: String, region: String? = nil, cluster: String? = nil, service: String? = nil,
                taskDefinitionPath: String? = nil, serviceDefinitionPath: String? = nil,
                timeout: Duration? = nil, requiredVersion: String? = nil) {
        self.path = path
        self.region = region
        self.cluster = cluster
        self.service = service
        self.taskDefinitionPath = taskDefinitionPath
        self.serviceDefinitionPath = serviceDefinitionPath
        self.timeout = timeout
        self.requiredVersion = requiredVersion
    }

    /// Reads the config at `path`: the template pass first (with `environment`), then YAML
    /// (or JSON/Jsonnet for `.json`/`.jsonnet` files, as ecspresso allows).
    ///
    /// As in ecspresso, only `env`, `must_env`, `json_escape` and Go's own functions work here:
    /// plugin functions are defined once the config is read, for the files it names.
    /// `.json` and `.jsonnet` configs are evaluated by Jsonnet with `extStr`/`extCode`.
    /// `files`: where it is read from (a script's host; by default this machine's files).
    public static func load(path: String, environment: [String: String], extStr: [String: String] = [:],
                            extCode: [String: String] = [:], files: any ScriptHost = SystemHost()) throws -> EcspressoConfig {
        let lower = path.lowercased()
        let fields: [String: RawField]
        let pluginsValue: (Value, [(line: Int?, column: Int?)])?
        if lower.hasSuffix(".json") || DefinitionFile.isJsonnet(path) {
            (fields, pluginsValue) = try jsonFields(path: path, environment: environment, extStr: extStr, extCode: extCode,
                                                    files: files)
        } else {
            let text = try DefinitionFile.readText(path, files: files)
            let rendered = try Template.render(text, file: path, environment: environment)
            (fields, pluginsValue) = try yamlFields(path: path, text: rendered)
        }

        var config = EcspressoConfig(path: path)
        let directory = (path as NSString).deletingLastPathComponent
        func string(_ key: String) throws -> String? {
            guard let (name, field) = lookup(key, in: fields) else { return nil }
            switch field.kind {
            case .null: return nil
            case .string(let s), .number(_, let s): return s
            case .other(let type):
                throw ConfigError(file: path, line: field.line, column: field.column, message: "\(name) must be a string, not \(type)")
            }
        }
        config.region = try string("region")
        config.cluster = try string("cluster")
        config.service = try string("service")
        config.requiredVersion = try string("required_version")
        config.taskDefinitionPath = try string("task_definition").map { resolve($0, against: directory) }
        config.serviceDefinitionPath = try string("service_definition").map { resolve($0, against: directory) }
        if let (value, positions) = pluginsValue {
            config.plugins = try plugins(value, positions: positions, path: path, directory: directory)
        }
        if let (name, field) = lookup("timeout", in: fields) {
            let invalid = ConfigError(file: path, line: field.line, column: field.column,
                                      message: "\(name) must be a duration such as 10m, 1h30m or 90s, or a number of seconds")
            switch field.kind {
            case .null: break
            case .number(let seconds, _):
                guard seconds >= 0, seconds < 9e9 else { throw invalid }
                config.timeout = .nanoseconds(Int64((seconds * 1e9).rounded()))
            case .string(let text):
                guard let d = GoDuration.parse(text.trimmingCharacters(in: .whitespaces)), d >= .zero else { throw invalid }
                config.timeout = d
            case .other: throw invalid
            }
        }
        return config
    }

    /// The service definition's settings that also apply to a task run, under their RunTask
    /// names, as ecspresso v2.3's run copies them (run.go): `networkConfiguration`,
    /// `launchType`, `capacityProviderStrategy`, `placementConstraints`, `placementStrategy`,
    /// `platformVersion`, `enableECSManagedTags`, `enableExecuteCommand`, and
    /// `volumeConfigurations` turned into RunTask's form (``taskVolumeConfigurations(_:deleteOnTermination:)``).
    /// Not `propagateTags`: ecspresso sends only the `--propagate-tags` flag's.
    /// Top-level keys match case-insensitively (ecspresso decodes with Go's case-insensitive
    /// JSON); values pass through as written. Empty when there is no `service_definition`.
    /// Read on demand, so a config whose service file is missing still loads.
    public func serviceDefaults(context: DefinitionContext) async throws -> OrderedDictionary<String, Value> {
        guard let serviceDefinitionPath else { return [:] }
        return try Self.serviceDefaults(try await DefinitionFile.load(path: serviceDefinitionPath, context: context),
                                        path: serviceDefinitionPath)
    }

    /// As the async form, rendering once with `functions` (which may throw
    /// ``TemplateLookupNeeded`` for what they cannot know).
    public func serviceDefaults(environment: [String: String], extStr: [String: String] = [:], extCode: [String: String] = [:],
                                functions: [String: TemplateFunction] = [:],
                                files: any ScriptHost = SystemHost()) throws -> OrderedDictionary<String, Value> {
        guard let serviceDefinitionPath else { return [:] }
        return try Self.serviceDefaults(try DefinitionFile.load(path: serviceDefinitionPath, environment: environment, extStr: extStr,
                                                                extCode: extCode, functions: functions, files: files),
                                        path: serviceDefinitionPath)
    }

    private static func serviceDefaults(_ file: DefinitionFile, path: String) throws -> OrderedDictionary<String, Value> {
        guard case .map(let root) = file.value else {
            throw file.error(path, at: "", "a service definition must be a JSON object, not \(file.value.typeNameWithArticle)")
        }
        var defaults: OrderedDictionary<String, Value> = [:]
        for name in Self.serviceDefaultKeys {
            if let (_, value) = root.entries.first(where: { $0.key.lowercased() == name.lowercased() }), !value.isNil {
                defaults[name] = name == "volumeConfigurations" ? taskVolumeConfigurations(value, deleteOnTermination: true) : value
            }
        }
        if case .list(let l)? = defaults["volumeConfigurations"], l.isEmpty { defaults.removeValue(forKey: "volumeConfigurations") }
        return defaults
    }

    /// The service definition keys `serviceDefaults` returns.
    public static let serviceDefaultKeys = [
        "networkConfiguration", "launchType", "capacityProviderStrategy", "placementConstraints",
        "placementStrategy", "platformVersion", "enableECSManagedTags", "enableExecuteCommand",
        "volumeConfigurations",
    ]

    /// A service's `volumeConfigurations` as RunTask takes them, as ecspresso's
    /// serviceVolumeConfigurationsToTask makes them: only `managedEBSVolume` entries; their
    /// fields but `volumeInitializationRate`; tag specifications that propagate from SERVICE
    /// dropped (RunTask refuses them); `terminationPolicy.deleteOnTermination` set to
    /// `deleteOnTermination` (`--ebs-delete-on-termination`, true unless `--no-...`).
    public static func taskVolumeConfigurations(_ value: Value, deleteOnTermination: Bool) -> Value {
        guard case .list(let items) = value else { return value }
        let copied = ["roleArn", "encrypted", "filesystemType", "iops", "kmsKeyId", "sizeInGiB", "snapshotId",
                      "throughput", "volumeType"]
        var out: [Value] = []
        for case .map(let vc) in items {
            guard let (_, ebsValue) = vc.entries.first(where: { $0.key.lowercased() == "managedebsvolume" }),
                  case .map(let ebs) = ebsValue else { continue }
            var volume = OrderedDictionary<String, Value>()
            for key in copied {
                if let (_, v) = ebs.entries.first(where: { $0.key.lowercased() == key.lowercased() }), !v.isNil { volume[key] = v }
            }
            if let (_, specs) = ebs.entries.first(where: { $0.key.lowercased() == "tagspecifications" }), case .list(let list) = specs {
                let kept = list.filter { spec in
                    guard case .map(let m) = spec, case .string("SERVICE")? = m.entries.first(where: { $0.key.lowercased() == "propagatetags" })?.value else { return true }
                    return false
                }
                if !kept.isEmpty { volume["tagSpecifications"] = .list(kept) }
            }
            volume["terminationPolicy"] = .map(MapStorage(["deleteOnTermination": .bool(deleteOnTermination)]))
            var entry = OrderedDictionary<String, Value>()
            if let (_, name) = vc.entries.first(where: { $0.key.lowercased() == "name" }) { entry["name"] = name }
            entry["managedEBSVolume"] = .map(MapStorage(volume))
            out.append(.map(MapStorage(entry)))
        }
        return .list(out)
    }

    /// The `plugins:` entries: `name`, `config.path` (against the config's directory) or
    /// `config.url`, `func_prefix`.
    static func plugins(_ value: Value, positions: [(line: Int?, column: Int?)], path: String, directory: String) throws -> [ConfigPluginSpec] {
        if case .nil = value { return [] }
        guard case .list(let items) = value else {
            throw ConfigError(file: path, line: positions.first?.line, column: positions.first?.column,
                              message: "plugins must be a list of {name, config, func_prefix}, not \(value.typeNameWithArticle)")
        }
        var specs: [ConfigPluginSpec] = []
        for (i, item) in items.enumerated() {
            let position = i + 1 < positions.count ? positions[i + 1] : (positions.first ?? (nil, nil))
            func fail(_ message: String) -> ConfigError {
                ConfigError(file: path, line: position.line, column: position.column, message: "plugins[\(i)]: \(message)")
            }
            guard case .map(let m) = item else { throw fail("must be a mapping with a name, not \(item.typeNameWithArticle)") }
            guard case .string(let name)? = m.entries["name"] else { throw fail("has no name") }
            var spec = ConfigPluginSpec(name: name, line: position.line, column: position.column)
            switch m.entries["func_prefix"] {
            case nil, .nil?: break
            case .string(let p)?: spec.funcPrefix = p
            case let v?: throw fail("func_prefix must be a string, not \(v.typeNameWithArticle)")
            }
            if case .map(let c)? = m.entries["config"] {
                switch c.entries["path"] {
                case nil, .nil?: break
                case .string(let p)?: spec.path = resolve(p, against: directory)
                case _?: throw fail("tfstate plugin requires path for tfstate file as a string")
                }
                switch c.entries["url"] {
                case nil, .nil?: break
                case .string(let u)?: spec.url = u
                case _?: throw fail("tfstate plugin requires url for tfstate URL as a string")
                }
            }
            specs.append(spec)
        }
        return specs
    }
}

// MARK: - Reading the file's top-level fields

/// A top-level field of the config, reduced to what the typed fields need.
struct RawField {
    enum Kind {
        case null
        case string(String)
        /// The number and its text as written (a YAML `cluster: 2024` is still a name).
        case number(Double, String)
        /// Anything else, by type name ("a list", "a mapping").
        case other(String)
    }
    let kind: Kind
    let line: Int?
    let column: Int?
}

extension EcspressoConfig {
    /// The key as written (snake_case first, then camelCase) and its field.
    fileprivate static func lookup(_ key: String, in fields: [String: RawField]) -> (String, RawField)? {
        if let f = fields[key] { return (key, f) }
        let parts = key.split(separator: "_")
        let camel = parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
        if let f = fields[camel] { return (camel, f) }
        return nil
    }

    /// `relative` against `directory`, lexically cleaned as Go's filepath.Join does.
    static func resolve(_ relative: String, against directory: String) -> String {
        if relative.hasPrefix("/") || directory.isEmpty { return clean(relative) }
        return clean(directory + "/" + relative)
    }

    static func clean(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    fileprivate static func yamlFields(path: String, text: String) throws -> ([String: RawField], (Value, [(line: Int?, column: Int?)])?) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, path: path, text: text)
        }
        guard let root else { return ([:], nil) }
        guard let mapping = root.mapping else {
            throw ConfigError(file: path, line: root.mark?.line, column: root.mark?.column,
                              message: "the config must be a YAML mapping of keys to values, not \(describe(root))")
        }
        var fields: [String: RawField] = [:]
        var plugins: (Value, [(line: Int?, column: Int?)])?
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { continue }
            if name == "plugins" {
                // The list's position, then each entry's.
                var positions: [(line: Int?, column: Int?)] = [(value.mark?.line, value.mark?.column)]
                for item in value.sequence ?? [] { positions.append((item.mark?.line, item.mark?.column)) }
                plugins = (yamlValue(value), positions)
            }
            let kind: RawField.Kind
            if let scalar = value.scalar {
                // Quoted scalars are always text; plain ones resolve as YAML 1.1 does.
                let plain = scalar.style == .plain || scalar.style == .any
                if plain, value.null != nil {
                    kind = .null
                } else if plain, let number = value.float {
                    kind = .number(number, scalar.string)
                } else {
                    kind = .string(scalar.string)
                }
            } else {
                kind = .other(describe(value))
            }
            fields[name] = RawField(kind: kind, line: value.mark?.line ?? key.mark?.line, column: value.mark?.column ?? key.mark?.column)
        }
        return (fields, plugins)
    }

    /// A YAML node as a Value: plain scalars resolved as YAML 1.1 does, quoted ones as text.
    private static func yamlValue(_ node: Node) -> Value {
        switch node {
        case .scalar(let scalar):
            let plain = scalar.style == .plain || scalar.style == .any
            if plain, node.null != nil { return .nil }
            if plain, let b = node.bool { return .bool(b) }
            if plain, let i = node.int { return .int(i) }
            if plain, let d = node.float { return .float(d) }
            return .string(scalar.string)
        case .sequence(let seq):
            return .list(seq.map(yamlValue))
        case .mapping(let mapping):
            var m = OrderedDictionary<String, Value>()
            for (k, v) in mapping { if let key = k.scalar?.string { m[key] = yamlValue(v) } }
            return .map(MapStorage(m))
        default:
            return .nil
        }
    }

    private static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar: return "a single value"
        default: return "an alias"
        }
    }

    private static func yamlError(_ error: YamlError, path: String, text: String) -> ConfigError {
        func context(_ c: YamlError.Context?) -> String {
            guard let c else { return "" }
            return " (\(c.text) at line \(c.mark.line), column \(c.mark.column))"
        }
        switch error {
        case let .scanner(c, problem, mark, _), let .parser(c, problem, mark, _), let .composer(c, problem, mark, _):
            return ConfigError(file: path, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)\(context(c))")
        case let .reader(problem, offset, _, _):
            let position = offset.map { TextPosition.of(characterOffset: $0, in: text) }
            return ConfigError(file: path, line: position?.line, column: position?.column, message: "invalid YAML: \(problem)")
        case let .duplicatedKeysInMapping(duplicates, c):
            return ConfigError(file: path, line: c.mark.line, column: c.mark.column,
                               message: "invalid YAML: duplicate keys \(duplicates.sorted().joined(separator: ", "))")
        default:
            return ConfigError(file: path, message: "invalid YAML: \(error)")
        }
    }

    fileprivate static func jsonFields(path: String, environment: [String: String], extStr: [String: String],
                                       extCode: [String: String],
                                       files: any ScriptHost) throws -> ([String: RawField], (Value, [(line: Int?, column: Int?)])?) {
        let file = try DefinitionFile.load(path: path, environment: environment, extStr: extStr, extCode: extCode, files: files)
        guard case .map(let root) = file.value else {
            throw file.error(path, at: "", "the config must be a JSON object, not \(file.value.typeNameWithArticle)")
        }
        var fields: [String: RawField] = [:]
        for (name, value) in root.entries {
            let kind: RawField.Kind
            switch value {
            case .nil: kind = .null
            case .string(let s): kind = .string(s)
            case .int(let i): kind = .number(Double(i), String(i))
            case .float(let d): kind = .number(d, String(d))
            default: kind = .other(value.typeNameWithArticle)
            }
            let position = file.locations?.position(of: name)
            fields[name] = RawField(kind: kind, line: position?.line, column: position?.column)
        }
        var plugins: (Value, [(line: Int?, column: Int?)])?
        if let value = root.entries["plugins"] {
            var positions: [(line: Int?, column: Int?)] = [(file.locations?.position(of: "plugins")?.line, file.locations?.position(of: "plugins")?.column)]
            if case .list(let items) = value {
                for i in items.indices {
                    let p = file.locations?.position(of: JSONLocation.element("plugins", i))
                    positions.append((p?.line, p?.column))
                }
            }
            plugins = (value, positions)
        }
        return (fields, plugins)
    }
}
