import Foundation
import Testing

extension ProcessTests {

/// Progress on a real terminal (a tmux pane): the live block while tasks run, gone when
/// they stop, log lines above it once each; and Ctrl-C in the REPL ends only the wait.
@Suite(.serialized) struct TerminalProgressTests {
    /// A script whose three local tasks print a line, wait for a file, print another and exit.
    func script(gate: URL) -> String {
        #"""
        let td = register({family: "live", containerDefinitions: [{name: "app", image: "busybox", memory: 64, essential: true,
          command: ["sh", "-c", "echo one; while [ ! -e \#(gate.path) ]; do sleep 0.05; done; echo two"]}]})
        let ts = run(td, count: 3, wait: true, logs: true, timeout: 2m)
        print("done", len(ts.filter(fn(t) => t.ok)))
        """#
    }

    @Test func theBlockShowsCountsAndTheLatestLineThenGivesWayToTheSummary() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let home = try TempHome()
        defer { home.remove() }
        let gate = home.url.appendingPathComponent("go")
        let file = home.url.appendingPathComponent("live.ecsh")
        try script(gate: gate).write(to: file, atomically: true, encoding: .utf8)
        let runner = tmux
        try runner.start(Binary.path, environment: home.environment, arguments: ["--local", file.path])
        try runner.expect("the live block with three running tasks and a log line") { lines in
            guard let i = lines.lastIndex(where: { $0.hasPrefix("waiting ") }) else { return false }
            return lines[i].hasSuffix("for 3 task(s) to stop: 3 RUNNING") && lines.count == i + 2
                && lines[i + 1].hasPrefix("  [") && lines[i + 1].hasSuffix("] one")
        }
        let before = runner.lines()
        #expect(before.filter { $0.hasSuffix("] one") }.count == 4, "three log lines above, the latest in the block: \(before)")
        FileManager.default.createFile(atPath: gate.path, contents: nil)
        try runner.expectExit(0)
        let after = runner.lines()
        #expect(!after.contains { $0.hasPrefix("waiting ") }, "the block is gone: \(after)")
        #expect(after.filter { $0.hasSuffix("] one") }.count == 3 && after.filter { $0.hasSuffix("] two") }.count == 3,
                "each line once: \(after)")
        #expect(after.contains { $0.hasPrefix("ecsh: 3 task(s) stopped in ") && $0.hasSuffix(": 3 exit 0") }, "\(after)")
        #expect(after.contains("done 3"))
    }

    @Test func ctrlCInTheREPLEndsTheWaitAndKeepsTheSession() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let home = try TempHome()
        defer { home.remove() }
        try tmux.start(Binary.path, environment: home.environment, arguments: ["--local"])
        try tmux.expect("the prompt") { $0.last == "ecsh>" }
        try tmux.enter(#"let t = run(register({family: "nap", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["sleep", "300"]}]}), wait: true)"#)
        try tmux.expect("the live block") { $0.last?.hasPrefix("waiting ") == true && $0.last?.hasSuffix("1 RUNNING") == true }
        try tmux.keys("C-c")
        try tmux.expect("back at the prompt, the task still running") { lines in
            Array(lines.suffix(3)) == ["interrupted", "1 task(s) still running: tasks() lists them, stop() stops them", "ecsh>"]
        }
        try tmux.enter(#"print(len(tasks()), wait(stop(tasks()[0])).stopCode)"#)
        try tmux.expect("the task stopped from the prompt") { Array($0.suffix(2)) == ["1 UserInitiated", "ecsh>"] }
        try tmux.keys("C-d")
        try tmux.expectExit(0)
    }
}
}
