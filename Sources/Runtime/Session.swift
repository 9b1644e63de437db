import Foundation
import OrderedCollections
import Synchronization

/// What the command line says about the session: global options and the environment.
public struct SessionOptions: Sendable {
    public var region: String?
    public var profile: String?
    public var endpointURL: String?
    public var configPath: String?
    public var cluster: String?
    public var debug = false
    public var dryRun = false
    public var environment: [String: String]
    /// `--ext-str` values for jsonnet.
    public var extStr: [String: String] = [:]
    /// `--ext-code` values for jsonnet.
    public var extCode: [String: String] = [:]
    /// `--assume-role-arn` (ECSPRESSO_ASSUME_ROLE_ARN): every call is made as this role,
    /// assumed with the chain's credentials.
    public var assumeRoleARN: String?
    /// Relative paths in scripts (task definition files, `config()`) are read from here.
    public var workingDirectory: String
    public var polling = TaskPoller.Timing()
    /// `--local`: tasks run as host processes (for banners and messages).
    public var local = false
    /// `--stop-on-interrupt`: Ctrl-C stops every task the session launched that still runs.
    public var stopOnInterrupt = false
    /// How long the launcher waits before sending a throttled RunTask batch again (it
    /// doubles each time); the client's own retries come first.
    public var launchBackoff: Duration = .seconds(2)

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

/// Defaults that `config()` (or `--config`) sets for what follows.
public struct RunDefaults: Sendable {
    public var region: String?
    public var cluster: String?
    public var taskDefinitionPath: String?
    public var timeout: Duration?
    /// RunTask parameters by API name, from the service definition.
    public var parameters: OrderedDictionary<String, JSONValue> = [:]
    /// The config's `service` (`--skip-task-definition` runs its current task definition).
    public var service: String?
    /// The config's plugins, for the definition files it names; nil without a config.
    public var plugins: ConfigPlugins?
    /// True when `parameters` could not be known without a call (a check before the run).
    public var incomplete = false
    /// The file they came from, for messages.
    public var source: String?

    public init() {}
}

/// The runtime every REPL line and script statement shares: one backend (so one HTTP
/// client and one credential cache), one registry of launched tasks, one poller.
public final class ECSSession: Sendable {
    public let options: SessionOptions
    public let registry: TaskRegistry
    /// Where dry-run requests, `--debug` traffic and log lines go.
    public let output: @Sendable (String) -> Void
    public let poller: TaskPoller
    /// Told what happens to tasks: launches, status changes, log lines, waits.
    public let progress: any ProgressObserver
    /// The run journal, made at the first RunTask when the command enabled it.
    public let journal: JournalSlot
    /// The run's steps (`step(name, fn)`), and what `ecsh resume` brought.
    public let steps = RunSteps()
    /// Paces GetLogEvents for every log reader of the session.
    let logReads = LogReadLimiter()
    private let waitCounter = Mutex(0)
    private let makeBackend: @Sendable (ECSSession) async throws -> any Backend
    private let state = Mutex(State())

    private struct State {
        var backend: Task<any Backend, any Error>?
        var defaults = RunDefaults()
        var definitions: [String: TaskDefinitionDescription] = [:]
    }

    /// - Parameter makeBackend: builds the backend on first use, so a script that makes no
    ///   ECS call never reads credentials or touches the network.
    /// - Parameter progress: where launches, status changes, log lines and waits are
    ///   reported; by default log lines are printed to `output` and nothing else is.
    public init(options: SessionOptions, output: @escaping @Sendable (String) -> Void,
                progress: (any ProgressObserver)? = nil,
                makeBackend: @escaping @Sendable (ECSSession) async throws -> any Backend) {
        self.options = options
        self.output = output
        self.makeBackend = makeBackend
        let observer = progress ?? LogLinePrinter(output: output)
        self.progress = observer
        self.journal = JournalSlot { observer.observe(.warning($0)) }
        self.registry = TaskRegistry(observer: observer)
        let registry = self.registry
        let box = WeakSession()
        self.poller = TaskPoller(registry: registry, timing: options.polling) {
            guard let session = box.session else { throw CancellationError() }
            return try await session.backend()
        }
        box.session = self
    }

    /// The backend, built once.
    public func backend() async throws -> any Backend {
        let task = state.withLock { s -> Task<any Backend, any Error> in
            if let t = s.backend { return t }
            let t = Task { try await self.makeBackend(self) }
            s.backend = t
            return t
        }
        do {
            return try await task.value
        } catch {
            // Let the next call try again (a credentials file fixed in the REPL, say).
            state.withLock { $0.backend = nil }
            throw error
        }
    }

    public var defaults: RunDefaults { state.withLock { $0.defaults } }

    /// A new id for a wait's progress events.
    func nextWaitID() -> Int { waitCounter.withLock { n in n += 1; return n } }

    public var isLocal: Bool { options.local }

    /// Ends what the backend runs itself (`--local` processes). Call once, at the end.
    public func shutdown() async {
        guard let task = state.withLock({ $0.backend }) else { return }
        await (try? task.value)?.shutdown()
    }

    /// `shutdown()` for callers that are not async (the command line's interpreter thread).
    public func shutdownBlocking() {
        // Nothing was started: no task (and no thread of the pool) needed to say so.
        guard state.withLock({ $0.backend }) != nil else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await self.shutdown()
            done.signal()
        }
        done.wait()
    }

    /// Replaces the defaults; a new region means a new backend on next use.
    public func setDefaults(_ d: RunDefaults) {
        state.withLock { s in
            if s.defaults.region != d.region { s.backend = nil }
            s.defaults = d
        }
    }

    /// Keeps a task definition so that later runs check against it without asking again.
    public func remember(_ td: TaskDefinitionDescription) {
        guard let arn = td.taskDefinitionArn else { return }
        state.withLock { $0.definitions[arn] = td }
    }

    /// A task definition seen before, by ARN.
    public func definition(_ arn: String) -> TaskDefinitionDescription? {
        state.withLock { $0.definitions[arn] }
    }

    /// The cluster a call uses when it names none.
    public func cluster(_ explicit: String?) -> String {
        explicit ?? options.cluster ?? defaults.cluster ?? "default"
    }
}

/// Breaks the cycle session → poller → session.
private final class WeakSession: @unchecked Sendable {
    weak var session: ECSSession?
}
