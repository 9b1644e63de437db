import Foundation
import Testing

extension ProcessTests {

/// A user's broken files through `ecsh run`: one line on stderr naming the file (and its
/// line and column where the format has them), exit status 1, nothing launched. The same
/// files through a script are golden cases (Tests/Golden/ecs/user_*).
@Suite struct UserFileErrorTests {
    static let files = Binary.packageRoot.appendingPathComponent("Tests/Golden/ecs/files")

    struct Case: CustomTestStringConvertible, Sendable {
        let args: [String]
        /// The whole error line, `ecsh: error: ` left out.
        let error: String
        var testDescription: String { args.joined(separator: " ") }
    }

    static let cases: [Case] = [
        Case(args: ["--config", "malformed.yml"],
             error: "malformed.yml:4:21: invalid YAML: mapping values are not allowed in this context"),
        Case(args: ["--config", "absent.yml"], error: "absent.yml: no such file"),
        Case(args: ["--task-definition", "broken.json"], error: "broken.json:4:34: invalid JSON: expected a string key"),
        Case(args: ["--task-definition", "must_env.json"],
             error: "must_env.json:4:55: error calling must_env: environment variable ECSH_GOLDEN_UNSET_TAG is not defined: set it, or use {{ env \"ECSH_GOLDEN_UNSET_TAG\" \"default\" }}"),
        Case(args: ["--task-definition", "broken.jsonnet"], error: "broken.jsonnet:4:76: jsonnet: unexpected: \"}\" while parsing terminal"),
        Case(args: ["--task-definition", "job.jsonnet"], error: "job.jsonnet:4:76: jsonnet: undefined external variable: tag"),
        Case(args: ["--task-definition", "absent.json"], error: "absent.json: no such file"),
    ]

    /// `ecsh run --dry-run` in the golden files' folder, with the config's service definition.
    static func run(_ args: [String], in dir: URL = files) throws -> Binary.Result {
        try Binary.run(["run", "--dry-run", "--count", "2"] + args, in: dir,
                       environment: ["AWS_REGION": "us-east-1"])
    }

    static func expectOneLine(_ r: Binary.Result, _ error: String, _ what: Comment) {
        #expect(r.stderr == "ecsh: error: \(error)\n", what)
        #expect(r.status == 1, what)
        // A dry run prints every request it would send: nothing registered, nothing launched.
        #expect(r.stdout == "", "nothing sent: \(what)")
    }

    @Test(arguments: cases)
    func brokenFileIsOneLineAndLaunchesNothing(_ c: Case) throws {
        let r = try Self.run(c.args)
        Self.expectOneLine(r, c.error, "\(c.args)")
    }

    /// Unreadable even for root (tests may run as root, where a mode of 000 stops nothing): a
    /// directory where the file should be, and a file whose every read fails.
    @Test func unreadableFilesAreOneLineInRunAndInScripts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-unreadable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("taskdef.json"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let directory = try Self.run(["--task-definition", "taskdef.json", "--launch-type", "EC2"], in: dir)
        Self.expectOneLine(directory, "taskdef.json: cannot read the file: it is a directory", "a directory")

        #if os(Linux)
        // Reading a process's own memory at offset 0 fails with EIO, whoever reads it.
        let memory = try Self.run(["--task-definition", "/proc/self/mem", "--launch-type", "EC2"], in: dir)
        Self.expectOneLine(memory, "/proc/self/mem: cannot read the file: input/output error", "/proc/self/mem")
        let script = try Binary.run(["--dry-run", "-e", #"run(register("/proc/self/mem"), launchType: "EC2")"#], in: dir)
        #expect(script.status == 1)
        let first = try #require(script.stderr.split(separator: "\n").first)
        #expect(first == "-e:1:5: error: register(): /proc/self/mem: cannot read the file: input/output error", "\(script.stderr)")
        #expect(!script.stdout.contains("RunTask"))
        #endif
    }
}
}
