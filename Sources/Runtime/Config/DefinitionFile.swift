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
                     jsonnet: Jsonnet = Jsonnet()) throws -> DefinitionFile {
        try decode(try source(path: path, extStr: extStr, extCode: extCode, jsonnet: jsonnet),
                   environment: environment, functions: functions)
    }

    /// A file's text before the template pass: Jsonnet evaluated, anything else as it is.
    struct Source {
        let path: String
        let text: String
        let isJsonnet: Bool
    }

    static func source(path: String, extStr: [String: String], extCode: [String: String] = [:],
                       jsonnet: Jsonnet = Jsonnet()) throws -> Source {
        if isJsonnet(path) {
            // A file that cannot be read is said the same way as for JSON, not in jsonnet's words.
            _ = try readBytes(path)
            return Source(path: path, text: try jsonnet.evaluate(file: path, extStr: extStr, extCode: extCode), isJsonnet: true)
        }
        return Source(path: path, text: try readText(path), isJsonnet: false)
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
        let source = try source(path: path, extStr: context.extStr, extCode: context.extCode)
        let functions = context.plugins?.functions ?? [:]
        return try await ConfigPlugins.render(context.plugins) {
            try decode(source, environment: context.environment, functions: functions)
        }
    }

    /// The file's text; a ConfigError naming the file and the system's reason when it cannot
    /// be read (missing, a directory, no permission, an I/O error).
    static func readText(_ path: String) throws -> String {
        let bytes = try readBytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigError(file: path, message: "the file is not UTF-8 text")
        }
        return text
    }

    // POSIX calls rather than Data(contentsOf:), whose errors on Linux do not say why
    // ("NSCocoaErrorDomain error 256").
    static func readBytes(_ path: String) throws -> [UInt8] {
        func failure(_ code: Int32) -> ConfigError {
            switch code {
            case ENOENT, ENOTDIR: return ConfigError(file: path, message: "no such file")
            case EISDIR: return ConfigError(file: path, message: "cannot read the file: it is a directory")
            default: return ConfigError(file: path, message: "cannot read the file: \(String(cString: strerror(code)).lowercased())")
            }
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            bytes += buffer[0..<n]
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

    public init(environment: [String: String], extStr: [String: String] = [:], extCode: [String: String] = [:],
                plugins: ConfigPlugins? = nil) {
        self.environment = environment
        self.extStr = extStr
        self.extCode = extCode
        self.plugins = plugins
    }
}
