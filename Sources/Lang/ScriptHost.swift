import Foundation

/// What a script can reach outside its interpreter: files (`read_file`), environment
/// variables (`env`, `must_env`) and the source of the files it imports. The interpreter
/// asks its host and nothing else, so an embedder that runs scripts it does not trust
/// decides what they see: `MemoryHost` (the default) gives only what it was given,
/// `SystemHost` the real file system and environment, as the `ecsh` command line does.
///
/// The host is called from the interpreter's thread, and from the branches of `parallel()`
/// at the same time: it must be safe to share.
public protocol ScriptHost: Sendable {
    /// The contents of the file at `path`, as the script wrote it, for `read_file`.
    func readFile(_ path: String) throws(ScriptHostError) -> [UInt8]

    /// The value of an environment variable; nil when it is not set.
    func environmentVariable(_ name: String) -> String?

    /// The file an `import` names. `importer` is the importing file's name (a path), or
    /// nil for a REPL entry, `-e` code or stdin.
    func module(_ path: String, importedFrom importer: String?) throws(ScriptHostError) -> ModuleSource

    /// True when `readFile` reads this machine's files as they are, so a program run on
    /// the machine sees what the script would: the ECS built-ins evaluate a Jsonnet file
    /// with the `jsonnet` program, which reads the file and its imports itself, and refuse
    /// to when this is false. False unless a host says otherwise.
    var sharesFileSystem: Bool { get }
}

extension ScriptHost {
    public var sharesFileSystem: Bool { false }
}

/// An imported file's source, as a host found it.
public struct ModuleSource: Sendable {
    /// The module's identity: imports that give the same key share one module (and a key
    /// met again while it is being loaded is an import cycle).
    public let key: String
    /// The name its diagnostics show, and the importer of the files it imports.
    public let name: String
    public let bytes: [UInt8]

    public init(key: String, name: String, bytes: [UInt8]) {
        self.key = key
        self.name = name
        self.bytes = bytes
    }
}

/// Why a host gave no file: reported to the script as `cannot read PATH: REASON`.
public struct ScriptHostError: Error, Sendable, Equatable {
    /// Where the host looked (an import's path joined to its importer's folder).
    public let path: String
    /// Short and lowercase: "no such file", "it is a directory", "not allowed".
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The real file system and the process's environment: what `ecsh` gives the scripts it runs.
/// Relative paths are read from the current directory; an import from the folder of the
/// file that imports it.
public struct SystemHost: ScriptHost {
    public init() {}

    public var sharesFileSystem: Bool { true }

    // POSIX calls: they read pipes and devices (/dev/stdin) too, and their errors say why,
    // where Foundation's on Linux say "NSCocoaErrorDomain error 256".
    public func readFile(_ path: String) throws(ScriptHostError) -> [UInt8] {
        func failure(_ code: Int32) -> ScriptHostError {
            switch code {
            case ENOENT, ENOTDIR: return ScriptHostError(path: path, reason: "no such file")
            case EISDIR: return ScriptHostError(path: path, reason: "it is a directory")
            default: return ScriptHostError(path: path, reason: String(cString: strerror(code)).lowercased())
            }
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(errno)
            }
            bytes += buffer[0..<n]
        }
    }

    public func environmentVariable(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name]
    }

    public func module(_ path: String, importedFrom importer: String?) throws(ScriptHostError) -> ModuleSource {
        let base = importer.map { ($0 as NSString).deletingLastPathComponent } ?? FileManager.default.currentDirectoryPath
        let joined = path.hasPrefix("/") ? path : (base.isEmpty ? path : base + "/" + path)
        let bytes = try readFile(joined)
        let key = URL(fileURLWithPath: joined).standardizedFileURL.resolvingSymlinksInPath().path
        return ModuleSource(key: key, name: joined, bytes: bytes)
    }
}

/// Files and environment variables given in memory, and nothing of the machine's: a
/// sandbox. Empty (`MemoryHost()`, every interpreter's default), a script can read no
/// file, import nothing and sees no environment variable.
///
/// Paths are plain keys: an import is joined to its importer's folder and `.` and `..`
/// are folded, without looking at any file system; a REPL entry's import is taken as it is.
public struct MemoryHost: ScriptHost {
    public let files: [String: [UInt8]]
    public let environment: [String: String]

    public init(files: [String: String] = [:], environment: [String: String] = [:]) {
        self.files = files.mapValues { Array($0.utf8) }
        self.environment = environment
    }

    public func readFile(_ path: String) throws(ScriptHostError) -> [UInt8] {
        guard let bytes = files[Self.normalized(path)] else {
            throw ScriptHostError(path: path, reason: files.isEmpty ? "this script may read no files" : "no such file")
        }
        return bytes
    }

    public func environmentVariable(_ name: String) -> String? { environment[name] }

    public func module(_ path: String, importedFrom importer: String?) throws(ScriptHostError) -> ModuleSource {
        let folder = importer.map { ($0 as NSString).deletingLastPathComponent } ?? ""
        let joined = path.hasPrefix("/") || folder.isEmpty ? path : folder + "/" + path
        let key = Self.normalized(joined)
        return ModuleSource(key: key, name: key, bytes: try readFile(key))
    }

    /// `a/./b/../c` is `a/c`; a `..` above the first folder is kept.
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
            parts.append(part)
        }
        return (path.hasPrefix("/") ? "/" : "") + parts.joined(separator: "/")
    }
}

extension CallContext {
    /// The host of the interpreter running the call: a built-in that reads files or the
    /// environment asks it, so an embedder's sandbox holds for built-ins too.
    public var host: any ScriptHost { machine.interpreter?.host ?? MemoryHost() }
}
