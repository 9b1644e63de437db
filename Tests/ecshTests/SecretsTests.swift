import Foundation
import Testing
import TestSupport

extension ProcessTests {

/// `--debug` and `--dry-run` runs with known credentials: neither the secret key, nor a
/// session token, nor any request signature may show up in stdout, stderr or any file
/// under the run's HOME, working directory and TMPDIR; the access key id at most shortened.
@Suite struct SecretsTests {
    /// A temporary HOME, working directory and TMPDIR under one root, searched after the run.
    struct Sandbox {
        let root: URL
        var home: URL { root.appendingPathComponent("home") }
        var work: URL { root.appendingPathComponent("work") }
        var credentialsFile: URL { home.appendingPathComponent(".aws/credentials") }

        init(project: URL? = nil) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("ecsh-secrets-\(UUID().uuidString)")
            for dir in ["home/.aws", "tmp"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
            }
            if let project {
                try FileManager.default.copyItem(at: project, to: work)
            } else {
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            }
        }

        /// The environment that sends the AWS CLI's chain to this HOME and nowhere else.
        func environment(_ extra: [String: String]) -> [String: String] {
            ["HOME": home.path, "TMPDIR": root.appendingPathComponent("tmp").path + "/",
             "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
             "AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_REGION": "us-east-1",
             "AWS_DEFAULT_REGION": "", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
             "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
             "AWS_CONTAINER_CREDENTIALS_FULL_URI": ""].merging(extra) { $1 }
        }

        func run(_ args: [String], environment extra: [String: String]) throws -> Binary.Result {
            try Binary.run(args, in: work, environment: environment(extra))
        }

        /// Every regular file under the root but the credentials file, by path.
        func files() throws -> [(String, String)] {
            guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
            return try e.compactMap { $0 as? URL }.filter {
                try $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true && $0.path != credentialsFile.path
            }.map { ($0.path, String(decoding: try Data(contentsOf: $0), as: UTF8.self)) }
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// Where any of `secrets` shows up in the run's output or files.
    static func leaks(_ r: Binary.Result, _ sandbox: Sandbox, secrets: [String]) throws -> [String] {
        let texts = [("stdout", r.stdout), ("stderr", r.stderr)] + (try sandbox.files())
        return texts.flatMap { name, text in secrets.filter { text.contains($0) }.map { "\(name) holds \($0)" } }
    }

    /// The signatures of every request the proxy saw, from their Authorization headers.
    static func signatures(_ proxy: FaultProxy) -> [String] {
        proxy.log.compactMap { e in
            e.request.header("Authorization")?.components(separatedBy: "Signature=").last.map { String($0.prefix(64)) }
        }
    }

    @Test func debugAgainstMotoWithKeysFromTheCredentialsFile() async throws {
        let project = try await MotoProject()
        defer { project.remove() }
        let proxy = try FaultProxy(upstream: try #require(URL(string: project.moto.endpoint)),
                                   plan: .on("RunTask", [1: .unavailable]) + .on("DescribeTasks", [1: .drop]))
        let sandbox = try Sandbox(project: project.dir)
        defer { sandbox.remove() }
        let secret = project.moto.secret, keyID = project.moto.keyID
        try "[default]\naws_access_key_id = \(keyID)\naws_secret_access_key = \(secret)\n"
            .write(to: sandbox.credentialsFile, atomically: true, encoding: .utf8)
        let script = """
            config()
            let done = wait(run(register(), count: 2))
            print(len(done), done[0].lastStatus)
            try { taskdef("absent-family") } catch e { print(e.code) }
            """
        let r = try sandbox.run(["--debug", "--endpoint-url", proxy.endpoint, "-e", script], environment: [:])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "2 STOPPED\nClientException\n")

        // The search can find what it looks for, and there was traffic to look at.
        #expect(try String(contentsOf: sandbox.credentialsFile, encoding: .utf8).contains(secret))
        #expect(r.stderr.contains("X-Amz-Target: AmazonEC2ContainerServiceV20141113.RunTask"))
        #expect(r.stderr.contains("Credential=\(keyID.prefix(4))****"), "the key id, shortened")
        let signatures = Self.signatures(proxy)
        #expect(signatures.count >= 8 && signatures.allSatisfy { $0.count == 64 }, "\(signatures)")

        #expect(try Self.leaks(r, sandbox, secrets: [secret, keyID] + signatures) == [])
    }

    @Test func debugWithASessionTokenShowsNoTokenKeyOrSignature() throws {
        // The proxy answers by itself: moto refuses a made-up session token.
        let proxy = try FaultProxy(upstream: try #require(URL(string: "http://127.0.0.1:9")),
                                   plan: .on("DescribeTaskDefinition", [1: .unavailable])
                                       + FaultPlan { _ in .answer(status: 400, type: "ClientException") })
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let keyID = "AKIAFAKESECRETSTEST1", secret = "fAkE/sEcReT+kEy/0123456789abcdefGHIJKLmn"
        let token = "FQoGZXIvYXdzEXAMPLE//session+token/" + String(repeating: "Zm9v", count: 40)
        let r = try sandbox.run(["--debug", "--endpoint-url", proxy.endpoint, "-e",
                                 #"try { taskdef("x") } catch e { print(e.code) }"#],
                                environment: ["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token])
        #expect(r.stdout == "ClientException\n", "\(r.stderr)")
        #expect(r.status == 0)
        #expect(proxy.log.count == 2 && proxy.log.allSatisfy { $0.request.header("X-Amz-Security-Token") == token },
                "the token was sent, twice")
        #expect(r.stderr.contains("X-Amz-Security-Token: ****"))
        let signatures = Self.signatures(proxy)
        #expect(signatures.count == 2)
        #expect(try Self.leaks(r, sandbox, secrets: [secret, token, keyID] + signatures) == [])
    }

    @Test func aRejectedSignatureShowsNoSecret() async throws {
        let project = try await MotoProject()
        defer { project.remove() }
        let proxy = try FaultProxy(upstream: try #require(URL(string: project.moto.endpoint)))
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let wrong = "wRoNg/secret+key/0123456789ABCDEFghijklm"
        let r = try sandbox.run(["--debug", "--endpoint-url", proxy.endpoint, "-e", #"taskdef("x")"#],
                                environment: ["AWS_ACCESS_KEY_ID": project.moto.keyID, "AWS_SECRET_ACCESS_KEY": wrong])
        #expect(r.status == 1)
        #expect(r.stderr.contains("SignatureDoesNotMatch"), "\(r.stderr)")
        let signatures = Self.signatures(proxy)
        #expect(!signatures.isEmpty)
        #expect(try Self.leaks(r, sandbox, secrets: [wrong, project.moto.keyID] + signatures) == [])
    }

    @Test func dryRunMasksCredentialsPassedToAContainer() throws {
        let proxy = try FaultProxy(upstream: try #require(URL(string: "http://127.0.0.1:9")),
                                   plan: FaultPlan { _ in .answer(status: 400, type: "ClientException") })
        let sandbox = try Sandbox(project: Binary.packageRoot.appendingPathComponent("Tests/Golden/ecs/files"))
        defer { sandbox.remove() }
        let keyID = "AKIAFAKEDRYRUNTEST01", secret = "dRy/RuN+sEcReT/0123456789abcdefGHIJKLmn"
        let token = "IQoJb3JpZ2luX2VjEXAMPLE//dry+run/" + String(repeating: "YmFy", count: 40)
        let script = """
            config()
            let t = run(register(), clientToken: "dry-1", overrides: overrides(container: "app",
                        env: {AWS_ACCESS_KEY_ID: env("AWS_ACCESS_KEY_ID"), AWS_SECRET_ACCESS_KEY: env("AWS_SECRET_ACCESS_KEY"),
                              AWS_SESSION_TOKEN: env("AWS_SESSION_TOKEN")}))
            print(wait(t).lastStatus)
            try { taskdef("other") } catch e { print(e.code) }
            """
        let r = try sandbox.run(["--dry-run", "--debug", "--endpoint-url", proxy.endpoint, "-e", script],
                                environment: ["AWS_ACCESS_KEY_ID": keyID, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("dry-run: RunTask {"), "the request was printed: \(r.stdout)")
        #expect(r.stdout.contains(#"{"name":"AWS_SECRET_ACCESS_KEY","value":"****"}"#))
        #expect(r.stdout.hasSuffix("DRY_RUN\nClientException\n"), "a read is still sent, signed: \(r.stdout)")
        #expect(proxy.log.map(\.operation) == ["DescribeTaskDefinition"])
        #expect(proxy.log.first?.request.header("X-Amz-Security-Token") == token)
        let signatures = Self.signatures(proxy)
        #expect(signatures.count == 1)
        #expect(try Self.leaks(r, sandbox, secrets: [secret, token] + signatures) == [])
    }
}
}
