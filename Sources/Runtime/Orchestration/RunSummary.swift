import Foundation
import OrderedCollections

/// A run as its journal tells it, before ECS is asked anything.
public struct RunSummary: Sendable {
    /// How a run ended, or that it did not.
    public enum State: Sendable, Equatable {
        /// Its process is still alive.
        case running
        /// Its process is gone and never wrote an end: killed, crashed, lost its machine.
        case died
        /// It ended with this exit status.
        case ended(Int32)

        /// `running`, `died`, `ok`, `failed`, `interrupted`.
        public var word: String {
            switch self {
            case .running: return "running"
            case .died: return "died"
            case .ended(0): return "ok"
            case .ended(130): return "interrupted"
            case .ended: return "failed"
            }
        }
    }

    /// A RunTask that was sent (or about to be) and whose answer the journal lacks: ECS may
    /// have started its tasks.
    public struct Unanswered: Sendable {
        public var cluster: String
        public var clientToken: String
        public var count: Int
        public var startedBy: String?
        public var watch: String?
    }

    /// One RunTask batch as journaled: nil `tasks` when its answer never came.
    public struct Batch: Sendable {
        public var clientToken: String
        public var cluster: String
        public var count: Int
        public var parametersDigest: String?
        public var taskDefinition: String?
        public var step: String?
        public var call: Int?
        public var tasks: [String]?
    }

    /// How far a step got.
    public enum StepState: Sendable, Equatable {
        case started
        /// Its result, as tagged JSON.
        case ended(String?)
        case failed
    }

    public var id: String
    public var started: Date
    public var pid: Int32?
    public var script: String?
    public var scriptDigest: String?
    public var arguments: [String]
    public var options: [String: String]
    public var backend: String?
    public var region: String?
    public var state: State
    /// Every task RunTask answered with, by ARN, with its cluster and watched container.
    public var tasks: OrderedDictionary<String, (cluster: String, watch: String?)>
    /// The final state journaled for a task: `lastStatus` STOPPED and its exit code.
    public var final: [String: JournalEntry]
    public var unanswered: [Unanswered]
    /// Tasks RunTask could not place and that were given up on (reasons).
    public var failedToStart: [String]
    /// Every batch, in the order its launch line came.
    public var batches: [Batch]
    /// The steps, in the order they began.
    public var steps: OrderedDictionary<String, StepState>
    /// The run this one resumed, if any.
    public var resumes: String?
    /// The `startedBy` of the run's tasks: its own, or that of the run it resumed.
    public var startedBy: String

    /// Reads a journal's entries; `isAlive` says whether a process id still runs ecsh.
    public init(id: String, entries: [JournalEntry], isAlive: (Int32) -> Bool = RunSummary.isAlive) {
        self.id = id
        let start = entries.first { $0.type == .start }
        started = Date(timeIntervalSince1970: start?.time ?? entries.first?.time ?? 0)
        pid = start?.pid
        script = start?.script
        scriptDigest = start?.scriptDigest
        arguments = start?.arguments ?? []
        options = start?.options ?? [:]
        backend = start?.backend
        region = start?.region
        tasks = [:]
        final = [:]
        failedToStart = []
        resumes = start?.resumes
        startedBy = start?.startedBy ?? RunJournal.startedBy(run: id)
        steps = [:]
        var batchIndex: [String: Int] = [:]
        var batches: [Batch] = []
        var pending = OrderedDictionary<String, Unanswered>()
        var end: Int32?
        for e in entries {
            switch e.type {
            case .launch:
                guard let token = e.clientToken else { continue }
                pending[token] = Unanswered(cluster: e.cluster ?? "default", clientToken: token, count: e.count ?? 0,
                                            startedBy: e.startedBy, watch: e.watch)
                if batchIndex[token] == nil {
                    batchIndex[token] = batches.count
                    batches.append(Batch(clientToken: token, cluster: e.cluster ?? "default", count: e.count ?? 0,
                                         parametersDigest: e.parametersDigest, taskDefinition: e.taskDefinition,
                                         step: e.step, call: e.call))
                }
            case .launched:
                guard let token = e.clientToken else { continue }
                let batch = pending.removeValue(forKey: token)
                for arn in e.tasks ?? [] where tasks[arn] == nil {
                    tasks[arn] = (e.cluster ?? batch?.cluster ?? "default", e.watch ?? batch?.watch)
                }
                failedToStart += e.failures ?? []
                if let i = batchIndex[token] { batches[i].tasks = e.tasks ?? [] }
            case .task:
                if let arn = e.arn { final[arn] = e }
            case .end:
                end = e.status
            case .stepStarted:
                if let name = e.name { steps[name] = .started }
            case .stepEnded:
                if let name = e.name { steps[name] = .ended(e.result) }
            case .stepFailed:
                if let name = e.name { steps[name] = .failed }
            case .start, .unanswered, .capacityWait:
                // An unanswered batch stays pending: only ECS can say what it started.
                break
            }
        }
        unanswered = Array(pending.values)
        self.batches = batches
        if let end {
            state = .ended(end)
        } else if let pid, isAlive(pid) {
            state = .running
        } else {
            state = .died
        }
    }

    /// Whether `pid` is a live ecsh process (not a process that reused the number).
    public static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return true }
        let argv0 = cmdline.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } ?? ""
        return argv0.hasSuffix("ecsh") || argv0.contains("ecsh")
        #else
        return true
        #endif
    }
}
