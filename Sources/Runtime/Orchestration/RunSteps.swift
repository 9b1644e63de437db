import Foundation
import Synchronization

/// What `ecsh resume` takes over from an earlier run: the results of the steps that
/// ended, the steps that failed (run again), and the batches each step launched, by the
/// index of the `run()` call that launched them, for the step that was cut short.
public struct ResumePlan: Sendable {
    public var previousRun: String
    /// Tagged JSON results of the steps that ended.
    public var results: [String: String?]
    /// Batches of steps that began and neither ended nor failed: their tasks are adopted
    /// (or, for a batch without answer, asked for again under its client token).
    public var interrupted: [String: [Int: [RunSummary.Batch]]]

    public init(_ run: RunSummary) {
        previousRun = run.id
        results = [:]
        interrupted = [:]
        for (name, state) in run.steps {
            switch state {
            case .ended(let result): results[name] = .some(result)
            case .started:
                for b in run.batches where b.step == name {
                    interrupted[name, default: [:]][b.call ?? 0, default: []].append(b)
                }
            case .failed: break
            }
        }
    }
}

/// The steps of a session: which one runs now, which names were used, how many `run()`
/// calls the current one made; and what a resume brings from the earlier run.
public final class RunSteps: Sendable {
    private struct State {
        var current: String?
        var calls = 0
        var used: Set<String> = []
        var resume: ResumePlan?
    }

    private let state = Mutex(State())

    public init() {}

    /// Makes this session a resume of an earlier run.
    public func resume(from plan: ResumePlan) {
        state.withLock { $0.resume = plan }
    }

    /// A step by this name ran before in this run, or steps would nest.
    public enum EntryError: Error, Equatable {
        case duplicate(String)
        case nested(outer: String)
    }

    /// Begins a step; returns the recorded result when the resumed run finished it
    /// (`.some(nil)` for a result that was not recorded, such as a Function).
    public func enter(_ name: String) throws(EntryError) -> String?? {
        try state.withLock { s throws(EntryError) -> String?? in
            if let outer = s.current { throw .nested(outer: outer) }
            guard s.used.insert(name).inserted else { throw .duplicate(name) }
            if let recorded = s.resume?.results[name] { return .some(recorded) }
            s.current = name
            s.calls = 0
            return nil
        }
    }

    /// The run this session resumes.
    public var previousRun: String? { state.withLock { $0.resume?.previousRun } }

    public func leave() {
        state.withLock { $0.current = nil }
    }

    /// For a launch: the current step, the index of this `run()` call in it, and the
    /// batches the interrupted run made for the same call.
    func nextLaunch() -> (step: String?, call: Int?, earlier: [RunSummary.Batch]) {
        state.withLock { s in
            guard let step = s.current else { return (nil, nil, []) }
            let call = s.calls
            s.calls += 1
            return (step, call, s.resume?.interrupted[step]?[call] ?? [])
        }
    }
}
