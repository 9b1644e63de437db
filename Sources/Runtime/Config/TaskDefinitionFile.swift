import Lang
import OrderedCollections

/// An ecspresso task definition file (`.json`, or `.jsonnet`/`.libsonnet`), read into the map
/// RegisterTaskDefinition takes. Every field the file has is kept, in the file's order, so
/// fields this code does not know about still reach ECS.
public enum TaskDefinitionFile {
    /// Fields of DescribeTaskDefinition's answer that RegisterTaskDefinition rejects.
    public static let responseOnlyFields: [String] = [
        "taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
        "registeredAt", "registeredBy", "deregisteredAt", "deleteRequestedAt",
    ]

    /// Reads, renders and checks the task definition at `path` against ``TaskDefinitionRules``.
    ///
    /// - `environment` feeds the `{{ env }}`/`{{ must_env }}` templates;
    /// - `extStr` binds `std.extVar` names for Jsonnet files;
    /// - the output of `aws ecs describe-task-definition` (`{"taskDefinition": {...}, "tags": [...]}`)
    ///   is unwrapped, its top-level `tags` kept when the definition has none;
    /// - response-only fields (`responseOnlyFields`) are dropped.
    ///
    /// Throws ConfigError naming the file, the offending path (`containerDefinitions[1].name`)
    /// and, for JSON files, its line and column.
    ///
    /// `files`: where it is read from (a script's host; by default this machine's files).
    public static func load(path: String, environment: [String: String], extStr: [String: String] = [:],
                            files: any ScriptHost = SystemHost()) throws -> Value {
        try load(path: path, environment: environment, extStr: extStr, jsonnet: Jsonnet(), files: files)
    }

    static func load(path: String, environment: [String: String], extStr: [String: String], jsonnet: Jsonnet,
                     files: any ScriptHost) throws -> Value {
        try definition(try DefinitionFile.load(path: path, environment: environment, extStr: extStr, jsonnet: jsonnet, files: files),
                       path: path)
    }

    /// One render with `functions`, which may throw ``TemplateLookupNeeded``.
    static func load(path: String, environment: [String: String], extStr: [String: String], extCode: [String: String],
                     functions: [String: TemplateFunction], files: any ScriptHost) throws -> Value {
        try definition(try DefinitionFile.load(path: path, environment: environment, extStr: extStr, extCode: extCode,
                                               functions: functions, files: files), path: path)
    }

    /// As `load(path:environment:extStr:)`, with `context`'s Jsonnet variables and plugin
    /// functions (`tfstate`, `ssm`, `secretsmanager_arn`), fetching what they look up.
    public static func load(path: String, context: DefinitionContext) async throws -> Value {
        try definition(try await DefinitionFile.load(path: path, context: context), path: path)
    }

    private static func definition(_ file: DefinitionFile, path: String) throws -> Value {
        guard case .map(let root) = file.value else {
            throw file.error(path, at: "", "a task definition must be a JSON object, not \(file.value.typeNameWithArticle)")
        }
        var entries = root.entries
        var prefix = ""
        if let wrapped = entries["taskDefinition"] {
            guard case .map(let inner) = wrapped else {
                throw file.error(path, at: "taskDefinition", "taskDefinition must be an object, not \(wrapped.typeNameWithArticle)")
            }
            let outerTags = entries["tags"]
            entries = inner.entries
            prefix = "taskDefinition"
            if entries["tags"] == nil, let outerTags, case .list(let tags) = outerTags, !tags.isEmpty {
                entries["tags"] = outerTags
            }
        }
        for field in responseOnlyFields { entries.removeValue(forKey: field) }
        try validate(entries, file: file, path: path, prefix: prefix)
        return .map(entries)
    }

    /// The first rule of RegisterTaskDefinition the definition breaks, at its place in the file.
    private static func validate(_ entries: OrderedDictionary<String, Value>, file: DefinitionFile, path: String, prefix: String) throws {
        if let first = TaskDefinitionRules.problems(.map(entries), prefix: prefix).first {
            throw file.error(path, at: first.path, first.message)
        }
    }

    /// The names of the task definition's containers, in order (entries without a string name
    /// are skipped).
    public static func containerNames(_ taskDefinition: Value) -> [String] {
        guard case .map(let root) = taskDefinition, case .list(let items)? = root.entries["containerDefinitions"] else { return [] }
        return items.compactMap { item in
            guard case .map(let container) = item, case .string(let name)? = container.entries["name"] else { return nil }
            return name
        }
    }
}
