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

    func validate() throws {
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
        if local {
            // Local tasks change state in milliseconds: poll them often, it costs nothing.
            options.polling = TaskPoller.Timing(initial: .milliseconds(25), maximum: .milliseconds(250), missingGrace: .seconds(5))
        }
        let sink = SinkBox(output)
        let debugLog = debug ? DebugLog { text in
            FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
        } : nil
        let dryRun = self.dryRun
        let session = ECSSession(options: options, output: { sink.write($0) }) { session in
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
}
