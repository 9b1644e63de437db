import Foundation

/// Compiled code for a script, a REPL line or an imported file: what runs at its top level.
final class Chunk {
    let file: SourceFile
    let frameSize: Int
    let body: [StmtNode]
    /// The body compiled for the VM, when it first runs.
    private var compiled: Code?
    func code(name: String) -> Code {
        if let c = compiled { return c }
        let c = Compiler.compile(self, name: name)
        compiled = c
        return c
    }
    init(file: SourceFile, frameSize: Int, body: [StmtNode]) {
        self.file = file
        self.frameSize = frameSize
        self.body = body
    }
}

/// An imported file: compiled once, run once, its top-level names read through its alias.
final class Module {
    let path: String
    let globals = GlobalStore()
    /// Names every module is given (such as `args`): not part of what it exports.
    var seeded: Set<String> = []
    var chunk: Chunk?
    /// Set after the module has run: its names as a read-only record.
    var record: Value?
    var running = false
    /// The error that ended its first run: later imports fail the same way, without rerunning it.
    var failure: RuntimeError?

    init(path: String) { self.path = path }
}

/// Finds, compiles and caches imported files, and notices import cycles.
final class ModuleLoader {
    private var modules: [String: Module] = [:]
    private var loading: [String] = []
    let builtins: () -> [String: Builtin]
    /// Puts the names every module sees (such as `args`) into a new module's globals.
    let seed: (GlobalStore) -> Void
    /// The type checker's problems in a compiled module (none for a host that checks no types).
    let typeCheck: ([Stmt], SourceFile) -> [Diagnostic]
    /// Where imported files come from.
    let host: any ScriptHost

    init(host: any ScriptHost, builtins: @escaping () -> [String: Builtin], seed: @escaping (GlobalStore) -> Void,
         typeCheck: @escaping ([Stmt], SourceFile) -> [Diagnostic] = { _, _ in [] }) {
        self.host = host
        self.builtins = builtins
        self.seed = seed
        self.typeCheck = typeCheck
    }

    /// Forgets the values of every module's names (see `GlobalStore.clearValues`).
    func clearValues() {
        for m in modules.values {
            m.globals.clearValues()
            m.record = nil
        }
    }

    /// Compiles the file `path` names (as the host finds it from the importing file) or
    /// returns the cached module.
    func load(_ path: String, from importer: SourceFile, at range: SourceRange) -> Checked<Module> {
        let from = importer.name.hasPrefix("<") || importer.name == "-e" ? nil : importer.name
        let source: ModuleSource
        do throws(ScriptHostError) {
            source = try host.module(path, importedFrom: from)
        } catch {
            return .failure([Diagnostic(.resolve, "cannot import \"\(path)\": \(error.reason) (\(error.path))", at: range)])
        }
        let key = source.key
        if let m = modules[key] { return .success(m) }
        if let i = loading.firstIndex(of: key) {
            let cycle = (loading[i...] + [key]).map { ($0 as NSString).lastPathComponent }.joined(separator: " -> ")
            return .failure([Diagnostic(.resolve, "import cycle: \(cycle)", at: range)])
        }
        let file = SourceFile(name: source.name, bytes: source.bytes)
        let module = Module(path: key)
        seed(module.globals)
        module.seeded = Set(module.globals.names)
        loading.append(key)
        defer { loading.removeLast() }
        let parsed = Parser.parse(file)
        if !parsed.diagnostics.isEmpty { return .failure(parsed.diagnostics) }
        let result = Resolver.compile(parsed.statements, file: file, globals: module.globals, builtins: builtins(),
                                      loader: self, repl: false)
        switch result {
        case .success(let chunk):
            let problems = typeCheck(parsed.statements, file)
            if !problems.isEmpty { return .failure(problems) }
            module.chunk = chunk
            modules[key] = module
            return .success(module)
        case .failure(let d): return .failure(d)
        }
    }
}

final class ImportStmt: StmtNode {
    let module: Module
    let target: Storage
    init(_ module: Module, _ target: Storage, _ r: SourceRange) { self.module = module; self.target = target; super.init(r) }
    override func exec(_ f: Frame, _ m: Machine) throws(Unwind) -> Flow {
        let record = try m.runModule(module, at: range)
        switch target {
        case .local(let s): f[s] = record
        case .cell(let s): f[s] = .cell(Cell(record))
        case .global(let store, let i): store[i] = record
        }
        return .normal
    }
}

extension Machine {
    /// Runs an imported module the first time it is imported; later imports get the same record.
    func runModule(_ module: Module, at range: SourceRange) throws(Unwind) -> Value {
        if let r = module.record { return r }
        if var f = module.failure {
            f.leave(function: "<import>", calledFrom: range)
            throw .error(f)
        }
        guard let chunk = module.chunk, !module.running else {
            throw error("import cycle while running \(module.path)", at: range, code: "ImportError")
        }
        module.running = true
        defer { module.running = false }
        do {
            try runChunk(chunk, function: "<module \((module.path as NSString).lastPathComponent)>")
        } catch .error(var e) {
            module.failure = e
            e.leave(function: "<import>", calledFrom: range)
            throw .error(e)
        }
        var fields: [(String, Value)] = []
        for (i, name) in module.globals.names.enumerated() where !module.seeded.contains(name) {
            fields.append((name, module.globals[i] ?? .nil))
        }
        let record = Value.record(Record(typeName: "Module", fields: .init(fields, uniquingKeysWith: { _, b in b })))
        module.record = record
        return record
    }

    /// Runs a chunk's top level in a fresh frame. An error leaving it gets the chunk's frame on its stack.
    func runChunk(_ chunk: Chunk, function: String) throws(Unwind) {
        let code = chunk.code(name: function)
        let f = try pushFrame(code.frameSize, at: SourceRange(file: chunk.file, start: 0, end: 0))
        defer { popFrame(f, code.frameSize) }
        do {
            _ = try run(code, f)
        } catch .error(var e) {
            e.leave(function: function, calledFrom: nil)
            throw .error(e)
        }
    }
}
