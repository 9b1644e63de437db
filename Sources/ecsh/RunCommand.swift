import ArgumentParser
import Foundation
import Lang
import OrderedCollections
import Runtime

/// `ecsh run`: `ecspresso run`, flag for flag, as one call of the `run()` built-in's
/// code (``RunPlan``): the flags become RunTask parameters by their API names.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a task definition once, as `ecspresso run` does.",
        discussion: """
            Registers the task definition (the config's task_definition, or --task-definition FILE) \
            unless --skip-task-definition, --revision or --latest-task-definition names an existing one, \
            then calls RunTask. --config defaults to ECSPRESSO_CONFIG, else the first of ./ecspresso.yml, \
            .yaml, .json, .jsonnet; with a service: in it, --skip-task-definition runs the service's current \
            task definition, as ecspresso does. Its service \
            definition gives launchType, networkConfiguration and the like unless a flag says otherwise.

            Without --wait: prints the task ARNs, one a line, once they are launched.
            With --wait: waits for every task, prints the watched container's log lines (--all-logs: \
            every container's), then one line a task; --output json prints JSON events instead, one a \
            line, the last a `result` with every task. Ctrl-C lists the tasks still running with the \
            command to stop each (--stop-on-interrupt stops them).

            Exit status: 0 when every task was launched (and, with --wait, exited 0); the watched \
            container's exit code when one is not 0; 1 when a task failed to start, the wait timed out \
            or a call failed; 2 for a usage error or a run refused before any call.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: [.customLong("task-definition"), .customLong("task-def")],
            help: ArgumentHelp("A task definition file (JSON or Jsonnet) to register, or an existing family[:revision] or ARN to run as it is (default: the config's task_definition).", valueName: "file|name"))
    var taskDefinition: String?

    @Option(help: "Run this revision of the family, registering nothing.")
    var revision: Int?

    @Flag(name: .customLong("latest-task-definition"), help: "Run the family's latest ACTIVE revision, registering nothing.")
    var latestTaskDefinition = false

    @Flag(name: .customLong("skip-task-definition"), help: "Register nothing: run the task definition the config's service runs now (DescribeServices), else the family's latest revision (or --revision).")
    var skipTaskDefinition = false

    @Option(help: "How many tasks to start (RunTask takes 10 a call; ecsh makes as many calls as needed).")
    var count = 1

    @Option(name: .customLong("launch-type"), help: ArgumentHelp("EC2, FARGATE or EXTERNAL (not with --capacity-provider-strategy).", valueName: "type"))
    var launchType: String?

    @Option(name: .customLong("network-configuration"),
            help: ArgumentHelp("JSON, or the AWS CLI shorthand awsvpcConfiguration={subnets=[a,b],securityGroups=[c],assignPublicIp=ENABLED}.", valueName: "json|shorthand"))
    var networkConfiguration: String?

    @Option(name: .customLong("capacity-provider-strategy"),
            help: ArgumentHelp("JSON list of {capacityProvider, weight, base} (not with --launch-type).", valueName: "json"))
    var capacityProviderStrategy: String?

    @Option(help: ArgumentHelp("A TaskOverride as JSON (not with --container-overrides).", valueName: "json"))
    var overrides: String?

    @Option(name: .customLong("overrides-file"), help: ArgumentHelp("A file holding a TaskOverride, JSON or Jsonnet, rendered like the definitions (templates, plugins); --overrides file://PATH does the same.", valueName: "file"))
    var overridesFile: String?

    @Flag(name: .customLong("ebs-delete-on-termination"), inversion: .prefixedNo,
          help: "Whether the EBS volumes of the service definition's volumeConfigurations are deleted when the task stops.")
    var ebsDeleteOnTermination = true

    @Option(name: .customLong("container-overrides"),
            help: ArgumentHelp(#"One container override as JSON ({"name":"app","command":["echo","hello"]}) or a JSON list of them."#, valueName: "json"))
    var containerOverrides: String?

    @Flag(inversion: .prefixedNo, help: "Wait for the tasks and exit with the watched container's exit code.")
    var wait = false

    @Option(help: ArgumentHelp("How long --wait waits: 90s, 20m, 1h30m, or seconds (default: the config's timeout, else no limit).", valueName: "duration"))
    var timeout: String?

    @Option(name: .customLong("launch-timeout"), help: ArgumentHelp("How long tasks that find no room in the cluster are tried again (default 10m; 0s: report them at once).", valueName: "duration"))
    var launchTimeout: String?

    @Option(name: .customLong("wait-until"), help: ArgumentHelp("What --wait waits for: stopped (default) or running.", valueName: "state"))
    var waitUntil: String?

    @Option(name: .customLong("watch-container"), help: ArgumentHelp("The container whose exit code and logs count (default: the first essential one).", valueName: "name"))
    var watchContainer: String?

    @Option(name: .customLong("client-token"), help: ArgumentHelp("RunTask's idempotency token (count 10 or less; default: a fresh one a call).", valueName: "token"))
    var clientToken: String?

    @Option(help: ArgumentHelp("Task tags KEY=VALUE,KEY=VALUE (repeatable).", valueName: "tags"))
    var tags: [String] = []

    @Option(name: .customLong("propagate-tags"), help: ArgumentHelp("TASK_DEFINITION or NONE (RunTask refuses SERVICE).", valueName: "from"))
    var propagateTags: String?

    @Option(name: .customLong("platform-version"), help: ArgumentHelp("The Fargate platform version, such as LATEST or 1.4.0.", valueName: "version"))
    var platformVersion: String?

    @Option(name: .customLong("started-by"), help: ArgumentHelp("RunTask's startedBy: who or what started the tasks.", valueName: "text"))
    var startedBy: String?

    @Option(help: ArgumentHelp("RunTask's task group name.", valueName: "name"))
    var group: String?

    @Flag(name: .customLong("enable-execute-command"), help: "Turn on ECS Exec for the tasks.")
    var enableExecuteCommand = false

    @Option(name: .customLong("placement-constraints"), help: ArgumentHelp("JSON list of {type, expression} (EC2).", valueName: "json"))
    var placementConstraints: String?

    @Option(name: .customLong("placement-strategy"), help: ArgumentHelp("JSON list of {type, field} (EC2).", valueName: "json"))
    var placementStrategy: String?

    @Flag(name: .customLong("all-logs"), help: "With --wait, show the log lines of every container, not only the watched one's.")
    var allLogs = false

    func validate() throws {
        if revision != nil && latestTaskDefinition {
            throw ValidationError("--revision and --latest-task-definition exclude each other: give one")
        }
        if launchType != nil && capacityProviderStrategy != nil {
            throw ValidationError("--launch-type and --capacity-provider-strategy exclude each other: give one")
        }
        if overrides != nil && overridesFile != nil {
            throw ValidationError("--overrides and --overrides-file exclude each other: give one")
        }
        if containerOverrides != nil && (overrides != nil || overridesFile != nil) {
            throw ValidationError("--\(overrides != nil ? "overrides" : "overrides-file") and --container-overrides exclude each other: put the container overrides in the TaskOverride's containerOverrides, or give only --container-overrides")
        }
        if let path = overridesFilePath, !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("--overrides-file: cannot read '\(path)'")
        }
        if let revision, revision < 1 { throw ValidationError("--revision must be 1 or more, got \(revision)") }
        if count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if launchType == ManagedInstances.launchType { throw ValidationError(ManagedInstances.refusal(commandLine: true)) }
        if let launchType, !["EC2", "FARGATE", "EXTERNAL"].contains(launchType) {
            throw ValidationError("--launch-type must be EC2, FARGATE or EXTERNAL, got '\(launchType)'")
        }
        if let propagateTags, !["SERVICE", "TASK_DEFINITION", "NONE"].contains(propagateTags) {
            throw ValidationError("--propagate-tags must be TASK_DEFINITION or NONE (or SERVICE, which RunTask refuses), got '\(propagateTags)'")
        }
        if let waitUntil, WaitGoal(rawValue: waitUntil) == nil {
            throw ValidationError("--wait-until must be running or stopped, got '\(waitUntil)'")
        }
        if !wait {
            if timeout != nil { throw ValidationError("--timeout applies only with --wait") }
            if waitUntil != nil { throw ValidationError("--wait-until applies only with --wait") }
        }
        if let launchTimeout, RunPlan.parseLaunchTimeout(launchTimeout) == nil {
            throw ValidationError("--launch-timeout must be a duration such as 0s, 90s or 10m, got '\(launchTimeout)'")
        }
        if let timeout, RunPlan.parseTimeout(timeout) == nil {
            throw ValidationError("--timeout must be a positive duration of at most 30 days, such as 90s, 20m or 1h30m, got '\(timeout)'")
        }
        if let name = existingName, let revision = revisionIn(name) {
            if self.revision != nil || latestTaskDefinition {
                throw ValidationError("--task-definition '\(name)' already names revision \(revision): leave out --\(self.revision != nil ? "revision" : "latest-task-definition")")
            }
        }
        _ = try parameters()
    }

    /// `--task-definition` naming a registered definition rather than a file: an ARN or
    /// `family[:revision]` that is not a file here.
    var existingName: String? {
        guard let taskDefinition else { return nil }
        if taskDefinition.hasPrefix("arn:") { return taskDefinition }
        if FileManager.default.fileExists(atPath: taskDefinition) { return nil }
        let isName = taskDefinition.range(of: #"^[A-Za-z0-9_-]{1,255}(:[0-9]+)?$"#, options: .regularExpression) != nil
        return isName ? taskDefinition : nil
    }

    func revisionIn(_ name: String) -> Int? {
        let last = name.split(separator: "/").last ?? Substring(name)
        let parts = last.split(separator: ":")
        return parts.count == 2 ? Int(parts[1]) : nil
    }

    /// The RunTask parameters the flags give, by API name; a usage error names the flag
    /// whose value does not parse.
    func parameters() throws -> OrderedDictionary<String, JSONValue> {
        var p = OrderedDictionary<String, JSONValue>()
        if let launchType { p["launchType"] = .string(launchType) }
        if let networkConfiguration {
            let trimmed = networkConfiguration.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("{") {
                p["networkConfiguration"] = try Self.json(networkConfiguration, flag: "network-configuration")
            } else {
                do {
                    p["networkConfiguration"] = Self.listsOfOne(try JSONValue(script: Shorthand.parse(networkConfiguration)),
                                                                 keys: ["subnets", "securityGroups"])
                } catch let e as ShorthandError {
                    throw ValidationError("--network-configuration: \(e) (expected JSON or awsvpcConfiguration={subnets=[subnet-1],securityGroups=[sg-1],assignPublicIp=DISABLED})")
                }
            }
        }
        if let capacityProviderStrategy {
            p["capacityProviderStrategy"] = Self.asList(try Self.json(capacityProviderStrategy, flag: "capacity-provider-strategy"))
        }
        // An overrides file is rendered like the definitions, once the config is loaded (see run()).
        if let overrides, overridesFilePath == nil { p["overrides"] = try Self.json(overrides, flag: "overrides") }
        if let containerOverrides {
            let list = Self.asList(try Self.json(containerOverrides, flag: "container-overrides"))
            p["overrides"] = .object(["containerOverrides": list])
        }
        if let platformVersion { p["platformVersion"] = .string(platformVersion) }
        // As ecspresso: NONE is not sent (ECS refuses it from RunTask).
        if let propagateTags, propagateTags != "NONE" { p["propagateTags"] = .string(propagateTags) }
        if let startedBy { p["startedBy"] = .string(startedBy) }
        if let group { p["group"] = .string(group) }
        if let placementConstraints {
            p["placementConstraints"] = Self.asList(try Self.json(placementConstraints, flag: "placement-constraints"))
        }
        if let placementStrategy {
            p["placementStrategy"] = Self.asList(try Self.json(placementStrategy, flag: "placement-strategy"))
        }
        if !tags.isEmpty {
            var m = OrderedDictionary<String, JSONValue>()
            for item in tags.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
                let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--tags takes KEY=VALUE,KEY=VALUE, got '\(item)'")
                }
                m[String(parts[0])] = .string(String(parts[1]))
            }
            p["tags"] = .object(m)
        }
        if enableExecuteCommand { p["enableExecuteCommand"] = .bool(true) }
        if let clientToken { p["clientToken"] = .string(clientToken) }
        return p
    }

    /// A flag's JSON, read once into the runtime's own form.
    static func json(_ text: String, flag: String) throws -> JSONValue {
        do {
            return try JSONValue(script: JSON.decode(text))
        } catch {
            throw ValidationError("--\(flag) is not valid JSON: \(error)")
        }
    }

    /// The AWS CLI takes one item where a list is expected; so does ecsh.
    static func asList(_ v: JSONValue) -> JSONValue {
        if case .object = v { return .array([v]) }
        return v
    }

    /// `subnets=subnet-1` in the shorthand means a list of one, as in the AWS CLI.
    static func listsOfOne(_ v: JSONValue, keys: Set<String>) -> JSONValue {
        switch v {
        case .object(let m):
            var out = OrderedDictionary<String, JSONValue>()
            for (k, item) in m {
                if keys.contains(k), case .string = item { out[k] = .array([item]) } else { out[k] = listsOfOne(item, keys: keys) }
            }
            return .object(out)
        default:
            return v
        }
    }

    var plan: RunPlan {
        get throws {
            var plan = RunPlan(parameters: try parameters(), count: count, wait: wait, until: waitUntil.flatMap(WaitGoal.init) ?? .stopped,
                               timeout: timeout.flatMap(RunPlan.parseTimeout), logs: wait ? (allLogs ? .all : .watched) : nil,
                               watch: watchContainer)
            plan.launchTimeout = launchTimeout.flatMap(RunPlan.parseLaunchTimeout) ?? plan.launchTimeout
            return plan
        }
    }

    /// `--overrides-file`, or `--overrides file://PATH`.
    var overridesFilePath: String? {
        if let overridesFile { return overridesFile }
        if let overrides, overrides.hasPrefix("file://") { return String(overrides.dropFirst("file://".count)) }
        return nil
    }

    func run() throws {
        var plan = try self.plan
        let printer = RunPrinter(json: global.output == .json, wait: wait,
                                 progressShowsLaunches: global.output == .text && global.settings.effectiveProgress == .lines)
        let session: ECSSession
        do {
            session = try global.settings.makeSession(output: printer.sink, discoverConfig: true)
        } catch {
            Report.error("\(error)")
            throw ExitCode(1)
        }
        if wait, timeout == nil, let text = session.options.environment["ECSPRESSO_TIMEOUT"], !text.isEmpty {
            guard let d = RunPlan.parseTimeout(text) else {
                throw ValidationError("ECSPRESSO_TIMEOUT must be a duration such as 90s, 20m or 1h30m, got '\(text)'")
            }
            plan.timeout = d
        }
        let prepared = plan
        let choice = try definitionChoice(session: session)
        let overridesFile = overridesFilePath
        let ebsDeleteOnTermination = self.ebsDeleteOnTermination
        RunJournaling.enable(session, global: global.settings, script: "run", bytes: Array(CommandLine.arguments.joined(separator: " ").utf8),
                             arguments: Array(CommandLine.arguments.dropFirst()))
        let status = Signals.whileRunning {
            Blocking.run {
                do {
                    var plan = prepared
                    if let overridesFile {
                        plan.parameters["overrides"] = try await TaskDefinitions.loadOverrides(file: overridesFile, session: session, files: SystemHost())
                    }
                    if !ebsDeleteOnTermination, plan.parameters["volumeConfigurations"] == nil,
                       let volumes = session.defaults.parameters["volumeConfigurations"] {
                        plan.parameters["volumeConfigurations"] = Self.deleteOnTermination(volumes, false)
                    }
                    let source = try await choice.source(session: session)
                    let definition = try await source.resolve(plan: plan, session: session)
                    let outcome = try await plan.execute(definition: definition, session: session) { printer.launched($0) }
                    printer.finished(outcome, definition: definition)
                    return outcome.exitStatus
                } catch {
                    let status = printer.failed(error)
                    // A later batch failed: the tasks that did start go on running. (Ctrl-C
                    // has its own report below, which may stop them.)
                    if !(error is CancellationError) {
                        FileHandle.standardError.write(Data(InterruptReport.text(for: InterruptReport.running(session), local: session.isLocal).utf8))
                    }
                    return status
                }
            }
        }
        if Interrupt.isRequested {
            FileHandle.standardError.write(Data(Blocking.text { await InterruptReport.afterInterrupt(session) }.utf8))
            session.shutdownBlocking()
        }
        session.journal.finish(status: Interrupt.isRequested ? 130 : status)
        throw ExitCode(status)
    }

    /// `terminationPolicy.deleteOnTermination` of each volume set to `value`.
    static func deleteOnTermination(_ volumes: JSONValue, _ value: Bool) -> JSONValue {
        guard case .array(let items) = volumes else { return volumes }
        return .array(items.map { item in
            guard case .object(var vc) = item, case .object(var ebs)? = vc["managedEBSVolume"] else { return item }
            ebs["terminationPolicy"] = .object(["deleteOnTermination": .bool(value)])
            vc["managedEBSVolume"] = .object(ebs)
            return .object(vc)
        })
    }

    /// Where the task definition comes from, decided before any call.
    func definitionChoice(session: ECSSession) throws -> DefinitionChoice {
        if let name = existingName {
            // A name is never registered, so --skip-task-definition changes nothing here.
            return .existing(revision.map { "\(name):\($0)" } ?? name)
        }
        let registersNothing = skipTaskDefinition || revision != nil || latestTaskDefinition
        if registersNothing, taskDefinition == nil, let service = session.defaults.service, !service.isEmpty {
            // As ecspresso's resolveTaskdefinition: the service's current task definition
            // gives the family, and for --skip-task-definition the revision too.
            return .service(revision: revision, latest: latestTaskDefinition)
        }
        guard let path = taskDefinition ?? session.defaults.taskDefinitionPath else {
            let why = session.defaults.source.map { "\($0) has no task_definition" } ?? "there is no ./ecspresso.yml, .yaml, .json or .jsonnet (or --config)"
            throw ValidationError("no task definition: give --task-definition FILE or a family name; \(why)")
        }
        return .file(path, familyOnly: registersNothing, revision: revision)
    }
}

/// What `ecsh run` was asked to run, before the calls that settle it.
enum DefinitionChoice: Sendable {
    case existing(String)
    /// The config's service's current task definition (DescribeServices): its revision, or
    /// another revision of its family, or the family's latest.
    case service(revision: Int?, latest: Bool)
    /// A file: registered, or (`familyOnly`) only read for its family.
    case file(String, familyOnly: Bool, revision: Int?)

    func source(session: ECSSession) async throws -> DefinitionSource {
        switch self {
        case .existing(let name):
            return .existing(name)
        case .service(let revision, let latest):
            guard let current = try await TaskDefinitions.serviceTaskDefinition(session: session) else {
                throw ValidationError("the config has no service")
            }
            let family = String(current.prefix { $0 != ":" })
            if let revision { return .existing("\(family):\(revision)") }
            return .existing(latest ? family : current)
        case .file(let path, let familyOnly, let revision):
            let value = try await TaskDefinitions.load(file: path, session: session, files: SystemHost())
            let local = TaskDefinitions.local(value)
            guard familyOnly else { return .file(value, local) }
            guard let family = local.family else {
                throw ValidationError("\(path) has no family, so there is no registered revision to run")
            }
            return .existing(revision.map { "\(family):\($0)" } ?? family)
        }
    }
}

/// A task definition to run: registered from a file, or one ECS has.
enum DefinitionSource: Sendable {
    /// The file's definition, and what it says about itself for the checks before RegisterTaskDefinition.
    case file(Value, TaskDefinitionDescription)
    /// `family`, `family:revision` or an ARN.
    case existing(String)

    /// The plan is checked first, against what is known without a call: a run that is
    /// refused registers nothing.
    func resolve(plan: RunPlan, session: ECSSession) async throws -> TaskDefinitionDescription {
        switch self {
        case .file(let value, let local):
            _ = try plan.request(definition: local, session: session)
            return try await TaskDefinitions.register(value, session: session)
        case .existing(let name):
            _ = try plan.request(definition: TaskDefinitionDescription(), session: session)
            return try await TaskDefinitions.describe(name, session: session)
        }
    }
}
