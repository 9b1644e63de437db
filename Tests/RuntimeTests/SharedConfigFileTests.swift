import Foundation
import Testing
@testable import Runtime

@Suite struct SharedConfigFileTests {
    @Test func configSectionsCommentsAndKeys() throws {
        let text = """
        # a comment
        ; another comment
        [default]
        region = eu-west-1
          
        [profile dev]
          Region=us-east-2   
        AWS_Access_Key_ID =  AKIDDEV
        role_arn = arn:aws:iam::123456789012:role/x
        credential_process = sh -c 'a ; b # c'

        [sso-session corp]
        sso_region = us-east-1

        [not-a-profile]
        region = nowhere
        """
        let file = try SharedConfigFile(parsing: text, path: "/x/config", kind: .config)
        #expect(file.profiles["default"]?["region"] == "eu-west-1")
        #expect(file.profiles["dev"]?["region"] == "us-east-2")
        #expect(file.profiles["dev"]?["aws_access_key_id"] == "AKIDDEV")
        #expect(file.profiles["dev"]?["role_arn"] == "arn:aws:iam::123456789012:role/x")
        #expect(file.profiles["dev"]?["credential_process"] == "sh -c 'a ; b # c'")
        #expect(file.ssoSessions["corp"]?["sso_region"] == "us-east-1")
        #expect(file.profiles["not-a-profile"] == nil)
        #expect(Set(file.profiles.keys) == ["default", "dev"])
    }

    @Test func profileDefaultWinsOverDefault() throws {
        let text = """
        [profile default]
        region = us-west-1
        [default]
        region = ap-south-1
        """
        let file = try SharedConfigFile(parsing: text, path: "c", kind: .config)
        #expect(file.profiles["default"]?["region"] == "us-west-1")
    }

    @Test func credentialsFileNamesProfilesWithoutPrefix() throws {
        let text = "[default]\naws_access_key_id = A\n[profile x]\naws_access_key_id = B\r\n[dev]\naws_access_key_id = C\n"
        let file = try SharedConfigFile(parsing: text, path: "c", kind: .credentials)
        #expect(file.profiles["default"]?["aws_access_key_id"] == "A")
        #expect(file.profiles["profile x"]?["aws_access_key_id"] == "B")
        #expect(file.profiles["dev"]?["aws_access_key_id"] == "C")
    }

    @Test func servicesSectionHasNestedKeys() throws {
        let text = """
        [profile local]
        services = moto
        [services moto]
        ecs =
          endpoint_url = http://127.0.0.1:5000
        cloudwatch_logs =
          Endpoint_URL = http://127.0.0.1:5001
        """
        let file = try SharedConfigFile(parsing: text, path: "c", kind: .config)
        #expect(file.profiles["local"]?["services"] == "moto")
        #expect(file.services["moto"]?.nested["ecs"]?["endpoint_url"] == "http://127.0.0.1:5000")
        #expect(file.services["moto"]?.nested["cloudwatch_logs"]?["endpoint_url"] == "http://127.0.0.1:5001")
    }

    @Test func indentedLineContinuesAValue() throws {
        let text = "[default]\nca_bundle = first\n  second\n"
        let file = try SharedConfigFile(parsing: text, path: "c", kind: .config)
        #expect(file.profiles["default"]?["ca_bundle"] == "first\nsecond")
    }

    @Test(arguments: [
        ("[default]\nregion = x\nthis line is nonsense\n", 3),
        ("region = x\n[default]\n", 1),
        ("[default\nregion = x\n", 1),
        ("[default]\n= value\n", 2),
        ("[services s]\necs =\n  not a pair\n", 3),
    ])
    func malformedLineNamesPathAndLine(text: String, line: Int) throws {
        #expect {
            _ = try SharedConfigFile(parsing: text, path: "/home/u/.aws/config", kind: .config)
        } throws: { error in
            guard let error = error as? SharedConfigFile.ParseError else { return false }
            return error.line == line && error.path == "/home/u/.aws/config"
                && error.description.hasPrefix("/home/u/.aws/config:\(line): ")
        }
    }

    @Test func missingFileLoadsAsNil() throws {
        let file = try SharedConfigFile.load(path: "/nonexistent/\(UUID().uuidString)/config", kind: .config)
        #expect(file == nil)
    }
}
