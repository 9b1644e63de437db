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
        for (flag, pairs) in [("--ext-str", extStr), ("--ext-code", extCode)] {
            for pair in pairs.flatMap(SessionSettings.mapItems) where !pair.contains("=") || pair.hasPrefix("=") {
                throw ValidationError("\(flag) takes KEY=VALUE, got '\(pair)'")
            }
        }
        if let region, region.isEmpty || region.contains(where: { !($0.isLetter || $0.isNumber || $0 == "-") }) {
            throw ValidationError("--region must look like us-east-1, got '\(region)'")
        }
    }


    /// The options as plain values: what sessions are made from.
    var settings: SessionSettings {
        SessionSettings(local: local, localConcurrency: localConcurrency, region: region, profile: profile,
                        endpointURL: endpointURL, config: config, cluster: cluster, extStr: extStr, extCode: extCode,
                        assumeRoleARN: assumeRoleARN, envfile: envfile, debug: debug, dryRun: dryRun, output: output,
                        progress: progress, noColor: noColor, stopOnInterrupt: stopOnInterrupt,
                        pollInterval: pollInterval, pollMax: pollMax)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ProgressMode: ExpressibleByArgument {}

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
    func writeError(_ text: String) { sink.writeError(text) }
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
