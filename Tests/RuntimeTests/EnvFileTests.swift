import Testing
@testable import Runtime

/// `--envfile` as ecspresso reads it (hashicorp/go-envparse), over ecspresso's tests/ci/envfile shapes.
@Suite struct EnvFileTests {
    @Test func quotedBareAndExported() throws {
        let vars = try EnvFile.parse("""
            # a comment
            SERVICE="nginx-local"
            NGINX_VERSION=latest
            export NGINX_VERSION=stable

            SINGLE='a $b \\n'
            DOUBLE="line\\nnext \\"q\\""
            BARE=value # trailing comment
            EMPTY=
            """, file: "envfile")
        let map = Dictionary(vars, uniquingKeysWith: { $1 })
        #expect(map["SERVICE"] == "nginx-local")
        #expect(map["NGINX_VERSION"] == "stable", "a later line wins")
        #expect(map["SINGLE"] == "a $b \\n")
        #expect(map["DOUBLE"] == "line\nnext \"q\"")
        #expect(map["BARE"] == "value")
        #expect(map["EMPTY"] == "")
    }

    @Test func badLinesAreErrorsAtTheirLine() throws {
        do {
            _ = try EnvFile.parse("A=1\nnot a pair\n", file: "envfile")
            Issue.record("accepted a line without =")
        } catch let e as ConfigError {
            #expect(e.file == "envfile")
            #expect(e.line == 2)
        }
        #expect(throws: ConfigError.self) { _ = try EnvFile.parse("A=\"open\n", file: "e") }
    }
}
