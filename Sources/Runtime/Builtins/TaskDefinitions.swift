import Lang

/// The task definition a `run()` names, described once and remembered.
enum TaskDefinitions {
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

    static func describe(_ name: String, session: ECSSession) async throws -> TaskDefinitionDescription {
        let td = try await session.backend().describeTaskDefinition(name)
        session.remember(td)
        return td
    }
}
