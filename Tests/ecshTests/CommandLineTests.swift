import Foundation
import Testing

extension ProcessTests {

/// The `ecsh` command as scripts, CI and shells use it.
struct CommandLineTests {
    func temp(_ name: String, _ contents: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func runsCodeAndPassesArguments() throws {
        let r = try Binary.run(["-e", "print(args, len(args))", "a", "b c"])
        #expect(r.stdout == "[\"a\", \"b c\"] 2\n")
        #expect(r.status == 0)
        let f = try temp("args.ecsh", "print(args)")
        let s = try Binary.run([f.path, "--flag", "-x"])
        #expect(s.stdout == "[\"--flag\", \"-x\"]\n")
    }

    /// `ecsh FILE ...` and `ecsh -e CODE ...` without options start without the argument
    /// parser (for start-up time); they must do exactly what the parser would.
    @Test func scriptsStartedWithoutTheParserDoWhatTheParserWould() throws {
        let f = try temp("both.ecsh", "print(args)\nexit(len(args))")
        let dir = f.deletingLastPathComponent()
        try "print(\"a file named run\")".write(to: dir.appendingPathComponent("run"), atomically: true, encoding: .utf8)
        let lines: [[String]] = [
            [f.path], [f.path, "a", "--region", "x", "-e", "--help"], ["-e", "print(args)"],
            ["-e", "print(args)", "a", "--debug"], ["-e", "print(args)", "--max-steps", "3", "a"],
            ["-e", "let x ="], ["-e", "exit(4)"], ["-", "s"], [dir.appendingPathComponent("missing.ecsh").path],
            ["run", "--help"], ["-e"], [f.path, "--", "x"],
        ]
        for line in lines {
            let direct = try Binary.run(line, in: dir, stdin: "print(\"stdin\", args)")
            let parsed = try Binary.run(line, in: dir, stdin: "print(\"stdin\", args)", environment: ["ECSH_PARSE_ALWAYS": "1"])
            #expect(direct.stdout == parsed.stdout, "\(line)")
            #expect(direct.stderr == parsed.stderr, "\(line)")
            #expect(direct.status == parsed.status, "\(line)")
        }
    }

    @Test func exitStatuses() throws {
        #expect(try Binary.run(["-e", "exit(7)"]).status == 7)
        let failed = try Binary.run(["-e", "print(\"before\")\nlet x = 1 / 0"])
        #expect(failed.status == 1)
        #expect(failed.stdout == "before\n")
        #expect(failed.stderr.hasPrefix("-e:2:9: error: division by zero\n"))
        let usage = try Binary.run(["--no-such-flag"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("no-such-flag"))
        let missing = try Binary.run(["/nonexistent/deploy.ecsh"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "ecsh: error: cannot open '/nonexistent/deploy.ecsh': no such file\n")
    }

    @Test func readsScriptsFromStdin() throws {
        #expect(try Binary.run(["-"], stdin: "print(40 + 2)").stdout == "42\n")
        // Not a terminal and no file: stdin is the script.
        #expect(try Binary.run([], stdin: "print(\"piped\")").stdout == "piped\n")
    }

    @Test func shebangScriptsRun() throws {
        let f = try temp("deploy.ecsh", "#!/usr/bin/env ecsh\nprint(\"from shebang\", args)\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: f.path)
        let binDir = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path
        let p = Process()
        p.executableURL = f
        p.arguments = ["x"]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = binDir + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "from shebang [\"x\"]\n")
        #expect(p.terminationStatus == 0)
    }

    @Test func checkReportsEveryErrorAndRunsNothing() throws {
        let good = try temp("good.ecsh", "fn f() { return 1 }\nprint(f())\n")
        let bad1 = try temp("bad1.ecsh", "print(\"side effect\")\nprnt(1)\nlet x = 1\nx = 2\n")
        let bad2 = try temp("bad2.ecsh", "let s = \"open\n")
        let ok = try Binary.run(["check", good.path])
        #expect(ok.status == 0)
        #expect(ok.stdout == "" && ok.stderr == "")
        let r = try Binary.run(["check", good.path, bad1.path, bad2.path])
        #expect(r.status == 1)
        #expect(r.stdout == "", "check must not run anything")
        #expect(r.stderr.contains("\(bad1.path):2:1: error: unknown name 'prnt' (did you mean 'print'?)"))
        #expect(r.stderr.contains("\(bad1.path):4:1: error: cannot assign to 'x'"))
        #expect(r.stderr.contains("\(bad2.path):1:9: error: unterminated string"))
        #expect(try Binary.run(["check"]).status == 2)
    }

    @Test func versionAndHelp() throws {
        let v = try Binary.run(["--version"])
        #expect(v.stdout == "0.1.0\n")
        let h = try Binary.run(["--help"])
        #expect(h.status == 0)
        #expect(h.stdout.contains("ecsh check FILE..."))
        #expect(h.stdout.contains("Exit status"))
        let c = try Binary.run(["check", "--help"])
        #expect(c.stdout.contains("without running them"))
    }

    /// Busy loops of each kind, and recursion with no loop at all, stop at Ctrl-C.
    @Test(arguments: ["while true { }", "for i in 0..1000000000 { }",
                      "fn f(n) { if n > 0 { f(n - 1)\n f(n - 1) } }\nf(100)"])
    func interruptedScriptExits130(busy: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["-e", "print(\"started\")\nsleep(1ms)\n" + busy]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Wait (at most 20 s) for the script to start, then Ctrl-C it.
        let started = DispatchSemaphore(value: 0)
        let handle = out.fileHandleForReading
        DispatchQueue.global().async {
            var seen = Data()
            while !String(decoding: seen, as: UTF8.self).contains("started") {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                seen.append(chunk)
            }
            started.signal()
        }
        let sawStart = started.wait(timeout: .now() + 20) == .success
        #expect(sawStart, "the script's first line never arrived")
        kill(p.processIdentifier, SIGINT)
        let deadline = Date().addingTimeInterval(20)
        while p.isRunning, Date() < deadline { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(p.terminationReason == .exit)
        #expect(p.terminationStatus == 130)
        #expect(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "ecsh: interrupted\n")
    }
}

/// Bad input gets a diagnostic and exit status 1, never a crash.
struct BadInputTests {
    func check(_ source: Data, _ expected: String, sourceName: String = "bad.ecsh") throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try source.write(to: dir.appendingPathComponent(sourceName))
        let r = try Binary.run([sourceName], in: dir)
        #expect(!r.signalled, "crashed: \(r.stderr.prefix(300))")
        #expect(r.status == 1)
        #expect(r.stderr.contains(expected), "stderr was: \(r.stderr.prefix(500))")
        #expect(r.stderr.count < 20_000, "diagnostic should be short, was \(r.stderr.count) bytes")
    }

    @Test func binaryGarbage() throws {
        var bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })
        bytes[0] = 0x80
        try check(bytes, "bad.ecsh:1:1: error: invalid UTF-8 byte 0x80")
    }

    @Test func tenMegabyteLine() throws {
        let line = "let x = [" + String(repeating: "1, ", count: 3_500_000) + "oops]\n"
        try check(Data(line.utf8), "error: unknown name 'oops'")
    }

    @Test func tenThousandNestedBrackets() throws {
        let src = "let x = " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        try check(Data(src.utf8), "nested too deeply")
    }

    @Test func runtimeFailures() throws {
        try check(Data("let s = \"never closed\nprint(s)".utf8), "bad.ecsh:1:9: error: unterminated string")
        try check(Data("let x = 9223372036854775807\nprint(x + 1)".utf8), "bad.ecsh:2:7: error: integer overflow")
        try check(Data("print(1 / 0)".utf8), "division by zero")
        try check(Data("fn deep(n) { return deep(n + 1) }\ndeep(0)".utf8), "call stack too deep")
        try check(Data("fn down(n) { if n == 0 { return 0 }\n return 1 + down(n - 1) }\nprint(down(100000))".utf8), "call stack too deep")
        try check(Data("print([1, 2, 3][3])".utf8), "index 3 is out of range for a List of 3 items")
    }
}

/// The examples the README points at run as documented, on the local backend.
struct ExampleTests {
    @Test func helloRunsATaskAndPrintsItsExitCode() throws {
        let r = try Binary.run(["--local", "examples/hello.ecsh"], in: Binary.packageRoot, environment: ["USER": "ops"])
        #expect(r.stdout == "registered hello:1\nhello, ops, from task hello-1\nexit code 0, ok: true\n")
        #expect(r.status == 0)
        // Not on a terminal: a line on stderr for each change, from launch to the summary.
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let id = try #require(lines.first?.split(separator: " ").dropFirst(2).first.map(String.init), "\(r.stderr)")
        #expect(lines.first == "ecsh: task \(id) launched: arn:aws:ecs:local:local:task/default/\(id)")
        #expect(lines.allSatisfy { $0.hasPrefix("ecsh: task \(id) ") || $0.hasPrefix("ecsh: 1 task(s) ") }, "\(r.stderr)")
        #expect(lines.dropLast().last == "ecsh: task \(id) STOPPED exit 0", "\(r.stderr)")
        #expect(lines.last?.hasPrefix("ecsh: 1 task(s) stopped in ") == true && lines.last?.hasSuffix(": 1 exit 0") == true, "\(r.stderr)")

        let quiet = try Binary.run(["--local", "--progress", "off", "examples/hello.ecsh"], in: Binary.packageRoot, environment: ["USER": "ops"])
        #expect(quiet.stderr == "" && quiet.stdout == r.stdout)
    }

    @Test func helloWithJSONOutputIsEventsOnly() throws {
        let r = try Binary.run(["--local", "--output", "json", "examples/hello.ecsh"], in: Binary.packageRoot, environment: ["USER": "ops"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        let events = try JSONEventLines.parse(r.stdout)
        let names = events.compactMap { $0["event"] as? String }
        let printed = events.filter { $0["event"] as? String == "output" }.compactMap { $0["text"] as? String }
        #expect(printed == ["registered hello:1", "hello, ops, from task hello-1", "exit code 0, ok: true"], "the script's own lines, in order: \(names)")
        #expect(names.first == "output" && names.last == "output")
        // launched, then (maybe) status changes, then stopped, framed by the wait and its summary.
        let core = names.filter { $0 != "status" && $0 != "output" }
        #expect(core == ["launched", "wait", "stopped", "summary"], "\(names)")
        let launched = try #require(events.first { $0["event"] as? String == "launched" })
        let stopped = try #require(events.first { $0["event"] as? String == "stopped" })
        #expect(stopped["exitCode"] as? Int == 0 && stopped["ok"] as? Bool == true)
        #expect(stopped["taskId"] as? String == launched["taskId"] as? String)
    }

    @Test func migrateRunsTheMigrationThenEightShards() throws {
        let r = try Binary.run(["--local", "--progress", "off", "examples/migrate.ecsh"], in: Binary.packageRoot,
                               environment: ["FAIL_MIGRATION": "", "FAIL_SHARD": ""])
        #expect(r.stdout == "registered app:1\nmigrating 12 tables\nmigration done\nmigration ok\n8/8 shards ok\n")
        #expect(r.stderr == "")
        #expect(r.status == 0)
    }

    @Test func aFailedMigrationStopsThePlaybookWithItsExitCode() throws {
        let r = try Binary.run(["--local", "--progress", "off", "examples/migrate.ecsh"], in: Binary.packageRoot,
                               environment: ["FAIL_MIGRATION": "1", "FAIL_SHARD": ""])
        #expect(r.stdout == "registered app:1\nmigrating 12 tables\nERROR: relation \"users\" already exists\n")
        #expect(r.stderr == "migration failed with exit code 3: Essential container in task exited\n")
        #expect(r.status == 3)
    }

    @Test func aFailedShardIsReported() throws {
        let r = try Binary.run(["--local", "--progress", "off", "examples/migrate.ecsh"], in: Binary.packageRoot,
                               environment: ["FAIL_MIGRATION": "", "FAIL_SHARD": "5"])
        #expect(r.stdout.hasSuffix("migration ok\n7/8 shards ok\n"))
        #expect(r.stderr.hasPrefix("shard 5 failed with exit code 1 (task "))
        #expect(r.status == 1)
    }

    @Test func ecshRunLocalExitsWithTheWatchedContainersCode() throws {
        let r = try Binary.run(["run", "--local", "--config", "examples/ecspresso.yml", "--wait", "--count", "2",
                                "--container-overrides", #"{"name":"app","command":["sh","-c","echo hi; exit 4"]}"#],
                               in: Binary.packageRoot)
        #expect(r.status == 4)
        #expect(r.stdout.components(separatedBy: "STOPPED exit 4 (EssentialContainerExited").count == 3, "\(r.stdout)")
        #expect(r.stdout.components(separatedBy: "] hi\n").count == 3, "the logs of both tasks stream: \(r.stdout)")
    }

    @Test func fanoutRuns50Tasks() throws {
        let r = try Binary.run(["--local", "examples/fanout.ecsh"], in: Binary.packageRoot)
        #expect(r.stdout == "50/50 tasks ok\n")
        #expect(r.status == 0)
    }
}
}
