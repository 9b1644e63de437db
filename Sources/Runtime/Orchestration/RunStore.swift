import Foundation

/// A journal that cannot be created or read.
public struct RunStoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The directory of run journals: `$XDG_STATE_HOME/ecsh/runs/`, by default
/// `~/.local/state/ecsh/runs/`, one `RUN.jsonl` a run.
public struct RunStore: Sendable {
    public let directory: String
    /// Journals last written longer ago than this are deleted when a new run starts.
    public var retention: TimeInterval = 30 * 24 * 3600

    public init(directory: String) {
        self.directory = directory
    }

    /// The directory the environment names.
    public init(environment: [String: String]) {
        let state: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            state = xdg
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            state = home + "/.local/state"
        }
        self.init(directory: state + "/ecsh/runs")
    }

    public func path(of id: String) -> String { directory + "/" + id + ".jsonl" }

    /// A new run id: its UTC start time, so ids sort by age, and random hex so that two
    /// runs started in the same second differ. Letters, digits and hyphens only, as ECS's
    /// `startedBy` allows.
    static func newID(now: Date = Date()) -> String {
        // gmtime_r, not a DateFormatter: this runs at every script's start, and ICU's
        // formatter costs more than the rest of a one-line script.
        var seconds = time_t(now.timeIntervalSince1970)
        var utc = tm()
        gmtime_r(&seconds, &utc)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let stamp = pad(utc.tm_year + 1900, 4) + pad(utc.tm_mon + 1, 2) + pad(utc.tm_mday, 2) + "-"
            + pad(utc.tm_hour, 2) + pad(utc.tm_min, 2) + pad(utc.tm_sec, 2)
        let random = SigV4.hex((0..<3).map { _ in UInt8.random(in: 0...255) })
        return stamp + "-" + random
    }

    /// Creates the directory (private to the user) and prunes old journals.
    func prepare() throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw RunStoreError("cannot create the run journal directory \(directory): \(error.localizedDescription)")
        }
        prune()
    }

    /// Deletes journals not written to within the retention period.
    public func prune(now: Date = Date()) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".jsonl") {
            let path = directory + "/" + name
            guard let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date else { continue }
            if now.timeIntervalSince(modified) > retention { try? fm.removeItem(atPath: path) }
        }
    }

    func syncDirectory() {
        let fd = open(directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// The ids of the journals present, newest first: by the start line's time (ids
    /// name the second only), then by id.
    public func ids() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let ids = names.filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(6)) }
        let started = Dictionary(uniqueKeysWithValues: ids.map { ($0, startTime(of: $0)) })
        return ids.sorted { a, b in
            let (ta, tb) = (started[a] ?? 0, started[b] ?? 0)
            return ta != tb ? ta > tb : a > b
        }
    }

    /// The `time` of a journal's first line, read without reading the rest.
    private func startTime(of id: String) -> Double {
        guard let handle = FileHandle(forReadingAtPath: path(of: id)) else { return 0 }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 8192)) ?? Data()
        guard let line = head.split(separator: 0x0A).first,
              let entry = try? JSONDecoder().decode(JournalEntry.self, from: Data(line)) else { return 0 }
        return entry.time
    }

    /// A run by id, or by a prefix of one id; the newest with `last`.
    public func find(_ ref: String) throws -> String {
        let all = ids()
        if ref == "last", let newest = all.first { return newest }
        if all.contains(ref) { return ref }
        let matches = all.filter { $0.hasPrefix(ref) || $0.hasSuffix(ref) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw RunStoreError("no run '\(ref)' in \(directory) (`ecsh runs` lists them)") }
        throw RunStoreError("'\(ref)' names \(matches.count) runs: \(matches.prefix(5).joined(separator: ", "))")
    }

    /// The journal's lines; a torn last line (the process died writing it) is skipped.
    public func entries(of id: String) throws -> [JournalEntry] {
        guard let data = FileManager.default.contents(atPath: path(of: id)) else {
            throw RunStoreError("cannot read the run journal \(path(of: id))")
        }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(JournalEntry.self, from: Data($0)) }
    }
}
