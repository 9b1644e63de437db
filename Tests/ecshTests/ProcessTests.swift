import Testing

/// Every suite of this target runs ecsh (or tmux) as a child process and waits for it,
/// which blocks the thread the test runs on: a thread of Swift's concurrency pool, which
/// has one thread a core. Nested here (each file's suites in an `extension ProcessTests`),
/// they run one at a time, so on a 2-core machine they never hold both threads and the
/// async tests of the other targets (local tasks, pollers, waits) keep running.
@Suite(.serialized) enum ProcessTests {}
