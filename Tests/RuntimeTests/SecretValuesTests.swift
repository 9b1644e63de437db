import Testing
@testable import Runtime

/// Masking by value: what a plugin decrypted is hidden wherever a body is printed.
@Suite struct SecretValuesTests {
    @Test func aKnownSecretIsMaskedAsWrittenAndAsJSONWritesIt() {
        let secret = "pa\"ss/wörd-\(Int.random(in: 1000...9999))"
        #expect(DebugLog.redactBody(Array("x \(secret) y".utf8)).contains(secret), "not known yet: shown")
        SecretValues.add(secret)
        let escaped = secret.replacingOccurrences(of: "\"", with: "\\\"")
        let body = #"{"a":"\#(escaped)","b":"\#(escaped.replacingOccurrences(of: "/", with: "\\/"))"} raw: \#(secret)"#
        let masked = DebugLog.redactBody(Array(body.utf8))
        #expect(masked == #"{"a":"****","b":"****"} raw: ****"#)
    }

    @Test func valuesTooShortToMeanAnythingAreNotMasked() {
        SecretValues.add("on")
        #expect(SecretValues.mask("turn it on") == "turn it on")
    }
}
