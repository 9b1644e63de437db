import Foundation
import Testing

extension Binary {
    /// Runs ecsh with stdout and stderr into one pipe, as `2>&1` into a CI log does.
    static func runCombined(_ args: [String], in directory: URL, environment extra: [String: String] = [:]) throws -> (status: Int32, text: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in extra { env[k] = v }
        p.environment = env
        let both = Pipe()
        p.standardOutput = both
        p.standardError = both
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let text = both.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: text, as: UTF8.self))
    }
}

/// Progress in one log with the output (`2>&1`): a task's log lines before its stop, each
/// event once, launch/RUNNING/stop only (`--progress verbose` is in RunCommandMotoTests).
extension ProcessTests {
@Suite struct CombinedStreamTests {
    /// `task ID launched: ARN`, `task ID RUNNING`, `task ID STOPPED exit N`: the default lines.
    static func isDefaultTaskLine(_ line: Substring) -> Bool {
        let words = line.split(separator: " ")
        guard line.hasPrefix("ecsh: task "), words.count >= 4 else { return true }
        return words[3] == "launched:" || words[3] == "RUNNING" || (words[3] == "STOPPED" && words.count >= 6 && words[4] == "exit")
    }

    @Test func migrationLogsComeBeforeItsStopAndEachStopOnce() throws {
        let r = try Binary.runCombined(["--local", "examples/migrate.ecsh"], in: Binary.packageRoot)
        #expect(r.status == 0, "\(r.text)")
        let lines = r.text.split(separator: "\n")
        let stops = lines.filter { $0.hasPrefix("ecsh: task ") && $0.contains(" STOPPED ") }
        #expect(stops.count == 9, "one migration and 8 shards, each stop once:\n\(r.text)")
        #expect(Set(stops.map { $0.split(separator: " ")[2] }).count == 9, "\(r.text)")
        #expect(lines.allSatisfy(Self.isDefaultTaskLine), "no intermediate states by default:\n\(r.text)")

        let migrated = try #require(lines.firstIndex(of: "migration done"), "\(r.text)")
        let firstStop = try #require(lines.firstIndex { $0.hasPrefix("ecsh: task ") && $0.contains(" STOPPED ") })
        let firstSummary = try #require(lines.firstIndex { $0.hasPrefix("ecsh: 1 task(s) stopped in ") }, "\(r.text)")
        #expect(lines.firstIndex(of: "migrating 12 tables").map { $0 < migrated } == true, "\(r.text)")
        #expect(migrated < firstStop && firstStop < firstSummary, "the log, then the stop, then the summary:\n\(r.text)")
        #expect(lines.firstIndex(of: "registered migrate:1").map { $0 < firstStop } ?? true, "\(r.text)")
        #expect(firstSummary < (lines.firstIndex(of: "migration ok") ?? -1), "\(r.text)")
        #expect(lines.filter { $0.hasPrefix("ecsh: 8 task(s) stopped in ") }.count == 1, "a summary line per wait:\n\(r.text)")
        #expect(lines.last == "8/8 shards ok", "\(r.text)")
    }

    @Test func runWaitAgainstMotoPrintsEachStopOnce() async throws {
        let s = try await RunCommandMotoTests().setup()
        var env = s.moto.environment
        env["AWS_REGION"] = "us-east-1"
        let r = try Binary.runCombined(["run", "--endpoint-url", s.moto.endpoint, "--cluster", s.cluster, "--wait", "--count", "3",
                                        "--launch-type", "FARGATE", "--network-configuration", s.network], in: s.dir, environment: env)
        #expect(r.status == 0, "\(r.text)")
        let lines = r.text.split(separator: "\n")
        let stops = lines.filter { $0.contains(" STOPPED exit 0") }
        #expect(stops.count == 3 && Set(stops).count == 3, "each task's stop once:\n\(r.text)")
        #expect(lines.allSatisfy(Self.isDefaultTaskLine), "\(r.text)")
        // launched and STOPPED for each task (moto answers RunTask with RUNNING), and the summary.
        #expect(lines.filter { $0.hasPrefix("ecsh: task ") }.count <= 9, "\(r.text)")
        #expect(lines.last?.hasPrefix("ecsh: 3 task(s) stopped in ") == true, "\(r.text)")
    }
}
}
