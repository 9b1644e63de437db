import Foundation
import Testing

extension ProcessTests {

/// What a user installs: `scripts/install` into a prefix and the packages of
/// `scripts/package`, which `scripts/test` makes before the tests run (it sets
/// `ECSH_INSTALL_PREFIX`, `ECSH_DEB` and `ECSH_TARBALL`). Each is used with the tool a
/// user has: the shell, `man`, bash's completion, `dpkg`, `tar`.
struct PackageTests {
    static func env(_ name: String) -> String? {
        let v = ProcessInfo.processInfo.environment[name]
        return v?.isEmpty == false ? v : nil
    }

    /// Runs a command line through bash with a plain environment: no Swift toolchain on
    /// PATH, no library path, a fresh HOME.
    static func shell(_ script: String, home: String = NSTemporaryDirectory()) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        p.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": home, "MANWIDTH": "80",
                         "LANG": "C.UTF-8", "NO_COLOR": "1", "AWS_EC2_METADATA_DISABLED": "true"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static var toolchainDirectory: String {
        // .../usr/bin/swift -> the toolchain's root
        let swift = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map { "\($0)/swift" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return swift.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path } ?? "/opt/swift"
    }

    @Test func installedBinaryManPageAndCompletions() throws {
        let prefix = try #require(Self.env("ECSH_INSTALL_PREFIX"), "run through scripts/test, which installs into a prefix first")
        let bin = "\(prefix)/bin/ecsh"
        let run = try Self.shell("'\(bin)' -e 'print(1 + 1)'")
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out == "2\n")
        let ldd = try Self.shell("ldd '\(bin)'")
        #expect(!ldd.out.contains("libswift"), "the installed binary links the Swift runtime: \(ldd.out)")
        #expect(!ldd.out.contains(Self.toolchainDirectory), "the installed binary needs the toolchain: \(ldd.out)")
        let man = try Self.shell("man -l '\(prefix)/share/man/man1/ecsh.1' | col -b")
        #expect(man.status == 0, "\(man.err)")
        for section in ["ECSH(1)", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "FILES", "ENVIRONMENT", "--dry-run", "check"] {
            #expect(man.out.contains(section), "the man page lacks \(section)")
        }
        let completion = try Self.shell("source '\(prefix)/share/bash-completion/completions/ecsh' && complete -p ecsh")
        #expect(completion.status == 0, "\(completion.err)")
        #expect(completion.out.contains("ecsh"))
        for f in ["share/zsh/site-functions/_ecsh", "share/fish/vendor_completions.d/ecsh.fish", "share/doc/ecsh/LICENSE"] {
            #expect(FileManager.default.fileExists(atPath: "\(prefix)/\(f)"), "\(f) not installed")
        }
    }

    @Test func uninstallRemovesWhatInstallPut() throws {
        let prefix = try #require(Self.env("ECSH_INSTALL_PREFIX"))
        // A copy, so the other test's prefix stays whole.
        let copy = NSTemporaryDirectory() + "ecsh-uninstall-\(UUID().uuidString)"
        let cp = try Self.shell("cp -a '\(prefix)' '\(copy)' && mkdir -p '\(copy)/bin' && touch '\(copy)/bin/other-tool'")
        #expect(cp.status == 0, "\(cp.err)")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let script = Binary.packageRoot.appendingPathComponent("scripts/install").path
        let r = try Self.shell("'\(script)' --prefix '\(copy)' --uninstall")
        #expect(r.status == 0, "\(r.err)")
        let left = try Self.shell("cd '\(copy)' && find . -type f | sort")
        #expect(left.out == "./bin/other-tool\n", "left behind: \(left.out)")
    }

    @Test func debianPackageInstallsWithDpkgAndRuns() throws {
        let deb = try #require(Self.env("ECSH_DEB"), "run through scripts/test, which makes the packages first")
        let info = try Self.shell("dpkg-deb --field '\(deb)' Package Depends")
        #expect(info.out.contains("Package: ecsh"))
        #expect(info.out.contains("libreadline"), "the package must depend on GNU readline: \(info.out)")
        #expect(!info.out.contains("swift"), "the package must not need a Swift runtime: \(info.out)")
        let install = try Self.shell("dpkg -i '\(deb)'")
        #expect(install.status == 0, "dpkg -i: \(install.err)")
        defer { _ = try? Self.shell("dpkg -r ecsh") }
        let run = try Self.shell("/usr/bin/ecsh -e 'print(\"from the package\")'")
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out == "from the package\n")
        let man = try Self.shell("man ecsh | col -b | head -5")
        #expect(man.out.contains("ECSH(1)"), "man ecsh after dpkg -i: \(man.out) \(man.err)")
        let removed = try Self.shell("dpkg -r ecsh && test ! -e /usr/bin/ecsh")
        #expect(removed.status == 0, "dpkg -r: \(removed.err)")
    }

    @Test func tarballHoldsTheBinaryAndItsFiles() throws {
        let tarball = try #require(Self.env("ECSH_TARBALL"))
        let dir = NSTemporaryDirectory() + "ecsh-tar-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Self.shell("mkdir -p '\(dir)' && tar -C '\(dir)' -xzf '\(tarball)' && cd '\(dir)'/ecsh-* && find . -type f | sort && ./bin/ecsh -e 'print(3)'")
        #expect(r.status == 0, "\(r.err)")
        for f in ["./bin/ecsh", "./share/man/man1/ecsh.1", "./LICENSE", "./README.md", "./share/bash-completion/completions/ecsh"] {
            #expect(r.out.contains(f + "\n"), "the tarball lacks \(f)")
        }
        #expect(r.out.hasSuffix("3\n"))
        let name = URL(fileURLWithPath: tarball).lastPathComponent
        #expect(name.hasPrefix("ecsh-") && name.contains("-linux-") && name.hasSuffix(".tar.gz"), "\(name)")
    }
}
}
