import Foundation
import Testing
@testable import Runtime
import TestSupport

@Suite struct CredentialRefreshTests {
    static let start = CredentialsDocument.parseTimestamp("2030-01-01T00:00:00Z")!

    /// A profile whose credential_process logs each run and expires at `expiration`.
    func makeHome(expiration: String) throws -> TestHome {
        let home = try TestHome()
        try home.write(".aws/config", "[default]\ncredential_process = echo ran >> '\(home.path)/runs'; "
                       + "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"S\", "
                       + "\"Expiration\": \"\(expiration)\"}'\n")
        return home
    }

    func runs(_ home: TestHome) -> Int {
        home.read("runs")?.split(separator: "\n").count ?? 0
    }

    @Test func credentialsAboutToExpireAreFetchedAgain() async throws {
        let home = try makeHome(expiration: "2030-01-01T00:01:00Z")
        defer { home.remove() }
        let chain = try home.chain(now: { Self.start })
        _ = try await chain.credentials()
        _ = try await chain.credentials()
        #expect(runs(home) == 2)
    }

    @Test func credentialsFarFromExpiryAreCached() async throws {
        let home = try makeHome(expiration: "2030-01-01T02:00:00Z")
        defer { home.remove() }
        let chain = try home.chain(now: { Self.start })
        let first = try await chain.credentials()
        _ = try await chain.credentials()
        #expect(runs(home) == 1)
        #expect(first.expiration == CredentialsDocument.parseTimestamp("2030-01-01T02:00:00Z"))
    }

    @Test func concurrentCallersShareOneFetch() async throws {
        let home = try makeHome(expiration: "2030-01-01T02:00:00Z")
        defer { home.remove() }
        let chain = try home.chain(now: { Self.start })
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await chain.credentials().accessKeyID } }
            for try await id in group { #expect(id == "A") }
        }
        #expect(runs(home) == 1)
    }

    @Test func clockMovingTowardsExpiryTriggersARefresh() async throws {
        let clock = Locked(Self.start)
        let fetches = Locked(0)
        let provider = RefreshingCredentials(now: { clock.withLock { $0 } }) {
            let n = fetches.withLock { n in n += 1; return n }
            return AWSCredentials(accessKeyID: "K\(n)", secretAccessKey: "S",
                                  expiration: Self.start.addingTimeInterval(3600))
        }
        #expect(try await provider.credentials().accessKeyID == "K1")
        clock.withLock { $0 = Self.start.addingTimeInterval(3600 - 301) }
        #expect(try await provider.credentials().accessKeyID == "K1")
        clock.withLock { $0 = Self.start.addingTimeInterval(3600 - 299) }
        #expect(try await provider.credentials().accessKeyID == "K2")
    }

    @Test func failedRefreshKeepsUnexpiredCredentials() async throws {
        let fetches = Locked(0)
        let provider = RefreshingCredentials(now: { Self.start }) {
            let n = fetches.withLock { n in n += 1; return n }
            if n > 1 { throw CredentialsError(.sourceFailed, "down") }
            return AWSCredentials(accessKeyID: "K1", secretAccessKey: "S", expiration: Self.start.addingTimeInterval(60))
        }
        #expect(try await provider.credentials().accessKeyID == "K1")
        #expect(try await provider.credentials().accessKeyID == "K1")
        #expect(fetches.withLock { $0 } == 2)
    }
}
