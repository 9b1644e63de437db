import Foundation
import Lang
import Testing
@testable import Runtime

@Suite struct TaskDefinitionFileTests {
    func loadError(_ path: String, _ environment: [String: String] = [:], extStr: [String: String] = [:],
                   jsonnet: Jsonnet = Jsonnet()) -> ConfigError? {
        do {
            _ = try TaskDefinitionFile.load(path: path, environment: environment, extStr: extStr, jsonnet: jsonnet, files: SystemHost())
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    func field(_ value: Value, _ key: String) -> Value? {
        guard case .map(let m) = value else { return nil }
        return m.entries[key]
    }

    @Test func bareDefinitionKeepsEveryFieldInOrder() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.json", """
            {
              "family": "app",
              "cpu": "256",
              "someFutureField": {"x": [1, 2.5, null]},
              "containerDefinitions": [
                {"name": "web", "image": "{{ must_env `IMAGE` }}", "essential": true, "memory": 64},
                {"name": "sidecar", "image": "{{ env `SIDECAR` `busybox` | json_escape }}", "memory": 64}
              ]
            }
            """)
        let td = try TaskDefinitionFile.load(path: path, environment: ["IMAGE": "nginx:1.27"])
        #expect(try JSON.encode(td) == #"{"family":"app","cpu":"256","someFutureField":{"x":[1,2.5,null]},"#
            + #""containerDefinitions":[{"name":"web","image":"nginx:1.27","essential":true,"memory":64},{"name":"sidecar","image":"busybox","memory":64}]}"#)
        #expect(TaskDefinitionFile.containerNames(td) == ["web", "sidecar"])
    }

    @Test func describeOutputIsUnwrappedAndResponseFieldsDropped() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("described.json", """
            {
              "taskDefinition": {
                "taskDefinitionArn": "arn:aws:ecs:us-east-1:123456789012:task-definition/app:7",
                "containerDefinitions": [{"name": "web", "image": "nginx"}],
                "family": "app",
                "cpu": "256",
                "memory": "512",
                "revision": 7,
                "status": "ACTIVE",
                "requiresAttributes": [{"name": "com.amazonaws.ecs.capability.docker-remote-api.1.18"}],
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "registeredAt": "2024-01-01T00:00:00Z",
                "registeredBy": "arn:aws:iam::123456789012:root",
                "deregisteredAt": "2024-02-01T00:00:00Z",
                "networkMode": "awsvpc"
              },
              "tags": [{"key": "team", "value": "a"}]
            }
            """)
        let td = try TaskDefinitionFile.load(path: path, environment: [:])
        guard case .map(let m) = td else {
            Issue.record("not a map: \(td)")
            return
        }
        #expect(Array(m.entries.keys) == ["containerDefinitions", "family", "cpu", "memory", "requiresCompatibilities", "networkMode", "tags"])
        #expect(try JSON.encode(m.entries["tags"] ?? .nil) == #"[{"key":"team","value":"a"}]"#)
    }

    @Test func tagsInsideTheDefinitionWin() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("d.json", #"""
            {"taskDefinition": {"family": "f", "containerDefinitions": [{"name": "c", "image": "i", "memory": 64}], "tags": [{"key": "in", "value": "1"}]},
             "tags": [{"key": "out", "value": "2"}]}
            """#)
        let td = try TaskDefinitionFile.load(path: path, environment: [:])
        #expect(try JSON.encode(field(td, "tags") ?? .nil) == #"[{"key":"in","value":"1"}]"#)
    }

    @Test func malformedJSONHasFileLineAndColumn() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.json", "{\n  \"family\": \"app\",\n  \"cpu\": 256,,\n}\n")
        let error = try #require(loadError(path))
        #expect(error.file == path)
        #expect(error.line == 3)
        #expect(error.column == 14)
        #expect(error.message.contains("JSON"))
    }

    @Test func missingFamilyIsReported() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.json", "{\n  \"containerDefinitions\": [{\"name\": \"web\"}]\n}\n")
        let error = try #require(loadError(path))
        #expect(error.file == path)
        #expect(error.line == 1 && error.column == 1)
        #expect(error.message.contains("family"))

        let wrongType = try dir.write("w.json", "{\"family\": 3, \"containerDefinitions\": [{\"name\": \"web\"}]}")
        #expect(loadError(wrongType)?.message == "family must be a string, not an Int")
    }

    @Test func containerWithoutNameNamesItsPath() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.json", """
            {
              "family": "app",
              "containerDefinitions": [
                {"name": "web", "image": "busybox", "memory": 64},
                {"image": "busybox"}
              ]
            }
            """)
        let error = try #require(loadError(path))
        #expect(error.file == path)
        #expect(error.line == 5 && error.column == 5)
        #expect(error.message.contains("containerDefinitions[1]"))
        #expect(error.message.contains("name"))

        let wrapped = try dir.write("wrapped.json", """
            {"taskDefinition": {"family": "app",
              "containerDefinitions": [{"name": 42}]}}
            """)
        let second = try #require(loadError(wrapped))
        #expect(second.message == "taskDefinition.containerDefinitions[0].name must be a string, not an Int")
        #expect(second.line == 2 && second.column == 29)
    }

    @Test func containerListShapeIsChecked() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let none = try dir.write("a.json", #"{"family": "f"}"#)
        #expect(loadError(none)?.message.contains("containerDefinitions") == true)
        let empty = try dir.write("b.json", #"{"family": "f", "containerDefinitions": []}"#)
        #expect(loadError(empty)?.message.contains("empty") == true)
        let notObject = try dir.write("c.json", #"{"family": "f", "containerDefinitions": ["web"]}"#)
        #expect(loadError(notObject)?.message == "containerDefinitions[0] must be an object, not a String")
        let notMap = try dir.write("d.json", "[1]")
        #expect(loadError(notMap)?.message.contains("JSON object") == true)
    }

    @Test func containerNamesOfOddValues() {
        #expect(TaskDefinitionFile.containerNames(.nil).isEmpty)
        let td = Value.map(["containerDefinitions": .list([.map(["name": .string("a")]), .int(1), .map(["name": .int(2)])])])
        #expect(TaskDefinitionFile.containerNames(td) == ["a"])
    }

    // MARK: - Jsonnet

    @Test func jsonnetWithExtVarImportAndTemplate() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        try dir.write("lib/common.libsonnet", """
            {
              container(name, image):: { name: name, image: image, essential: true },
            }
            """)
        try dir.write("lib/defaults.libsonnet", "{ cpu: '256', memory: '512' }\n")
        let path = try dir.write("lib/td.jsonnet", """
            local common = import 'common.libsonnet';
            local defaults = import './defaults.libsonnet';
            defaults + {
              family: 'app-' + std.extVar('env'),
              containerDefinitions: [
                common.container('web', 'nginx:' + std.extVar('tag')),
                common.container('log', '{{ must_env `LOG_IMAGE` }}'),
              ],
            }
            """)
        let td = try TaskDefinitionFile.load(path: path, environment: ["LOG_IMAGE": "fluent-bit:3"],
                                             extStr: ["tag": "1.27", "env": "prod"])
        #expect(try JSON.encode(td) == #"{"containerDefinitions":[{"essential":true,"image":"nginx:1.27","name":"web"},"#
            + #"{"essential":true,"image":"fluent-bit:3","name":"log"}],"cpu":"256","family":"app-prod","memory":"512"}"#)
    }

    @Test func jsonnetSyntaxErrorCarriesItsLocation() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.jsonnet", "{\n  family: 'x'\n  containerDefinitions: [],\n}\n")
        let error = try #require(loadError(path))
        #expect(error.file == path)
        #expect(error.line == 3 && error.column == 3)
        #expect(error.message.hasPrefix("jsonnet: "))
    }

    @Test func jsonnetRuntimeErrorInAnImportPointsAtTheImport() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let lib = try dir.write("broken.libsonnet", "{\n  x: error 'boom',\n}\n")
        let path = try dir.write("td.jsonnet", "local b = import 'broken.libsonnet';\n{ family: b.x }\n")
        let error = try #require(loadError(path))
        #expect(error.file == lib)
        #expect(error.line == 2 && error.column == 6)
        #expect(error.message.contains("boom"))
    }

    @Test func jsonnetMissingExtVarAndMissingTemplateVariable() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.jsonnet", "{ family: std.extVar('tag') }\n")
        #expect(loadError(path)?.message.contains("undefined external variable: tag") == true)
        let templated = try dir.write("t.jsonnet", "{ family: '{{ must_env `FAMILY` }}' }\n")
        let error = try #require(loadError(templated))
        #expect(error.file == templated && error.line == nil)
        #expect(error.message.contains("FAMILY"))
    }

    @Test func missingJsonnetProgramSaysHowToInstall() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.jsonnet", "{}")
        let error = try #require(loadError(path, jsonnet: Jsonnet(executable: "jsonnet", searchPath: dir.path)))
        #expect(error.file == path)
        #expect(error.message.contains("apt-get install jsonnet"))
    }

    @Test func jsonnetErrorLocationFormats() {
        let plain = Jsonnet.error(from: "STATIC ERROR: a/b.jsonnet:3:7: expected a comma\n", file: "x", status: 1)
        #expect(plain.file == "a/b.jsonnet" && plain.line == 3 && plain.column == 7)
        #expect(plain.message == "jsonnet: expected a comma")
        let range = Jsonnet.error(from: "STATIC ERROR: b.jsonnet:(4:5)-(6:1): unterminated\n", file: "x", status: 1)
        #expect(range.file == "b.jsonnet" && range.line == 4 && range.column == 5)
        let runtime = Jsonnet.error(from: "RUNTIME ERROR: boom\n\tc.jsonnet:2:6-18\tobject <anonymous>\n\tDuring manifestation\t\n",
                                    file: "x", status: 1)
        #expect(runtime.file == "c.jsonnet" && runtime.line == 2 && runtime.column == 6)
        #expect(runtime.message == "jsonnet: boom", "one line: the location is the trace's first frame")
        let bare = Jsonnet.error(from: "", file: "x", status: 3)
        #expect(bare.file == "x" && bare.line == nil && bare.message.contains("3"))
    }
}
