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
            // A file that cannot be read is said the same way as for JSON, not in jsonnet's words.
            _ = try readBytes(path)
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
    private static func readBytes(_ path: String) throws -> [UInt8] {
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
