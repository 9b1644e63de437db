import Foundation
import Lang
import OrderedCollections

/// `run(taskdef, ...)`: RunTask with every parameter by its API name, checked first.
enum RunBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        let params = [BuiltinParameter("taskdef")]
            + (ECSBuiltins.runTaskParameters + ["wait", "timeout", "logs", "watch"]).map { BuiltinParameter.optional($0, .named) }
        return ECSBuiltins.builtin("run", params,
            "RunTask with every RunTask parameter by name, plus wait:, timeout:, logs:, watch:. Returns a Task, or a List of Tasks when count > 1.") { args in
            let wait = try Flags.bool(args, "wait", builtin: "run")
            let logs = try Flags.bool(args, "logs", builtin: "run")
            if !wait, args.isGiven("timeout") || args.isGiven("logs") {
                throw ScriptErrors.value("run", "'timeout' and 'logs' apply only with wait: true")
            }
            let timeout = try Timeouts.parse(args["timeout"], builtin: "run") ?? session.defaults.timeout
            let definition = try await TaskDefinitions.resolve(args["taskdef"], session: session, builtin: "run")
            let count = try countArgument(args)
            let (request, watch) = try buildRequest(args, definition: definition, session: session)
            let keys = try await Launcher(session: session).launch(request, count: count, definition: definition, watch: watch)
            let started = keys.filter { session.registry[$0]?.failure == nil }
            if started.isEmpty {
                let reasons = keys.compactMap { session.registry[$0]?.failure }
                    .map { [$0.reason, $0.detail].compactMap { $0 }.joined(separator: ": ") }
                let unique = Array(OrderedSet(reasons))
                throw ScriptError("run(): no task started: \(unique.joined(separator: "; "))", code: "TaskFailedToStart",
                                  details: ["reasons": .list(unique.map(Value.string))])
            }
            if wait {
                try await Waiting.wait(keys, until: .stopped, timeout: timeout, logs: logs, session: session, builtin: "run")
            }
            return result(keys, count: count, session: session)
        }
    }

    static func result(_ keys: [String], count: Int, session: ECSSession) -> Value {
        let records = keys.compactMap { session.registry[$0] }.map(TaskRecord.make)
        return count == 1 && records.count == 1 ? records[0] : .list(records)
    }

    static func countArgument(_ args: Arguments) throws -> Int {
        switch args["count"] {
        case .nil: return 1
        case .int(let n) where n >= 1: return n
        case .int(let n): throw ScriptErrors.value("run", "'count' must be at least 1, got \(n)")
        case let v: throw ScriptErrors.type("run", "count", "an Int", v)
        }
    }

    /// The RunTask request every batch is a copy of, and the container to watch.
    static func buildRequest(_ args: Arguments, definition: TaskDefinitionDescription,
                             session: ECSSession) throws -> (RunTaskRequest, String?) {
        var fields = OrderedDictionary<String, Value>()
        let defaults = session.defaults
        for (k, v) in defaults.parameters where !args.isGiven(k) {
            // A service's propagateTags: SERVICE has no meaning for RunTask, which rejects it.
            if k == "propagateTags", case .string("SERVICE") = v { continue }
            fields[k] = v
        }
        for k in ECSBuiltins.runTaskParameters where k != "count" {
            if case .nil = args[k] { continue }
            fields[k] = args[k]
        }
        if case .map(let tags)? = fields["tags"] { fields["tags"] = try tagList(tags.entries) }
        if let tags = fields["tags"] { try checkTags(tags) }
        if fields["launchType"] != nil, fields["capacityProviderStrategy"] != nil {
            if args.isGiven("launchType") && args.isGiven("capacityProviderStrategy") {
                throw ScriptErrors.value("run", "'launchType' and 'capacityProviderStrategy' exclude each other: give one")
            }
            // One was given here and the other is a config default: the explicit one wins.
            fields.removeValue(forKey: args.isGiven("launchType") ? "capacityProviderStrategy" : "launchType")
        }
        fields["cluster"] = .string(session.cluster(try args.optionalString("cluster")))
        fields["taskDefinition"] = .string(definition.taskDefinitionArn ?? definition.family ?? "")
        // An empty argument label: paths in messages start with the parameter's own name.
        var request = try ShapeDecoding.decode(RunTaskRequest.self, .map(fields), argument: "", builtin: "run")
        request.count = nil

        if let p = request.propagateTags, !["TASK_DEFINITION", "NONE"].contains(p) {
            throw ScriptErrors.value("run", "'propagateTags' must be TASK_DEFINITION or NONE for RunTask, got '\(p)'")
        }
        if let launchType = request.launchType, !["EC2", "FARGATE", "EXTERNAL"].contains(launchType) {
            throw ScriptErrors.value("run", "'launchType' must be EC2, FARGATE or EXTERNAL, got '\(launchType)'")
        }
        let fargate = request.launchType == "FARGATE"
            || (request.launchType == nil && request.capacityProviderStrategy == nil
                && definition.requiresCompatibilities == ["FARGATE"])
        let awsvpc = definition.networkMode == "awsvpc" || fargate
        if awsvpc, request.networkConfiguration?.awsvpcConfiguration == nil {
            let why = fargate ? "FARGATE tasks" : "task definition \(definition.family ?? "") uses networkMode awsvpc and"
            throw ScriptErrors.value("run", "\(why) need networkConfiguration: pass networkConfiguration: {awsvpcConfiguration: {subnets: [...], securityGroups: [...]}} or set it in the service definition of ecspresso.yml")
        }
        if let overrides = request.overrides {
            try OverridesBuiltin.checkSize(overrides, builtin: "run")
            let names = definition.containerNames
            for (i, c) in (overrides.containerOverrides ?? []).enumerated() {
                guard let name = c.name else { throw ScriptErrors.value("run", "overrides.containerOverrides[\(i)] needs a name") }
                if !names.isEmpty, !names.contains(name) {
                    throw ScriptErrors.value("run", "overrides name container '\(name)', which task definition \(definition.family ?? "?") does not have (it has \(names.joined(separator: ", ")))")
                }
            }
        }
        let watch = try args.optionalString("watch") ?? definition.watchedContainer
        if let watch, args.isGiven("watch"), !definition.containerNames.isEmpty, !definition.containerNames.contains(watch) {
            throw ScriptErrors.value("run", "watch: '\(watch)' is not a container of \(definition.family ?? "the task definition") (it has \(definition.containerNames.joined(separator: ", ")))")
        }
        if let token = request.clientToken {
            if (try countArgument(args)) > Launcher.batchSize {
                throw ScriptErrors.value("run", "'clientToken' works for count up to \(Launcher.batchSize): each RunTask call of 10 needs its own token, and ecsh makes them")
            }
            let ok = !token.isEmpty && token.count <= 64 && token.unicodeScalars.allSatisfy { (33...126).contains($0.value) }
            if !ok { throw ScriptErrors.value("run", "'clientToken' must be 1 to 64 printable ASCII characters without spaces") }
        }
        return (request, watch)
    }

    /// `tags: {team: "db"}` as RunTask's `[{key, value}]`.
    static func tagList(_ m: OrderedDictionary<String, Value>) throws -> Value {
        .list(try m.map { k, v in
            guard case .string = v else { throw ScriptErrors.type("run", "tags.\(k)", "a String", v) }
            return .map(["key": .string(k), "value": v])
        })
    }

    static func checkTags(_ tags: Value) throws {
        guard case .list(let list) = tags else { throw ScriptErrors.type("run", "tags", "a Map of Strings or a List of {key, value}", tags) }
        if list.count > 50 { throw ScriptErrors.value("run", "at most 50 tags, got \(list.count)") }
        for (i, t) in list.enumerated() {
            guard case .map(let m) = t, case .string(let key)? = m.entries["key"] else {
                throw ScriptErrors.value("run", "tags[\(i)] must be a Map with a String 'key' and 'value'")
            }
            if key.isEmpty || key.count > 128 { throw ScriptErrors.value("run", "tag key '\(key)' must be 1 to 128 characters") }
            if key.lowercased().hasPrefix("aws:") { throw ScriptErrors.value("run", "tag key '\(key)': the aws: prefix is reserved") }
            switch m.entries["value"] {
            case .string(let v)?: if v.count > 256 { throw ScriptErrors.value("run", "tag '\(key)': the value is longer than 256 characters") }
            case nil, .nil?: break
            case let v?: throw ScriptErrors.type("run", "tags[\(i)].value", "a String", v)
            }
        }
    }
}
