"""Drives `ecsh lsp` with pygls's language client over stdio, as an editor would.

    python3 Tests/lsp/lsp_client_test.py ECSH_BINARY [--edits N]

Checks diagnostics with their ranges (and that fixing the document clears them),
completion of a Task's fields and of run()'s named arguments, hover, go to definition,
document symbols, and a clean shutdown. With --edits N it then sends N edits of one
document and prints the server's resident memory before and after (for the benchmark).
Prints `N passed, N failed` and exits non-zero on a failure.
"""
import asyncio
import sys

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

BROKEN = """config("ecspresso.yml")
let td = register()
let m = wait(run(td))
if not m.exitcode == 0 {
  exit(1)
}
"""
FIXED = BROKEN.replace("m.exitcode", "m.exitCode")
CONFIG = "region: us-east-1\ncluster: c\ntask_definition: task.json\n"
TASKDEF = ('{"family": "app", "containerDefinitions": [{"name": "app", "image": "busybox", '
           '"essential": true, "memory": 128}]}\n')

passed, failed = 0, []


def check(name, ok, detail=""):
    global passed
    if ok:
        passed += 1
    else:
        failed.append(f"{name}: {detail}")
        print(f"FAIL {name}: {detail}", file=sys.stderr)


async def main(binary, edits, workdir):
    client = LanguageClient("ecsh-test", "1")
    diagnostics = {}
    arrived = asyncio.Event()

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params):
        diagnostics[params.uri] = params.diagnostics
        arrived.set()

    async def wait_diagnostics(uri):
        arrived.clear()
        await asyncio.wait_for(arrived.wait(), 20)
        return diagnostics[uri]

    await client.start_io(binary, "lsp", cwd=workdir)
    init = await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities(), process_id=None,
                                                            root_uri=f"file://{workdir}"))
    caps = init.capabilities
    check("capabilities", caps.hover_provider and caps.definition_provider and caps.document_symbol_provider
          and caps.completion_provider is not None, str(caps))
    client.initialized(t.InitializedParams())

    uri = f"file://{workdir}/deploy.ecsh"
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=uri, language_id="ecsh", version=1, text=BROKEN)))
    ds = await wait_diagnostics(uri)
    check("one diagnostic for the broken document", len(ds) == 1, repr(ds))
    if ds:
        d = ds[0]
        check("its message", "no field 'exitcode'" in d.message and "exitCode" in d.message, d.message)
        check("its range", (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
              == (3, 9, 3, 17), repr(d.range))

    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=FIXED)]))
    ds = await wait_diagnostics(uri)
    check("fixed: diagnostics cleared", len(ds) == 0, repr(ds))

    # Completion after `m.` (a Task from wait()) and inside run(...).
    typing = FIXED + "print(m.)\nrun(td, )\n"
    client.text_document_did_change(t.DidChangeTextDocumentParams(
        text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=3),
        content_changes=[t.TextDocumentContentChangeWholeDocument(text=typing)]))
    await wait_diagnostics(uri)
    line_m = typing.split("\n").index("print(m.)")
    items = await client.text_document_completion_async(t.CompletionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=line_m, character=8)))
    labels = [i.label for i in (items.items if hasattr(items, "items") else items)]
    check("Task fields after m.", {"exitCode", "ok", "stoppedReason", "containers"} <= set(labels), repr(labels[:20]))
    check("only members after a dot", "print" not in labels and "let" not in labels, repr(labels[:20]))
    line_run = line_m + 1
    items = await client.text_document_completion_async(t.CompletionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=line_run, character=8)))
    labels = [i.label for i in (items.items if hasattr(items, "items") else items)]
    check("run()'s named arguments", {"startedBy:", "overrides:", "count:", "networkConfiguration:"} <= set(labels),
          repr(labels[:20]))
    check("names in scope too", {"td", "m"} <= set(labels), repr(labels[:30]))

    hover = await client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=2, character=14)))
    value = hover.contents.value if hover else ""
    check("hover on run shows its signature", value.startswith("run(taskdef:") and "RunTask" in value, value[:120])

    definition = await client.text_document_definition_async(t.DefinitionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=t.Position(line=2, character=17)))
    loc = definition[0] if isinstance(definition, list) else definition
    check("definition of td", loc is not None and loc.uri == uri and loc.range.start.line == 1
          and loc.range.start.character == 4, repr(loc))

    symbols = await client.text_document_document_symbol_async(t.DocumentSymbolParams(
        text_document=t.TextDocumentIdentifier(uri=uri)))
    names = [s.name for s in symbols]
    check("document symbols", names == ["td", "m"], repr(names))

    if edits:
        import os

        def rss_kib(pid):
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            return 0
        pid = client._server.pid
        samples = []
        for i in range(edits):
            text = FIXED + f"let x{i % 50} = {i}\n" + ("print(m.ok)\n" * (i % 7))
            client.text_document_did_change(t.DidChangeTextDocumentParams(
                text_document=t.VersionedTextDocumentIdentifier(uri=uri, version=10 + i),
                content_changes=[t.TextDocumentContentChangeWholeDocument(text=text)]))
            await wait_diagnostics(uri)
            if i in (edits // 10, edits // 2, edits - 1):
                samples.append((i + 1, rss_kib(pid)))
        print("rss after edits: " + ", ".join(f"{n}: {kib / 1024:.1f} MiB" for n, kib in samples))

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


if __name__ == "__main__":
    import os
    import tempfile
    binary = sys.argv[1]
    edits = int(sys.argv[sys.argv.index("--edits") + 1]) if "--edits" in sys.argv else 0
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, "ecspresso.yml"), "w") as f:
            f.write(CONFIG)
        with open(os.path.join(workdir, "task.json"), "w") as f:
            f.write(TASKDEF)
        asyncio.run(main(binary, edits, workdir))
    print(f"{passed} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)
