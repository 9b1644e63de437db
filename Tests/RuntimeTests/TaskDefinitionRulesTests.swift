import Foundation
import Lang
import Testing
@testable import Runtime

/// The rules of RegisterTaskDefinition, one by one, on decoded definitions.
@Suite struct TaskDefinitionRulesTests {
    func problems(_ json: String) throws -> [TaskDefinitionProblem] {
        TaskDefinitionRules.problems(try JSON.decode(json))
    }

    /// The one problem `json` has, or a failure naming all of them.
    func only(_ json: String) throws -> TaskDefinitionProblem? {
        let found = try problems(json)
        #expect(found.count == 1, "\(found)")
        return found.first
    }

    static let container = #"{"name":"app","image":"busybox","memory":128}"#

    @Test func aPlainDefinitionPasses() throws {
        #expect(try problems(#"{"family":"app","containerDefinitions":[\#(Self.container)]}"#).isEmpty)
        #expect(try problems(#"{"family":"a_b-C9","memory":"1 GB","containerDefinitions":[{"name":"x","image":"i"}]}"#).isEmpty)
    }

    @Test(arguments: ["my app", "app.v2", "ä", String(repeating: "a", count: 256), ""])
    func familyNamesAreLettersDigitsUnderscoresAndHyphens(_ family: String) throws {
        let p = try only(#"{"family":"\#(family)","containerDefinitions":[\#(Self.container)]}"#)
        #expect(p?.path == "family")
        #expect(p?.message.hasPrefix("family ") == true)
    }

    @Test func containerNamesFollowTheSameRuleAndAreUnique() throws {
        let bad = try only(#"{"family":"f","containerDefinitions":[{"name":"web app","image":"i","memory":64}]}"#)
        #expect(bad?.path == "containerDefinitions[0].name")
        let twice = try only(#"{"family":"f","containerDefinitions":[\#(Self.container),\#(Self.container)]}"#)
        #expect(twice?.path == "containerDefinitions[1].name")
        #expect(twice?.message.contains("names must be unique") == true)
    }

    @Test func everyContainerNeedsAnImage() throws {
        let missing = try only(#"{"family":"f","containerDefinitions":[{"name":"app","memory":64}]}"#)
        #expect(missing?.message == "container 'app' (containerDefinitions[0]) has no \"image\": every container needs one")
        let blank = try only(#"{"family":"f","containerDefinitions":[{"name":"app","image":" ","memory":64}]}"#)
        #expect(blank?.path == "containerDefinitions[0]")
    }

    @Test func atLeastOneContainerIsEssential() throws {
        let p = try only(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"essential":false}]}"#)
        #expect(p?.path == "containerDefinitions")
        #expect(p?.message.contains("essential") == true)
        // Leaving it out means essential.
        #expect(try problems(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"essential":false},{"name":"b","image":"i","memory":64}]}"#).isEmpty)
    }

    @Test func eachContainerNeedsMemoryOrMemoryReservationUnlessTheTaskHasMemory() throws {
        let p = try only(#"{"family":"hello","containerDefinitions":[{"name":"app","image":"busybox"}]}"#)
        #expect(p?.path == "containerDefinitions[0]")
        #expect(p?.message.contains("needs \"memory\" or \"memoryReservation\"") == true)
        #expect(try problems(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memoryReservation":64}]}"#).isEmpty)
        #expect(try problems(#"{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i"}]}"#).isEmpty)
    }

    @Test func memoryReservationIsAtMostMemoryAndTheTotalAtMostTheTasks() throws {
        let over = try only(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":128}]}"#)
        #expect(over?.path == "containerDefinitions[0].memoryReservation")
        #expect(try problems(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":64}]}"#).isEmpty)
        let total = try only(#"{"family":"f","memory":"512","containerDefinitions":[{"name":"a","image":"i","memory":300},{"name":"b","image":"i","memoryReservation":300}]}"#)
        #expect(total?.message.contains("600 MiB") == true)
        let tiny = try only(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":4}]}"#)
        #expect(tiny?.path == "containerDefinitions[0].memory")
        let zero = try only(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"memoryReservation":0}]}"#)
        #expect(zero?.message == "containerDefinitions[0].memoryReservation must be a positive whole number of MiB, not 0")
    }

    @Test func containerCPUIsUnitsWithinTheTasks() throws {
        let over = try only(#"{"family":"f","cpu":"256","containerDefinitions":[{"name":"a","image":"i","memory":64,"cpu":200},{"name":"b","image":"i","memory":64,"cpu":100}]}"#)
        #expect(over?.message == "the containers reserve 300 CPU units in all, more than the task's cpu (256)")
        #expect(try problems(#"{"family":"f","cpu":"256","containerDefinitions":[{"name":"a","image":"i","memory":64,"cpu":256}]}"#).isEmpty)
        let negative = try only(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i","memory":64,"cpu":-1}]}"#)
        #expect(negative?.path == "containerDefinitions[0].cpu")
    }

    @Test func networkModeAndCompatibilitiesTakeTheirEnums() throws {
        let mode = try only(#"{"family":"f","networkMode":"vpc","containerDefinitions":[\#(Self.container)]}"#)
        #expect(mode?.path == "networkMode")
        let compat = try only(#"{"family":"f","requiresCompatibilities":["EC3"],"containerDefinitions":[\#(Self.container)]}"#)
        #expect(compat?.path == "requiresCompatibilities[0]")
        let ports = try only(#"{"family":"f","networkMode":"none","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80}]}]}"#)
        #expect(ports?.path == "containerDefinitions[0].portMappings")
        let host = try only(#"{"family":"f","networkMode":"awsvpc","containerDefinitions":[{"name":"a","image":"i","memory":64,"portMappings":[{"containerPort":80,"hostPort":8080}]}]}"#)
        #expect(host?.path == "containerDefinitions[0].portMappings[0].hostPort")
    }

    @Test func fargateNeedsAwsvpcAndATaskSizeFromTheTable() throws {
        let base = #""family":"f","requiresCompatibilities":["FARGATE"],"containerDefinitions":[{"name":"a","image":"i"}]"#
        #expect(try problems(#"{\#(base),"networkMode":"awsvpc","cpu":"256","memory":"512"}"#).isEmpty)
        #expect(try problems(#"{\#(base),"networkMode":"awsvpc","cpu":"1 vCPU","memory":"2 GB"}"#).isEmpty)
        #expect(try problems(#"{\#(base),"networkMode":"awsvpc","cpu":"16384","memory":"122880"}"#).isEmpty)
        let bridge = try only(#"{\#(base),"networkMode":"bridge","cpu":"256","memory":"512"}"#)
        #expect(bridge?.path == "networkMode")
        let noMode = try only(#"{\#(base),"cpu":"256","memory":"512"}"#)
        #expect(noMode?.message.contains("awsvpc") == true)
        let noSize = try problems(#"{\#(base),"networkMode":"awsvpc"}"#)
        #expect(noSize.contains { $0.message.contains("task-level \"cpu\" and \"memory\"") })
        let pair = try only(#"{\#(base),"networkMode":"awsvpc","cpu":"256","memory":"4096"}"#)
        #expect(pair?.message == "FARGATE with cpu 256 takes memory 512, 1024, 2048 (MiB), not 4096")
        let step = try only(#"{\#(base),"networkMode":"awsvpc","cpu":"8192","memory":"18432"}"#)
        #expect(step?.message.contains("16384 to 61440 in steps of 4096") == true)
        let cpu = try only(#"{\#(base),"networkMode":"awsvpc","cpu":"300","memory":"512"}"#)
        #expect(cpu?.message.contains("not 300") == true)
        let pid = try only(#"{\#(base),"networkMode":"awsvpc","cpu":"256","memory":"512","pidMode":"host"}"#)
        #expect(pid?.path == "pidMode")
    }

    @Test func taskSizesAreNumbersOrUnits() throws {
        #expect(TaskDefinitionRules.parseSize("0.25 vCPU", unit: "vcpu") == 256)
        #expect(TaskDefinitionRules.parseSize("2GB", unit: "gb") == 2048)
        #expect(TaskDefinitionRules.parseSize("512", unit: "gb") == 512)
        #expect(TaskDefinitionRules.parseSize("lots", unit: "gb") == nil)
        let bad = try only(#"{"family":"f","cpu":"fast","containerDefinitions":[\#(Self.container)]}"#)
        #expect(bad?.path == "cpu")
    }

    @Test func structureProblemsComeFirstAndNameTheirPath() throws {
        #expect(try problems(#"{"containerDefinitions":[\#(Self.container)]}"#).first?.message.contains("no \"family\"") == true)
        #expect(try problems(#"{"family":"f"}"#).first?.message.contains("at least one container") == true)
        #expect(try problems(#"{"family":"f","containerDefinitions":[]}"#).first?.path == "containerDefinitions")
        #expect(try problems(#"{"family":"f","containerDefinitions":["x"]}"#).first?.message == "containerDefinitions[0] must be an object, not a String")
        #expect(TaskDefinitionRules.problems(.list([])).first?.message.contains("JSON object") == true)
    }

    @Test func aFileNamesTheLineOfTheBrokenRule() throws {
        let dir = try ConfigScratchDirectory()
        defer { dir.remove() }
        let path = try dir.write("td.json", """
            {
              "family": "hello",
              "containerDefinitions": [
                {"name": "app", "image": "busybox", "memory": 64},
                {"name": "log", "image": "busybox", "memory": 64, "memoryReservation": 128}
              ]
            }
            """)
        let error = #expect(throws: ConfigError.self) { try TaskDefinitionFile.load(path: path, environment: [:]) }
        #expect(error?.line == 5)
        #expect(error?.column == 55)
        #expect(error?.message.contains("memoryReservation (128) must not be more than memory (64)") == true)
    }

    @Test func registerRefusesInEveryBackendBeforeAnyCall() async throws {
        let backend = FakeBackend()
        let sink = SessionSink()
        let session = makeSession(backend: backend, sink: sink)
        let r = await runScript(#"register({family: "hello", containerDefinitions: [{name: "app", image: "busybox"}]})"#,
                                session: session, sink: sink)
        #expect(r.error?.contains("register(): container 'app' (containerDefinitions[0]) needs \"memory\" or \"memoryReservation\"") == true,
                "\(r.error ?? "")")
        #expect(backend.calls.isEmpty)
    }
}
