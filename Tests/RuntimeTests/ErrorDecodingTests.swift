import Foundation
import Testing
@testable import Runtime

@Suite struct ErrorDecodingTests {
    func decode(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> AWSError? {
        ErrorDecoding.decode(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)), service: .ecs, operation: "RunTask")
    }

    @Test func successIsNoError() {
        #expect(decode(200, "{}") == nil)
        #expect(decode(299, "") == nil)
    }

    @Test func jsonTypeWithNamespaceAndSuffix() throws {
        let e = try #require(decode(400, #"{"__type":"com.amazonaws.ecs#ClusterNotFoundException:http://internal.amazon.com/","message":"Cluster not found."}"#,
                                    headers: [(name: "x-amzn-RequestId", value: "abc-123")]))
        #expect(e.code == "ClusterNotFoundException")
        #expect(e.message == "Cluster not found.")
        #expect(e.status == 400)
        #expect(e.requestID == "abc-123")
        #expect(e.fields.isEmpty)
        #expect(e.operation == "RunTask")
        #expect(e.description == "RunTask: ClusterNotFoundException: Cluster not found. (HTTP 400, request id abc-123)")
    }

    @Test func codeFromHeaderThenBodyCode() throws {
        let fromHeader = try #require(decode(400, #"{"Message":"bad"}"#,
                                             headers: [(name: "X-Amzn-Errortype", value: "ValidationException:http://x/")]))
        #expect(fromHeader.code == "ValidationException")
        #expect(fromHeader.message == "bad")
        let fromBody = try #require(decode(400, #"{"code":"InvalidParameterException","message":"m"}"#))
        #expect(fromBody.code == "InvalidParameterException")
        #expect(fromBody.fields.isEmpty)
    }

    @Test func otherFieldsAsJSONText() throws {
        let e = try #require(decode(400, #"{"__type":"ConflictException","message":"m","resourceIds":["arn:aws:ecs:us-east-1:1:task/c/1"],"reason":"x","n":3}"#))
        #expect(e.fields["resourceIds"] == #"["arn:aws:ecs:us-east-1:1:task/c/1"]"#)
        #expect(e.fields["reason"] == #""x""#)
        #expect(e.fields["n"] == "3")
        #expect(e.fields["message"] == nil)
        #expect(e.fields["__type"] == nil)
    }

    @Test func xmlErrorResponse() throws {
        let body = """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>
          <Message>The request signature we calculated does not match &amp; so on</Message></Error>
          <RequestId>4e8b-xml</RequestId>
        </ErrorResponse>
        """
        let e = try #require(decode(403, body))
        #expect(e.code == "SignatureDoesNotMatch")
        #expect(e.message == "The request signature we calculated does not match & so on")
        #expect(e.requestID == "4e8b-xml")
        #expect(e.status == 403)
    }

    @Test func bareXmlError() throws {
        let e = try #require(decode(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
                                    headers: [(name: "x-amz-request-id", value: "hdr")]))
        #expect(e.code == "AccessDenied")
        #expect(e.requestID == "hdr")
    }

    @Test func unparseableBody() throws {
        let html = "<html><body>" + String(repeating: "Bad Gateway ", count: 40) + "</body></html>"
        let e = try #require(decode(502, html))
        #expect(e.code == "HTTP 502")
        #expect(e.message.hasPrefix("<html><body>Bad Gateway"))
        #expect(e.message.count <= 203)
        let empty = try #require(decode(503, ""))
        #expect(empty.code == "HTTP 503")
        #expect(empty.message == "")
    }

    @Test func shortCode() {
        #expect(ErrorDecoding.shortCode("aws.protocoltests#FooError:http://internal.amazon.com/coral/") == "FooError")
        #expect(ErrorDecoding.shortCode("ThrottlingException") == "ThrottlingException")
        #expect(ErrorDecoding.shortCode("a#b#C") == "C")
    }
}
