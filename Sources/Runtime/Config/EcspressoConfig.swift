import Foundation
import Lang
import OrderedCollections
import Yams

/// The parts of an ecspresso config file (`ecspresso.yml`, or `.json`/`.jsonnet`) that ecsh uses.
///
/// Keys are ecspresso's snake_case (`task_definition`); the camelCase spellings
/// (`taskDefinition`) are accepted too. Keys ecsh does not use (`plugins`, `filter_command`,
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
    public static func load(path: String, environment: [String: String]) throws -> EcspressoConfig {
        let lower = path.lowercased()
        let fields: [String: RawField]
        if lower.hasSuffix(".json") || DefinitionFile.isJsonnet(path) {
            fields = try jsonFields(path: path, environment: environment)
        } else {
            let text = try DefinitionFile.readText(path)
            let rendered = try Template.render(text, file: path, environment: environment)
            fields = try yamlFields(path: path, text: rendered)
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

    /// The service definition's settings that also apply to a task run, under their
    /// RunTask/CreateService names: `networkConfiguration`, `launchType`,
    /// `capacityProviderStrategy`, `platformVersion`, `propagateTags`, `enableExecuteCommand`.
    /// Top-level keys match case-insensitively (ecspresso decodes with Go's case-insensitive
    /// JSON); values pass through as written. Empty when there is no `service_definition`.
    /// Read on demand, so a config whose service file is missing still loads.
    public func serviceDefaults(environment: [String: String], extStr: [String: String] = [:]) throws -> OrderedDictionary<String, Value> {
        guard let serviceDefinitionPath else { return [:] }
        let file = try DefinitionFile.load(path: serviceDefinitionPath, environment: environment, extStr: extStr)
        guard case .map(let root) = file.value else {
            throw file.error(serviceDefinitionPath, at: "", "a service definition must be a JSON object, not \(file.value.typeNameWithArticle)")
        }
        var defaults: OrderedDictionary<String, Value> = [:]
        for name in Self.serviceDefaultKeys {
            if let (_, value) = root.entries.first(where: { $0.key.lowercased() == name.lowercased() }), !value.isNil {
                defaults[name] = value
            }
        }
        return defaults
    }

    /// The service definition keys `serviceDefaults` returns.
    public static let serviceDefaultKeys = [
        "networkConfiguration", "launchType", "capacityProviderStrategy",
        "platformVersion", "propagateTags", "enableExecuteCommand",
    ]
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

    fileprivate static func yamlFields(path: String, text: String) throws -> [String: RawField] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw yamlError(error, path: path, text: text)
        }
        guard let root else { return [:] }
        guard let mapping = root.mapping else {
            throw ConfigError(file: path, line: root.mark?.line, column: root.mark?.column,
                              message: "the config must be a YAML mapping of keys to values, not \(describe(root))")
        }
        var fields: [String: RawField] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { continue }
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
        return fields
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

    fileprivate static func jsonFields(path: String, environment: [String: String]) throws -> [String: RawField] {
        let file = try DefinitionFile.load(path: path, environment: environment, extStr: [:])
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
        return fields
    }
}
