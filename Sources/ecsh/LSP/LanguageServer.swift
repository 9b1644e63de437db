import Foundation
import Lang
import Runtime

/// `ecsh lsp`: a Language Server over stdio. Diagnostics as the document is edited (what
/// `ecsh check` reports), completion (names, built-ins, named arguments, fields and
/// methods by type), hover, go to definition and document symbols. Documents are synced
/// whole on every change.
final class LanguageServer {
    private let connection: JSONRPCConnection
    private let interpreter: Interpreter
    private var documents: [String: [UInt8]] = [:]
    private var shutdownRequested = false

    init(connection: JSONRPCConnection) {
        self.connection = connection
        interpreter = Interpreter(host: SystemHost())
        // Checking makes no AWS call: a session that never gets a backend.
        let session = ECSSession(options: SessionOptions(), output: { _ in }) { _ in
            throw AWSSetupError("the language server does not call AWS")
        }
        ECSBuiltins.install(into: interpreter, session: session)
    }

    /// Serves until `exit` or the end of the input; the process's exit status.
    func serve() -> Int32 {
        while true {
            let message: [String: Any]
            do {
                message = try connection.read()
            } catch {
                return shutdownRequested ? 0 : 1
            }
            let method = message["method"] as? String
            let id = message["id"]
            let params = message["params"] as? [String: Any] ?? [:]
            if method == "exit" { return shutdownRequested ? 0 : 1 }
            guard let method else { continue }  // a response to nothing we asked
            if let id {
                let result = respond(to: method, params)
                switch result {
                case .success(let value): connection.send(["id": id, "result": value])
                case .failure(let e): connection.send(["id": id, "error": ["code": e.code, "message": e.message]])
                }
            } else {
                notice(method, params)
            }
        }
    }

    struct ResponseError: Error {
        let code: Int
        let message: String
    }

    private func respond(to method: String, _ params: [String: Any]) -> Result<Any, ResponseError> {
        switch method {
        case "initialize":
            return .success([
                "capabilities": [
                    "positionEncoding": "utf-16",
                    "textDocumentSync": ["openClose": true, "change": 1],
                    "completionProvider": ["triggerCharacters": [".", "("]],
                    "hoverProvider": true,
                    "definitionProvider": true,
                    "documentSymbolProvider": true,
                ] as [String: Any],
                "serverInfo": ["name": "ecsh", "version": Ecsh.version],
            ] as [String: Any])
        case "shutdown":
            shutdownRequested = true
            return .success(NSNull())
        case "textDocument/completion":
            guard let (analysis, offset) = place(params) else { return .success(NSNull()) }
            let items = analysis.completions(at: offset).map { c -> [String: Any] in
                var item: [String: Any] = ["label": c.label, "kind": Self.kind(c.kind)]
                if let d = c.detail { item["detail"] = d }
                return item
            }
            return .success(["isIncomplete": false, "items": items] as [String: Any])
        case "textDocument/hover":
            guard let (analysis, offset) = place(params), let text = analysis.hover(at: offset) else { return .success(NSNull()) }
            return .success(["contents": ["kind": "plaintext", "value": text]])
        case "textDocument/definition":
            guard let (analysis, offset) = place(params), let uri = Self.uri(params),
                  let range = analysis.definition(at: offset), let bytes = documents[uri] else { return .success(NSNull()) }
            return .success(["uri": uri, "range": Self.range(range.start, range.end, TextPositions(bytes))] as [String: Any])
        case "textDocument/documentSymbol":
            guard let uri = Self.uri(params), let bytes = documents[uri] else { return .success([Any]()) }
            let positions = TextPositions(bytes)
            return .success(analysis(uri, bytes).symbols().map { Self.symbol($0, positions) })
        default:
            return .failure(ResponseError(code: -32601, message: "method not found: \(method)"))
        }
    }

    private func notice(_ method: String, _ params: [String: Any]) {
        guard let uri = Self.uri(params) else { return }
        switch method {
        case "textDocument/didOpen":
            let text = (params["textDocument"] as? [String: Any])?["text"] as? String ?? ""
            documents[uri] = Array(text.utf8)
            publish(uri)
        case "textDocument/didChange":
            // Whole-document sync: the last change is the document.
            guard let changes = params["contentChanges"] as? [[String: Any]], let text = changes.last?["text"] as? String else { return }
            documents[uri] = Array(text.utf8)
            publish(uri)
        case "textDocument/didClose":
            documents[uri] = nil
            connection.send(["method": "textDocument/publishDiagnostics", "params": ["uri": uri, "diagnostics": [Any]()] as [String: Any]])
        default: break
        }
    }

    // MARK: documents

    private static func uri(_ params: [String: Any]) -> String? {
        (params["textDocument"] as? [String: Any])?["uri"] as? String
    }

    /// The name diagnostics and relative paths use: the file's path for file: URIs.
    private static func name(of uri: String) -> String {
        if let url = URL(string: uri), url.isFileURL { return url.path }
        return uri
    }

    private func analysis(_ uri: String, _ bytes: [UInt8]) -> DocumentAnalysis {
        DocumentAnalysis(interpreter: interpreter, file: SourceFile(name: Self.name(of: uri), bytes: bytes))
    }

    private func place(_ params: [String: Any]) -> (DocumentAnalysis, Int)? {
        guard let uri = Self.uri(params), let bytes = documents[uri], let p = params["position"] as? [String: Any],
              let line = p["line"] as? Int, let character = p["character"] as? Int else { return nil }
        return (analysis(uri, bytes), TextPositions(bytes).offset(line: line, character: character))
    }

    private func publish(_ uri: String) {
        guard let bytes = documents[uri] else { return }
        let a = analysis(uri, bytes)
        let positions = TextPositions(bytes)
        let items = a.diagnostics().map { d -> [String: Any] in
            var range = Self.range(0, 0, positions)
            var message = d.message
            if let r = d.range {
                if r.file.name == a.file.name {
                    range = Self.range(r.start, r.end, positions)
                } else {
                    // A problem in an imported file: shown at the top, naming where it is.
                    message = "\(r.description): \(d.message)"
                }
            }
            return ["range": range, "severity": 1, "source": "ecsh", "message": message]
        }
        connection.send(["method": "textDocument/publishDiagnostics", "params": ["uri": uri, "diagnostics": items] as [String: Any]])
    }

    // MARK: shapes

    private static func range(_ start: Int, _ end: Int, _ p: TextPositions) -> [String: Any] {
        let s = p.position(of: start), e = p.position(of: max(start, end))
        return ["start": ["line": s.line, "character": s.character], "end": ["line": e.line, "character": e.character]]
    }

    private static func kind(_ k: DocumentAnalysis.Completion.Kind) -> Int {
        switch k {
        case .method: return 2
        case .function: return 3
        case .field: return 5
        case .variable: return 6
        case .module: return 9
        case .keyword: return 14
        case .parameter: return 6
        }
    }

    private static func symbol(_ s: DocumentAnalysis.Symbol, _ p: TextPositions) -> [String: Any] {
        let kind: Int
        switch s.kind {
        case .function: kind = 12
        case .constant: kind = 14
        case .variable: kind = 13
        case .module: kind = 2
        }
        return ["name": s.name, "kind": kind, "range": range(s.range.start, s.range.end, p),
                "selectionRange": range(s.selectionRange.start, s.selectionRange.end, p),
                "children": s.children.map { symbol($0, p) }]
    }
}
