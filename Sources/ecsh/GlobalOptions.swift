import ArgumentParser
import Foundation
import Lang
import Runtime

/// The options every command that talks to ECS takes.
struct GlobalOptions: ParsableArguments {
    @Flag(help: "Run tasks as local processes, one per container, instead of on ECS: no AWS account needed.")
    var local = false

    @Option(name: .customLong("local-concurrency"), help: ArgumentHelp("With --local, how many tasks run at once; the rest wait as PENDING (default: 4 per core).", valueName: "n"))
    var localConcurrency: Int?

    @Option(help: "The AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile, ecspresso.yml).")
    var region: String?

    @Option(help: "A profile of ~/.aws/config and ~/.aws/credentials (else AWS_PROFILE).")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("Send ECS, CloudWatch Logs and STS calls here (a local mock such as moto).", valueName: "url"))
    var endpointURL: String?

    @Option(help: ArgumentHelp("An ecspresso.yml to load before the script runs, as config() does.", valueName: "file"))
    var config: String?

    @Option(help: "The cluster for calls that name none (else ecspresso.yml's, else default).")
    var cluster: String?

    @Option(name: .customLong("ext-str"), help: ArgumentHelp("Passed to jsonnet for Jsonnet task and service definitions (std.extVar); repeatable.", valueName: "key=value"))
    var extStr: [String] = []

    @Flag(help: "Print every AWS request and response on stderr, secrets redacted.")
    var debug = false

    @Flag(name: .customLong("dry-run"), help: "Print mutating calls (register, run, stop) as the JSON they would send, and send none.")
    var dryRun = false

    @Option(help: ArgumentHelp("text (default), or json: one JSON event a line on stdout (launched, status, log, stopped, summary; a script's own lines as output events).", valueName: "format"))
    var output: OutputFormat = .text

    @Option(help: ArgumentHelp("While waiting: live (a block redrawn on a terminal), lines (a line per launch, RUNNING and stop, on stderr), verbose (lines, with every state), off. Default: live on a terminal, else lines.", valueName: "mode"))
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
        for pair in extStr where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--ext-str takes KEY=VALUE, got '\(pair)'")
        }
        if let region, region.isEmpty || region.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ValidationError("--region must look like us-east-1, got '\(region)'")
        }
    }

    /// A session whose output goes where the interpreter prints.
    func makeSession(output: any OutputSink) throws -> ECSSession {
        applyTerminalOptions()
        var options = SessionOptions()
        options.region = region
        options.profile = profile
        options.endpointURL = endpointURL
        options.configPath = config
        options.cluster = cluster
        options.debug = debug
        options.dryRun = dryRun
        for pair in extStr {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            options.extStr[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        let defaults = try config.map { try RunDefaults(configFile: $0, environment: options.environment, extStr: options.extStr) }
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
        if let defaults { session.setDefaults(defaults) }
        return session
    }
}

extension GlobalOptions {
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    enum ProgressMode: String, ExpressibleByArgument, CaseIterable {
        case auto, live, lines, verbose, off
    }

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
        case .off, .auto, .verbose: return LogLinePrinter(output: { sink.write($0) })
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
