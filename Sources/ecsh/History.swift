import Foundation

/// The REPL's history: one line an entry, oldest first, kept across sessions in
/// `$XDG_STATE_HOME/ecsh/history` (or `~/.local/state/ecsh/history`). An entry of several
/// lines (a function typed over many) is one entry, recalled whole: in the file it is one
/// line, marked by a leading U+001E, its newlines and backslashes escaped.
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
        for line in lines.map(Self.decode) where Self.keeps(line, after: entries.last) { entries.append(line) }
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        if entries.map(Self.encode) != lines { rewrite() }
    }

    /// Whether `entry` is worth remembering after `previous`.
    static func keeps(_ entry: String, after previous: String?) -> Bool {
        !entry.allSatisfy(\.isWhitespace) && entry != previous
    }

    /// Records an entry; false when it is not kept (empty, or the same as the last one).
    @discardableResult
    mutating func add(_ entry: String) -> Bool {
        guard Self.keeps(entry, after: entries.last) else { return false }
        entries.append(entry)
        if let path { Self.append(Self.encode(entry), to: path) }
        return true
    }

    static let multiLineMark: Character = "\u{1E}"

    /// A single line as it is; several lines as one marked, escaped line.
    static func encode(_ entry: String) -> String {
        guard entry.contains("\n") || entry.first == multiLineMark else { return entry }
        return String(multiLineMark) + entry.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func decode(_ line: String) -> String {
        guard line.first == multiLineMark else { return line }
        var out = ""
        var escaped = false
        for c in line.dropFirst() {
            if escaped {
                out.append(c == "n" ? "\n" : c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Trims the file to the newest `limit` lines, keeping what other sessions appended.
    func trimFile() {
        guard let path else { return }
        let lines = Self.readLines(path)
        if lines.count > limit { Self.write(Array(lines.suffix(limit)), to: path) }
    }

    private func rewrite() {
        if let path { Self.write(entries.map(Self.encode), to: path) }
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
