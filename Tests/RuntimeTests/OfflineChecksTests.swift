import Foundation
import Lang
import OrderedCollections
import Testing
@testable import Runtime

/// What `config()`, `register()` and `run()` would refuse, found with no session, no
/// backend and no network call.
@Suite struct OfflineChecksTests {
    static let app: TaskDefinitionDescription = {
        var td = TaskDefinitionDescription(family: "app")
        td.containerDefinitions = [ContainerDefinition(name: "app", essential: true), ContainerDefinition(name: "sidecar", essential: false)]
        return td
    }()

    static let fargate: TaskDefinitionDescription = {
        var td = app
        td.requiresCompatibilities = ["FARGATE"]
        td.networkMode = "awsvpc"
        return td
    }()

    func check(_ arguments: OrderedDictionary<String, Value>, unknown: Set<String> = [],
               definition: TaskDefinitionDescription = app, defaults: RunDefaults = RunDefaults()) -> ScriptError? {
        do {
            try OfflineChecks.run(arguments: arguments, unknown: unknown, definition: definition, defaults: defaults)
            return nil
        } catch {
            return error as? ScriptError
        }
    }

    @Test func aValidRunPasses() throws {
        #expect(check([:]) == nil)
        #expect(check(["overrides": try JSON.decode(#"{"containerOverrides":[{"name":"app","command":["x"]}]}"#),
                       "count": .int(3), "tags": .map(["team": .string("db")])]) == nil)
    }

    @Test func anOverrideForAContainerTheDefinitionLacks() throws {
        let e = check(["overrides": try JSON.decode(#"{"containerOverrides":[{"name":"ap"}]}"#)])
        #expect(e?.message == "run(): overrides name container 'ap', which task definition app does not have (it has app, sidecar)")
        #expect(e?.code == "ValueError")
    }

    @Test func overridesBuiltAsTheBuiltinBuildsThem() throws {
        let o = try OfflineChecks.overrides(arguments: ["container": .string("ap"), "command": .list([.string("migrate")])])
        #expect(try JSON.encode(o) == #"{"containerOverrides":[{"name":"ap","command":["migrate"]}]}"#)
        #expect(check(["overrides": o])?.message.contains("overrides name container 'ap'") == true)
        let typo = #expect(throws: ScriptError.self) {
            try OfflineChecks.overrides(arguments: ["containers": try JSON.decode(#"[{"name":"app","comand":["x"]}]"#)])
        }
        #expect(typo?.message.contains("did you mean 'command'") == true, "\(typo?.message ?? "")")
        #expect(throws: ScriptError.self) { try OfflineChecks.overrides(arguments: ["command": .list([])]) }
        let unknown = #expect(throws: ScriptError.self) { try OfflineChecks.overrides(arguments: ["contianer": .string("app")]) }
        #expect(unknown?.code == "TypeError")
    }

    @Test func fargateWithoutANetworkConfiguration() throws {
        #expect(check([:], definition: Self.fargate)?.message.contains("FARGATE tasks need networkConfiguration") == true)
        #expect(check(["launchType": .string("FARGATE")])?.message.contains("FARGATE") == true)
        let network = try JSON.decode(#"{"awsvpcConfiguration":{"subnets":["s-1"]}}"#)
        #expect(check(["networkConfiguration": network], definition: Self.fargate) == nil)
        // From the config's service definition.
        var defaults = RunDefaults()
        defaults.parameters["networkConfiguration"] = try JSONValue(script: network)
        #expect(check([:], definition: Self.fargate, defaults: defaults) == nil)
        // Given, but not known before running: not reported.
        #expect(check([:], unknown: ["networkConfiguration"], definition: Self.fargate) == nil)
    }

    @Test func launchTypeWithCapacityProviderStrategy() throws {
        let strategy = try JSON.decode(#"[{"capacityProvider":"FARGATE_SPOT"}]"#)
        let e = check(["launchType": .string("EC2"), "capacityProviderStrategy": strategy])
        #expect(e?.message.contains("exclude each other") == true)
        #expect(check(["launchType": .string("EC2")], unknown: ["capacityProviderStrategy"])?.message.contains("exclude each other") == true)
        var defaults = RunDefaults()
        defaults.parameters["capacityProviderStrategy"] = try JSONValue(script: strategy)
        #expect(check(["launchType": .string("EC2")], defaults: defaults) == nil, "the explicit one wins over the config's")
    }

    @Test func countTagsAndOverridesSize() throws {
        #expect(check(["count": .int(0)])?.message.contains("'count' must be at least 1") == true)
        #expect(check(["count": .string("2")])?.code == "TypeError")
        #expect(check(["count": .int(0)], unknown: ["count"]) == nil)
        let tags = OrderedDictionary(uniqueKeysWithValues: (0..<51).map { ("k\($0)", Value.string("v")) })
        #expect(check(["tags": .map(tags)])?.message.contains("at most 50 tags") == true)
        #expect(check(["tags": .map(["aws:x": .string("v")])])?.message.contains("reserved") == true)
        let big = Value.string(String(repeating: "x", count: 9000))
        let overrides = Value.map(["containerOverrides": .list([.map(["name": .string("app"), "command": .list([big])])])])
        #expect(check(["overrides": overrides]) != nil)
        #expect(check(["clientToken": .string("t"), "count": .int(11)])?.message.contains("clientToken") == true)
    }

    @Test func unknownNestedFieldsGetADidYouMean() throws {
        let e = check(["networkConfiguration": try JSON.decode(#"{"awsvpcConfiguration":{"subnet":["s-1"]}}"#)])
        #expect(e?.message.contains("unknown field 'subnet' in networkConfiguration.awsvpcConfiguration (did you mean 'subnets'?)") == true,
                "\(e?.message ?? "no error")")
        let top = check(["overrides": try JSON.decode(#"{"containerOverride":[]}"#)])
        #expect(top?.message.contains("did you mean 'containerOverrides'") == true, "\(top?.message ?? "no error")")
    }

    @Test func watchNamesAContainer() {
        #expect(check(["watch": .string("db")])?.message.contains("watch: 'db' is not a container") == true)
        #expect(check(["watch": .string("sidecar")]) == nil)
    }

    @Test func anUnknownDefinitionChecksNoContainerNames() throws {
        #expect(check(["overrides": try JSON.decode(#"{"containerOverrides":[{"name":"ap"}]}"#)],
                      definition: TaskDefinitionDescription()) == nil)
    }

    @Test func theRequestIsTheOneASessionWouldSend() throws {
        var defaults = RunDefaults()
        defaults.cluster = "from-config"
        defaults.parameters["startedBy"] = .string("config")
        let plan = RunPlan(parameters: ["group": .string("g")])
        let (request, watch) = try plan.request(definition: Self.app, defaults: defaults, cluster: nil)
        #expect(request.cluster == "from-config")
        #expect(request.startedBy == "config")
        #expect(request.group == "g")
        #expect(watch == "app")
        #expect(try plan.request(definition: Self.app, defaults: defaults, cluster: "flag").0.cluster == "flag")
    }

    @Test func configAndTaskDefinitionFilesLoadWithoutASession() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        _ = try dir.write("td.json", #"{"family": "job", "containerDefinitions": [{"name": "main", "image": "{{ must_env `IMAGE` }}", "memory": 64}]}"#)
        _ = try dir.write("ecspresso.yml", "region: us-east-1\ncluster: c1\ntask_definition: td.json\n")
        var options = SessionOptions(environment: ["IMAGE": "busybox"], workingDirectory: dir.path)
        options.cluster = nil
        let config = try OfflineChecks.config("ecspresso.yml", options: options, files: SystemHost())
        #expect(config.cluster == "c1")
        let td = try #require(try OfflineChecks.taskDefinition(config: config, options: options, files: SystemHost()))
        #expect(td.family == "job")
        #expect(td.containerNames == ["main"])
        #expect(try OfflineChecks.taskDefinition(config: RunDefaults(), options: options, files: SystemHost()) == nil)

        let missing = #expect(throws: ConfigError.self) { try OfflineChecks.taskDefinition(file: "nope.json", options: options, files: SystemHost()) }
        #expect(missing?.message == "no such file")
        _ = try dir.write("bad.json", "{\n  \"family\": \"job\",\n  \"containerDefinitions\": [{\"name\": \"main\", \"image\": \"busybox\"}]\n}")
        let rule = #expect(throws: ConfigError.self) { try OfflineChecks.taskDefinition(file: "bad.json", options: options, files: SystemHost()) }
        #expect(rule?.line == 3)
        #expect(rule?.message.contains("needs \"memory\" or \"memoryReservation\"") == true)
    }

    @Test func aLiteralMapIsCheckedAsRegisterChecksIt() throws {
        let ok = try OfflineChecks.taskDefinition(map: try JSON.decode(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64}]}"#))
        #expect(ok.containerNames == ["a"])
        let e = #expect(throws: ScriptError.self) {
            try OfflineChecks.taskDefinition(map: try JSON.decode(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}"#))
        }
        #expect(e?.message.hasPrefix("register(): container 'a'") == true)
    }
}
