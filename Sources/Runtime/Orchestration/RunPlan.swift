import Foundation
import OrderedCollections

/// One run of a task definition: the RunTask parameters by their API names, how many
/// tasks, and whether and how to wait for them.
///
/// `run()` in scripts and `ecsh run` on the command line both turn their arguments into a
/// plan and call ``execute(definition:session:launched:)``, so the two check, send and
/// wait the same way.
public struct RunPlan: Sendable {
    /// RunTask parameters by API name, as the caller gave them (`count` and
    /// `taskDefinition` are not among them). A key given as `nil` removes a default of
    /// the config's service definition without setting anything.
    public var parameters: OrderedDictionary<String, JSONValue>
    public var count: Int
    public var wait: Bool
    /// What `wait` waits for.
    public var until: WaitGoal
    /// nil: the config's `timeout`, else none.
    public var timeout: Duration?
    /// Whose log lines to show while waiting; nil: none.
    public var logs: LogSelection?
    /// The container whose exit code is the task's; nil: the first essential one.
    public var watch: String?
    /// Ctrl-C stops these tasks (`run(..., stopOnInterrupt: true)`), as `--stop-on-interrupt` does for all.
    public var stopOnInterrupt = false
    /// How long tasks that find no room in the cluster are tried again (`launchTimeout:`,
    /// `--launch-timeout`); zero reports them at once.
    public var launchTimeout: Duration = Launcher.defaultLaunchTimeout

    public init(parameters: OrderedDictionary<String, JSONValue> = [:], count: Int = 1, wait: Bool = false,
                until: WaitGoal = .stopped, timeout: Duration? = nil, logs: LogSelection? = nil, watch: String? = nil) {
        self.parameters = parameters
        self.count = count
        self.wait = wait
        self.until = until
        self.timeout = timeout
        self.logs = logs
        self.watch = watch
    }

    /// What a plan came to: the tasks in launch order (those RunTask could not place
    /// included), as last seen.
    public struct Outcome: Sendable {
        public var tasks: [TrackedTask]
        /// Set when the wait timed out; the tasks go on running.
        public var timeout: WaitTimedOut?

        /// The exit status of `ecsh run`: 1 when a task failed to start or the wait timed
        /// out; else the first non-zero exit code of a watched container (1 when a
        /// stopped task has none, or one outside 1...255); else 0.
        public var exitStatus: Int32 {
            if timeout != nil || tasks.contains(where: \.failedToStart) { return 1 }
            for t in tasks where t.isFinal {
                guard let code = t.exitCode else { return 1 }
                if code != 0 { return (1...255).contains(code) ? Int32(code) : 1 }
            }
            return 0
        }
    }

    /// Checks the plan against a task definition and launches it; waits when `wait` is
    /// set. `launched` sees the tasks right after RunTask, before any wait.
    ///
    /// Throws ``NoTaskStarted`` when no task started, and every check of
    /// ``request(definition:session:)`` before anything is sent. A timeout does not throw:
    /// it is in the outcome, with the tasks as they were.
    public func execute(definition: TaskDefinitionDescription, session: ECSSession,
                        launched: @Sendable ([TrackedTask]) -> Void = { _ in }) async throws -> Outcome {
        let (request, watch) = try request(definition: definition, session: session)
        let keys = try await Launcher(session: session).launch(request, count: count, definition: definition, watch: watch,
                                                               stopOnInterrupt: stopOnInterrupt, launchTimeout: launchTimeout)
        let started = keys.filter { session.registry[$0]?.failure == nil }
        if started.isEmpty {
            let reasons = keys.compactMap { session.registry[$0]?.failure }
                .map { [$0.reason, $0.detail].compactMap { $0 }.joined(separator: ": ") }
            let unique = Array(OrderedSet(reasons))
            throw NoTaskStarted(reasons: unique)
        }
        launched(keys.compactMap { session.registry[$0] })
        var timedOut: WaitTimedOut?
        if wait {
            do {
                try await Waiting.wait(keys, until: until, timeout: timeout ?? session.defaults.timeout, logs: logs,
                                       session: session)
            } catch let e as WaitTimedOut {
                timedOut = e
            }
        }
        return Outcome(tasks: keys.compactMap { session.registry[$0] }, timeout: timedOut)
    }

    /// The RunTask request every batch is a copy of, and the container to watch: the
    /// config's defaults under the given parameters, decoded into the API's shape and
    /// checked. Sends nothing.
    public func request(definition: TaskDefinitionDescription, session: ECSSession) throws -> (RunTaskRequest, String?) {
        try request(definition: definition, defaults: session.defaults, cluster: session.options.cluster)
    }

    /// ``request(definition:session:)`` without a session: every check, against the
    /// config's `defaults`, and `cluster` (`--cluster`) before the config's. Pure: reads
    /// no file, sends nothing, so it also runs before a script starts.
    ///
    /// `unknown` names parameters that are given but whose values are not known yet (at
    /// check time, an argument that is not a literal): checks that need them are skipped,
    /// and a given name still hides the config's default.
    public func request(definition: TaskDefinitionDescription, defaults: RunDefaults, cluster defaultCluster: String?,
                        unknown: Set<String> = []) throws -> (RunTaskRequest, String?) {
        func given(_ k: String) -> Bool { parameters[k] != nil || unknown.contains(k) }
        if !unknown.contains("count"), count < 1 { throw RequestError.value("'count' must be at least 1, got \(count)") }
        var fields = OrderedDictionary<String, JSONValue>()
        for (k, v) in defaults.parameters where !given(k) {
            // A service's propagateTags: SERVICE has no meaning for RunTask, which rejects it.
            if k == "propagateTags", case .string("SERVICE") = v { continue }
            fields[k] = v
        }
        for (k, v) in parameters where k != "count" && k != "taskDefinition" && !unknown.contains(k) {
            if v.isNull { continue }
            fields[k] = v
        }
        if case .object(let tags)? = fields["tags"] { fields["tags"] = try tagList(tags) }
        if let tags = fields["tags"] { try checkTags(tags) }
        func present(_ k: String) -> Bool { fields[k] != nil || unknown.contains(k) }
        if present("launchType"), present("capacityProviderStrategy") {
            if given("launchType") && given("capacityProviderStrategy") {
                throw RequestError.value("'launchType' and 'capacityProviderStrategy' exclude each other: give one")
            }
            // One was given here and the other is a config default: the explicit one wins.
            fields.removeValue(forKey: given("launchType") ? "capacityProviderStrategy" : "launchType")
        }
        let cluster: String?
        switch unknown.contains("cluster") ? nil : parameters["cluster"] {
        case nil, .null?: cluster = nil
        case .string(let s)?: cluster = s
        case let v?: throw RequestError.type("cluster", "a String", v)
        }
        fields["cluster"] = .string(cluster ?? defaultCluster ?? defaults.cluster ?? "default")
        fields["taskDefinition"] = .string(definition.taskDefinitionArn ?? definition.family ?? "")
        // An empty argument label: paths in messages start with the parameter's own name.
        var request = try ShapeDecoding.decode(RunTaskRequest.self, .object(fields), argument: "")
        request.count = nil

        if let p = request.propagateTags, !["TASK_DEFINITION", "NONE"].contains(p) {
            throw RequestError.value("'propagateTags' must be TASK_DEFINITION or NONE for RunTask, got '\(p)'")
        }
        if request.launchType == ManagedInstances.launchType { throw RequestError.value(ManagedInstances.refusal(commandLine: false)) }
        if let launchType = request.launchType, !["EC2", "FARGATE", "EXTERNAL"].contains(launchType) {
            throw RequestError.value("'launchType' must be EC2, FARGATE or EXTERNAL, got '\(launchType)'")
        }
        let fargate = request.launchType == "FARGATE"
            || (request.launchType == nil && request.capacityProviderStrategy == nil
                && !unknown.contains("launchType") && !unknown.contains("capacityProviderStrategy")
                && definition.requiresCompatibilities == ["FARGATE"])
        let awsvpc = definition.networkMode == "awsvpc" || fargate
        if awsvpc, !unknown.contains("networkConfiguration"), request.networkConfiguration?.awsvpcConfiguration == nil {
            let why = fargate ? "FARGATE tasks" : "task definition \(definition.family ?? "") uses networkMode awsvpc and"
            throw RequestError.value("\(why) need networkConfiguration: pass \(NetworkHint.script) or set it in the service definition of ecspresso.yml")
        }
        if let overrides = request.overrides, let given = fields["overrides"] {
            try Self.checkSize(overrides: given)
            let names = definition.containerNames
            for (i, c) in (overrides.containerOverrides ?? []).enumerated() {
                guard let name = c.name else { throw RequestError.value("overrides.containerOverrides[\(i)] needs a name") }
                if !names.isEmpty, !names.contains(name) {
                    throw RequestError.value("overrides name container '\(name)', which task definition \(definition.family ?? "?") does not have (it has \(names.joined(separator: ", ")))")
                }
            }
        }
        let watch = self.watch ?? definition.watchedContainer
        if let watch = self.watch, !unknown.contains("watch"), !definition.containerNames.isEmpty, !definition.containerNames.contains(watch) {
            throw RequestError.value("watch: '\(watch)' is not a container of \(definition.family ?? "the task definition") (it has \(definition.containerNames.joined(separator: ", ")))")
        }
        if let token = request.clientToken {
            if !unknown.contains("count"), count > Launcher.batchSize {
                throw RequestError.value("'clientToken' works for count up to \(Launcher.batchSize): each RunTask call of 10 needs its own token, and ecsh makes them")
            }
            let ok = !token.isEmpty && token.count <= 64 && token.unicodeScalars.allSatisfy { (33...126).contains($0.value) }
            if !ok { throw RequestError.value("'clientToken' must be 1 to 64 printable ASCII characters without spaces") }
        }
        return (request, watch)
    }

    /// `tags: {team: "db"}` as RunTask's `[{key, value}]`.
    func tagList(_ m: OrderedDictionary<String, JSONValue>) throws -> JSONValue {
        .array(try m.map { k, v in
            guard case .string = v else { throw RequestError.type("tags.\(k)", "a String", v) }
            return .object(["key": .string(k), "value": v])
        })
    }

    func checkTags(_ tags: JSONValue) throws {
        guard case .array(let list) = tags else { throw RequestError.type("tags", "a Map of Strings or a List of {key, value}", tags) }
        if list.count > 50 { throw RequestError.value("at most 50 tags, got \(list.count)") }
        for (i, t) in list.enumerated() {
            guard case .object(let m) = t, case .string(let key)? = m["key"] else {
                throw RequestError.value("tags[\(i)] must be a Map with a String 'key' and 'value'")
            }
            if key.isEmpty || key.count > 128 { throw RequestError.value("tag key '\(key)' must be 1 to 128 characters") }
            if key.lowercased().hasPrefix("aws:") { throw RequestError.value("tag key '\(key)': the aws: prefix is reserved") }
            switch m["value"] {
            case .string(let v)?: if v.count > 256 { throw RequestError.value("tag '\(key)': the value is longer than 256 characters") }
            case nil, .null?: break
            case let v?: throw RequestError.type("tags[\(i)].value", "a String", v)
            }
        }
    }

    /// RunTask's limit on `overrides`, over the JSON text it would send of them.
    static func checkSize(overrides: JSONValue) throws {
        let size = overrides.wireLength
        if size > TaskOverride.maxCharacters {
            throw RequestError.value("overrides are \(size) characters as JSON; RunTask accepts at most \(TaskOverride.maxCharacters)")
        }
    }

    /// Longer than any task can run (ECS stops tasks after 14 days at most on Fargate).
    public static let maximumTimeout: Duration = .seconds(30 * 24 * 3600)

    /// `--launch-timeout` as the command line takes it: `0`/`0s` or a timeout.
    public static func parseLaunchTimeout(_ text: String) -> Duration? {
        if let s = Double(text), s == 0 { return .zero }
        if let d = GoDuration.parse(text), d == .zero { return .zero }
        return parseTimeout(text)
    }

    /// A timeout as the command line takes it: a Go duration (`90s`, `20m`, `1h30m`) or a
    /// number of seconds; nil when it is neither, not positive, or over 30 days.
    public static func parseTimeout(_ text: String) -> Duration? {
        let d: Duration?
        if let seconds = Double(text), seconds.isFinite {
            d = seconds <= Double(30 * 24 * 3600) ? .milliseconds(Int(seconds * 1000)) : nil
        } else {
            d = GoDuration.parse(text)
        }
        guard let d, d > .zero, d <= maximumTimeout else { return nil }
        return d
    }
}
