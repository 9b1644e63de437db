import Foundation
import Lang

/// Where the cursor is in the call being typed: inside which built-in's parentheses, and
/// whether inside a string argument. Read from the line before the word, by a scan that
/// knows brackets and strings but not the grammar: completion must not run or parse code.
struct CursorCall {
    /// The innermost open `(` preceded by a name: that name.
    var callee: String?
    /// Arguments given before the cursor's one, by name (`until:` in `wait(t, until: ...)`).
    var namedSoFar: Set<String> = []
    /// The cursor is an argument's start: right after `(` or `,`.
    var atArgumentStart = false
    /// Inside a string literal: its text up to the word.
    var stringSoFar: String?
    /// The string is the call's first argument.
    var stringIsFirstArgument = false

    init(before: String) {
        var stack: [(opener: Character, name: String?, named: Set<String>, arguments: Int)] = []
        var inString = false
        var string = ""
        var stringStartsArgument = false
        var lastName = ""
        var lastSignificant: Character = " "
        var previous: Character = " "
        var escaped = false
        for c in before {
            defer { previous = c }
            if inString {
                if escaped { escaped = false; string.append(c); continue }
                if c == "\\" { escaped = true; continue }
                if c == "\"" { inString = false; lastSignificant = c; continue }
                string.append(c)
                continue
            }
            switch c {
            case "\"":
                inString = true
                string = ""
                stringStartsArgument = lastSignificant == "(" && stack.last?.arguments == 0
            case "(", "[", "{":
                stack.append((c, c == "(" && !lastName.isEmpty ? lastName : nil, [], 0))
            case ")", "]", "}":
                if !stack.isEmpty { stack.removeLast() }
            case ",":
                if !stack.isEmpty { stack[stack.count - 1].arguments += 1 }
            case ":":
                if !stack.isEmpty, !lastName.isEmpty { stack[stack.count - 1].named.insert(lastName) }
            default:
                break
            }
            if Completion.isNameCharacter(c) {
                if !Completion.isNameCharacter(previous) { lastName = "" }
                lastName.append(c)
            } else if !c.isWhitespace, c != "(" {
                lastName = ""
            }
            if !c.isWhitespace { lastSignificant = c }
        }
        let open = stack.last
        callee = open?.opener == "(" ? open?.name : nil
        namedSoFar = open?.named ?? []
        if inString {
            stringSoFar = string
            stringIsFirstArgument = stringStartsArgument
        } else {
            atArgumentStart = lastSignificant == "(" || lastSignificant == ","
        }
    }

    /// Built-ins whose first argument is a file path.
    static let fileTaking: Set<String> = ["config", "register", "read_file"]

    /// `name: ` for each parameter of the built-in being called that can be given by name
    /// and has not been.
    func namedArguments(_ builtins: [String: Builtin]) -> [Completion.Match] {
        guard atArgumentStart, let callee, let b = builtins[callee] else { return [] }
        return b.parameters.filter { $0.kind != .variadic && !namedSoFar.contains($0.name) }
            .map { Completion.Match(text: $0.name + ":", suffix: " ") }
    }

    /// Files and folders for a path typed in the first string argument of `config`,
    /// `register` or `read_file`; `word` is the part after the last `/`.
    func paths(for word: String, in directory: String = FileManager.default.currentDirectoryPath) -> [Completion.Match]? {
        guard let typed = stringSoFar, stringIsFirstArgument, let callee, Self.fileTaking.contains(callee) else { return nil }
        // The word starts after the last `/` of the string (a word break for readline).
        let folderPart = typed.hasSuffix(word) ? String(typed.dropLast(word.count)) : typed
        let base = folderPart.hasPrefix("/") ? folderPart : directory + "/" + folderPart
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base.isEmpty ? "." : base) else { return [] }
        return names.filter { $0.hasPrefix(word) && (word.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map { name in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: base + "/" + name, isDirectory: &isFolder)
            return Completion.Match(text: name, suffix: isFolder.boolValue ? "/" : "\"")
        }
    }
}
