import Foundation
import Lang

/// Reads a JSON or Jsonnet definition file the way ecspresso does: a `.jsonnet`/`.libsonnet`
/// file is evaluated by jsonnet first and the template pass runs over its JSON output; any other
/// file gets the template pass over its text. Then the JSON is decoded.
struct DefinitionFile {
    /// The decoded document.
    let value: Value
    /// Locations in the file for paths in `value`; nil for Jsonnet, whose output lines are not
    /// the file's lines.
    let locations: JSONLocation?

    static func isJsonnet(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".jsonnet") || lower.hasSuffix(".libsonnet")
    }

    static func load(path: String, environment: [String: String], extStr: [String: String],
                     extCode: [String: String] = [:], functions: [String: TemplateFunction] = [:],
                     jsonnet: Jsonnet = Jsonnet(), files: any ScriptHost) throws -> DefinitionFile {
        try decode(try source(path: path, extStr: extStr, extCode: extCode, jsonnet: jsonnet, files: files),
                   environment: environment, functions: functions)
    }

    /// A file's text before the template pass: Jsonnet evaluated, anything else as it is.
    struct Source {
        let path: String
        let text: String
        let isJsonnet: Bool
    }

    static func source(path: String, extStr: [String: String], extCode: [String: String] = [:],
                       jsonnet: Jsonnet = Jsonnet(), files: any ScriptHost) throws -> Source {
        if isJsonnet(path) {
            return Source(path: path, text: try evaluate(path, jsonnet: jsonnet, extStr: extStr, extCode: extCode, files: files),
                          isJsonnet: true)
        }
        return Source(path: path, text: try readText(path, files: files), isJsonnet: false)
    }

    /// The JSON a Jsonnet file evaluates to. The `jsonnet` program reads the file and its
    /// imports itself, so only a host whose files are the machine's may have it run.
    static func evaluate(_ path: String, jsonnet: Jsonnet, extStr: [String: String], extCode: [String: String],
                         files: any ScriptHost) throws -> String {
        // A file that cannot be read is said the same way as for JSON, not in jsonnet's words.
        _ = try readBytes(path, files: files)
        guard files.sharesFileSystem else {
            throw ConfigError(file: path, message: "cannot evaluate Jsonnet: the jsonnet program reads the file and its imports "
                + "from this machine, and this script's files come from its host")
        }
        return try jsonnet.evaluate(file: path, extStr: extStr, extCode: extCode)
    }

    /// The template pass over `source`, then JSON.
    static func decode(_ source: Source, environment: [String: String], functions: [String: TemplateFunction] = [:]) throws -> DefinitionFile {
        let path = source.path
        if source.isJsonnet {
            let rendered: String
            do {
                rendered = try Template.render(source.text, file: path, environment: environment, functions: functions)
            } catch var error as ConfigError {
                // Positions in jsonnet's output would mislead: they are not the file's.
                error.line = nil
                error.column = nil
                error.message += " (in a template in the JSON that jsonnet produced)"
                throw error
            }
            do {
                return DefinitionFile(value: try JSON.decode(rendered), locations: nil)
            } catch let error as JSONError {
                throw ConfigError(file: path, message: "after the template pass, jsonnet's output is not valid JSON: \(error.message)")
            }
        }
        let rendered = try Template.render(source.text, file: path, environment: environment, functions: functions)
        do {
            return DefinitionFile(value: try JSON.decode(rendered), locations: JSONLocation(text: rendered))
        } catch let error as JSONError {
            throw ConfigError(file: path, line: error.line, column: error.column, message: "invalid JSON: \(error.message)")
        }
    }

    /// Reads `path` with `context`'s variables and plugin functions, fetching what the
    /// plugins need between renders.
    static func load(path: String, context: DefinitionContext) async throws -> DefinitionFile {
        let source = try source(path: path, extStr: context.extStr, extCode: context.extCode, files: context.files)
        let functions = context.plugins?.functions ?? [:]
        return try await ConfigPlugins.render(context.plugins) {
            try decode(source, environment: context.environment, functions: functions)
        }
    }

    /// The file's text; a ConfigError naming the file and the host's reason when it cannot
    /// be read (missing, a directory, no permission, an I/O error, not given to the script).
    static func readText(_ path: String, files: any ScriptHost) throws -> String {
        let bytes = try readBytes(path, files: files)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, message: "the file is not UTF-8 text")
        }
        return text
    }

    static func readBytes(_ path: String, files: any ScriptHost) throws -> [UInt8] {
        do {
            return try files.readFile(path)
        } catch {
            throw ConfigError(file: path, message: error.reason == "no such file" ? error.reason : "cannot read the file: \(error.reason)")
        }
    }

    /// A ConfigError at `path` in this document.
    func error(_ file: String, at path: String, _ message: String) -> ConfigError {
        let position = locations?.position(of: path)
        return ConfigError(file: file, line: position?.line, column: position?.column, message: message)
    }
}

/// What reading a definition file takes besides its path: the template variables, Jsonnet's
/// external variables, and the config's plugins.
public struct DefinitionContext: Sendable {
    public var environment: [String: String]
    public var extStr: [String: String]
    public var extCode: [String: String]
    /// nil: no plugin functions (the config file itself, as in ecspresso, or no config).
    public var plugins: ConfigPlugins?
    /// Where the files are read from: the script's host for a built-in, the machine's for
    /// the command line.
    public var files: any ScriptHost

    public init(environment: [String: String], extStr: [String: String] = [:], extCode: [String: String] = [:],
                plugins: ConfigPlugins? = nil, files: any ScriptHost) {
        self.environment = environment
        self.extStr = extStr
        self.extCode = extCode
        self.plugins = plugins
        self.files = files
    }
}
