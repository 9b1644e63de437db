import Foundation
import Testing

extension ProcessTests {

/// The REPL as a person meets it: the real binary on a terminal (a tmux pane), keys
/// typed one entry at a time, the screen read back.
@Suite(.serialized)
struct REPLTests {
    static let bannerEnd = " — help() lists built-ins, Ctrl-D exits"

    @Test func aSessionFromStartToCtrlD() throws {
        let home = try TempHome()
        defer { home.remove() }
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.start(Binary.path, environment: home.environment)

        // The banner, then the prompt.
        try tmux.expect("banner and prompt") { s in
            s.count == 2 && s[0].hasPrefix("ecsh ") && s[0].hasSuffix(Self.bannerEnd) && s[1] == "ecsh>"
        }

        // Define, then use.
        try tmux.enter("let x = 40")
        try tmux.expectEnd(["ecsh> let x = 40", "ecsh>"])
        try tmux.enter("x + 2")
        try tmux.expectEnd(["ecsh> x + 2", "42", "ecsh>"])

        // A multi-line entry: continuation prompts until the brace closes.
        try tmux.enter("fn add(a, b) {")
        try tmux.expectEnd(["ecsh> fn add(a, b) {", "...>"])
        try tmux.enter("  return a + b")
        try tmux.expectEnd(["...>   return a + b", "...>"])
        try tmux.enter("}")
        try tmux.expectEnd(["...> }", "ecsh>"])
        try tmux.enter("add(x, 2)")
        try tmux.expectEnd(["ecsh> add(x, 2)", "42", "ecsh>"])

        // Errors: the diagnostic with its caret, no colour under NO_COLOR, and the session goes on.
        // (The wording of messages is the interpreter's; here only where they go.)
        try tmux.enter("x + nope")
        try tmux.expect("the name error, then a prompt") { s in
            let t = Array(s.suffix(5))
            return t.count == 5 && t[0] == "ecsh> x + nope" && t[1].hasPrefix("<repl:5>:1:5: error: ") && t[1].contains("'nope'")
                && t[2] == "    x + nope" && t[3].hasPrefix("        ^") && t[4] == "ecsh>"
        }
        #expect(try !tmux.screen(escapes: true).contains("\u{1B}["), "NO_COLOR is set, yet the error is coloured")
        try tmux.enter("[1][3]")
        try tmux.expect("the runtime error, then a prompt") { s in
            guard let i = s.lastIndex(of: "ecsh> [1][3]") else { return false }
            return s[(i + 1)...].first?.hasPrefix("<repl:6>:1:1: error: ") == true && s.last == "ecsh>"
        }
        try tmux.enter("x")
        try tmux.expectEnd(["ecsh> x", "40", "ecsh>"])

        // Tab completion: a built-in, then a map's method after a dot.
        try tmux.type("pri")
        try tmux.expectEnd(["ecsh> pri"])
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> print("])
        try tmux.enter("\"done\")")
        try tmux.expectEnd(["ecsh> print(\"done\")", "done", "ecsh>"])
        try tmux.enter("let m = {alpha: 1}")
        try tmux.expectEnd(["ecsh> let m = {alpha: 1}", "ecsh>"])
        try tmux.type("m.ke")
        try tmux.expectEnd(["ecsh> m.ke"])
        try tmux.keys("Tab")
        try tmux.expectEnd(["ecsh> m.keys("])
        try tmux.enter(")")
        try tmux.expectEnd(["ecsh> m.keys()", "[\"alpha\"]", "ecsh>"])

        // History: Up brings back the last line, and again the one before.
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> m.keys()"])
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> let m = {alpha: 1}"])
        try tmux.keys("C-u")
        try tmux.expectEnd(["ecsh>"])

        // Ctrl-C at the prompt drops the line, and any pending continuation lines.
        try tmux.type("abc")
        try tmux.expectEnd(["ecsh> abc"])
        try tmux.keys("C-c")
        try tmux.expect("fresh prompt after Ctrl-C") { s in s.suffix(2).first?.hasPrefix("ecsh> abc") == true && s.last == "ecsh>" }
        try tmux.enter("[1,")
        try tmux.expectEnd(["ecsh> [1,", "...>"])
        try tmux.type("2")
        try tmux.expectEnd(["ecsh> [1,", "...> 2"])
        try tmux.keys("C-c")
        try tmux.expect("continuation dropped by Ctrl-C") { s in s.suffix(2).first?.hasPrefix("...> 2") == true && s.last == "ecsh>" }
        try tmux.enter("x")
        try tmux.expectEnd(["ecsh> x", "40", "ecsh>"])

        // Ctrl-C during evaluation stops it; the session and its names stay.
        try tmux.enter("print(\"spinning\"); while true {}")
        try tmux.expectEnd(["ecsh> print(\"spinning\"); while true {}", "spinning"])
        try tmux.keys("C-c")
        try tmux.expect("back at the prompt after interrupting") { s in
            s.suffix(2).first == "interrupted" && s.last == "ecsh>"
        }
        try tmux.enter("x")
        try tmux.expectEnd(["ecsh> x", "40", "ecsh>"])
        try tmux.enter("x")
        try tmux.expectEnd(["ecsh> x", "40", "ecsh> x", "40", "ecsh>"])

        // An empty line prints nothing; Ctrl-D on an empty line exits with 0.
        try tmux.enter("")
        try tmux.expectEnd(["ecsh> x", "40", "ecsh>", "ecsh>"])
        try tmux.keys("C-d")
        try tmux.expectExit(0)

        // The history file: XDG_STATE_HOME's, no empty lines, no repeats in a row,
        // no line interrupted by Ctrl-C.
        let lines = try home.historyLines()
        #expect(lines.first == "let x = 40")
        #expect(lines.contains("\u{1E}fn add(a, b) {\\n  return a + b\\n}"), "a multi-line entry is one: \(lines)")
        #expect(lines.last == "x")
        #expect(!lines.contains(""), "empty lines kept: \(lines)")
        #expect(!zip(lines, lines.dropFirst()).contains { $0 == $1 }, "repeated lines kept: \(lines)")
        #expect(!lines.contains("abc") && !lines.contains("2"), "lines cut by Ctrl-C kept: \(lines)")
        #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("home/.local/state").path))

        // A second session sees the first one's history; exit(n) exits with n.
        try tmux.start(Binary.path, environment: home.environment)
        try tmux.expectEnd(["ecsh>"])
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> x"])
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> print(\"spinning\"); while true {}"])
        try tmux.keys("C-u")
        try tmux.enter("exit(3)")
        try tmux.expectExit(3)
        #expect(try home.historyLines().last == "exit(3)")
    }

    @Test func historyIsCappedAndCleanedAtStart() throws {
        let home = try TempHome()
        defer { home.remove() }
        var old = (0..<1100).map { "n = \($0)" }
        old.insert("", at: 1050)
        old.insert("n = 1060", at: 1061) // a repeat of the line before
        try home.writeHistory(old)
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.start(Binary.path, environment: home.environment)
        try tmux.expectEnd(["ecsh>"])
        try tmux.keys("Up")
        try tmux.expectEnd(["ecsh> n = 1099"])
        try tmux.keys("C-u", "C-d")
        try tmux.expectExit(0)
        let lines = try home.historyLines()
        #expect(lines.count == 1000)
        #expect(lines.first == "n = 100")
        #expect(lines.last == "n = 1099")
        #expect(!lines.contains(""))
        #expect(lines.filter { $0 == "n = 1060" }.count == 1)
    }

    @Test func historyFallsBackToHomeWithoutXDG() throws {
        let home = try TempHome()
        defer { home.remove() }
        var env = home.environment
        env["XDG_STATE_HOME"] = ""
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.start(Binary.path, environment: env)
        try tmux.expectEnd(["ecsh>"])
        try tmux.enter("1 + 1")
        try tmux.expectEnd(["ecsh> 1 + 1", "2", "ecsh>"])
        try tmux.keys("C-d")
        try tmux.expectExit(0)
        let file = home.url.appendingPathComponent("home/.local/state/ecsh/history")
        #expect((try? String(contentsOf: file, encoding: .utf8)) == "1 + 1\n")
    }
}

/// A temporary HOME and XDG_STATE_HOME for one test.
struct TempHome {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-repl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url.appendingPathComponent("home"), withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        ["HOME": url.appendingPathComponent("home").path, "XDG_STATE_HOME": url.appendingPathComponent("state").path,
         "NO_COLOR": "1", "LANG": "C.UTF-8"]
    }

    var historyFile: URL { url.appendingPathComponent("state/ecsh/history") }

    func historyLines() throws -> [String] {
        let text = try String(contentsOf: historyFile, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "history file does not end with a newline")
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    func writeHistory(_ lines: [String]) throws {
        try FileManager.default.createDirectory(at: historyFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: historyFile)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A private tmux server with one 120x40 pane.
final class Tmux {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "tmux is not installed (scripts/setup installs it): the REPL tests need it" }
    }

    struct Failed: Error, CustomStringConvertible {
        let args: [String], output: String
        var description: String { "tmux \(args.joined(separator: " ")) failed: \(output)" }
    }

    let executable: String
    let socket = "ecsh-test-\(getpid())-\(UUID().uuidString.prefix(8))"
    private var started = false

    init() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let dirs = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        guard let found = dirs.map({ $0 + "/tmux" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Missing()
        }
        executable = found
    }

    @discardableResult
    func run(_ args: [String]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["TMUX"] = nil
        env["LANG"] = "C.UTF-8"
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out").path
        defer { unlink(outPath) }
        let status = try Self.spawn(executable, ["-u", "-L", socket, "-f", "/dev/null"] + args,
                                    environment: env.map { "\($0.key)=\($0.value)" }, output: outPath)
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw Failed(args: args, output: text) }
        return text
    }

    /// posix_spawn and waitpid, not Foundation's Process: the tmux server that new-session
    /// forks would inherit the descriptor Process watches for the end of its child, and
    /// the wait would never end. The child gets only stdin (/dev/null), stdout and stderr.
    static func spawn(_ path: String, _ args: [String], environment: [String], output: String) throws -> Int32 {
        func cStrings(_ xs: [String]) -> [UnsafeMutablePointer<CChar>?] { xs.map { strdup($0) } + [nil] }
        let argv = cStrings([path] + args), envp = cStrings(environment)
        defer { for p in argv + envp { free(p) } }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A test runs on a thread that blocks signals, and a mask is inherited: tmux would
        // hand it on to ecsh, and Ctrl-C would do nothing. A terminal starts with none.
        var noSignals = sigset_t(), defaults = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGTSTP, SIGWINCH, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))
        #if !canImport(Darwin)
        // Nothing else open in the child, or the daemon tmux forks would hold a pipe of
        // some other test open for ever. glibc has closefrom for this; Swift does not see it.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(sym, to: CloseFrom.self)(&actions, 3)
        } else {
            for fd in 3..<Int32(1024) { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        #endif
        var pid = pid_t()
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw Failed(args: args, output: String(cString: strerror(rc))) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw Failed(args: args, output: "waitpid: \(String(cString: strerror(errno)))") }
        }
        // Exited normally: the exit code; killed: 128 + the signal.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Runs `program` in a fresh pane (replacing any earlier one). A shell around it
    /// writes its exit status on the pane when it ends; the shell ignores Ctrl-C itself
    /// and runs the program with the usual dispositions, as a terminal would.
    func start(_ program: String, environment: [String: String], arguments: [String] = []) throws {
        if started { try run(["kill-session", "-t", "ecsh"]) }
        let env = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let script = #"trap "" INT QUIT; (trap - INT QUIT; exec /usr/bin/env "$@"); echo "[exited with status $?]"; exec sleep 3600"#
        try run(["new-session", "-d", "-s", "ecsh", "-x", "120", "-y", "40", "/bin/sh", "-c", script, "sh"] + env + [program] + arguments)
        started = true
    }

    func kill() {
        _ = try? run(["kill-server"])
        // tmux leaves its socket behind.
        let dir = ProcessInfo.processInfo.environment["TMUX_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        unlink("\(dir)/tmux-\(getuid())/\(socket)")
    }

    /// Types text as it is, then Enter.
    func enter(_ text: String) throws {
        if !text.isEmpty { try type(text) }
        try keys("Enter")
    }

    func type(_ text: String) throws { try run(["send-keys", "-t", "ecsh", "-l", text]) }

    func keys(_ names: String...) throws { try run(["send-keys", "-t", "ecsh"] + names) }

    /// The pane's text.
    func screen(escapes: Bool = false) throws -> String {
        try run(["capture-pane", "-p", "-t", "ecsh"] + (escapes ? ["-e"] : []))
    }

    /// The pane's lines up to the last one with text, right-trimmed.
    func lines() -> [String] {
        var ls = ((try? screen()) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop(while: { $0 == " " }).reversed())
        }
        while ls.last == "" { ls.removeLast() }
        return ls
    }

    /// Thrown after a failed expectation: later steps build on earlier ones, so the
    /// test stops there instead of waiting out every step after it.
    struct Stopped: Error, CustomStringConvertible {
        var description: String { "stopped at the first screen that did not match (above)" }
    }

    /// Polls the screen every 50 ms, up to 10 s, for `condition`.
    func expect(_ what: String, sourceLocation: SourceLocation = #_sourceLocation, _ condition: ([String]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        var last: [String] = []
        while Date() < deadline {
            last = lines()
            if condition(last) { return }
            usleep(50_000)
        }
        Issue.record("timed out waiting for \(what); the screen:\n\(last.joined(separator: "\n"))", sourceLocation: sourceLocation)
        throw Stopped()
    }

    /// Waits until the screen's last lines are `tail`.
    func expectEnd(_ tail: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expect("the screen to end with \(tail)", sourceLocation: sourceLocation) { Array($0.suffix(tail.count)) == tail }
    }

    /// Waits until the program has exited with `status`.
    func expectExit(_ status: Int32, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expect("exit status \(status)", sourceLocation: sourceLocation) { $0.last?.hasSuffix("[exited with status \(status)]") == true }
    }
}
}
