import Foundation
import Lang
import Runtime

/// What the global options say (see ``GlobalOptions`` for each one's meaning), as plain
/// values: sessions and script output are made from this. A command line with no options
/// gets `SessionSettings()` without the argument parser (``DirectScript``).
struct SessionSettings: Equatable, Sendable {
    var local = false
    var localConcurrency: Int?
    var region: String?
    var profile: String?
    var endpointURL: String?
    var config: String?
    var cluster: String?
    var extStr: [String] = []
    var extCode: [String] = []
    var assumeRoleARN: String?
    var envfile: [String] = []
    var debug = false
    var dryRun = false
    var output: OutputFormat = .text
    var progress: ProgressMode = .auto
    var noColor = false
    var stopOnInterrupt = false
    var pollInterval: String?
    var pollMax: String?

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
            _ = try Blocking.throwing { try await session.loadConfig(configPath) }
        }
        return session
    }
}

enum OutputFormat: String, CaseIterable, Sendable {
    case text, json
}

enum ProgressMode: String, CaseIterable, Sendable {
    case auto, live, lines, verbose, off
}

extension SessionSettings {
    /// The progress display the options and the terminal ask for: live on a terminal,
    /// lines elsewhere (`verbose` is lines), JSON events with `--output json`.
    var effectiveProgress: ProgressMode {
        if progress == .verbose { return .lines }
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
        case .lines: return LineProgress(verbose: progress == .verbose, output: { sink.write($0) }, flush: { sink.flush() })
        case .off, .auto, .verbose:
            // Quiet progress keeps stdout for the script's own lines and its tasks' logs.
            return LogLinePrinter(output: { sink.write($0) }, warning: { text in
                sink.flush()
                sink.writeError(text)
            })
        }
    }
}
