import Foundation
import OrderedCollections
import Synchronization

/// `--local`: an in-process stand-in for ECS that runs each task's containers as host
/// processes, so a playbook can be rehearsed without an AWS account. Scripts see the
/// same shapes as from AWS; ARNs carry the account `local`.
public final class LocalBackend: Backend {
    /// What the container processes inherit from ecsh's own environment: enough to find
    /// programs and write files, nothing else (ECS containers do not see the host's).
    static let inheritedVariables = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ"]
    static let defaultStopTimeout: Duration = .seconds(30)
    /// The log group of containers without an awslogs configuration.
    public static let logGroup = "/ecsh/local"

    public let concurrency: Int
    private let hostEnvironment: [String: String]
    private let workingDirectory: String
    private let slots: LocalTaskSlots
    private let logs = LocalLogStore()
    private let state = Mutex(State())

    private struct State {
        /// family -> revisions in order (revision n at index n-1).
        var definitions: [String: [(document: JSONValue, description: TaskDefinitionDescription)]] = [:]
        var tasks: OrderedDictionary<String, LocalTask> = [:]
        var runners: [Task<Void, Never>] = []
    }

    /// Four tasks per core by default: containers of rehearsed playbooks mostly wait.
    public static var defaultConcurrency: Int { 4 * ProcessInfo.processInfo.activeProcessorCount }

    public init(environment: [String: String], workingDirectory: String, concurrency: Int = LocalBackend.defaultConcurrency) {
        hostEnvironment = environment
        self.workingDirectory = workingDirectory
        self.concurrency = concurrency
        slots = LocalTaskSlots(limit: concurrency)
    }

    static func arn(_ resource: String) -> String { "arn:aws:ecs:local:local:\(resource)" }

    // MARK: Task definitions

    public func registerTaskDefinition(_ definition: JSONValue) async throws -> TaskDefinitionDescription {
        var description = try WireJSON.decode(TaskDefinitionDescription.self, WireJSON.encode(definition),
                                              operation: "RegisterTaskDefinition")
        guard let family = description.family else {
            throw AWSError(code: "ClientException", message: "Family must be specified.", status: 400, service: .ecs,
                           operation: "RegisterTaskDefinition")
        }
        return state.withLock { s in
            let revision = (s.definitions[family]?.count ?? 0) + 1
            description.revision = revision
            description.status = "ACTIVE"
            description.taskDefinitionArn = Self.arn("task-definition/\(family):\(revision)")
            s.definitions[family, default: []].append((definition, description))
            return description
        }
    }

    public func describeTaskDefinition(_ name: String) async throws -> TaskDefinitionDescription {
        guard let found = lookup(name) else {
            throw AWSError(code: "ClientException", message: "Unable to describe task definition.", status: 400,
                           service: .ecs, operation: "DescribeTaskDefinition")
        }
        return found.description
    }

    /// `family`, `family:revision` or an ARN of either.
    private func lookup(_ name: String) -> (document: JSONValue, description: TaskDefinitionDescription)? {
        let short = name.hasPrefix("arn:") ? String(name.split(separator: "/").last ?? "") : name
        let parts = short.split(separator: ":")
        let family = String(parts.first ?? "")
        return state.withLock { s in
            guard let revisions = s.definitions[family], !revisions.isEmpty else { return nil }
            if parts.count == 2 {
                guard let r = Int(parts[1]), r >= 1, r <= revisions.count else { return nil }
                return revisions[r - 1]
            }
            return revisions.last
        }
    }

    public func listTaskDefinitions(_ request: ListTaskDefinitionsRequest) async throws -> ListTaskDefinitionsResponse {
        let arns = state.withLock { s in
            s.definitions.keys.sorted().filter { request.familyPrefix.map($0.hasPrefix) ?? true }
                .flatMap { s.definitions[$0] ?? [] }.compactMap(\.description.taskDefinitionArn)
        }
        return ListTaskDefinitionsResponse(taskDefinitionArns: arns)
    }

    // MARK: Tasks

    public func runTask(_ request: RunTaskRequest) async throws -> RunTaskResponse {
        guard let (document, description) = lookup(request.taskDefinition) else {
            throw AWSError(code: "ClientException", message: "TaskDefinition not found.", status: 400, service: .ecs,
                           operation: "RunTask")
        }
        let cluster = request.cluster ?? "default"
        var started: [ECSTask] = []
        for _ in 0..<(request.count ?? 1) {
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            var task = ECSTask(taskArn: Self.arn("task/\(cluster)/\(id)"))
            task.clusterArn = Self.arn("cluster/\(cluster)")
            task.taskDefinitionArn = description.taskDefinitionArn
            task.lastStatus = "PROVISIONING"
            task.desiredStatus = "RUNNING"
            task.launchType = request.launchType
            task.startedBy = request.startedBy
            task.group = request.group
            task.overrides = request.overrides
            task.tags = request.tags
            task.createdAt = Date()
            task.containers = description.containerNames.map { name in
                var c = Container(name: name)
                c.containerArn = Self.arn("container/\(cluster)/\(id)/\(name)")
                c.lastStatus = "PENDING"
                return c
            }
            let specs = try containerSpecs(document, overrides: request.overrides, taskID: id)
            let local = LocalTask(task: task, specs: specs, logs: logs)
            let slots = self.slots
            let runner = Task.detached { await local.run(slots: slots) }
            state.withLock { s in
                s.tasks[local.arn] = local
                s.runners.append(runner)
            }
            started.append(local.snapshot)
        }
        return RunTaskResponse(tasks: started, failures: [])
    }

    /// The processes of a task, as ECS would start its containers.
    func containerSpecs(_ definition: JSONValue, overrides: TaskOverride?, taskID: String) throws -> [LocalContainerSpec] {
        guard case .array(let containers)? = definition["containerDefinitions"] else {
            return []
        }
        var inherited: [String: String] = [:]
        for name in Self.inheritedVariables { inherited[name] = hostEnvironment[name] }
        return containers.compactMap { item -> LocalContainerSpec? in
            guard case .object(let c) = item, case .string(let name)? = c["name"] else { return nil }
            let override = overrides?.containerOverrides?.first { $0.name == name }
            let entryPoint = Self.strings(c["entryPoint"])
            let command = override?.command ?? Self.strings(c["command"])
            var environment = inherited
            if case .array(let env)? = c["environment"] {
                for pair in env {
                    if case .object(let p) = pair, case .string(let k)? = p["name"] {
                        environment[k] = p["value"].map(Self.text) ?? ""
                    }
                }
            }
            for pair in override?.environment ?? [] {
                if let k = pair.name { environment[k] = pair.value ?? "" }
            }
            let essential: Bool = if case .bool(let b)? = c["essential"] { b } else { true }
            let stopTimeout: Duration = if case .int(let s)? = c["stopTimeout"], s >= 0 { .seconds(s) } else { Self.defaultStopTimeout }
            var workingDirectory: String? = workingDirectory
            if case .string(let dir)? = c["workingDirectory"] {
                workingDirectory = dir.hasPrefix("/") ? dir : URL(fileURLWithPath: self.workingDirectory).appendingPathComponent(dir).path
            }
            let log = awslogs(c) ?? LogStream(group: Self.logGroup, name: "\(name)/\(taskID)")
            return LocalContainerSpec(name: name, essential: essential, argv: entryPoint + command, environment: environment,
                                      workingDirectory: workingDirectory, stopTimeout: stopTimeout,
                                      log: LogStream(group: log.group, name: log.name.replacingOccurrences(of: "{id}", with: taskID)))
        }
    }

    /// The stream the awslogs driver would write, so scripts read logs the same way.
    private func awslogs(_ c: OrderedDictionary<String, JSONValue>) -> LogStream? {
        guard case .object(let config)? = c["logConfiguration"], case .string("awslogs")? = config["logDriver"],
              case .object(let options)? = config["options"], case .string(let group)? = options["awslogs-group"],
              case .string(let name)? = c["name"] else { return nil }
        if case .string(let prefix)? = options["awslogs-stream-prefix"] {
            return LogStream(group: group, name: "\(prefix)/\(name)/{id}")
        }
        return LogStream(group: group, name: "{id}")
    }

    private static func strings(_ v: JSONValue?) -> [String] {
        guard case .array(let items)? = v else { return [] }
        return items.map(text)
    }

    /// A definition's value where a process wants text: a string as it is, anything
    /// else as a script would print it.
    private static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .null: "nil"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): d.description
        case .array, .object: v.text
        }
    }

    public func describeTasks(cluster: String, tasks: [String]) async throws -> DescribeTasksResponse {
        var found: [ECSTask] = []
        var failures: [Failure] = []
        let all = state.withLock { $0.tasks }
        for ref in tasks {
            if let t = all[ref] ?? all.values.first(where: { $0.arn.hasSuffix("/" + ref) }) {
                found.append(t.snapshot)
            } else {
                failures.append(Failure(arn: ref, reason: "MISSING"))
            }
        }
        return DescribeTasksResponse(tasks: found, failures: failures)
    }

    public func stopTask(cluster: String, task: String, reason: String?) async throws -> ECSTask? {
        guard let t = state.withLock({ s in s.tasks[task] ?? s.tasks.values.first { $0.arn.hasSuffix("/" + task) } }) else {
            throw AWSError(code: "InvalidParameterException", message: "The referenced task was not found.", status: 400,
                           service: .ecs, operation: "StopTask")
        }
        t.stop(reason: reason ?? "Task stopped by user")
        return t.snapshot
    }

    public func listTasks(_ request: ListTasksRequest) async throws -> ListTasksResponse {
        let arns = state.withLock { s in
            s.tasks.values.filter { t in
                let snap = t.snapshot
                let cluster = request.cluster ?? "default"
                return snap.clusterArn == Self.arn("cluster/\(cluster)")
                    && (request.startedBy.map { $0 == snap.startedBy } ?? true)
                    && (request.desiredStatus.map { $0 == snap.desiredStatus } ?? true)
            }.map(\.arn)
        }
        return ListTasksResponse(taskArns: arns)
    }

    public func getLogEvents(_ request: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        guard let answer = logs.read(group: request.logGroupName, stream: request.logStreamName, token: request.nextToken) else {
            throw AWSError(code: "ResourceNotFoundException", message: "The specified log stream does not exist.", status: 400,
                           service: .logs, operation: "GetLogEvents")
        }
        return answer
    }

    public func logStream(for task: TrackedTask, container: String?) -> LogStream? {
        guard let arn = task.arn, let local = state.withLock({ $0.tasks[arn] }) else { return nil }
        let name = container ?? task.watch ?? task.definition?.watchedContainer
        return (local.specs.first { $0.name == name } ?? local.specs.first)?.log
    }

    public func logStreams(for task: TrackedTask) -> [(container: String, stream: LogStream)] {
        guard let arn = task.arn, let local = state.withLock({ $0.tasks[arn] }) else { return [] }
        return local.specs.map { ($0.name, $0.log) }
    }

    /// Local logs are in memory: read them as often as needed, and at once.
    public var logReadsPerSecond: Double? { nil }
    public var logSettleTime: Duration { .zero }

    /// Stops every task still running: SIGTERM, then SIGKILL for what is left after a
    /// short grace, and waits for the runners to finish so no process or zombie remains.
    public func shutdown() async {
        let (tasks, runners) = state.withLock { ($0.tasks.values.map { $0 }, $0.runners) }
        for t in tasks where t.snapshot.lastStatus != "STOPPED" { t.stop(reason: "ecsh ended") }
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline, tasks.contains(where: { $0.snapshot.lastStatus != "STOPPED" }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        // Only this backend's processes: another session in the process may still run its own.
        for t in tasks { t.killNow() }
        for r in runners { await r.value }
    }
}
