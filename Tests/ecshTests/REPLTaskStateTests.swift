import Foundation
import Testing

extension ProcessTests {

/// What the REPL's session knows about its tasks after Ctrl-C and stop(): the stop asked
/// for shows in tasks(), and a later Ctrl-C neither stops nor reports them again.
@Suite(.serialized)
struct REPLTaskStateTests {
    @Test func ctrlCStopsTasksOnceAndTasksShowsTheStop() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let home = try TempHome()
        defer { home.remove() }
        try tmux.start(Binary.path, environment: home.environment, arguments: ["--local"])
        try tmux.expect("the prompt") { $0.last == "ecsh>" }
        try tmux.enter(#"let ts = run(register({family: "naps", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["sleep", "300"]}]}), count: 2, stopOnInterrupt: true)"#)
        try tmux.expect("the prompt after run") { $0.last == "ecsh>" && $0.count >= 3 }
        try tmux.enter("sleep(1m)")
        try tmux.expectEnd(["ecsh> sleep(1m)"])
        try tmux.keys("C-c")
        try tmux.expect("the two tasks stopped on Ctrl-C") { lines in
            let t = Array(lines.suffix(3))
            return t.count == 3 && t[0] == "interrupted" && t[1].hasPrefix("ecsh: stopped 2 task(s) on Ctrl-C: ") && t[2] == "ecsh>"
        }
        try tmux.enter(#"print(tasks().map(fn(t) => t.desiredStatus))"#)
        try tmux.expectEnd([#"["STOPPED", "STOPPED"]"#, "ecsh>"])
        try tmux.enter(#"print(tasks().filter(fn(t) => t.lastStatus == "RUNNING" or t.lastStatus == "PENDING"))"#)
        try tmux.expectEnd(["[]", "ecsh>"])

        // A second Ctrl-C: nothing to stop, nothing said about those tasks.
        try tmux.enter("sleep(1m)")
        try tmux.expectEnd(["ecsh> sleep(1m)"])
        try tmux.keys("C-c")
        try tmux.expect("interrupted alone") { lines in
            Array(lines.suffix(4)) == ["ecsh> sleep(1m)", "^C", "interrupted", "ecsh>"]
        }
        let screen = try tmux.screen()
        #expect(screen.components(separatedBy: "on Ctrl-C").count == 2, "the stop is reported once:\n\(screen)")

        // stop() from the prompt: the records say so at once.
        try tmux.enter(#"let u = run(register({family: "nap2", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["sleep", "300"]}]}))"#)
        try tmux.enter(#"print(stop(u).desiredStatus, tasks()[-1].desiredStatus)"#)
        try tmux.expectEnd(["STOPPED STOPPED", "ecsh>"])
        try tmux.keys("C-d")
        try tmux.expectExit(0)
    }
}
}
