#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// What a local container runs: ECS's rules for entryPoint, command and environment,
/// applied to a host process. The image is not used.
struct LocalContainerSpec: Sendable {
    var name: String
    var essential: Bool
    var argv: [String]
    var environment: [String: String]
    var workingDirectory: String?
    var stopTimeout: Duration
    var log: LogStream
}

/// One task run as host processes, one per container, through PROVISIONING, PENDING,
/// RUNNING and STOPPED.
final class LocalTask: Sendable {
    let arn: String
    let specs: [LocalContainerSpec]
    private let logs: LocalLogStore
    private let state: Mutex<State>

    private struct State {
        var task: ECSTask
        var groups: [String: Int32] = [:]
        var stopReason: String?
        var failedToStart: String?
        var essentialExited = false
        /// Containers whose process started (or could not): RUNNING once all have.
        var launched = 0
    }

    init(task: ECSTask, specs: [LocalContainerSpec], logs: LocalLogStore) {
        arn = task.taskArn ?? ""
        self.specs = specs
        self.logs = logs
        state = Mutex(State(task: task))
    }

    var snapshot: ECSTask { state.withLock { $0.task } }

    /// Runs the task to its end; the slot is held only while containers run.
    func run(slots: LocalTaskSlots) async {
        set { $0.task.lastStatus = "PENDING" }
        do {
            try await slots.acquire()
        } catch {
            finish(stopCode: "UserInitiated", reason: "ecsh ended before the task could start")
            return
        }
        defer { Task { await slots.release() } }
        if let reason = state.withLock({ $0.stopReason }) {
            finish(stopCode: "UserInitiated", reason: reason)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for spec in specs {
                group.addTask { await self.runContainer(spec) }
            }
        }
        let s = state.withLock { $0 }
        if let failure = s.failedToStart {
            finish(stopCode: "TaskFailedToStart", reason: failure)
        } else if let reason = s.stopReason {
            finish(stopCode: "UserInitiated", reason: reason)
        } else {
            finish(stopCode: "EssentialContainerExited", reason: "Essential container in task exited")
        }
    }

    /// StopTask: SIGTERM now, SIGKILL after each container's stopTimeout.
    func stop(reason: String) {
        let first = state.withLock { s -> Bool in
            s.task.desiredStatus = "STOPPED"
            guard s.stopReason == nil else { return false }
            s.stopReason = reason
            if s.task.lastStatus == "RUNNING" { s.task.lastStatus = "STOPPING" }
            return true
        }
        if first { terminateAll(except: nil) }
    }

    /// SIGKILL to every container still running, at once.
    func killNow() {
        for pid in state.withLock({ Array($0.groups.values) }) { Glibc.kill(-pid, SIGKILL) }
    }

    private func runContainer(_ spec: LocalContainerSpec) async {
        guard let executable = spec.argv.first else {
            containerFailedToStart(spec, "CannotStartContainerError: container \(spec.name) has no entryPoint or command (without Docker the image's default command is unknown)")
            return
        }
        var options = PlatformOptions()
        options.processGroupID = 0
        let configuration = Configuration(
            executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(Array(spec.argv.dropFirst())),
            environment: .custom(Dictionary(uniqueKeysWithValues: spec.environment.map { (Environment.Key(rawValue: $0.key)!, $0.value) })),
            workingDirectory: spec.workingDirectory.map { FilePath($0) },
            platformOptions: options)
        var group: Int32 = 0
        do {
            // One pipe for both streams keeps their lines in the order the container wrote them.
            let result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .combinedWithOutput) { execution in
                let pid = execution.processIdentifier.value
                group = pid
                ChildProcesses.add(pid)
                let stopNow = self.state.withLock { s -> Bool in
                    s.groups[spec.name] = pid
                    Self.markRunning(spec.name, in: &s, of: self.specs.count)
                    return s.stopReason != nil || s.essentialExited
                }
                if stopNow { self.signal(pid, SIGTERM, spec: spec) }
                await self.pump(execution.standardOutput, spec)
            }
            let code: Int
            switch result.terminationStatus {
            case .exited(let c): code = Int(c)
            case .signaled(let sig): code = 128 + Int(sig)
            }
            containerExited(spec, exitCode: code)
        } catch {
            containerFailedToStart(spec, "CannotStartContainerError: \(spec.name): cannot run '\(executable)': \(error)")
        }
        if group != 0 { ChildProcesses.remove(group) }
    }

    private func pump(_ output: SubprocessOutputSequence, _ spec: LocalContainerSpec) async {
        do {
            for try await line in output.strings(bufferingPolicy: .unbounded) {
                logs.append(group: spec.log.group, stream: spec.log.name, line: line)
            }
        } catch {
            logs.append(group: spec.log.group, stream: spec.log.name, line: "[ecsh: output could not be read: \(error)]")
        }
    }

    private func containerExited(_ spec: LocalContainerSpec, exitCode: Int) {
        let stopOthers = state.withLock { s -> Bool in
            s.groups[spec.name] = nil
            Self.stopContainer(spec.name, in: &s) { $0.exitCode = exitCode }
            guard spec.essential, !s.essentialExited else { return false }
            s.essentialExited = true
            if s.task.lastStatus == "RUNNING" { s.task.lastStatus = "STOPPING" }
            return true
        }
        // An essential container ended: ECS stops the task's other containers.
        if stopOthers { terminateAll(except: spec.name) }
    }

    private func containerFailedToStart(_ spec: LocalContainerSpec, _ reason: String) {
        logs.append(group: spec.log.group, stream: spec.log.name, line: "[ecsh: \(reason)]")
        let first = state.withLock { s -> Bool in
            Self.stopContainer(spec.name, in: &s) { $0.reason = reason }
            s.launched += 1
            guard s.failedToStart == nil else { return false }
            s.failedToStart = reason
            return true
        }
        if first { terminateAll(except: spec.name) }
    }

    /// A container's process is up; the task is RUNNING once every container's is, as on ECS.
    private static func markRunning(_ name: String, in s: inout State, of count: Int) {
        s.launched += 1
        s.task.containers = s.task.containers?.map { c in
            guard c.name == name, c.lastStatus == "PENDING" else { return c }
            var c = c
            c.lastStatus = "RUNNING"
            return c
        }
        if s.launched >= count, s.task.lastStatus == "PENDING" {
            s.task.lastStatus = "RUNNING"
            s.task.startedAt = Date()
        }
    }

    /// Marks one container STOPPED, with what else changed.
    private static func stopContainer(_ name: String, in s: inout State, _ change: (inout Container) -> Void) {
        s.task.containers = s.task.containers?.map { c in
            guard c.name == name else { return c }
            var c = c
            c.lastStatus = "STOPPED"
            change(&c)
            return c
        }
    }

    /// SIGTERM to every running container group; SIGKILL to those still there after
    /// their stopTimeout.
    private func terminateAll(except name: String?) {
        let groups = state.withLock { $0.groups }
        for spec in specs where spec.name != name {
            guard let pid = groups[spec.name] else { continue }
            signal(pid, SIGTERM, spec: spec)
        }
    }

    private func signal(_ pid: Int32, _ sig: Int32, spec: LocalContainerSpec) {
        Glibc.kill(-pid, sig)
        guard sig == SIGTERM else { return }
        let timeout = spec.stopTimeout
        Task.detached { [weak self] in
            try? await Task.sleep(for: timeout)
            guard let self, self.state.withLock({ $0.groups[spec.name] == pid }) else { return }
            Glibc.kill(-pid, SIGKILL)
        }
    }

    private func finish(stopCode: String, reason: String) {
        set {
            $0.task.lastStatus = "STOPPED"
            $0.task.desiredStatus = "STOPPED"
            $0.task.stopCode = stopCode
            $0.task.stoppedReason = reason
            $0.task.stoppedAt = Date()
            $0.task.containers = $0.task.containers?.map { c in var c = c; c.lastStatus = "STOPPED"; return c }
        }
    }

    private func set(_ change: (inout State) -> Void) {
        state.withLock { change(&$0) }
    }
}
