import Foundation
import Lang
import Synchronization

/// One entry of the config's `plugins:` list.
public struct ConfigPluginSpec: Sendable, Equatable {
    public var name: String
    /// `config.path` (resolved against the config's directory) or `config.url`, for tfstate.
    public var path: String?
    public var url: String?
    public var funcPrefix: String
    /// Where the entry is, for errors.
    public var line: Int?
    public var column: Int?

    public init(name: String, path: String? = nil, url: String? = nil, funcPrefix: String = "", line: Int? = nil, column: Int? = nil) {
        self.name = name
        self.path = path
        self.url = url
        self.funcPrefix = funcPrefix
        self.line = line
        self.column = column
    }
}

/// The template functions ecspresso's plugins add to task, service and overrides files
/// (ecspresso v2.3 plugin.go): `ssm` and `secretsmanager_arn` always (its default plugins),
/// `tfstate`/`tfstatef` for each `tfstate` entry of `plugins:`, names prefixed by `func_prefix`.
///
/// Templates render synchronously, as Go's do; a value not fetched yet makes its function
/// throw ``TemplateLookupNeeded``, and ``render(_:)`` fetches it and renders again. Fetched
/// values (and failures) are kept for the session, as ecspresso caches them for its run.
public final class ConfigPlugins: Sendable {
    /// The state of each tfstate plugin, by function name prefix.
    /// nil: an `s3://` state not read (``offline(_:configFile:)``).
    let states: [(prefix: String, state: TFState?)]
    /// Extra prefixes under which `ssm`/`secretsmanager_arn` are also defined.
    let ssmPrefixes: [String]
    let secretsPrefixes: [String]
    let reader: @Sendable () async throws -> any AWSCaller
    private let fetched = Mutex<[String: Result<FetchedValue, TemplateFunctionError>]>([:])

    enum FetchedValue: Sendable {
        case parameter(SSMClient.Parameter)
        case arn(String)
    }

    init(states: [(prefix: String, state: TFState?)], ssmPrefixes: [String] = [""], secretsPrefixes: [String] = [""],
         reader: @escaping @Sendable () async throws -> any AWSCaller) {
        self.states = states
        self.ssmPrefixes = ssmPrefixes
        self.secretsPrefixes = secretsPrefixes
        self.reader = reader
    }

    /// Sets the plugins up as ecspresso does when it loads the config: each tfstate state is
    /// read now (a local file, or `s3://` through `reader`'s client). `configFile` names the
    /// config in errors.
    /// `files`: where a local state is read from (a script's host; by default this machine's files).
    public static func setup(_ specs: [ConfigPluginSpec], configFile: String, files: any ScriptHost = SystemHost(),
                             reader: @escaping @Sendable () async throws -> any AWSCaller) async throws -> ConfigPlugins {
        var prepared = try prepare(specs, configFile: configFile, files: files)
        for (index, url, spec) in prepared.remote {
            prepared.states[index].state = try await readS3State(url, fail: failure(spec, configFile), reader: reader)
        }
        return ConfigPlugins(states: prepared.states, ssmPrefixes: prepared.ssmPrefixes,
                             secretsPrefixes: prepared.secretsPrefixes, reader: reader)
    }

    /// The plugins as far as they are known without a call, for the checks before a script
    /// runs: local states are read, and a function that needs AWS (ssm, secretsmanager_arn,
    /// an `s3://` state) throws ``TemplateLookupNeeded``.
    public static func offline(_ specs: [ConfigPluginSpec], configFile: String,
                               files: any ScriptHost = SystemHost()) throws -> ConfigPlugins {
        let prepared = try prepare(specs, configFile: configFile, files: files)
        return ConfigPlugins(states: prepared.states, ssmPrefixes: prepared.ssmPrefixes,
                             secretsPrefixes: prepared.secretsPrefixes,
                             reader: { throw AWSSetupError("a check before the run makes no call") })
    }

    private struct Prepared {
        var states: [(prefix: String, state: TFState?)] = []
        var ssmPrefixes = [""], secretsPrefixes = [""]
        /// `s3://` states still to read: their index in `states`.
        var remote: [(Int, String, ConfigPluginSpec)] = []
    }

    private static func failure(_ spec: ConfigPluginSpec, _ configFile: String) -> (String) -> ConfigError {
        { message in ConfigError(file: configFile, line: spec.line, column: spec.column, message: message) }
    }

    /// Checks the entries (known plugins, no function defined twice) and reads local states.
    private static func prepare(_ specs: [ConfigPluginSpec], configFile: String, files: any ScriptHost) throws -> Prepared {
        var p = Prepared()
        var names: Set<String> = ["ssm", "secretsmanager_arn"]
        for spec in specs {
            let fail = failure(spec, configFile)
            let added: [String]
            switch spec.name.lowercased() {
            case "tfstate":
                if let path = spec.path ?? spec.url.flatMap({ $0.hasPrefix("/") || !$0.contains("://") ? $0 : nil }) {
                    p.states.append((spec.funcPrefix, try readLocalState(path, files: files, fail: fail)))
                } else if let url = spec.url {
                    guard url.hasPrefix("s3://") else {
                        throw fail("failed to setup plugins: failed to read tfstate: \(url): ecsh reads tfstate from a file or s3:// only")
                    }
                    p.remote.append((p.states.count, url, spec))
                    p.states.append((spec.funcPrefix, nil))
                } else {
                    throw fail("failed to setup plugins: tfstate plugin requires path or url for tfstate location")
                }
                added = ["tfstate", "tfstatef"]
            case "ssm":
                if !spec.funcPrefix.isEmpty { p.ssmPrefixes.append(spec.funcPrefix) }
                added = spec.funcPrefix.isEmpty ? [] : ["ssm"]
            case "secretsmanager":
                if !spec.funcPrefix.isEmpty { p.secretsPrefixes.append(spec.funcPrefix) }
                added = spec.funcPrefix.isEmpty ? [] : ["secretsmanager_arn"]
            case "cloudformation":
                throw fail("failed to setup plugins: the cloudformation plugin is not supported by ecsh")
            default:
                throw fail("failed to setup plugins: plugin \(spec.name) is not available")
            }
            for base in added {
                let name = spec.funcPrefix + base
                guard names.insert(name).inserted else {
                    throw fail("failed to setup plugins: template function \(name) already exists. set func_prefix to \(spec.name) plugin")
                }
            }
        }
        return p
    }

    private static func readLocalState(_ path: String, files: any ScriptHost, fail: (String) -> ConfigError) throws -> TFState {
        let text: String
        do {
            text = try DefinitionFile.readText(path, files: files)
        } catch let e as ConfigError {
            throw fail("failed to setup plugins: failed to read tfstate: \(path): \(e.message)")
        }
        return try parseState(text, location: path, fail: fail)
    }

    private static func readS3State(_ url: String, fail: (String) -> ConfigError,
                                    reader: @Sendable () async throws -> any AWSCaller) async throws -> TFState {
        let rest = url.dropFirst("s3://".count)
        let bucket = String(rest.prefix { $0 != "/" })
        let key = String(rest.dropFirst(bucket.count + 1))
        guard !bucket.isEmpty, !key.isEmpty else { throw fail("failed to setup plugins: \(url) must be s3://BUCKET/KEY") }
        let bytes: [UInt8]
        do {
            let caller = try await reader()
            bytes = try await S3Client.getObject(bucket: bucket, key: key, caller: caller)
        } catch let e as AWSError {
            throw fail("failed to setup plugins: failed to read tfstate: \(url): \(e.code): \(e.message)")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw fail("failed to setup plugins: failed to read tfstate: \(url): \(error)")
        }
        return try parseState(String(decoding: bytes, as: UTF8.self), location: url, fail: fail)
    }

    private static func parseState(_ text: String, location: String, fail: (String) -> ConfigError) throws -> TFState {
        do {
            return try TFState(json: text)
        } catch let e as TFState.ReadError {
            throw fail("failed to setup plugins: failed to read tfstate: \(location): \(e.description)")
        }
    }

    /// The functions for a template.
    public var functions: [String: TemplateFunction] {
        var f: [String: TemplateFunction] = [:]
        for prefix in ssmPrefixes { f[prefix + "ssm"] = ssmFunction }
        for prefix in secretsPrefixes { f[prefix + "secretsmanager_arn"] = secretsFunction }
        for (prefix, state) in states {
            let lookup: @Sendable (String) throws -> TemplateValue = { address in
                let addr = address.replacingOccurrences(of: "'", with: "\"")
                guard let state else { throw TemplateLookupNeeded(plugin: "tfstate", key: addr) }
                let found: Value?
                do {
                    found = try state.lookup(addr)
                } catch let e as TFState.ReadError {
                    throw TemplateFunctionError("failed to lookup \(addr) in tfstate: \(e.description)")
                }
                guard let found else { throw TemplateFunctionError("\(addr) is not found in tfstate") }
                return .string(TFState.text(found))
            }
            f[prefix + "tfstate"] = TemplateFunction { args in
                try TemplateBuiltins.arity(args, 1, prefix + "tfstate")
                return try lookup(try TemplateBuiltins.string(args[0], prefix + "tfstate", index: 0))
            }
            f[prefix + "tfstatef"] = TemplateFunction { args in
                guard let first = args.first else {
                    throw TemplateFunctionError("wrong number of args for \(prefix)tfstatef: want at least 1 got 0")
                }
                return try lookup(GoFormat.sprintf(try TemplateBuiltins.string(first, prefix + "tfstatef", index: 0), Array(args.dropFirst())))
            }
        }
        return f
    }

    private var ssmFunction: TemplateFunction {
        TemplateFunction { [self] args in
            guard let first = args.first else { throw TemplateFunctionError("wrong number of args for ssm: want at least 1 got 0") }
            let name = try TemplateBuiltins.string(first, "ssm", index: 0)
            var index: [Int] = []
            for (n, a) in args.enumerated().dropFirst() {
                guard case .int(let i) = a else { throw TemplateFunctionError("expected int; found \(a.printed)", argument: n) }
                index.append(i)
            }
            if index.count > 1 {
                throw TemplateFunctionError("failed to lookup ssm parameter: ssm template function accepts at most 2 parameters, but got \(index.count + 1)")
            }
            let parameter: SSMClient.Parameter
            switch try cached("ssm", name) {
            case .parameter(let p): parameter = p
            case .arn: throw TemplateFunctionError("internal: not a parameter")
            }
            return .string(try Self.value(of: parameter, index: index.first))
        }
    }

    /// ecspresso's ssm lookup rules (ssm/lookup.go).
    static func value(of p: SSMClient.Parameter, index: Int?) throws -> String {
        switch p.type {
        case "StringList":
            guard let index else {
                throw TemplateFunctionError("failed to lookup ssm parameter: the second argument is required for StringList type parrameter to specify the index")
            }
            let values = p.value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard index >= 0, index < values.count else {
                throw TemplateFunctionError("runtime error: index out of range [\(index)] with length \(values.count)")
            }
            return values[index]
        case "String", "SecureString":
            if index != nil {
                throw TemplateFunctionError("failed to lookup ssm parameter: the second argument is supported only for StringList type, but the parameter \(p.name) is of type \(p.type)")
            }
            if p.type == "SecureString" { SecretValues.add(p.value) }
            return p.value
        default:
            throw TemplateFunctionError("failed to lookup ssm parameter: received unexpected parameter type: \(p.type)")
        }
    }

    private var secretsFunction: TemplateFunction {
        TemplateFunction { [self] args in
            try TemplateBuiltins.arity(args, 1, "secretsmanager_arn")
            let id = try TemplateBuiltins.string(args[0], "secretsmanager_arn", index: 0)
            guard case .arn(let arn) = try cached("secretsmanager", id) else { throw TemplateFunctionError("internal: not an ARN") }
            return .string(arn)
        }
    }

    private func cached(_ plugin: String, _ key: String) throws -> FetchedValue {
        guard let result = fetched.withLock({ $0[plugin + "\u{0}" + key] }) else {
            throw TemplateLookupNeeded(plugin: plugin, key: key)
        }
        return try result.get()
    }

    /// Fetches what a render asked for; a failure is kept and raised by the function on the
    /// next render, where it has a position in the file.
    func fetch(_ need: TemplateLookupNeeded) async throws {
        let result: Result<FetchedValue, TemplateFunctionError>
        do {
            let caller = try await reader()
            switch need.plugin {
            case "tfstate":
                throw AWSSetupError("the state was not read")
            case "ssm":
                result = .success(.parameter(try await SSMClient(caller: caller).getParameter(need.key)))
            default:
                result = .success(.arn(try await SecretsManagerClient(caller: caller).describeSecretARN(need.key)))
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let e as AWSError {
            let what = need.plugin == "ssm" ? "failed to lookup ssm parameter: something went wrong calling get-parameter API" : "failed to describe secret"
            result = .failure(TemplateFunctionError("\(what): \(e.code): \(e.message)"))
        } catch {
            let what = need.plugin == "ssm" ? "failed to lookup ssm parameter" : "failed to describe secret"
            result = .failure(TemplateFunctionError("\(what): \(error)"))
        }
        fetched.withLock { $0[need.plugin + "\u{0}" + need.key] = result }
    }

    /// Runs `body` (a synchronous render) until it needs nothing more fetched.
    public static func render<T>(_ plugins: ConfigPlugins?, _ body: () throws -> T) async throws -> T {
        var seen: Set<String> = []
        while true {
            do {
                return try body()
            } catch let need as TemplateLookupNeeded {
                // Each lookup is fetched once; a second miss of the same key cannot happen, but
                // would otherwise loop.
                guard let plugins, seen.insert(need.plugin + "\u{0}" + need.key).inserted else { throw need }
                try await plugins.fetch(need)
            }
        }
    }
}

extension S3Client {
    /// A client on `caller`'s S3 endpoint.
    static func make(_ caller: any AWSCaller) throws -> S3Client {
        guard let client = caller as? AWSClient else {
            throw AWSClient.ConfigurationError(message: "s3:// state needs an AWS client")
        }
        let url = try client.url(for: .s3)
        let host = url.host ?? ""
        let isPublic = host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn")
        return S3Client(caller: caller, endpoint: url, isCustomEndpoint: !isPublic)
    }
}

extension TemplateLookupNeeded: CustomStringConvertible {
    public var description: String { "\(plugin) lookup of \(key) was not fetched" }
}
