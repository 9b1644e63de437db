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

    /// Reads, renders and checks the task definition at `path`.
    ///
    /// - `environment` feeds the `{{ env }}`/`{{ must_env }}` templates;
    /// - `extStr` binds `std.extVar` names for Jsonnet files;
    /// - the output of `aws ecs describe-task-definition` (`{"taskDefinition": {...}, "tags": [...]}`)
    ///   is unwrapped, its top-level `tags` kept when the definition has none;
    /// - response-only fields (`responseOnlyFields`) are dropped.
    ///
    /// Throws ConfigError naming the file, the offending path (`containerDefinitions[1].name`)
    /// and, for JSON files, its line and column.
    public static func load(path: String, environment: [String: String], extStr: [String: String] = [:]) throws -> Value {
        try load(path: path, environment: environment, extStr: extStr, jsonnet: Jsonnet())
    }

    static func load(path: String, environment: [String: String], extStr: [String: String], jsonnet: Jsonnet) throws -> Value {
        let file = try DefinitionFile.load(path: path, environment: environment, extStr: extStr, jsonnet: jsonnet)
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

    private static func validate(_ entries: OrderedDictionary<String, Value>, file: DefinitionFile, path: String, prefix: String) throws {
        func at(_ member: String) -> String { JSONLocation.member(prefix, member) }
        switch entries["family"] {
        case nil:
            throw file.error(path, at: prefix, "the task definition has no \"family\": add \"family\": \"<name>\"")
        case .string(let family)?:
            if family.isEmpty { throw file.error(path, at: at("family"), "\(at("family")) must not be empty") }
        case let other?:
            throw file.error(path, at: at("family"), "\(at("family")) must be a string, not \(other.typeNameWithArticle)")
        }
        let containersPath = at("containerDefinitions")
        guard let containers = entries["containerDefinitions"] else {
            throw file.error(path, at: prefix, "the task definition has no \"containerDefinitions\": a task definition needs at least one container")
        }
        guard case .list(let items) = containers else {
            throw file.error(path, at: containersPath, "\(containersPath) must be a list, not \(containers.typeNameWithArticle)")
        }
        guard !items.isEmpty else {
            throw file.error(path, at: containersPath, "\(containersPath) is empty: a task definition needs at least one container")
        }
        for (index, item) in items.enumerated() {
            let itemPath = JSONLocation.element(containersPath, index)
            guard case .map(let container) = item else {
                throw file.error(path, at: itemPath, "\(itemPath) must be an object, not \(item.typeNameWithArticle)")
            }
            switch container.entries["name"] {
            case nil:
                throw file.error(path, at: itemPath, "\(itemPath) has no \"name\": every container needs a name")
            case .string(let name)?:
                if name.isEmpty { throw file.error(path, at: itemPath + ".name", "\(itemPath).name must not be empty") }
            case let other?:
                throw file.error(path, at: itemPath + ".name", "\(itemPath).name must be a string, not \(other.typeNameWithArticle)")
            }
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
