import Foundation
import Testing

extension ProcessTests {

/// Leaving the REPL with tasks still running says so, as the end of a script does.
@Suite(.serialized)
struct REPLExitTests {
    @Test func ctrlDWithALocalTaskRunningReportsIt() throws {
        let home = try TempHome()
        defer { home.remove() }
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.start(Binary.path, environment: home.environment, arguments: ["--local", "--progress", "off"])
        try tmux.expectEnd(["ecsh>"])
        try tmux.enter(#"let t = run(register({family: "nap", containerDefinitions: [{name: "app", image: "busybox", memory: 64, command: ["sleep", "300"]}]}))"#)
        try tmux.expect("the task launched") { $0.last == "ecsh>" && $0.count >= 3 }
        try tmux.keys("C-d")
        try tmux.expect("the running task reported on the way out") { s in
            s.contains("ecsh: stopped 1 local task(s) that were still running")
        }
        try tmux.expectExit(0)
    }
}
}
