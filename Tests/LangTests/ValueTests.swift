import Testing
@testable import Lang

struct ValueTests {
    @Test func durationsPrintAsTheyAreWritten() {
        #expect(formatDuration(5_400_000_000_000) == "1h30m")
        #expect(formatDuration(500_000_000) == "500ms")
        #expect(formatDuration(90_000_000_000) == "1m30s")
        #expect(formatDuration(0) == "0s")
        #expect(formatDuration(-2_000_000_000) == "-2s")
    }

    @Test func strAndRepr() {
        let v = Value.list([.string("a\"b"), .int(1), .nil, .float(2.5), .bool(true)])
        #expect(v.text == #"["a\"b", 1, nil, 2.5, true]"#)
        #expect(Value.string("x").text == "x")
        #expect(Value.string("x\n").repr == #""x\n""#)
    }

    @Test func deepEquality() {
        let a = Value.map(["k": .list([.int(1), .float(2)])])
        let b = Value.map(["k": .list([.float(1), .int(2)])])
        #expect(Value.equal(a, b))
        #expect(!Value.equal(a, .map(["k": .list([.int(1)])])))
    }

    @Test func jsonRoundTripKeepsOrder() throws {
        let v = try JSON.decode(#"{"z": 1, "a": [true, null, 2.5, "s\u00e9"], "m": {}}"#)
        #expect(try JSON.encode(v) == #"{"z":1,"a":[true,null,2.5,"sé"],"m":{}}"#)
        #expect(throws: JSONError.self) { try JSON.decode("{\"a\": }") }
        do {
            _ = try JSON.decode("[1,\n 2,\n x]")
            Issue.record("bad JSON accepted")
        } catch let e as JSONError {
            #expect(e.line == 3 && e.column == 2)
        } catch { Issue.record("wrong error \(error)") }
    }
}
