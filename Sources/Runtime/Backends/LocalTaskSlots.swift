/// At most `limit` local tasks run at once; the others stay PENDING, first come first served.
actor LocalTaskSlots {
    private let limit: Int
    private var used = 0
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID = 0

    init(limit: Int) { self.limit = max(1, limit) }

    func acquire() async throws {
        if used < limit, waiting.isEmpty {
            used += 1
            return
        }
        let id = nextID
        nextID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                // Cancelled before we got here: the handler found nothing to cancel.
                if Task.isCancelled {
                    c.resume(throwing: CancellationError())
                } else {
                    waiting.append((id, c))
                }
            }
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    func release() {
        if waiting.isEmpty {
            used -= 1
        } else {
            // The slot passes straight to the next task.
            waiting.removeFirst().continuation.resume()
        }
    }

    private func cancel(_ id: Int) {
        guard let i = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: i).continuation.resume(throwing: CancellationError())
    }
}
