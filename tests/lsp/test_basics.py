from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as T

ROOT = Path(__file__).resolve().parents[2]


async def open_doc(client, path: Path, text: str | None = None, language: str = "cuda-cpp"):
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        T.TextDocumentItem(uri=uri, language_id=language, version=1, text=text if text is not None else path.read_text())))
    await client.wait_for_notification(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


@pytest.mark.asyncio(loop_scope="function")
async def test_open_hover_symbols(client):
    uri = await open_doc(client, ROOT / "examples/saxpy.cu")
    assert list(client.diagnostics[uri]) == []
    syms = await client.text_document_document_symbol_async(T.DocumentSymbolParams(T.TextDocumentIdentifier(uri)))
    assert [s.name for s in syms] == ["saxpy", "saxpy_host"]
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(5, 18)))
    assert "grid=4,1,1 block=256,1,1" in h.contents.value


OOB_C = """// xpiler: args x=float32[64] y=float32[64] n=64
void scale(const float *x, float *y, int n) {
    for (int i = 0; i <= n; ++i)
        y[i] = 2.0f * x[i];
}
"""


@pytest.mark.asyncio(loop_scope="function")
async def test_check_job_reports_findings_with_progress(client, tmp_path):
    path = tmp_path / "scale.c"
    path.write_text(OOB_C)
    uri = await open_doc(client, path, OOB_C, "c")
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(uri), T.Range(T.Position(3, 0), T.Position(3, 0)), T.CodeActionContext(diagnostics=[])))
    titles = [a.title for a in actions]
    assert "Check `scale`: compile and run on the CPU" in titles and all(a.command is None for a in actions)
    check = next(a for a in actions if a.title.startswith("Check"))
    resolved = await client.code_action_resolve_async(check)
    assert resolved.command.command == "xpiler.runJob"
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=resolved.command.command, arguments=resolved.command.arguments))
    token = res["token"]
    for _ in range(300):
        await asyncio.sleep(0.1)
        kinds = [getattr(p, "kind", None) for p in client.progress_reports.get(token, [])]
        if "end" in kinds:
            break
    assert kinds[0] == "begin" and kinds[-1] == "end" and "report" in kinds
    await asyncio.sleep(0.2)
    diags = client.diagnostics[uri]
    findings = [(d.code, d.range.start.line) for d in diags]
    assert ("out-of-bounds-read", 3) in findings and ("out-of-bounds-write", 3) in findings
    assert any(d.code == "check-summary" and d.severity == T.DiagnosticSeverity.Information for d in diags)
