import Foundation
import Lang

/// Task definitions as `run()`, `register()` and `ecsh run` find them: described once and
/// remembered, or read from a file and registered.
public enum TaskDefinitions {
    static func resolve(_ v: Value, session: ECSSession, builtin: String) async throws -> TaskDefinitionDescription {
        switch v {
        case .record(let r) where r.typeName == "TaskDefinition":
            guard case .string(let arn)? = r.fields["arn"] else {
                throw ScriptErrors.value(builtin, "the TaskDefinition has no ARN")
            }
            if let known = session.definition(arn) { return known }
            return try await describe(arn, session: session)
        case .string(let name):
            if let known = session.definition(name) { return known }
            return try await describe(name, session: session)
        default:
            throw ScriptErrors.type(builtin, "taskdef", "a TaskDefinition (from register() or taskdef()) or a family name", v)
        }
    }

    /// DescribeTaskDefinition of `family`, `family:revision` or an ARN, remembered.
    public static func describe(_ name: String, session: ECSSession) async throws -> TaskDefinitionDescription {
        let td = try await session.backend().describeTaskDefinition(name)
        session.remember(td)
        return td
    }

    /// A JSON or Jsonnet task definition file, templates rendered (with the config's plugin
    /// functions), relative to the session's working directory, read from `files` (the
    /// script's host, or this machine's files for the command line).
    public static func load(file path: String, session: ECSSession, files: any ScriptHost) async throws -> Value {
        try await TaskDefinitionFile.load(path: session.options.resolvePath(path, files: files), context: session.definitionContext(files: files))
    }

    /// An overrides file (`--overrides-file`): JSON or Jsonnet, rendered like every other
    /// ecspresso file, decoded as a TaskOverride by the run's checks.
    public static func loadOverrides(file path: String, session: ECSSession, files: any ScriptHost) async throws -> JSONValue {
        let context = session.definitionContext(files: files)
        return try JSONValue(script: try await DefinitionFile.load(path: session.options.resolvePath(path, files: files), context: context).value)
    }

    /// The task definition a config's `service:` runs now (DescribeServices), as
    /// `family:revision`; ecspresso's `run --skip-task-definition` runs this one.
    public static func serviceTaskDefinition(session: ECSSession) async throws -> String? {
        guard let service = session.defaults.service, !service.isEmpty else { return nil }
        let caller = try await session.backend().awsReader()
        let request = DescribeServicesRequest(cluster: session.cluster(nil), services: [service])
        let answer = try WireJSON.decode(DescribeServicesResponse.self,
                                         try await caller.call(.ecs, "DescribeServices", body: try WireJSON.encode(request)),
                                         operation: "DescribeServices")
        guard let found = answer.services?.first, let arn = found.taskDefinition else {
            let reason = answer.failures?.first.map { [$0.reason, $0.arn].compactMap { $0 }.joined(separator: " ") } ?? "not found"
            throw ScriptError("service \(service) in cluster \(session.cluster(nil)): \(reason)", code: "ServiceNotFound")
        }
        let name = arn.split(separator: "/").last.map(String.init) ?? arn
        guard name.contains(":") else {
            throw ScriptError("invalid task definition arn: \(arn)", code: "ServiceNotFound")
        }
        return name
    }

    /// What a definition not yet registered says about itself (family, network mode,
    /// containers), so a run can be checked against it before anything is sent. Read
    /// without writing it as JSON: the one encoding is RegisterTaskDefinition's.
    public static func local(_ definition: Value) -> TaskDefinitionDescription {
        guard let json = try? JSONValue(script: definition),
              let decoded = try? ShapeDecoder.decode(TaskDefinitionDescription.self, from: json)
        else { return TaskDefinitionDescription() }
        return decoded.0
    }

    /// Throws the first rule of RegisterTaskDefinition `definition` breaks, as `register()`'s ValueError.
    static func check(_ definition: Value) throws {
        if let first = TaskDefinitionRules.problems(definition).first { throw ScriptErrors.value("register", first.message) }
    }

    /// RegisterTaskDefinition, remembered. A definition ECS would refuse
    /// (``TaskDefinitionRules``) is refused here, in every backend, before any call.
    public static func register(_ definition: Value, session: ECSSession) async throws -> TaskDefinitionDescription {
        try check(definition)
        let td = try await session.backend().registerTaskDefinition(try JSONValue(script: definition))
        session.remember(td)
        return td
    }
}

struct DescribeServicesRequest: Encodable {
    var cluster: String
    var services: [String]
}

struct DescribeServicesResponse: Decodable {
    struct Service: Decodable {
        var serviceName: String?
        var taskDefinition: String?
    }
    struct Failure: Decodable {
        var arn: String?
        var reason: String?
    }
    var services: [Service]?
    var failures: [Failure]?
}
