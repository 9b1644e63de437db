import Foundation
import Testing
@testable import Runtime

@Suite struct AWSSettingsTests {
    @Test func profileComesFromOptionThenEnvironmentThenDefault() throws {
        let home = try TestHome(config: "[profile a]\n[profile b]\n")
        defer { home.remove() }
        var env = home.environment
        #expect(try AWSSettings.resolve(options: .init(), environment: env).profile == "default")
        env["AWS_PROFILE"] = "b"
        let fromEnv = try AWSSettings.resolve(options: .init(), environment: env)
        #expect(fromEnv.profile == "b" && fromEnv.profileExplicit && !fromEnv.profileFromOption)
        let fromOption = try AWSSettings.resolve(options: .init(profile: "a"), environment: env)
        #expect(fromOption.profile == "a" && fromOption.profileFromOption)
    }

    @Test func explicitProfileMustExist() throws {
        let home = try TestHome(config: "[profile a]\n")
        defer { home.remove() }
        #expect {
            _ = try AWSSettings.resolve(options: .init(profile: "ghost"), environment: home.environment)
        } throws: { error in
            let text = "\(error)"
            return text.contains("profile 'ghost' not found") && text.contains(home.path + "/.aws/config")
                && text.contains(home.path + "/.aws/credentials")
        }
        var env = home.environment
        env["AWS_PROFILE"] = "default"
        #expect(throws: AWSSettings.ResolutionError.self) { _ = try AWSSettings.resolve(options: .init(), environment: env) }
        // The implicit default profile may be absent.
        #expect(try AWSSettings.resolve(options: .init(), environment: home.environment).region == nil)
    }

    /// ecspresso's order: the flag, then the config's region, then the environment, then the profile.
    @Test func regionOrder() throws {
        let home = try TestHome(config: "[default]\nregion = from-profile\n")
        defer { home.remove() }
        var env = home.environment
        func region(_ options: AWSOptions = .init(), fallback: String? = "from-yml") throws -> String? {
            try AWSSettings.resolve(options: options, environment: env, fallbackRegion: fallback).region
        }
        #expect(try region(fallback: nil) == "from-profile")
        #expect(try region() == "from-yml")
        env["AWS_DEFAULT_REGION"] = "from-default-env"
        #expect(try region(fallback: nil) == "from-default-env")
        env["AWS_REGION"] = "from-env"
        #expect(try region(fallback: nil) == "from-env")
        // The config's region wins over AWS_REGION, as in ecspresso.
        #expect(try region() == "from-yml")
        #expect(try region(.init(region: "from-flag")) == "from-flag")

        let bare = try TestHome()
        defer { bare.remove() }
        env = bare.environment
        #expect(try region() == "from-yml")
        #expect(try region(fallback: nil) == nil)
    }

    @Test func regionFromTheCredentialsFileToo() throws {
        let home = try TestHome(credentials: "[dev]\nregion = eu-north-1\n")
        defer { home.remove() }
        let settings = try AWSSettings.resolve(options: .init(profile: "dev"), environment: home.environment)
        #expect(settings.region == "eu-north-1")
    }

    @Test func filesFromEnvironment() throws {
        let home = try TestHome()
        defer { home.remove() }
        let config = try home.write("elsewhere/cfg", "[profile x]\nregion = sa-east-1\n")
        var env = home.environment
        env["AWS_CONFIG_FILE"] = config
        env["AWS_SHARED_CREDENTIALS_FILE"] = "~/elsewhere/creds"
        let settings = try AWSSettings.resolve(options: .init(profile: "x"), environment: env)
        #expect(settings.region == "sa-east-1")
        #expect(settings.configFilePath == config)
        #expect(settings.credentialsFilePath == home.path + "/elsewhere/creds")
    }

    @Test func endpointOrder() throws {
        let home = try TestHome(config: """
        [default]
        region = us-west-2
        endpoint_url = http://profile.example:1
        services = local
        [services local]
        ecs =
          endpoint_url = http://services-ecs.example:2
        """)
        defer { home.remove() }
        var env = home.environment
        var options = AWSOptions()
        func endpoint(_ service: AWSService) throws -> String {
            try AWSSettings.resolve(options: options, environment: env).endpoint(for: service).absoluteString
        }
        #expect(try endpoint(.ecs) == "http://services-ecs.example:2")
        #expect(try endpoint(.logs) == "http://profile.example:1")
        env["AWS_ENDPOINT_URL"] = "http://generic.example:3"
        #expect(try endpoint(.ecs) == "http://generic.example:3")
        env["AWS_ENDPOINT_URL_ECS"] = "http://env-ecs.example:4"
        env["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = "http://env-logs.example:5"
        #expect(try endpoint(.ecs) == "http://env-ecs.example:4")
        #expect(try endpoint(.logs) == "http://env-logs.example:5")
        #expect(try endpoint(.sts) == "http://generic.example:3")
        options.endpointURL = "http://flag.example:6"
        #expect(try endpoint(.ecs) == "http://flag.example:6")
        options.endpointURL = nil
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try endpoint(.ecs) == "https://ecs.us-west-2.amazonaws.com")
        #expect(try endpoint(.logs) == "https://logs.us-west-2.amazonaws.com")
        options.endpointURL = "http://flag.example:6"
        #expect(try endpoint(.ecs) == "http://flag.example:6")
    }

    @Test func defaultEndpointNeedsARegion() throws {
        let home = try TestHome()
        defer { home.remove() }
        let settings = try AWSSettings.resolve(options: .init(), environment: home.environment)
        #expect {
            _ = try settings.endpoint(for: .ecs)
        } throws: { error in
            "\(error)" == "no AWS region: pass --region, set AWS_REGION, or set region in profile default / ecspresso.yml"
        }
        let china = try AWSSettings.resolve(options: .init(region: "cn-north-1"), environment: home.environment)
        #expect(try china.endpoint(for: .ecs).absoluteString == "https://ecs.cn-north-1.amazonaws.com.cn")
    }

    @Test func badEndpointIsAnError() throws {
        let home = try TestHome()
        defer { home.remove() }
        var env = home.environment
        env["AWS_ENDPOINT_URL_ECS"] = "not a url"
        let settings = try AWSSettings.resolve(options: .init(region: "us-east-1"), environment: env)
        #expect { _ = try settings.endpoint(for: .ecs) } throws: { "\($0)".contains("AWS_ENDPOINT_URL_ECS") }
    }

    @Test func retryKnobs() throws {
        let home = try TestHome(config: "[default]\nretry_mode = adaptive\nmax_attempts = 7\n")
        defer { home.remove() }
        var env = home.environment
        var settings = try AWSSettings.resolve(options: .init(), environment: env)
        #expect(settings.retryMode == "adaptive" && settings.maxAttempts == "7")
        env["AWS_RETRY_MODE"] = "standard"
        env["AWS_MAX_ATTEMPTS"] = "2"
        settings = try AWSSettings.resolve(options: .init(), environment: env)
        #expect(settings.retryMode == "standard" && settings.maxAttempts == "2")
    }

    @Test func malformedConfigFailsResolution() throws {
        let home = try TestHome(config: "[default]\nregion us-east-1\n")
        defer { home.remove() }
        #expect {
            _ = try AWSSettings.resolve(options: .init(), environment: home.environment)
        } throws: { "\($0)".hasPrefix(home.path + "/.aws/config:2: ") }
    }
}
