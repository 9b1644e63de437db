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

    @Test func envMissingWithoutDefaultIsEmpty() throws {
        #expect(try render(#"[{{ env "NOPE" }}]"#, ["OTHER": "x"]) == "[]")
    }

    @Test func envDefaultAppliesWhenUnsetOrEmpty() throws {
        #expect(try render(#"{{ env "TAG" "latest" }}"#) == "latest")
        #expect(try render(#"{{ env "TAG" "latest" }}"#, ["TAG": ""]) == "latest")
        #expect(try render(#"{{ env "TAG" "latest" }}"#, ["TAG": "v9"]) == "v9")
        // More names: each is tried in turn, the last is the default.
        #expect(try render(#"{{ env "A" "B" "dflt" }}"#, ["B": "from-b"]) == "from-b")
        #expect(try render(#"{{ env "A" "B" "dflt" }}"#, ["dflt": "not-a-name"]) == "dflt")
    }

    @Test func mustEnvReturnsSetValuesEvenEmpty() throws {
        #expect(try render("{{ must_env `IMAGE` }}", ["IMAGE": "nginx:1"]) == "nginx:1")
        #expect(try render("<{{ must_env `EMPTY` }}>", ["EMPTY": ""]) == "<>")
    }

    @Test func mustEnvMissingNamesVariableFileAndPosition() throws {
        let error = try #require(renderError("a: 1\nimage: é {{ must_env `IMAGE` }}\n", ["OTHER": "x"]))
        #expect(error.file == "t.yml")
        #expect(error.line == 2)
        #expect(error.column == 10) // "image: é " is 9 scalars
        #expect(error.message.contains("IMAGE"))
        #expect(error.description.hasPrefix("t.yml:2:10: "))
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
        #expect(error.message.contains("tfstate"))
    }

    @Test func unsupportedSyntaxIsReported() throws {
        #expect(renderError("{{ .Env.X }}")?.column == 4)
        #expect(renderError("{{ if `x` }}y{{ end }}")?.message.contains("if") == true)
        #expect(renderError("{{ }}")?.column == 1)
        #expect(renderError("{{ `a` `b` }}")?.message.contains("only a function") == true)
    }

    @Test func unclosedActionPointsAtItsOpening() throws {
        let error = try #require(renderError("ok: {{ env `A` }}\nbad: {{ env `B`\nmore: 1\n"))
        #expect(error.line == 2)
        #expect(error.column == 6)
        #expect(error.message.contains("unclosed"))
    }

    @Test func unterminatedStringAndParenAreErrors() throws {
        #expect(renderError(#"{{ env "A }}"#)?.message.contains("unterminated") == true)
        #expect(renderError(#"{{ json_escape (env "A" }}"#)?.message.contains("'('") == true)
    }

    @Test func wrongArgumentCounts() throws {
        #expect(renderError("{{ must_env }}")?.message.contains("must_env") == true)
        #expect(renderError("{{ json_escape `a` `b` }}")?.message.contains("json_escape") == true)
        #expect(renderError("{{ env }}")?.message.contains("env") == true)
    }
}
