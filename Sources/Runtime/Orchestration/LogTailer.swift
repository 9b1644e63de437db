import Foundation

/// Which containers' logs a wait shows.
public enum LogSelection: Sendable, Equatable {
    /// The container whose exit code is the task's.
    case watched
    /// One container by name.
    case container(String)
    /// Every container with an awslogs stream.
    case all
}

/// Follows the awslogs streams of some tasks while they are waited on and reports new
/// lines as `.log` events.
///
/// Streams are read on a schedule of their own: soon after one gave lines, less and less
/// often while it gives none, all through the session's ``LogReadLimiter``. A stream is
/// read a last time once its task has stopped and the backend's settle time has passed,
/// so the last lines are never lost and none is reported twice (each stream keeps its
/// forward token).
actor LogTailer {
    private struct Followed {
        var key: String
        var container: String
        var stream: LogStream
        var token: String?
        var due: ContinuousClock.Instant
        var idleReads = 0
        var finished = false
    }

    static let tick: Duration = .milliseconds(250)
    /// How soon a stream is read again after it gave lines, and the longest it waits while
    /// it gives none: reads that cost nothing (local logs) go at the tick.
    private var busyInterval: Duration = .seconds(1)
    private var idleCeiling: Duration = .seconds(10)

    private let session: ECSSession
    private let keys: [String]
    private let selection: LogSelection
    private let labelled: Bool
    private let clock = ContinuousClock()
    private var followed: [Followed] = []
    /// Tasks whose streams are known (they started, or are final).
    private var discovered: Set<String> = []
    /// When each task was first seen final: its last read waits for the settle time.
    private var stoppedAt: [String: ContinuousClock.Instant] = [:]
    /// Error codes already reported, so a missing permission is said once, not per stream.
    private var reported: Set<String> = []
    private var lines: [String: [String]] = [:]
    /// Tasks whose every stream had its last read, already announced.
    private var ended: Set<String> = []

    init(session: ECSSession, keys: [String], selection: LogSelection) {
        self.session = session
        self.keys = keys
        self.selection = selection
        let containers: Int
        if selection == .all {
            let defs = keys.lazy.compactMap { session.registry[$0]?.definition?.containerDefinitions }
            containers = defs.first?.count ?? 1
        } else {
            containers = 1
        }
        labelled = keys.count > 1 || containers > 1
    }

    func run() async {
        while !Task.isCancelled {
            await round(final: false)
            try? await Task.sleep(for: Self.tick)
        }
    }

    /// The last read of every stream, once the wait is over: a stopped task's streams after
    /// the settle time, the others as they are now.
    func drain() async {
        guard let backend = try? await session.backend() else { return }
        discover(backend)
        noteStops()
        let settle = backend.logSettleTime
        if let latest = stoppedAt.values.max(), clock.now < latest + settle,
           followed.contains(where: { !$0.finished && stoppedAt[$0.key] != nil }) {
            try? await Task.sleep(until: latest + settle, clock: clock)
        }
        await round(final: true)
    }

    /// The lines read so far for one task.
    func collected(_ key: String) -> [String] { lines[key] ?? [] }

    private func round(final: Bool) async {
        guard let backend = try? await session.backend() else { return }
        if backend.logReadsPerSecond == nil {
            busyInterval = Self.tick
            idleCeiling = .seconds(2)
        }
        discover(backend)
        noteStops()
        let now = clock.now
        let settle = backend.logSettleTime
        for i in followed.indices where !followed[i].finished {
            let stopped = stoppedAt[followed[i].key]
            let last = stopped.map { now >= $0 + settle } ?? false
            guard final || last || now >= followed[i].due else { continue }
            if Task.isCancelled, !final { return }
            await read(i, backend: backend)
            if final || last {
                followed[i].finished = true
                announceEnd(of: followed[i].key)
            }
        }
    }

    /// Says a task's logs are over once each of its streams had its last read.
    private func announceEnd(of key: String) {
        guard !ended.contains(key), followed.allSatisfy({ $0.key != key || $0.finished }) else { return }
        ended.insert(key)
        session.progress.observe(.logsEnded(taskKey: key))
    }

    /// Adds the streams of tasks that have started since the last round.
    private func discover(_ backend: any Backend) {
        for key in keys where !discovered.contains(key) {
            guard let t = session.registry[key], t.hasStarted, t.failure == nil else { continue }
            discovered.insert(key)
            let streams: [(container: String, stream: LogStream)]
            switch selection {
            case .all:
                streams = backend.logStreams(for: t)
            case .watched, .container:
                let name: String? = if case .container(let c) = selection { c } else { nil }
                let container = name ?? t.watch ?? t.definition?.watchedContainer ?? "?"
                streams = backend.logStream(for: t, container: name).map { [(container, $0)] } ?? []
            }
            for (container, stream) in streams {
                followed.append(Followed(key: key, container: container, stream: stream, due: clock.now))
            }
            // No awslogs stream: no line will come, its stop need not wait for any.
            if streams.isEmpty { announceEnd(of: key) }
        }
    }

    private func noteStops() {
        for key in discovered where stoppedAt[key] == nil {
            if session.registry[key]?.isFinal == true { stoppedAt[key] = clock.now }
        }
    }

    /// Reads one stream to its end and reports the new lines; schedules its next read.
    private func read(_ i: Int, backend: any Backend) async {
        let f = followed[i]
        var token = f.token
        var got = 0
        do {
            while true {
                try await session.logReads.acquire(limit: backend.logReadsPerSecond)
                let answer = try await backend.getLogEvents(GetLogEventsRequest(
                    logGroupName: f.stream.group, logStreamName: f.stream.name, startFromHead: true, nextToken: token,
                    region: f.stream.region))
                await session.logReads.succeeded(limit: backend.logReadsPerSecond)
                let messages = (answer.events ?? []).compactMap(\.message)
                got += messages.count
                report(messages, of: f)
                let next = answer.nextForwardToken
                // Keep the token of what was reported, page by page: a failure later must not
                // bring these lines back.
                if let next { followed[i].token = next }
                if next == nil || next == token { break }
                token = next
            }
            schedule(i, gotLines: got > 0)
        } catch is CancellationError {
            return
        } catch let e as AWSError where e.code == "ResourceNotFoundException" {
            // The stream appears when the container first writes.
            schedule(i, gotLines: false)
        } catch let e as AWSError where RetryPolicy.isThrottling(e) {
            await session.logReads.throttled()
            schedule(i, gotLines: false)
        } catch {
            let code = (error as? AWSError)?.code ?? String(describing: type(of: error))
            if reported.insert(code).inserted {
                session.progress.observe(.warning("cannot read the logs of task \(f.key.split(separator: "/").last ?? "?") container \(f.container) (\(f.stream.group) \(f.stream.name)): \(error)"))
            }
            followed[i].idleReads += 3
            schedule(i, gotLines: false)
        }
    }

    private func report(_ messages: [String], of f: Followed) {
        guard !messages.isEmpty else { return }
        let t = session.registry[f.key]
        let id = t?.task.id ?? String(f.key.split(separator: "/").last ?? "?")
        lines[f.key, default: []] += messages
        for m in messages {
            session.progress.observe(.log(LogLine(taskID: id, taskArn: t?.arn, container: f.container, message: m, labelled: labelled)))
        }
    }

    /// Soon again after lines; twice as late after each read that brought none, up to a ceiling.
    private func schedule(_ i: Int, gotLines: Bool) {
        followed[i].idleReads = gotLines ? 0 : followed[i].idleReads + 1
        let backoff = busyInterval * (1 << min(followed[i].idleReads, 4))
        followed[i].due = clock.now + min(backoff, idleCeiling)
    }
}
