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
                definition = try TaskDefinitions.load(file: path, session: session)
            case .string(let path):
                definition = try TaskDefinitions.load(file: path, session: session)
            case .map:
                definition = args["definition"]
            case let v:
                throw ScriptErrors.type("register", "definition", "a file path or a Map", v)
            }
            return TaskRecord.definition(try await TaskDefinitions.register(definition, session: session))
        }.returning(.record("TaskDefinition"))
    }
}

/// `taskdef(family, revision?)`: DescribeTaskDefinition.
enum TaskDefBuiltin {
    static func make(_ session: ECSSession) -> Builtin {
        ECSBuiltins.builtin("taskdef", [.init("family", type: .string), .optional("revision", type: .int)],
            "An existing task definition: the latest ACTIVE revision of the family, or the given one.") { args in
            var name = try args.string("family")
            switch args["revision"] {
            case .nil: break
            case .int(let r) where r >= 1: name += ":\(r)"
            case let v: throw ScriptErrors.type("taskdef", "revision", "an Int of 1 or more", v)
            }
            return TaskRecord.definition(try await TaskDefinitions.describe(name, session: session))
        }.returning(.record("TaskDefinition"))
    }
}
