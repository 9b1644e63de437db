import Foundation

/// One of the AWS CLI's INI files, `~/.aws/config` or `~/.aws/credentials`, parsed the
/// way botocore reads them.
///
/// - `[default]` and `[profile NAME]` name profiles in the config file; `[NAME]` does in
///   the credentials file. In the config file `[profile default]` wins over `[default]`.
/// - `[sso-session NAME]` and `[services NAME]` are kept apart from profiles.
/// - Keys are trimmed and lowercased; values are trimmed. A key with an empty value
///   followed by indented `key = value` lines is a nested section (`ecs =` then
///   `  endpoint_url = ...` in a services section); an indented line after a key with a
///   value continues that value on a new line.
/// - Whole-line comments start with `#` or `;`. Values keep any `#` or `;` they contain,
///   as botocore does: a `credential_process` command may need them.
public struct SharedConfigFile: Sendable, Equatable {
    /// Which of the two files; it decides how section names map to profiles.
    public enum Kind: Sendable, Equatable {
        case config
        case credentials
    }

    /// The keys of one section.
    public struct Section: Sendable, Equatable {
        /// Plain `key = value` properties, keys lowercased.
        public var values: [String: String]
        /// Nested properties: `ecs =` followed by indented `endpoint_url = ...` lines
        /// gives `nested["ecs"]["endpoint_url"]`.
        public var nested: [String: [String: String]]

        public init(values: [String: String] = [:], nested: [String: [String: String]] = [:]) {
            self.values = values
            self.nested = nested
        }

        /// The value of a key, or nil when it is absent or empty.
        public subscript(key: String) -> String? {
            guard let value = values[key.lowercased()], !value.isEmpty else { return nil }
            return value
        }
    }

    /// A line the parser could not make sense of.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var line: Int
        public var reason: String

        public init(path: String, line: Int, reason: String) {
            self.path = path
            self.line = line
            self.reason = reason
        }

        public var description: String {
            line == 0 ? "\(path): \(reason)"
                : "\(path):\(line): \(reason); fix or remove this line of the AWS shared config file"
        }
    }

    /// Where the file was read from, for messages.
    public var path: String
    public var kind: Kind
    /// Profiles by name (`dev` for `[profile dev]` in config, `[dev]` in credentials).
    public var profiles: [String: Section]
    /// `[sso-session NAME]` sections by name.
    public var ssoSessions: [String: Section]
    /// `[services NAME]` sections by name.
    public var services: [String: Section]

    public init(path: String, kind: Kind, profiles: [String: Section] = [:],
                ssoSessions: [String: Section] = [:], services: [String: Section] = [:]) {
        self.path = path
        self.kind = kind
        self.profiles = profiles
        self.ssoSessions = ssoSessions
        self.services = services
    }

    /// Parses the text of a file; `path` is only used in messages.
    public init(parsing text: String, path: String, kind: Kind) throws(ParseError) {
        self.init(path: path, kind: kind)
        var sections: [(header: String, section: Section)] = []
        // The key the next indented line continues, and whether it holds nested pairs.
        var openKey: (name: String, nested: Bool)?

        func fail(_ line: Int, _ reason: String) -> ParseError {
            ParseError(path: path, line: line, reason: reason)
        }

        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            var line = String(rawLine)
            if line.hasSuffix("\r") { line.removeLast() }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"

            if indented, let key = openKey, !sections.isEmpty {
                let last = sections.count - 1
                if key.nested {
                    guard case let (subKey, subValue)? = Self.splitProperty(trimmed), !subKey.isEmpty else {
                        throw fail(number, "expected 'key = value' under '\(key.name) ='")
                    }
                    sections[last].section.nested[key.name, default: [:]][subKey] = subValue
                } else {
                    let previous = sections[last].section.values[key.name] ?? ""
                    sections[last].section.values[key.name] = previous + "\n" + trimmed
                }
                continue
            }

            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw fail(number, "section header is missing its closing ']'")
                }
                let after = trimmed[trimmed.index(after: close)...].trimmingCharacters(in: .whitespaces)
                guard after.isEmpty || after.hasPrefix("#") || after.hasPrefix(";") else {
                    throw fail(number, "unexpected text after the section header")
                }
                let header = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
                    .trimmingCharacters(in: .whitespaces)
                guard !header.isEmpty else { throw fail(number, "empty section name '[]'") }
                sections.append((header, Section()))
                openKey = nil
                continue
            }

            guard case let (key, value)? = Self.splitProperty(trimmed) else {
                throw fail(number, "expected '[section]' or 'key = value'")
            }
            guard !key.isEmpty else { throw fail(number, "a property has no name before '='") }
            guard !sections.isEmpty else {
                throw fail(number, "property '\(key)' comes before any [section] header")
            }
            let last = sections.count - 1
            if value.isEmpty {
                sections[last].section.nested[key] = sections[last].section.nested[key] ?? [:]
            }
            sections[last].section.values[key] = value
            openKey = (key, value.isEmpty)
        }

        var explicitDefault = false
        for (header, section) in sections {
            let words = header.split(whereSeparator: { $0 == " " || $0 == "\t" })
            switch kind {
            case .credentials:
                profiles[header] = Self.merge(profiles[header], section)
            case .config:
                if header == "default" {
                    // `[profile default]` takes precedence, whichever comes first.
                    if !explicitDefault { profiles["default"] = Self.merge(profiles["default"], section) }
                } else if words.count >= 2 {
                    let name = header.dropFirst(words[0].count).trimmingCharacters(in: .whitespaces)
                    switch words[0] {
                    case "profile":
                        if name == "default" && !explicitDefault {
                            explicitDefault = true
                            profiles["default"] = section
                        } else {
                            profiles[name] = Self.merge(profiles[name], section)
                        }
                    case "sso-session": ssoSessions[name] = Self.merge(ssoSessions[name], section)
                    case "services": services[name] = Self.merge(services[name], section)
                    default: break  // botocore ignores other sections, and so do we
                    }
                }
            }
        }
        // Nested entries only make sense where the key's value was left empty.
        for (name, section) in profiles {
            profiles[name]?.nested = section.nested.filter { !$0.value.isEmpty }
        }
        for (name, section) in services {
            services[name]?.nested = section.nested.filter { !$0.value.isEmpty }
        }
        for (name, section) in ssoSessions {
            ssoSessions[name]?.nested = section.nested.filter { !$0.value.isEmpty }
        }
    }

    /// Reads and parses the file at `path`; nil when there is no file there.
    public static func load(path: String, kind: Kind) throws -> SharedConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // FileHandle, not Data(contentsOf:), so that /dev/null and pipes read as empty files.
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            data = try handle.readToEnd() ?? Data()
        } catch {
            throw ParseError(path: path, line: 0, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try SharedConfigFile(parsing: String(decoding: data, as: UTF8.self), path: path, kind: kind)
    }

    /// A section found twice is merged, later keys winning, as configparser does.
    private static func merge(_ old: Section?, _ new: Section) -> Section {
        guard var merged = old else { return new }
        merged.values.merge(new.values) { _, b in b }
        merged.nested.merge(new.nested) { _, b in b }
        return merged
    }

    /// `key = value` or `key: value`, split at the first delimiter; key lowercased.
    private static func splitProperty(_ line: String) -> (String, String)? {
        guard let at = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let key = line[..<at].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: at)...].trimmingCharacters(in: .whitespaces)
        return (key, value)
    }
}
