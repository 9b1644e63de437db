import Foundation

/// The embedding API: a host creates an Interpreter, registers its built-ins, and runs
/// scripts or REPL lines. Names are resolved and checked before anything runs.
///
/// Use one Interpreter from one thread at a time, ideally inside `LargeStack.run`, so
/// deep but legal recursion has room.
public final class Interpreter {
    /// How a run ended.
    public enum Outcome: Sendable {
        case finished
        /// `exit(n)`.
        case exited(Int32)
        /// Syntax or resolve errors: nothing ran.
        case rejected([Diagnostic])
        /// An uncaught runtime error.
        case failed(Diagnostic)
        /// Ctrl-C.
        case interrupted

        /// The process exit status this outcome stands for.
        public var exitStatus: Int32 {
            switch self {
            case .finished: return 0
            case .exited(let n): return n
            case .rejected, .failed: return 1
            case .interrupted: return 130
            }
        }
    }

    public private(set) var builtins: [String: Builtin] = [:]
    /// The record types values may have, for the checker, `help` and completion.
    public private(set) var schemas: [String: RecordSchema] = [RecordSchema.error.name: RecordSchema.error]
    public let arguments: [String]
    /// What scripts reach outside the interpreter: files, environment variables, imports.
    public let host: any ScriptHost
    let machine: Machine
    private let mainGlobals = GlobalStore()
    /// The REPL entries that declare a top-level name in use: its declaration's range points
    /// into them (the "already declared" line, a language server's definitions). The others
    /// are let go after they run; a function keeps its own entry alive.
    private var replFiles: [SourceFile] = []
    private var madeLoader: ModuleLoader?
    /// Made at the first run (not lazy: `deinit` must not make one).
    private var loader: ModuleLoader {
        if let l = madeLoader { return l }
        let l = makeLoader()
        madeLoader = l
        return l
    }

    /// `host` decides what files, environment variables and imports scripts see: none with
    /// the default `MemoryHost()`, the machine's with `SystemHost()`.
    public init(arguments: [String] = [], output: any OutputSink = StandardOutput(), limits: Limits = Limits(),
                host: any ScriptHost = MemoryHost()) {
        self.arguments = arguments
        self.host = host
        machine = Machine(limits: limits, output: output)
        machine.interpreter = self
        for b in StandardLibrary.builtins() { builtins[b.name] = b }
        seed(mainGlobals)
    }

    deinit {
        // Functions hold the stores of the names they use: break those cycles so an
        // embedder that makes many interpreters gets their memory back.
        mainGlobals.clearValues()
        madeLoader?.clearValues()
    }

    /// Stops the script this interpreter runs, from any thread (Ctrl-C requests the
    /// cancellation of the interpreter running in the foreground).
    public var cancellation: Cancellation { machine.cancellation }

    /// Where `print` writes.
    public var output: any OutputSink {
        get { machine.output }
        set { machine.output = newValue }
    }

    /// Adds a host built-in; a later one with the same name replaces the earlier.
    public func register(_ builtin: Builtin) {
        builtins[builtin.name] = builtin
    }

    /// Declares a record type the host's built-ins return.
    public func register(_ schema: RecordSchema) {
        schemas[schema.name] = schema
    }

    /// The checker's view of this interpreter; `globals` are the REPL's earlier names.
    private func checkerEnvironment(for file: SourceFile, globals: [String: ScriptType] = [:]) -> TypeChecker.Environment {
        let path = file.name.hasPrefix("<") || file.name == "-e" ? nil : file.name
        return TypeChecker.Environment(builtins: builtins, schemas: schemas, globals: globals,
                                       preflight: PreflightContext(file: path, host: host))
    }

    private func seed(_ g: GlobalStore) {
        let i = g.add("args", constant: true)
        g[i] = .list(arguments.map { .string($0) })
    }

    private func makeLoader() -> ModuleLoader {
        ModuleLoader(host: host, builtins: { [unowned self] in self.builtins }, seed: { [unowned self] in self.seed($0) },
                     typeCheck: { [unowned self] stmts, file in
                         var env = self.checkerEnvironment(for: file)
                         // A library's functions take their tasks as parameters: nothing to preflight.
                         env.preflight = nil
                         return TypeChecker.check(stmts, file: file, env: env)
                     })
    }

    /// Parses and resolves without running anything: every error found, in source order.
    public func check(_ file: SourceFile) -> [Diagnostic] {
        let parsed = Parser.parse(file)
        if !parsed.diagnostics.isEmpty { return parsed.diagnostics }
        let scratch = GlobalStore()
        seed(scratch)
        let r = Resolver.compile(parsed.statements, file: file, globals: scratch, builtins: builtins, loader: makeLoader(), repl: false)
        if case .failure(let ds) = r { return ds }
        return TypeChecker.check(parsed.statements, file: file, env: checkerEnvironment(for: file))
    }

    /// Runs a whole script.
    public func run(_ file: SourceFile) -> Outcome {
        execute(file, repl: false)
    }

    /// Runs one REPL entry against the session's names; values of expression statements are printed.
    public func runREPLEntry(_ file: SourceFile) -> Outcome {
        execute(file, repl: true)
    }

    /// True when `text` is an unfinished entry (an open bracket, block or string): the REPL reads another line.
    public static func needsMoreInput(_ text: String) -> Bool {
        // A trailing backslash joins the next line.
        if text.reversed().drop(while: { $0 == " " || $0 == "\t" }).first == "\\" { return true }
        let parsed = Parser.parse(SourceFile(name: "<repl>", text: text))
        return parsed.diagnostics.contains { $0.atEndOfInput }
    }

    /// Names defined at the top level so far (for REPL completion).
    public var globalNames: [String] { mainGlobals.names.filter { mainGlobals[mainGlobals.index[$0] ?? 0] != nil } }

    /// The value of a top-level name, if it has one.
    public func global(_ name: String) -> Value? {
        guard let i = mainGlobals.index[name] else { return nil }
        return mainGlobals[i]
    }

    /// Method names of a value, for completion after a dot.
    public static func methodNames(of value: Value) -> [String] { Methods.names(for: value) }

    public static let keywords: [String] = Keyword.allCases.map(\.rawValue)

    private func keepDeclaringEntries() {
        let declaring = Set(mainGlobals.declarations.compactMap { $0?.fileID })
        replFiles.removeAll { !declaring.contains($0.id) }
    }

    private func execute(_ file: SourceFile, repl: Bool) -> Outcome {
        if repl { replFiles.append(file) }
        defer { if repl { keepDeclaringEntries() } }
        // Cleared first, so a Ctrl-C while the entry is being compiled still counts.
        Interrupt.clear()
        machine.cancellation.clear()
        let token = UInt(bitPattern: Unmanaged.passUnretained(machine.cancellation).toOpaque())
        let outer = Interrupt.foreground.exchange(token, ordering: .acquiringAndReleasing)
        defer { Interrupt.foreground.store(outer, ordering: .releasing) }
        machine.resetSteps()
        machine.measureNativeStack()
        let parsed = Parser.parse(file)
        if !parsed.diagnostics.isEmpty { return .rejected(parsed.diagnostics) }
        var earlier: [String: ScriptType] = [:]
        if repl {
            for (i, name) in mainGlobals.names.enumerated() { if let v = mainGlobals[i] { earlier[name] = ScriptType(of: v) } }
        }
        let undo = Resolver.snapshot(mainGlobals)
        let compiled = Resolver.compile(parsed.statements, file: file, globals: mainGlobals, builtins: builtins, loader: loader, repl: repl)
        let chunk: Chunk
        switch compiled {
        case .failure(let ds): return .rejected(ds)
        case .success(let c): chunk = c
        }
        let problems = TypeChecker.check(parsed.statements, file: file, env: checkerEnvironment(for: file, globals: earlier))
        if !problems.isEmpty {
            undo()
            return .rejected(problems)
        }
        defer { machine.output.flush() }
        do {
            try machine.runChunk(chunk, function: "<script>")
            return .finished
        } catch {
            machine.returnValue = .nil
            switch error {
            case .exit(let n): return .exited(n)
            case .interrupted: return .interrupted
            case .nilChain: return .finished
            case .error(let e):
                return .failed(Diagnostic(.runtime, e.message, at: e.range, callStack: e.stack))
            }
        }
    }
}

/// Writes to the process's stdout and stderr file descriptors: buffered when stdout is
/// not a terminal, flushed before anything goes to stderr so the two stay in order.
public final class StandardOutput: OutputSink, @unchecked Sendable {
    private var buffer: [UInt8] = []
    private let interactive = isatty(1) == 1
    private var lastFlush = DispatchTime.now().uptimeNanoseconds
    /// The calls of a parallel() print while other calls' progress and log lines are written.
    private let lock = NSLock()

    public init() { buffer.reserveCapacity(1 << 16) }

    /// On a terminal every write shows at once; into a pipe or file (CI logs, `| tee`)
    /// output is batched but never held back more than 50 ms past the next write.
    public func write(_ text: String) {
        lock.withLock {
            buffer.append(contentsOf: text.utf8)
            if interactive || buffer.count >= 1 << 16 || DispatchTime.now().uptimeNanoseconds - lastFlush > 50_000_000 {
                flushLocked()
            }
        }
    }

    public func writeError(_ text: String) {
        lock.withLock {
            flushLocked()
            Self.writeAll(2, Array(text.utf8))
        }
    }

    public func flush() {
        lock.withLock { flushLocked() }
    }

    private func flushLocked() {
        guard !buffer.isEmpty else { return }
        Self.writeAll(1, buffer)
        buffer.removeAll(keepingCapacity: true)
        lastFlush = DispatchTime.now().uptimeNanoseconds
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + off, raw.count - off)
                if n <= 0 {
                    if n < 0, errno == EINTR { continue }
                    return // a closed pipe: nothing more can be written
                }
                off += n
            }
        }
    }

    deinit { flush() }
}

/// Runs work on a thread with a large stack, so the interpreter's depth limit, not the
/// native stack, is what stops deep recursion.
public enum LargeStack {
    public static let size = 1 << 30

    public static func run<T>(_ body: @escaping () -> T) -> T {
        let box = UncheckedBox<T?>(nil)
        let work = UncheckedBox(body)
        let done = DispatchSemaphoreLite()
        let thread = Thread {
            box.value = work.value()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.waitForever()
        guard let v = box.value else { fatalError("LargeStack: worker ended without a result") }
        return v
    }
}

extension LargeStack {
    /// The same from async code: suspends instead of blocking a concurrency-pool thread,
    /// which an async built-in inside `body` may need.
    public static func run<T>(_ body: @escaping () -> T) async -> T {
        let work = UncheckedBox(body)
        let result: UncheckedBox<T> = await withCheckedContinuation { (c: CheckedContinuation<UncheckedBox<T>, Never>) in
            let thread = Thread { c.resume(returning: UncheckedBox(work.value())) }
            thread.stackSize = size
            thread.start()
        }
        return result.value
    }
}

private final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ v: T) { value = v }
}
