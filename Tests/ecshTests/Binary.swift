import Foundation

/// Runs the built `ecsh` binary: `ECSH_BIN` (set by scripts/test) or the debug build.
enum Binary {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let path: String = {
        if let p = ProcessInfo.processInfo.environment["ECSH_BIN"], !p.isEmpty { return p }
        return packageRoot.appendingPathComponent(".build/debug/ecsh").path
    }()

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        /// True when the process ended by a signal (a crash), not an exit.
        let signalled: Bool
    }

    /// Runs ecsh with arguments in a directory, feeding `stdin`; no colours.
    static func run(_ args: [String], in directory: URL? = nil, stdin: String? = nil,
                    environment extra: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = inp
        try p.run()
        let collect = DispatchGroup()
        nonisolated(unsafe) var o = Data(), e = Data()
        DispatchQueue.global().async(group: collect) { o = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: collect) { e = err.fileHandleForReading.readDataToEndOfFile() }
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inp.fileHandleForWriting.close()
        p.waitUntilExit()
        collect.wait()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self), signalled: p.terminationReason == .uncaughtSignal)
    }
}

/// `--output json`: one JSON object a line.
enum JSONEventLines {
    struct NotAnObject: Error, CustomStringConvertible {
        let line: String
        var description: String { "not a JSON object: \(line)" }
    }

    static func parse(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw NotAnObject(line: String(line))
            }
            return o
        }
    }
}

/// An ecsh process left running, its stdout and stderr going to files, for tests that
/// signal it mid-way.
struct RunningBinary {
    let process: Process
    let out: URL
    let err: URL

    init(_ args: [String], in directory: URL, environment extra: [String: String]) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.arguments = args
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in extra { env[k] = v }
        process.environment = env
        out = directory.appendingPathComponent("ecsh-\(UUID().uuidString).out")
        err = directory.appendingPathComponent("ecsh-\(UUID().uuidString).err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

    /// Waits (up to `seconds`) until stderr says what `ready` looks for; false if it never does.
    func waitForStderr(seconds: Double = 60, _ ready: (String) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if ready(stderr) { return true }
            if !process.isRunning { return ready(stderr) }
            usleep(50_000)
        }
        return false
    }

    /// SIGINT, then the exit status.
    func interrupt() -> Int32 {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
