import Foundation

/// Evaluates Jsonnet files with the `jsonnet` program (Debian package `jsonnet`).
///
/// ecspresso v2.3 evaluates Jsonnet in-process with go-jsonnet, binding `--ext-str` and
/// `--ext-code` and no native functions; so does this (`std.native('env')` is not there in
/// either). `{{ env "NAME" }}` templates inside strings run on jsonnet's output.
public struct Jsonnet: Sendable {
    /// The program: a name looked up on `searchPath`, or a path containing `/`.
    public var executable: String
    /// A PATH-style list of directories to look for `executable` in.
    public var searchPath: String

    /// Uses `jsonnet` from this process's PATH unless told otherwise.
    public init(executable: String = "jsonnet",
                searchPath: String = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") {
        self.executable = executable
        self.searchPath = searchPath
    }

    /// The JSON text `file` evaluates to, with each `extStr` entry bound for `std.extVar`.
    /// Imports resolve relative to the importing file, as jsonnet does.
    public func evaluate(file: String, extStr: [String: String] = [:], extCode: [String: String] = [:]) throws -> String {
        guard let program = locate() else {
            throw ConfigError(file: file, message: "cannot evaluate Jsonnet: the '\(executable)' program was not found on PATH; "
                + "install it (Debian/Ubuntu: apt-get install jsonnet; macOS: brew install jsonnet)")
        }
        var arguments: [String] = []
        for (key, value) in extStr.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, !key.contains("=") else {
                throw ConfigError(file: file, message: "invalid Jsonnet external variable name '\(key)'")
            }
            arguments += ["--ext-str", "\(key)=\(value)"]
        }
        for (key, value) in extCode.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, !key.contains("=") else {
                throw ConfigError(file: file, message: "invalid Jsonnet external code variable name '\(key)'")
            }
            arguments += ["--ext-code", "\(key)=\(value)"]
        }
        // A file name starting with '-' would read as an option.
        arguments.append(file.hasPrefix("-") ? "./" + file : file)

        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("ecsh-jsonnet-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        } catch {
            throw ConfigError(file: file, message: "cannot run jsonnet: cannot create a temporary directory: \(error)")
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files rather than pipes: a large output and a large error trace cannot then block
        // each other while this thread waits.
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        guard FileManager.default.createFile(atPath: outURL.path, contents: nil),
              FileManager.default.createFile(atPath: errURL.path, contents: nil) else {
            throw ConfigError(file: file, message: "cannot run jsonnet: cannot create files in \(scratch.path)")
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        do {
            let outHandle = try FileHandle(forWritingTo: outURL)
            let errHandle = try FileHandle(forWritingTo: errURL)
            defer {
                try? outHandle.close()
                try? errHandle.close()
            }
            process.standardOutput = outHandle
            process.standardError = errHandle
            try process.run()
            process.waitUntilExit()
        } catch {
            throw ConfigError(file: file, message: "cannot run \(program): \(error)")
        }
        let output = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw Self.error(from: errors, file: file, status: process.terminationStatus)
        }
        return output
    }

    func locate() -> String? {
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil
        }
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let candidate = String(dir) + "/" + executable
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A ConfigError located at the first `file:line:column` jsonnet's message names (which may
    /// be an imported file), carrying the message on one line: the trace's innermost frame is
    /// the location, and the rest of the trace is left out, as a user error is one line.
    static func error(from stderr: String, file: String, status: Int32) -> ConfigError {
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            return ConfigError(file: file, message: "jsonnet failed (exit status \(status)) without saying why")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var headline = lines.removeFirst()
        for prefix in ["STATIC ERROR: ", "RUNTIME ERROR: "] where headline.hasPrefix(prefix) {
            headline.removeFirst(prefix.count)
        }
        var location = firstLocation(in: headline)
        if let found = location, headline.hasPrefix(found.text + ": ") {
            headline.removeFirst(found.text.count + 2)
        }
        if location == nil { location = lines.lazy.compactMap(firstLocation(in:)).first }
        var message = "jsonnet: " + headline
        if headline.contains("only functions can be called, got null") || stderr.contains("std.native") {
            message += " (the jsonnet program has no native functions such as std.native('env'): "
                + "use std.extVar, or a {{ env \"NAME\" }} template inside a string)"
        }
        return ConfigError(file: location?.file ?? file, line: location?.line, column: location?.column, message: message)
    }

    /// The first `path:line:column` or `path:(line:column)-(...)` in `text`.
    static func firstLocation(in text: String) -> (file: String, line: Int, column: Int, text: String)? {
        // jsonnet puts a location first in a headline, and after a tab in a trace line.
        let candidates = text.split(whereSeparator: { $0 == "\t" }).map { $0.trimmingCharacters(in: .whitespaces) }
        for candidate in candidates {
            let word = candidate.prefix { $0 != " " }
            var rest = Substring(word)
            if rest.hasSuffix(":") { rest = rest.dropLast() }
            // Split from the right: the path itself may contain ':'.
            guard let colon = rest.lastIndex(of: ":") else { continue }
            var tail = rest[rest.index(after: colon)...]
            var head = rest[..<colon]
            var column: Int?
            var line: Int?
            if let pair = rest.range(of: ":(") {
                // `path:(L:C)-(L:C)`
                let inside = rest[pair.upperBound...].prefix { $0 != ")" }
                let parts = inside.split(separator: ":")
                guard parts.count == 2, let l = Int(parts[0]), let c = Int(parts[1]) else { continue }
                line = l
                column = c
                head = rest[..<pair.lowerBound]
            } else {
                if let dash = tail.firstIndex(of: "-") { tail = tail[..<dash] }
                guard let c = Int(tail), let lineColon = head.lastIndex(of: ":"), let l = Int(head[head.index(after: lineColon)...]) else { continue }
                line = l
                column = c
                head = head[..<lineColon]
            }
            guard let line, let column, !head.isEmpty else { continue }
            return (String(head), line, column, String(word.hasSuffix(":") ? word.dropLast() : word))
        }
        return nil
    }
}
