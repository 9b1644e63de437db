import Foundation
import Lang

/// `register(file_or_map?)`: RegisterTaskDefinition.
enum RegisterBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("register", [.optional("definition", type: .union([.string, .map(.any)]))],
            "Registers a task definition from a JSON or Jsonnet file, or a Map, and returns a TaskDefinition (.arn, .family, .revision). With no argument, the task_definition of config().") { args in
            let definition: Value
            switch args["definition"] {
            case .nil:
                guard let path = session.defaults.taskDefinitionPath else {
                    throw ScriptErrors.value("register", "no task definition: pass a file or a Map, or call config() with an ecspresso.yml that has task_definition")
                }
                definition = try await TaskDefinitions.load(file: path, session: session, files: args.host)
            case .string(let path):
                definition = try await TaskDefinitions.load(file: path, session: session, files: args.host)
            case .map:
                definition = args["definition"]
            case let v:
                throw ScriptErrors.type("register", "definition", "a file path or a Map", v)
            }
            return TaskRecord.definition(try await TaskDefinitions.register(definition, session: session))
        }.returning(.record("TaskDefinition"))
    }
}

/// `taskdef(family?, revision?)`: DescribeTaskDefinition.
enum TaskDefBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("taskdef", [.optional("family", type: .string), .optional("revision", type: .int)],
            "An existing task definition: the latest ACTIVE revision of the family, or the given one. With no family: the task definition config()'s service runs now (DescribeServices), as ecspresso's --skip-task-definition, else the latest revision of the config's task_definition family.") { args in
            let name: String
            if let family = try args.optionalString("family") {
                name = family
            } else if let current = try await TaskDefinitions.serviceTaskDefinition(session: session) {
                // As ecspresso: the service's revision, or with a revision another of its family.
                guard case .nil = args["revision"] else {
                    name = String(current.prefix { $0 != ":" })
                    return try await describe(name, revision: args["revision"], session: session)
                }
                return TaskRecord.definition(try await TaskDefinitions.describe(current, session: session))
            } else if let path = session.defaults.taskDefinitionPath {
                guard let family = TaskDefinitions.local(try await TaskDefinitions.load(file: path, session: session, files: args.host)).family else {
                    throw ScriptErrors.value("taskdef", "\(path) has no family")
                }
                name = family
            } else {
                throw ScriptErrors.value("taskdef", "no family: pass one, or call config() with an ecspresso.yml that has service or task_definition")
            }
            return try await describe(name, revision: args["revision"], session: session)
        }.returning(.record("TaskDefinition"))
    }

    static func describe(_ family: String, revision: Value, session: ECSSession) async throws -> Value {
        var name = family
        switch revision {
        case .nil: break
        case .int(let r) where r >= 1: name += ":\(r)"
        case let v: throw ScriptErrors.type("taskdef", "revision", "an Int of 1 or more", v)
        }
        return TaskRecord.definition(try await TaskDefinitions.describe(name, session: session))
    }
}
