/// ecspresso's template pass: Go's text/template with kayac/go-config's functions, applied to a
/// file's text before it is parsed (ecspresso v2.3, kayac/go-config v0.6).
///
/// The language is Go's: `{{ if }}`/`{{ else if }}`/`{{ else }}`/`{{ end }}`, `{{ range }}` (with
/// `$i, $v :=`, `{{ else }}`, `{{ break }}`, `{{ continue }}`), `{{ with }}`, variables, pipelines,
/// parenthesized pipelines, `{{-`/`-}}` trimming, `{{/* comments */}}`, and the functions
/// `and or not eq ne lt le gt ge len index print printf println html urlquery`. go-config adds
/// `env`, `must_env` and `json_escape`; plugins (``ConfigPlugins``) add `tfstate`, `ssm`, ... in
/// definition files. The data (`.`) is nil, as ecspresso executes every template with none.
///
/// As in Go, the whole file is parsed before anything runs: an undefined function is an error
/// even in a branch that is not taken. Errors are ConfigErrors at file:line:column.
///
/// Not supported: `define`, `template` and `block` (ecspresso's files are single templates).
public struct Template {
    /// Renders `text`; `file` names it in errors; `environment` is what `env`/`must_env` read;
    /// `functions` adds to (and may replace) the built-in ones.
    public static func render(_ text: String, file: String, environment: [String: String],
                              functions extra: [String: TemplateFunction] = [:]) throws -> String {
        let scalars = Array(text.unicodeScalars)
        // Most files have no action: leave them as they are, byte for byte.
        if !text.contains("{{") { return text }
        let fail: (Int, String) -> ConfigError = { offset, message in
            let (line, column) = TextPosition.of(offset: offset, in: scalars)
            return ConfigError(file: file, line: line, column: column, message: message)
        }
        var functions = TemplateBuiltins.all(environment: environment)
        for (k, v) in extra { functions[k] = v }
        let tokens = try TemplateLexer(scalars: scalars, fail: fail).tokens()
        var parser = TemplateParser(tokens: tokens, functions: Set(functions.keys), fail: fail, undefinedHint: undefinedHint)
        let tree = try parser.parse()
        var evaluator = TemplateEvaluator(functions: functions, fail: fail)
        try evaluator.run(tree, dot: .missing)
        return evaluator.out
    }

    /// What would define an undefined function, when it is one ecspresso knows.
    static func undefinedHint(_ name: String) -> String {
        switch name {
        case "tfstate", "tfstatef":
            return " (add a tfstate plugin to the config's plugins:; with a func_prefix, the name starts with it)"
        case "ssm", "secretsmanager_arn":
            return " (plugin functions work in task and service definition and overrides files, not in the config file, as in ecspresso)"
        case "cfn_output", "cfn_export":
            return " (ecsh does not support ecspresso's cloudformation plugin)"
        default:
            return ""
        }
    }
}

extension Template {
    /// `s` as Go's json.Marshal writes it inside quotes, HTML-safe escapes included, so that
    /// files render byte-for-byte as ecspresso renders them.
    static func jsonEscape(_ s: String) -> String {
        escape(s, htmlSafe: true) { $0.value < 0x20 ? "\\u" + hex4($0.value) : nil }
    }

    /// `s` with `"`, `\`, `\n`, `\r`, `\t` backslash-escaped; `control` gives the escape of any
    /// other scalar that needs one (nil: kept as it is). `htmlSafe` also escapes `<`, `>`, `&`,
    /// U+2028 and U+2029 as `\uXXXX`, as Go's encoding/json does.
    static func escape(_ s: String, htmlSafe: Bool, control: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                if htmlSafe { out += "\\u" + hex4(u.value) } else { out.unicodeScalars.append(u) }
            default:
                if let escaped = control(u) { out += escaped } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
