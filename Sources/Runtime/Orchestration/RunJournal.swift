import Crypto
import Foundation
import Synchronization

/// The append-only record of one run: a file of JSON lines under ``RunStore``'s directory.
///
/// Lines that a `kill -9` must not lose (a RunTask about to go, what it answered, the end)
/// are synced to disk before ecsh goes on; the rest are written but not synced. Each line
/// goes out in one `write(2)` on a descriptor opened with `O_APPEND`, so a line is either
/// whole or, when the process dies mid-write, a torn last line the reader skips.
public final class RunJournal: Sendable {
    public let id: String
    public let path: String
    /// The `startedBy` every task of the run gets unless the script sets one: ListTasks
    /// finds with it the tasks of a batch whose answer never arrived. A resumed run keeps
    /// the one of the run it resumes, so one ListTasks finds the tasks of both.
    public let startedBy: String
    private let descriptor: Mutex<Int32>

    /// Creates the journal file and writes `start` (synced) into it.
    public init(store: RunStore, start: JournalEntry) throws {
        let id = RunStore.newID()
        try store.prepare()
        let path = store.path(of: id)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw RunStoreError("cannot create the run journal \(path): \(String(cString: strerror(errno)))") }
        self.id = id
        self.path = path
        startedBy = start.startedBy ?? Self.startedBy(run: id)
        descriptor = Mutex(fd)
        var first = start
        first.run = id
        first.pid = getpid()
        append(first, sync: true)
        // The file's name must survive a crash too, not only its contents.
        store.syncDirectory()
    }

    deinit {
        descriptor.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    public static func startedBy(run id: String) -> String { "ecsh-run-\(id)" }

    /// Appends one line; with `sync`, returns only once it is on disk. A journal that
    /// cannot be written never stops the run: the tasks matter more than their record.
    public func append(_ entry: JournalEntry, sync: Bool = false) {
        guard let data = try? Self.encoder.encode(entry) else { return }
        let line = Array(Redaction.line(String(decoding: data, as: UTF8.self)).utf8) + [0x0A]
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if sync { _ = fsync(fd) }
        }
    }

    private static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// SHA-256 of the bytes, in hex: scripts and RunTask parameters are journaled by digest,
    /// never by content (parameters carry environment values).
    public static func digest(_ bytes: [UInt8]) -> String {
        SigV4.hex(SHA256.hash(data: bytes))
    }

    /// The digest of a launch's RunTask parameters without count and client token, its task
    /// definition named by family: equal parameters, equal digest. Made once per launch;
    /// each batch's digest adds its count (``digest(parameters:count:)``).
    static func digest(parameters request: RunTaskRequest) -> String {
        var r = request
        r.clientToken = nil
        r.count = nil
        r.taskDefinition = family(r.taskDefinition)
        WireJSON.encodings?.count()
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return digest(Array((try? e.encode(r)) ?? Data()))
    }

    /// The digest of one batch: its launch's parameters and its count.
    static func digest(parameters: String, count: Int?) -> String {
        digest(Array("\(parameters) count \(count ?? 1)".utf8))
    }
}

/// `arn:...:task-definition/app:12` and `app:12` as `app`.
func family(_ taskDefinition: String) -> String {
    let name = taskDefinition.split(separator: "/").last.map(String.init) ?? taskDefinition
    return name.split(separator: ":").first.map(String.init) ?? name
}

/// What keeps secrets out of journals: the `--debug` redaction of JSON, plus script
/// arguments of the form `NAME=value` whose name looks secret.
public enum Redaction {
    static func line(_ text: String) -> String {
        DebugLog.redactBody(Array(text.utf8))
    }

    static let secretName = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY", "PRIVATE", "CREDENTIAL"]

    /// `DB_PASSWORD=hunter2` as `DB_PASSWORD=****`; JSON arguments (`--overrides '{...}'`)
    /// redacted as `--debug` redacts bodies; other arguments as given.
    public static func argument(_ arg: String) -> String {
        if let eq = arg.firstIndex(of: "=") {
            let name = arg[..<eq].uppercased()
            if secretName.contains(where: name.contains) { return arg[...eq] + "****" }
        }
        return arg.contains("\"") ? line(arg) : arg
    }
}
