import Testing
@testable import Runtime

@Suite struct TemplateTests {
    func render(_ text: String, _ environment: [String: String] = [:]) throws -> String {
        try Template.render(text, file: "t.yml", environment: environment)
    }

    func renderError(_ text: String, _ environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try render(text, environment)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test func textWithoutActionsIsUnchanged() throws {
        let text = "a: {b}\nc: \"}}\" { x }\n"
        #expect(try render(text) == text)
    }

    @Test func envReadsTheGivenEnvironment() throws {
        #expect(try render(#"tag: {{ env "TAG" }}"#, ["TAG": "v1"]) == "tag: v1")
        #expect(try render("tag: {{ env `TAG` }}", ["TAG": "v2"]) == "tag: v2")
        #expect(try render("tag: {{env `TAG`}}!", ["TAG": "v3"]) == "tag: v3!")
    }

    /// kayac/go-config's env: an unset name leaves the name itself, so the last argument is
    /// both a name and the default (ecspresso's rendering, byte for byte).
    @Test func envFollowsGoConfig() throws {
        #expect(try render(#"[{{ env "NOPE" }}]"#, ["OTHER": "x"]) == "[NOPE]")
        #expect(try render(#"{{ env "TAG" "latest" }}"#) == "latest")
        #expect(try render(#"{{ env "TAG" "latest" }}"#, ["TAG": ""]) == "latest")
        #expect(try render(#"{{ env "TAG" "latest" }}"#, ["TAG": "v9"]) == "v9")
        #expect(try render(#"{{ env "A" "B" "dflt" }}"#, ["B": "from-b"]) == "from-b")
        #expect(try render(#"{{ env "A" "B" "dflt" }}"#, ["dflt": "a-name-too"]) == "a-name-too")
        #expect(try render(#"[{{ env "A" "" }}]"#) == "[]")
    }

    @Test func mustEnvReturnsSetValuesEvenEmpty() throws {
        #expect(try render("{{ must_env `IMAGE` }}", ["IMAGE": "nginx:1"]) == "nginx:1")
        #expect(try render("<{{ must_env `EMPTY` }}>", ["EMPTY": ""]) == "<>")
    }

    @Test func mustEnvMissingNamesVariableFileAndPosition() throws {
        let error = try #require(renderError("a: 1\nimage: é {{ must_env `IMAGE` }}\n", ["OTHER": "x"]))
        #expect(error.file == "t.yml")
        #expect(error.line == 2)
        #expect(error.column == 13) // "image: é {{ " is 12 scalars
        #expect(error.message.hasPrefix("error calling must_env: environment variable IMAGE is not defined"))
        #expect(error.description.hasPrefix("t.yml:2:13: "))
    }

    @Test func jsonEscapeWithNestedCall() throws {
        let env = ["X": "a\"b\\c\n<&>\t\u{1}"]
        #expect(try render(#"{{ json_escape (env "X") }}"#, env) == #"a\"b\\c\n\u003c\u0026\u003e\t\u0001"#)
    }

    @Test func pipesPassTheValueAsLastArgument() throws {
        let env = ["X": "say \"hi\"", "NAME": "X"]
        #expect(try render(#"{{ env "X" | json_escape }}"#, env) == #"say \"hi\""#)
        #expect(try render(#"{{ "X" | env }}"#, env) == "say \"hi\"")
        #expect(try render(#"{{ env "NAME" | must_env | json_escape }}"#, env) == #"say \"hi\""#)
        #expect(try render(#"{{ (env "NAME") | env }}"#, env) == "say \"hi\"")
    }

    @Test func stringLiteralsAndEscapes() throws {
        #expect(try render(#"{{ "a\tb\u00e9" }}"#) == "a\tbé")
        #expect(try render(#"{{ `raw\n` }}"#) == #"raw\n"#)
    }

    @Test func trimMarkersAndComments() throws {
        #expect(try render("a  \n {{- env `X` -}} \n b", ["X": "x"]) == "axb")
        #expect(try render("a{{/* note {{ }} */}}b") == "ab")
        #expect(try render("a {{- /* note */ -}} b") == "ab")
    }

    @Test func unknownFunctionIsReportedAtItsName() throws {
        let error = try #require(renderError("x: 1\ny: {{ tfstate `aws_vpc.main.id` }}"))
        #expect(error.line == 2)
        #expect(error.column == 7)
        #expect(error.message.hasPrefix(#"function "tfstate" not defined (add a tfstate plugin"#))
        // As Go: the whole file is parsed first, so a branch not taken is checked too.
        #expect(renderError("{{ if false }}{{ nope }}{{ end }}")?.message.hasPrefix(#"function "nope" not defined"#) == true)
    }

    @Test func controlFlowAndVariables() throws {
        let text = """
            {{- $env := env `ENV` `dev` -}}
            {{ if eq $env "prd" }}count: 10{{ else if or (eq $env "stg") (eq $env "qa") }}count: 2{{ else }}count: 1{{ end }}
            {{ with env `SUBNET` `` }}subnet: {{ . }}{{ else }}subnet: none{{ end }}
            """
        #expect(try render(text, ["ENV": "prd", "SUBNET": "s-1"]) == "count: 10\nsubnet: s-1")
        #expect(try render(text, ["ENV": "qa"]) == "count: 2\nsubnet: none")
        #expect(try render(text) == "count: 1\nsubnet: none")
    }

    @Test func unsupportedSyntaxIsReported() throws {
        #expect(renderError("{{ define `x` }}y{{ end }}")?.message.contains("not supported") == true)
        #expect(renderError("{{ }}")?.message.contains("missing value") == true)
        #expect(renderError("{{ `a` `b` }}")?.message.contains("can't give argument to non-function") == true)
        #expect(renderError("{{ break }}")?.message.contains("outside {{range}}") == true)
    }

    @Test func unclosedActionPointsAtItsOpening() throws {
        let error = try #require(renderError("ok: {{ env `A` }}\nbad: {{ env `B`\n"))
        #expect(error.line == 2)
        #expect(error.column == 6)
        #expect(error.message.contains("unclosed"))
    }

    @Test func unterminatedStringAndParenAreErrors() throws {
        #expect(renderError(#"{{ env "A }}"#)?.message.contains("unterminated") == true)
        #expect(renderError(#"{{ json_escape (env "A" }}"#)?.message.contains("paren") == true)
    }

    @Test func wrongArgumentCounts() throws {
        #expect(renderError("{{ must_env }}")?.message.contains("must_env") == true)
        #expect(renderError("{{ json_escape `a` `b` }}")?.message.contains("json_escape") == true)
    }
}
