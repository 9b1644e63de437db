import Foundation
import Testing

extension ProcessTests {

/// Ctrl-C on `ecsh --local` leaves no container process behind, and no zombie.
@Suite(.serialized) struct LocalInterruptTests {
    /// Processes whose environment carries the marker (containers inherit it).
    static func processes(with marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return env.split(separator: 0).contains { $0.elementsEqual("MARKER=\(marker)".utf8) }
        }
    }

    /// Starts ecsh on a script whose task sleeps, interrupts it `times` times once the
    /// container is running, and returns its exit status.
    func interrupt(command: String, times: Int, marker: String) throws -> (Int32, String) {
        let script = #"""
            let td = register({family: "sleepy", containerDefinitions: [{name: "app", image: "busybox", memory: 64, stopTimeout: 20,
              command: ["sh", "-c", "\#(command)"], environment: [{name: "MARKER", value: "\#(marker)"}]}]})
            wait(run(td, count: 3))
            print("not reached")
            """#
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Binary.path)
        p.arguments = ["--local", "-e", script]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-int-\(marker).out")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        p.standardOutput = try FileHandle(forWritingTo: log)
        p.standardError = p.standardOutput
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        while Self.processes(with: marker).count < 3, Date() < deadline { usleep(20_000) }
        #expect(Self.processes(with: marker).count >= 3, "the containers started")
        for _ in 0..<times {
            kill(p.processIdentifier, SIGINT)
            usleep(200_000)
        }
        p.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(!output.contains("not reached"))
        return (p.terminationStatus, output)
    }

    @Test func oneCtrlCStopsTheContainers() throws {
        let marker = "INT1_\(UUID().uuidString.prefix(8))"
        let (status, output) = try interrupt(command: "sleep 100", times: 1, marker: marker)
        #expect(status == 130)
        #expect(output.contains("ecsh: stopped 3 local task(s) that were still running\n"), "\(output)")
        #expect(Self.processes(with: marker).isEmpty)
    }

    @Test func aSecondCtrlCKillsContainersThatIgnoreSIGTERM() throws {
        let marker = "INT2_\(UUID().uuidString.prefix(8))"
        let (status, _) = try interrupt(command: "trap '' TERM; sleep 100", times: 2, marker: marker)
        #expect(status == 130)
        // SIGKILL is immediate, but the kernel may take a moment to tear the processes down.
        let deadline = Date().addingTimeInterval(5)
        while !Self.processes(with: marker).isEmpty, Date() < deadline { usleep(20_000) }
        #expect(Self.processes(with: marker).isEmpty)
    }

    @Test func anUncaughtErrorEndsTheRunningTasksToo() throws {
        let marker = "ERR_\(UUID().uuidString.prefix(8))"
        let r = try Binary.run(["--local", "-e", #"""
            let td = register({family: "e", containerDefinitions: [{name: "app", image: "busybox", memory: 64,
              command: ["sleep", "100"], environment: [{name: "MARKER", value: "\#(marker)"}]}]})
            run(td, count: 2)
            wait(tasks(), until: "running")
            fail("boom")
            """#])
        #expect(r.status == 1)
        #expect(r.stderr.contains("boom"))
        #expect(Self.processes(with: marker).isEmpty)
    }
}
}
