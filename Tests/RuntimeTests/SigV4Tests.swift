import Foundation
import Testing
@testable import Runtime

/// botocore's known answers for the request the issue describes.
@Suite struct SigV4Tests {
    let body = #"{"cluster": "default", "tasks": ["arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef"]}"#

    func signature(token: String?) throws -> (String, HTTPRequest) {
        let url = try #require(URL(string: "https://ecs.us-east-1.amazonaws.com/"))
        let request = HTTPRequest(url: url, headers: [
            (name: "Content-Type", value: "application/x-amz-json-1.1"),
            (name: "X-Amz-Target", value: "AmazonEC2ContainerServiceV20141113.DescribeTasks"),
        ], body: Array(body.utf8))
        let creds = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                   sessionToken: token)
        // 2024-01-02T03:04:05Z
        let date = Date(timeIntervalSince1970: 1_704_164_645)
        let signed = SigV4(region: "us-east-1", service: "ecs").sign(request, credentials: creds, date: date)
        let auth = try #require(signed.header("Authorization"))
        let sig = try #require(auth.components(separatedBy: "Signature=").last)
        return (sig, signed)
    }

    @Test func knownAnswerWithoutToken() throws {
        let (sig, signed) = try signature(token: nil)
        #expect(sig == "197a991a494ccefa7b267c8b69a2055b5fc0c60711a77ab9a70728e0943717e4")
        #expect(signed.header("X-Amz-Date") == "20240102T030405Z")
        #expect(signed.header("Authorization")?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target,") == true)
    }

    @Test func knownAnswerWithSessionToken() throws {
        let (sig, signed) = try signature(token: "FQoGZXIvYXdzEXAMPLETOKEN")
        #expect(sig == "679773e6acd5d560c671a69ded263644cec6f5be0545bf6c999b29c941744bba")
        #expect(signed.header("X-Amz-Security-Token") == "FQoGZXIvYXdzEXAMPLETOKEN")
    }

    @Test func hostCarriesANonDefaultPort() throws {
        #expect(SigV4.hostHeader(try #require(URL(string: "http://127.0.0.1:5000/"))) == "127.0.0.1:5000")
        #expect(SigV4.hostHeader(try #require(URL(string: "https://ecs.us-east-1.amazonaws.com:443/"))) == "ecs.us-east-1.amazonaws.com")
    }

    @Test func resigningReplacesTheOldSignature() throws {
        let (_, signed) = try signature(token: "T")
        let again = SigV4(region: "us-east-1", service: "ecs").sign(signed, credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: "B"))
        #expect(again.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        #expect(again.header("X-Amz-Security-Token") == nil)
    }
}
