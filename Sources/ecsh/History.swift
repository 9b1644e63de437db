import Foundation

/// The REPL's history: one line an entry, oldest first, kept across sessions in
/// `$XDG_STATE_HOME/ecsh/history` (or `~/.local/state/ecsh/history`).
///
/// Every accepted line is appended to the file at once, so a session that ends by
/// `exit(n)`, a signal or a crash loses nothing; the file is trimmed to `limit` lines
/// when a session starts and ends. Empty lines and a repeat of the previous line are
/// not kept.
struct History {
    static let defaultLimit = 1000

    /// The file, or nil when there is no home to keep it in.
    let path: String?
    let limit: Int
    private(set) var entries: [String] = []

    /// The history file for this user (its folder is made on the first write); nil when
    /// neither XDG_STATE_HOME nor HOME says where it goes.
    static func defaultPath(environment env: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let base: String
        // The XDG spec says a relative path in XDG_* is invalid and must be ignored.
        if let state = env["XDG_STATE_HOME"], state.hasPrefix("/") {
            base = state
        } else if let home = env["HOME"], !home.isEmpty {
            base = home + "/.local/state"
        } else {
            return nil
        }
        return base + "/ecsh/history"
    }

    init(path: String?, limit: Int = History.defaultLimit) {
        self.path = path
        self.limit = limit
        guard let path else { return }
        let lines = Self.readLines(path)
        for line in lines where Self.keeps(line, after: entries.last) { entries.append(line) }
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        if entries != lines { rewrite() }
    }

    /// Whether `line` is worth remembering after `previous`.
    static func keeps(_ line: String, after previous: String?) -> Bool {
        !line.allSatisfy(\.isWhitespace) && line != previous && !line.contains("\n")
    }

    /// Records a line; false when it is not kept (empty, or the same as the last one).
    @discardableResult
    mutating func add(_ line: String) -> Bool {
        guard Self.keeps(line, after: entries.last) else { return false }
        entries.append(line)
        if let path { Self.append(line, to: path) }
        return true
    }

    /// Trims the file to the newest `limit` lines, keeping what other sessions appended.
    func trimFile() {
        guard let path else { return }
        let lines = Self.readLines(path)
        if lines.count > limit { Self.write(Array(lines.suffix(limit)), to: path) }
    }

    private func rewrite() {
        if let path { Self.write(entries, to: path) }
    }

    private static func readLines(_ path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    private static func makeFolder(for path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
    }

    private static func append(_ line: String, to path: String) {
        makeFolder(for: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
    }

    /// Replaces the file atomically, so a reader never sees half of it.
    private static func write(_ lines: [String], to path: String) {
        makeFolder(for: path)
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        let tmp = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else { return }
        if rename(tmp, path) != 0 { unlink(tmp) }
    }
}
