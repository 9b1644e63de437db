import Foundation
import Lang
import Testing
@testable import Runtime

/// The runtime's JSON against the script language's: the same text, and a size that is
/// the wire's.
@Suite struct JSONValueTests {
    static let tricky = #"{"b":[1,2.5,-3,true,false,null],"a":"q\"uo\\te\n\t\r\u0001\u001f é ☃ </>&","z":{"y":{},"x":[]}}"#

    @Test func textIsWhatJsonWritesInTheSameOrder() throws {
        let value = try JSON.decode(Self.tricky)
        #expect(try JSONValue(script: value).text == JSON.encode(value))
    }

    @Test func scriptValuesBecomeJSONAsJsonWritesThem() throws {
        let value: Value = .map(["d": .duration(90_000_000_000), "n": .nil])
        #expect(try JSONValue(script: value).text == JSON.encode(value))
        #expect(throws: ScriptError.self) { try JSONValue(script: .float(.infinity)) }
    }

    @Test func valuesComeBackAsTheyWent() throws {
        let value = try JSON.decode(Self.tricky)
        #expect(Value.equal(Value(json: try JSONValue(script: value)), value))
    }

    @Test(arguments: [
        #"{"containerOverrides":[{"name":"app","command":["a\"b","\\","\b\f\u0002","é☃"],"environment":[{"name":"K","value":"</>"}]}],"cpu":"512"}"#,
        #"{"containerOverrides":[{"name":"app","memory":512,"cpu":null}],"taskRoleArn":"arn:aws:iam::1:role/x"}"#,
    ])
    func wireLengthIsTheLengthOfTheEncodedShape(_ text: String) throws {
        let json = try JSONValue(script: JSON.decode(text))
        let shape = try ShapeDecoding.decode(TaskOverride.self, json, argument: "overrides")
        #expect(json.wireLength == (try WireJSON.encode(shape)).count)
    }
}
