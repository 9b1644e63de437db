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
                     jsonnet: Jsonnet = Jsonnet()) throws -> DefinitionFile {
        if isJsonnet(path) {
            let output = try jsonnet.evaluate(file: path, extStr: extStr)
            let rendered: String
            do {
                rendered = try Template.render(output, file: path, environment: environment)
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
        let text = try readText(path)
        let rendered = try Template.render(text, file: path, environment: environment)
        do {
            return DefinitionFile(value: try JSON.decode(rendered), locations: JSONLocation(text: rendered))
        } catch let error as JSONError {
            throw ConfigError(file: path, line: error.line, column: error.column, message: "invalid JSON: \(error.message)")
        }
    }

    static func readText(_ path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw ConfigError(file: path, message: exists ? "cannot read the file: \(error.localizedDescription)" : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, message: "the file is not UTF-8 text")
        }
        return text
    }

    /// A ConfigError at `path` in this document.
    func error(_ file: String, at path: String, _ message: String) -> ConfigError {
        let position = locations?.position(of: path)
        return ConfigError(file: file, line: position?.line, column: position?.column, message: message)
    }
}
