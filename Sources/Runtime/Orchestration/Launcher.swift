import Foundation

/// Launches `count` copies of a RunTask request in batches of 10, the most one call takes,
/// a few calls at a time. Each batch has its own client token, fixed before the first
/// attempt, so the client's retries of a batch can never start it twice.
public struct Launcher {
    let session: ECSSession

    static let batchSize = 10
    /// RunTask calls in flight at once: 1,000 tasks take 100 calls, and throttling (which
    /// the client retries with backoff) comes sooner the more run together.
    static let maxConcurrentCalls = 4

    /// How often a batch is sent again, under the same client token, after the client's
    /// own retries gave up on throttling.
    static let batchRetries = 4

    /// The registry keys of the launched tasks, in batch order; RunTask's `failures`
    /// become tracked tasks that failed to start.
    ///
    /// Throttling halves the calls in flight (down to one) and each later success adds
    /// one back: a thousand tasks go out as fast as the account allows, not faster.
    ///
    /// A cluster without room is waited for until `launchTimeout` has passed since the
    /// launch began: a batch refused for capacity (ClientException) goes again under its
    /// token, and tasks RunTask could not place for RESOURCE:* reasons go again in a new
    /// batch with a new token (ECS started none of them, so none can start twice).
    /// `launchTimeout` zero reports them at once.
    func launch(_ request: RunTaskRequest, count: Int, definition: TaskDefinitionDescription?,
                watch: String?, stopOnInterrupt: Bool = false,
                launchTimeout: Duration = Launcher.defaultLaunchTimeout) async throws -> [String] {
        let backend = try await session.backend()
        let journal = session.journal.current(registry: session.registry)
        var base = request
        // Tasks of a batch whose answer is lost are found again by the run's startedBy.
        if base.startedBy == nil, let journal { base.startedBy = journal.startedBy }
        let (step, call, earlier) = session.steps.nextLaunch()
        // The journal names a batch's parameters by digest: the request is encoded for it
        // once here, not once per batch and line.
        let parameters = journal != nil || !earlier.isEmpty ? RunJournal.digest(parameters: base) : nil
        var batches: [RunTaskRequest] = []
        var remaining = count
        // Resumed inside a step that was cut short: this call's batches were sent before.
        let adopted = try await adopt(earlier, base: base, parameters: parameters, remaining: &remaining, batches: &batches,
                                      definition: definition, watch: watch, journal: journal, step: step, call: call)
        while remaining > 0 {
            var batch = base
            batch.count = min(remaining, Self.batchSize)
            if batch.clientToken == nil { batch.clientToken = Self.newToken() }
            remaining -= batch.count ?? 0
            batches.append(batch)
        }
        let backoff = session.options.launchBackoff
        let deadline = ContinuousClock.now + launchTimeout
        var launched: [Int: [String]] = [:]
        var firstError: (any Error)?
        var unanswered: [RunTaskRequest] = []
        /// Batches re-sent for lack of room, with why the tasks found none.
        var roomless: [Int: Failure] = [:]
        // Batches added later (tasks that found no room) go through the retry queue only.
        let planned = batches.count
        await withTaskGroup(of: (Int, Int, Result<RunTaskResponse, any Error>).self) { group in
            var next = 0
            var inFlight = 0
            var limit = Self.maxConcurrentCalls
            var retryQueue: [(index: Int, attempt: Int)] = []
            func start(_ i: Int, attempt: Int) {
                let batch = batches[i]
                inFlight += 1
                group.addTask {
                    if attempt > 0 {
                        do {
                            try await Task.sleep(for: Self.delay(backoff, attempt: attempt))
                        } catch {
                            return (i, attempt, .failure(error))
                        }
                    }
                    // Before the call, on disk: if ecsh dies before the answer, the journal
                    // still says a batch may have started, and under which startedBy.
                    journal?.append(Self.entry(.launch, batch, parameters: parameters, watch: watch, step: step, call: call), sync: true)
                    // Ctrl-C must not abandon a RunTask in flight: tasks it starts would run
                    // untracked. An unstructured task is not cancelled with its waiter.
                    let call = Task { try await backend.runTask(batch) }
                    return (i, attempt, await call.result)
                }
            }
            func fill() {
                // After a failure or Ctrl-C no new batch starts; those in flight finish and are tracked.
                while firstError == nil, !Task.isCancelled, inFlight < limit {
                    if !retryQueue.isEmpty {
                        let r = retryQueue.removeFirst()
                        start(r.index, attempt: r.attempt)
                    } else if next < planned {
                        start(next, attempt: 0)
                        next += 1
                    } else {
                        return
                    }
                }
            }
            /// Whether another try after `attempt` still ends before the launch timeout.
            func mayWait(_ attempt: Int) -> Bool {
                !Task.isCancelled && ContinuousClock.now + Self.delay(backoff, attempt: attempt + 1) <= deadline
            }
            fill()
            while let (i, attempt, result) = await group.next() {
                inFlight -= 1
                switch result {
                case .success(var answer):
                    let asked = batches[i].count ?? 0
                    let missing = asked - (answer.tasks?.count ?? 0)
                    let resource = Self.resourceFailures(answer)
                    var again: RunTaskRequest?
                    let reasons = Set((answer.failures ?? []).compactMap(\.reason)).sorted().joined(separator: ", ")
                    let roomFailure = answer.failures?.first ?? Failure(reason: "RESOURCE")
                    if missing > 0, resource, mayWait(attempt) {
                        var batch = batches[i]
                        batch.count = missing
                        batch.clientToken = Self.newToken()
                        again = batch
                        answer.failures = []
                    }
                    var entry = Self.entry(.launched, batches[i], parameters: parameters, watch: watch, step: step, call: call)
                    entry.tasks = (answer.tasks ?? []).compactMap(\.taskArn)
                    entry.failures = (answer.failures ?? []).map { [$0.reason, $0.detail].compactMap { $0 }.joined(separator: ": ") }
                    journal?.append(entry, sync: true)
                    var placed = batches[i]
                    placed.count = again == nil ? asked : asked - missing
                    let keys = track(answer, batch: placed, definition: definition, watch: watch,
                                     stopOnInterrupt: stopOnInterrupt)
                    launched[i] = keys
                    session.registry.announceLaunch(keys)
                    limit = min(Self.maxConcurrentCalls, limit + 1)
                    if let again {
                        waitForCapacity(again, attempt: attempt + 1, why: "\(missing) task(s) found no room (\(reasons))",
                                        backoff: backoff, journal: journal, parameters: parameters, watch: watch)
                        batches.append(again)
                        roomless[batches.count - 1] = roomFailure
                        retryQueue.append((batches.count - 1, attempt + 1))
                    }
                case .failure(let error) where Self.isWorthAnotherTry(error) && attempt < Self.batchRetries && !Task.isCancelled:
                    // The same token again: ECS answers a batch it already started with the same tasks.
                    limit = max(1, limit / 2)
                    retryQueue.append((i, attempt + 1))
                case .failure(let error) where Self.isCapacityRefusal(error) && mayWait(attempt):
                    // Refused whole: nothing started, and the same token keeps it from starting twice.
                    waitForCapacity(batches[i], attempt: attempt + 1, why: "RunTask was refused: \(Self.message(error))",
                                    backoff: backoff, journal: journal, parameters: parameters, watch: watch)
                    retryQueue.append((i, attempt + 1))
                case .failure(let error):
                    if firstError == nil { firstError = error }
                    if Self.mayHaveReachedECS(error) {
                        unanswered.append(batches[i])
                        var e = Self.entry(.unanswered, batches[i], parameters: parameters, watch: watch)
                        e.reason = "\(error)"
                        journal?.append(e, sync: true)
                    }
                }
                fill()
            }
        }
        // A batch waiting for room that an error or Ctrl-C kept from going: its tasks never started.
        for (i, failure) in roomless where launched[i] == nil {
            launched[i] = track(RunTaskResponse(tasks: [], failures: [failure]), batch: batches[i], definition: definition,
                                watch: watch, stopOnInterrupt: stopOnInterrupt)
            session.registry.announceLaunch(launched[i] ?? [])
        }
        let keys = adopted + (0..<batches.count).flatMap { launched[$0] ?? [] }
        if var firstError {
            if !unanswered.isEmpty {
                firstError = UnansweredLaunch(underlying: firstError, count: unanswered.reduce(0) { $0 + ($1.count ?? 0) },
                                              clientTokens: unanswered.compactMap(\.clientToken))
            }
            guard !keys.isEmpty else { throw firstError }
            let running = keys.compactMap { session.registry[$0] }.filter { $0.failure == nil }
            throw PartialLaunch(underlying: firstError, started: running, asked: count)
        }
        try Task.checkCancellation()
        return keys
    }

    /// 10 minutes: long enough for managed scaling to add an instance.
    public static let defaultLaunchTimeout: Duration = .seconds(600)

    /// Waits for a RunTask after `attempt` tries: the backoff doubling, at most 16 times it.
    static func delay(_ backoff: Duration, attempt: Int) -> Duration {
        backoff * (1 << min(max(attempt - 1, 0), 4))
    }

    static func newToken() -> String { UUID().uuidString.lowercased() }

    /// A journal line about one batch: never its parameters, only their digest.
    static func entry(_ kind: JournalEntry.Kind, _ batch: RunTaskRequest, parameters: String?, watch: String?,
                      step: String? = nil, call: Int? = nil) -> JournalEntry {
        var e = JournalEntry(kind)
        e.step = step
        e.call = call
        e.cluster = batch.cluster ?? "default"
        e.clientToken = batch.clientToken
        e.parametersDigest = parameters.map { RunJournal.digest(parameters: $0, count: batch.count) }
        e.taskDefinition = batch.taskDefinition
        e.count = batch.count
        e.startedBy = batch.startedBy
        e.watch = watch
        return e
    }

    /// The batches an interrupted run sent for this call: answered ones are taken over
    /// (their tasks described and tracked, nothing launched), unanswered ones go into
    /// `batches` under their old client token, which ECS answers with the tasks it started
    /// then, if any. Batches whose parameters differ now are not taken over.
    private func adopt(_ earlier: [RunSummary.Batch], base: RunTaskRequest, parameters: String?, remaining: inout Int,
                       batches: inout [RunTaskRequest], definition: TaskDefinitionDescription?, watch: String?,
                       journal: RunJournal?, step: String?, call: Int?) async throws -> [String] {
        var keys: [String] = []
        for old in earlier where old.count <= remaining {
            var batch = base
            batch.count = old.count
            batch.clientToken = old.clientToken
            guard let parameters, RunJournal.digest(parameters: parameters, count: batch.count) == old.parametersDigest else {
                session.progress.observe(.warning("step \(step ?? "?"): run() call \((call ?? 0) + 1) has other parameters than in run \(session.steps.previousRun ?? "?"); its tasks are launched anew"))
                break
            }
            remaining -= old.count
            guard let arns = old.tasks else {
                // Asked again exactly as then: ECS answers with the tasks the token started, if any.
                if let td = old.taskDefinition { batch.taskDefinition = td }
                batches.append(batch)
                continue
            }
            journal?.append(Self.entry(.launch, batch, parameters: parameters, watch: watch, step: step, call: call), sync: true)
            var found: [String: ECSTask] = [:]
            if !arns.isEmpty {
                let answer = try await TaskDescriber.describe([old.cluster: arns], backend: session.backend())
                for t in answer.tasks { if let arn = t.taskArn { found[arn] = t } }
            }
            var batchKeys: [String] = []
            for arn in arns {
                let t = TrackedTask(cluster: old.cluster, task: found[arn] ?? ECSTask(taskArn: arn), watch: watch, definition: definition)
                batchKeys.append(session.registry.add(t))
            }
            var e = Self.entry(.launched, batch, parameters: parameters, watch: watch, step: step, call: call)
            e.tasks = arns
            journal?.append(e, sync: true)
            session.registry.announceLaunch(batchKeys)
            keys += batchKeys
        }
        return keys
    }

    /// Says in progress and in the journal that a batch waits for room in the cluster.
    private func waitForCapacity(_ batch: RunTaskRequest, attempt: Int, why: String, backoff: Duration,
                                 journal: RunJournal?, parameters: String?, watch: String?) {
        let wait = Self.delay(backoff, attempt: attempt)
        let why = why.hasSuffix(".") ? String(why.dropLast()) : why
        session.progress.observe(.warning("cluster \(batch.cluster ?? "default") has no room: \(why); "
            + "\(batch.count ?? 0) task(s) go again in \(DebugLog.seconds(wait)), until the launch timeout"))
        var e = Self.entry(.capacityWait, batch, parameters: parameters, watch: watch)
        e.reason = why
        journal?.append(e)
    }

    /// "Tasks provisioning capacity limit exceeded.": managed scaling has as many tasks in
    /// PROVISIONING as the cluster allows; RunTask refused the batch whole.
    static func isCapacityRefusal(_ error: any Error) -> Bool {
        guard let e = error as? AWSError, e.code == "ClientException" else { return false }
        return e.message.lowercased().contains("capacity limit exceeded")
    }

    /// Every task RunTask did not place found no room (RESOURCE:CPU, RESOURCE:MEMORY, ...):
    /// worth trying again once tasks end or capacity grows.
    static func resourceFailures(_ answer: RunTaskResponse) -> Bool {
        let failures = answer.failures ?? []
        return !failures.isEmpty && failures.allSatisfy { ($0.reason ?? "").hasPrefix("RESOURCE:") }
    }

    static func message(_ error: any Error) -> String {
        (error as? AWSError).map { "\($0.code): \($0.message)" } ?? "\(error)"
    }

    /// Throttling that outlasted the client's retries: the account's RunTask rate is spent
    /// for now, and the batch goes again later under its token. Other errors end the launch.
    static func isWorthAnotherTry(_ error: any Error) -> Bool {
        guard let e = error as? AWSError else { return false }
        return RetryPolicy.isThrottling(e)
    }

    /// Registers one batch's tasks; a batch that placed fewer than asked says why in
    /// failures[], one entry per reason rather than per task: pad so the result has one
    /// entry per task asked for.
    private func track(_ answer: RunTaskResponse, batch: RunTaskRequest, definition: TaskDefinitionDescription?,
                       watch: String?, stopOnInterrupt: Bool) -> [String] {
        let cluster = batch.cluster ?? "default"
        var keys: [String] = []
        for task in answer.tasks ?? [] {
            var tracked = TrackedTask(cluster: cluster, task: task, watch: watch, definition: definition,
                                      isDryRun: DryRunBackend.isPlaceholder(task.taskArn))
            tracked.stopOnInterrupt = stopOnInterrupt
            keys.append(session.registry.add(tracked))
        }
        let failures = answer.failures ?? []
        let missing = (batch.count ?? 0) - (answer.tasks?.count ?? 0)
        for i in 0..<max(0, missing) {
            let f = failures.isEmpty ? Failure(reason: "UNKNOWN", detail: "RunTask started fewer tasks than asked")
                : failures[min(i, failures.count - 1)]
            var task = ECSTask(taskArn: nil)
            task.taskDefinitionArn = batch.taskDefinition
            task.lastStatus = "STOPPED"
            keys.append(session.registry.add(TrackedTask(cluster: cluster, task: task, watch: watch, definition: definition, failure: f)))
        }
        return keys
    }

    /// No answer came, but the request may have been sent: ECS may have started the tasks.
    static func mayHaveReachedECS(_ error: any Error) -> Bool {
        guard let e = error as? TransportError else { return false }
        return e.kind != .connect
    }

}
