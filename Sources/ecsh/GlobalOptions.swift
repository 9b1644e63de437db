import ArgumentParser
import Foundation
import Lang
import Runtime
import Synchronization

/// The options every command that talks to ECS takes.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Run tasks as local processes, one per container, instead of on ECS: no AWS account needed.")
    var local = false

    @Option(name: .customLong("local-concurrency"), help: ArgumentHelp("With --local, how many tasks run at once; the rest wait as PENDING (default: 4 per core).", valueName: "n"))
    var localConcurrency: Int?

    @Option(help: "The AWS region (else the config's region, AWS_REGION, AWS_DEFAULT_REGION, the profile).")
    var region: String?

    @Option(help: "A profile of ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE).")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("Send ECS, CloudWatch Logs, STS, SSM, Secrets Manager and S3 calls here (a local mock such as moto).", valueName: "url"))
    var endpointURL: String?

    @Option(help: ArgumentHelp("An ecspresso config (.yml, .yaml, .json, .jsonnet) to load before the script runs, as config() does (else ECSPRESSO_CONFIG).", valueName: "file"))
    var config: String?

    @Option(help: "The cluster for calls that name none (else the config's, else default).")
    var cluster: String?

    @Option(name: .customLong("ext-str"), help: ArgumentHelp("Passed to jsonnet for Jsonnet configs and definitions (std.extVar); repeatable (else ECSPRESSO_EXT_STR, 'k=v;k2=v2').", valueName: "key=value"))
    var extStr: [String] = []

    @Option(name: .customLong("ext-code"), help: ArgumentHelp("Jsonnet code bound for std.extVar, as --ext-str; repeatable (else ECSPRESSO_EXT_CODE).", valueName: "key=code"))
    var extCode: [String] = []

    @Option(name: .customLong("assume-role-arn"), help: ArgumentHelp("Make every AWS call as this IAM role, assumed with the usual credentials (else ECSPRESSO_ASSUME_ROLE_ARN).", valueName: "arn"))
    var assumeRoleARN: String?

    @Option(help: ArgumentHelp("A file of KEY=VALUE lines added to the environment before anything is read; repeatable, later files win (else ECSPRESSO_ENVFILE, comma-separated).", valueName: "file"))
    var envfile: [String] = []

    @Flag(help: "Print every AWS request and response on stderr, secrets redacted.")
    var debug = false

    @Flag(name: .customLong("dry-run"), help: "Print mutating calls (register, run, stop) as the JSON they would send, and send none.")
    var dryRun = false

    @Option(help: ArgumentHelp("text (default), or json: one JSON event a line on stdout (launched, status, log, stopped, summary; a script's own lines as output events).", valueName: "format"))
    var output: OutputFormat = .text

    @Option(help: ArgumentHelp("While waiting: live (a block redrawn on a terminal), lines (a line a change, on stderr), off. Default: live on a terminal, else lines.", valueName: "mode"))
    var progress: ProgressMode = .auto

    @Flag(name: .customLong("no-color"), help: "No colours (as NO_COLOR=1 does).")
    var noColor = false

    @Flag(name: .customLong("stop-on-interrupt"), help: "On Ctrl-C, stop every task launched that still runs (else they are listed with the command to stop them).")
    var stopOnInterrupt = false

    @Option(name: .customLong("poll-interval"), help: ArgumentHelp("How soon to look at waited tasks first and after each change (default 1s); the interval grows while nothing changes.", valueName: "duration"))
    var pollInterval: String?

    @Option(name: .customLong("poll-max"), help: ArgumentHelp("The longest interval between two looks (default 10s).", valueName: "duration"))
    var pollMax: String?

    func validate() throws {
        for (flag, value) in [("--poll-interval", pollInterval), ("--poll-max", pollMax)] {
            if let value, RunPlan.parseTimeout(value) == nil {
                throw ValidationError("\(flag) takes a duration such as 500ms, 2s or 1m, got '\(value)'")
            }
        }
        if let endpointURL {
            guard let url = URL(string: endpointURL), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--endpoint-url must be an http:// or https:// URL, got '\(endpointURL)'")
            }
        }
        if let n = localConcurrency {
            guard n >= 1 else { throw ValidationError("--local-concurrency must be at least 1, got \(n)") }
            guard local else { throw ValidationError("--local-concurrency needs --local") }
        }
        if local, endpointURL != nil { throw ValidationError("--local and --endpoint-url exclude each other") }
        for (flag, pairs) in [("--ext-str", extStr), ("--ext-code", extCode)] {
            for pair in pairs.flatMap(Self.mapItems) where !pair.contains("=") || pair.hasPrefix("=") {
                throw ValidationError("\(flag) takes KEY=VALUE, got '\(pair)'")
            }
        }
        if let region, region.isEmpty || region.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ValidationError("--region must look like us-east-1, got '\(region)'")
        }
    }

    /// kong's map values, as ecspresso takes them: `k=v;k2=v2` in one flag or variable.
    static func mapItems(_ text: String) -> [String] {
        text.split(separator: ";").map(String.init)
    }

    /// `--ext-str`-style pairs, the flags' else the variable's.
    static func pairs(_ flags: [String], variable: String?) -> [String: String] {
        var out: [String: String] = [:]
        let items = flags.isEmpty ? (variable.map(mapItems) ?? []) : flags.flatMap(mapItems)
        for pair in items {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else { continue }
            out[String(parts[0])] = String(parts[1])
        }
        return out
    }

    /// The process environment with the envfiles (`--envfile`, else ECSPRESSO_ENVFILE) over it.
    static func environment(envfiles: [String], base: [String: String]) throws -> [String: String] {
        var environment = base
        let files = envfiles.isEmpty
            ? (base["ECSPRESSO_ENVFILE"].map { $0.split(separator: ",").map(String.init) } ?? [])
            : envfiles
        for file in files {
            for (k, v) in try EnvFile.load(path: file) { environment[k] = v }
        }
        return environment
    }

    /// The config to load: `--config`, else ECSPRESSO_CONFIG; with `discover`, else the
    /// first of ./ecspresso.yml, .yaml, .json, .jsonnet (as `ecspresso` and `ecsh run` do).
    func configPath(environment: [String: String], discover: Bool) -> String? {
        if let config { return config }
        if let fromEnvironment = environment["ECSPRESSO_CONFIG"], !fromEnvironment.isEmpty { return fromEnvironment }
        return discover ? EcspressoConfig.discover(in: FileManager.default.currentDirectoryPath) : nil
    }

    /// A session whose output goes where the interpreter prints. `discoverConfig`: look for
    /// ./ecspresso.{yml,yaml,json,jsonnet} when no config is named.
    func makeSession(output: any OutputSink) throws -> ECSSession {
        try makeSession(output: output, discoverConfig: false)
    }

    func makeSession(output: any OutputSink, discoverConfig: Bool) throws -> ECSSession {
        applyTerminalOptions()
        var options = SessionOptions()
        options.environment = try Self.environment(envfiles: envfile, base: options.environment)
        let configPath = configPath(environment: options.environment, discover: discoverConfig)
        let debug = self.debug || ["1", "true"].contains(options.environment["ECSPRESSO_DEBUG"]?.lowercased() ?? "")
        options.region = region
        options.profile = profile
        options.endpointURL = endpointURL
        options.configPath = configPath
        options.cluster = cluster
        options.debug = debug
        options.dryRun = dryRun
        options.extStr = Self.pairs(extStr, variable: options.environment["ECSPRESSO_EXT_STR"])
        options.extCode = Self.pairs(extCode, variable: options.environment["ECSPRESSO_EXT_CODE"])
        options.assumeRoleARN = assumeRoleARN ?? options.environment["ECSPRESSO_ASSUME_ROLE_ARN"].flatMap { $0.isEmpty ? nil : $0 }
        options.local = local
        options.stopOnInterrupt = stopOnInterrupt
        if local {
            // Local tasks change state in milliseconds: poll them often, it costs nothing.
            options.polling = TaskPoller.Timing(initial: .milliseconds(25), maximum: .milliseconds(250), missingGrace: .seconds(5))
        }
        if let first = pollInterval.flatMap(RunPlan.parseTimeout) {
            options.polling.initial = first
            options.polling.maximum = max(options.polling.maximum, first)
        }
        if let most = pollMax.flatMap(RunPlan.parseTimeout) {
            options.polling.maximum = most
            options.polling.initial = min(options.polling.initial, most)
        }
        let sink = SinkBox(output)
        let debugLog = debug ? DebugLog { text in
            FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        } : nil
        let dryRun = self.dryRun
        let session = ECSSession(options: options, output: { sink.write($0) },
                                 progress: progressObserver(sink)) { session in
            if local {
                let backend = LocalBackend(environment: session.options.environment,
                                           workingDirectory: session.options.workingDirectory,
                                           concurrency: localConcurrency ?? LocalBackend.defaultConcurrency)
                debugLog?.note("--local: tasks run as host processes from each container's entryPoint and command; images are not pulled or used")
                return dryRun ? DryRunBackend(reads: backend) { sink.write($0 + "\n") } : backend
            }
            guard dryRun else {
                return try AWSBackend.live(options: session.options, fallbackRegion: session.defaults.region,
                                           transport: SharedTransport.instance, debug: debugLog)
            }
            do {
                let live = try AWSBackend.live(options: session.options, fallbackRegion: session.defaults.region,
                                               transport: SharedTransport.instance, debug: debugLog)
                return DryRunBackend(reads: live) { sink.write($0 + "\n") }
            } catch {
                // A dry run can go on without AWS: only a read (taskdef, describe) needs it.
                return DryRunBackend(reads: nil, noReadsReason: "\(error)") { sink.write($0 + "\n") }
            }
        }
        if let configPath {
            // Plugins read AWS (a tfstate in s3://) and the service definition may use them.
            _ = try Self.blocking { try await session.loadConfig(configPath) }
        }
        return session
    }

    /// Runs `body` to the end on the concurrency pool and waits for it here.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = box.withLock({ $0 }) else { throw CancellationError() }
        return try result.get()
    }
}

extension GlobalOptions {
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, live, lines, off
    }

    /// The progress display the options and the terminal ask for: live on a terminal,
    /// lines elsewhere, JSON events with `--output json`.
    var effectiveProgress: ProgressMode {
        if progress != .auto { return progress }
        return isatty(2) == 1 ? .live : .lines
    }

    /// Where a script's own output goes: stdout, or `output` events with `--output json`.
    func scriptOutput() -> any OutputSink {
        output == .json ? JSONOutputSink(events: .standard) : StandardOutput()
    }

    /// Applies `--no-color` for the whole process.
    func applyTerminalOptions() {
        if noColor { Terminal.disableColor() }
    }

    func progressObserver(_ sink: SinkBox) -> any ProgressObserver {
        if output == .json { return JSONEvents.standard }
        switch effectiveProgress {
        case .live: return LiveProgress(output: { sink.write($0) }, flush: { sink.flush() })
        case .lines: return LineProgress(output: { sink.write($0) })
        case .off, .auto: return LogLinePrinter(output: { sink.write($0) })
        }
    }
}

/// The process's one HTTP client.
enum SharedTransport {
    static let instance = AsyncHTTPTransport()
}

/// Lets the session print through the interpreter's sink. The interpreter's thread is
/// parked while a built-in runs, so the two never write at once.
final class SinkBox: @unchecked Sendable {
    let sink: any OutputSink
    init(_ sink: any OutputSink) { self.sink = sink }
    func write(_ text: String) { sink.write(text) }
    func flush() { sink.flush() }
}

extension GlobalOptions {
    /// The global options that take a value, by name.
    static let valueOptions: Set<String> = [
        "--local-concurrency", "--region", "--profile", "--endpoint-url", "--config", "--cluster", "--ext-str",
        "--ext-code", "--envfile", "--assume-role-arn", "--output", "--progress", "--poll-interval", "--poll-max",
    ]
    /// The global flags.
    static let flagOptions: Set<String> = ["--local", "--debug", "--dry-run", "--no-color", "--stop-on-interrupt"]

    /// `ecsh --config x.yml run ...` as `ecsh run --config x.yml ...`: global options given
    /// before a subcommand that takes them are moved after it, as ecspresso takes them in
    /// either place. Anything else is left as it is (before a script file, options are the
    /// script command's own).
    static func hoisted(_ arguments: [String], subcommands: Set<String> = ["run"]) -> [String] {
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            let name = a.split(separator: "=", maxSplits: 1).first.map(String.init) ?? a
            if flagOptions.contains(a) { i += 1; continue }
            if valueOptions.contains(name) { i += a.contains("=") ? 1 : 2; continue }
            break
        }
        guard i > 0, i < arguments.count, subcommands.contains(arguments[i]) else { return arguments }
        return [arguments[i]] + arguments[..<i] + arguments[(i + 1)...]
    }
}
