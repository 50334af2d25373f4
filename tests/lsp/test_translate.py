"""Translation from the editor, through the real server: the code actions, resolve,
execute, progress, the new file (CreateFile and a text edit), showDocument, the
diagnostics, hovers and code lenses on the result, Re-check; cancelling, timeouts, stale
versions, files that do not parse, refused translations, two jobs at once. The library
parts the server calls (``xpiler.jobs``) are tested first, without a server."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsprotocol import types as T

from xpiler import jobs as xjobs
from xpiler.diagnostics import XpilerError

from .test_basics import open_doc
from .test_jobs import wait_end

SAXPY = """// xpiler: launch grid=1,1,1 block=64,1,1
// xpiler: args x=float32[64] y=float32[64] a=2.0 n=64
__global__ void saxpy(const float *x, float *y, float a, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
"""
EARLY = """// xpiler: launch grid=1,1,1 block=64,1,1
// xpiler: args y=float32[64] n=64
__global__ void early(float *y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    for (int j = 0; j < 4; ++j) {
        if (y[i] > 100.0f) return;
        y[i] += 1.0f;
    }
}
"""
SPIN = """// xpiler: launch grid=1,1,1 block=32,1,1
// xpiler: args x=float32[32]
__global__ void spin(float *x) {
    volatile int k = 1;
    while (k) x[threadIdx.x] += 1.0f;
}
"""
TITLES = {"hip": "HIP", "bang": "BANG C", "vnni": "C with AVX-512 VNNI", "c": "C"}


# ----------------------------------------------------------------------------- the library side
def test_request_validates_kinds_and_parameters():
    kind, params, timeout = xjobs.request({"job": "translate", "kernel": "saxpy", "target": "c", "uri": "u",
                                           "options": {"seeds": [3, 4]}, "timeout": 5})
    assert kind.name == "translate" and params == {"kernel": "saxpy", "target": "c", "options": {"seeds": [3, 4]}}
    assert timeout == 5.0 and kind.title_for(params) == "Translate saxpy to C"
    assert xjobs.request({"kernel": "k"})[0].name == "check"  # the default kind, as before
    for bad, says in [({"job": "tune", "kernel": "k"}, "unknown xpiler job 'tune'"),
                      ({"job": "translate", "kernel": "k"}, "needs 'target'"),
                      ({"job": "translate", "kernel": "k", "target": "ptx"}, "one of cuda, hip, bang, vnni, c"),
                      ({"job": "translate", "kernel": 7, "target": "c"}, "'kernel' is 7"),
                      ({"job": "translate", "kernel": "k", "target": "c", "options": {"sedes": 1}}, "'options'"),
                      ({"job": "check", "kernel": "k", "timeout": -1}, "'timeout'"),
                      ([1, 2], "one object argument")]:
        with pytest.raises(XpilerError, match=says):
            xjobs.request(bad)


def test_output_path_passes_over_taken_paths(tmp_path):
    src = tmp_path / "k.cu"
    src.write_text(SAXPY)
    assert xjobs.output_path(str(src), "c") == tmp_path / "k.c"
    assert xjobs.output_path(str(src), "c", {str(tmp_path / "k.c")}) == tmp_path / "k-2.c"
    (tmp_path / "k-2.c").write_text("")
    assert xjobs.output_path(str(src), "c", {str(tmp_path / "k.c")}) == tmp_path / "k-3.c"


# ----------------------------------------------------------------------------- through the server
async def actions_at(client, uri, line):
    return await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(uri), T.Range(T.Position(line, 0), T.Position(line, 0)),
        T.CodeActionContext(diagnostics=[])))


async def translate(client, uri, kernel, target, version=1, **extra):
    return await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command="xpiler.runJob",
        arguments=[{"uri": uri, "version": version, "kernel": kernel, "job": "translate", "target": target, **extra}]))


async def wait_for(predicate, seconds=30.0):
    for _ in range(int(seconds * 20)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


def reports(client, token):
    return [getattr(p, "message", None) for p in client.progress_reports.get(token, [])
            if getattr(p, "kind", None) == "report"]


@pytest.mark.asyncio(loop_scope="function")
async def test_translate_flow(client, tmp_path):
    src = tmp_path / "s.cu"
    src.write_text(SAXPY)
    uri = await open_doc(client, src, SAXPY)
    # the actions: one per target but the source's own, listed without work
    actions = await actions_at(client, uri, 4)
    tr = [a for a in actions if a.title.startswith("Translate")]
    assert [a.title for a in tr] == [f"Translate `saxpy` to {t}" for t in TITLES.values()]
    assert all(a.kind == T.CodeActionKind.RefactorRewrite and a.command is None and a.edit is None for a in tr)
    assert not [a for a in await actions_at(client, uri, 0) if a.title.startswith("Translate")]  # not on a kernel
    only = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(uri), T.Range(T.Position(4, 0), T.Position(4, 0)),
        T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.Refactor])))
    assert [a.title for a in only] == [a.title for a in tr]
    # resolve: a command carrying the document, its version and the target
    resolved = await client.code_action_resolve_async(next(a for a in tr if a.title.endswith(" to C")))
    assert resolved.command.command == "xpiler.runJob"
    assert resolved.command.arguments[0] == {"uri": uri, "version": 1, "kernel": "saxpy", "job": "translate",
                                             "target": "c"}
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=resolved.command.command, arguments=resolved.command.arguments))
    token = res["token"]
    end = await wait_end(client, token, 120)
    kinds = [getattr(p, "kind", None) for p in client.progress_reports[token]]
    assert kinds[0] == "begin" and kinds[-1] == "end"
    assert client.progress_reports[token][0].title == "Translate saxpy to C"
    stages = reports(client, token)
    assert "pass 1/9 inline_calls" in stages and "pass 9/9 retarget" in stages and "check compute: saxpy" in stages
    assert end.message.startswith("✓ checked") and end.message.endswith("→ s.c")
    # the result: CreateFile beside the source, its text, then shown
    out = tmp_path / "s.c"
    out_uri = out.as_uri()
    create, edit = client.edits[-1].document_changes
    assert isinstance(create, T.CreateFile) and create.uri == out_uri and not create.options.overwrite
    assert isinstance(edit, T.TextDocumentEdit) and "void saxpy(const float *x" in edit.edits[0].new_text
    assert out.exists() and client.shown_documents[-1].uri == out_uri
    text = client.buffers[out_uri]
    assert "// xpiler: port-of s.cu saxpy" in text
    # diagnostics on the result: what was checked and how, what is left scalar, with related source lines
    await wait_for(lambda: out_uri in client.diagnostics)
    diags = client.diagnostics[out_uri]
    info = {d.code: d for d in diags if d.severity == T.DiagnosticSeverity.Information}
    assert "seeds 0, 1" in info["check-compute"].message and "x=float32[64]" in info["check-compute"].message
    assert "gcc" in info["check-compile"].message
    # saxpy's loop is tensorized for C (parallel for simd): no "not tensorized" warning (the
    # warning itself: tests/test_tensorize.py::test_the_editor_warns_where_a_nest_is_not_tensorized)
    warn = {d.code: d for d in diags if d.severity == T.DiagnosticSeverity.Warning}
    assert "not-tensorized" not in warn, warn
    assert not [d for d in diags if d.severity == T.DiagnosticSeverity.Error]
    # the client opens the new file: hover on any line says where it came from
    client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(out_uri, "c", 1, text)))
    lines = text.split("\n")
    body = next(i for i, s in enumerate(lines) if "y[i] = a * x[i] + y[i];" in s)
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(out_uri), T.Position(body, 2)))
    assert "from `s.cu` line 5" in h.contents.value and "pass" in h.contents.value
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(out_uri), T.Position(0, 1)))
    assert "written by the translation to C" in h.contents.value
    kline = next(i for i, s in enumerate(lines) if s.startswith("void saxpy"))
    # the code lens: the verdict and Re-check
    lenses = await client.text_document_code_lens_async(T.CodeLensParams(T.TextDocumentIdentifier(out_uri)))
    assert [lens.range.start.line for lens in lenses] == [kline, kline]
    assert lenses[0].command.title.startswith("xpiler: ✓ checked") and lenses[1].command.title == "Re-check"
    rep = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=lenses[0].command.command, arguments=lenses[0].command.arguments))
    assert rep["status"] == "checked" and rep["report"]["target"] == "c"
    # edited: the diagnostics say so; Re-check compares the edited text with the source again
    broken = text.replace("y[i] = a * x[i] + y[i];", "y[i] = a * x[i];")
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(version=2, uri=out_uri),
        [T.TextDocumentContentChangeWholeDocument(text=broken)]))
    await wait_for(lambda: any(d.code == "translation-edited" for d in client.diagnostics.get(out_uri, [])))
    lenses = await client.text_document_code_lens_async(T.CodeLensParams(T.TextDocumentIdentifier(out_uri)))
    recheck = lenses[1].command
    assert recheck.arguments[0]["version"] == 2
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=recheck.command, arguments=recheck.arguments))
    end = await wait_end(client, res["token"], 120)
    assert end.message.startswith("✗ failed")
    await wait_for(lambda: any(d.severity == T.DiagnosticSeverity.Error for d in client.diagnostics[out_uri]))
    err = next(d for d in client.diagnostics[out_uri] if d.severity == T.DiagnosticSeverity.Error)
    assert err.code == "check-compute" and "re-checked" in err.message and "first mismatch" in err.message
    assert client.lens_refreshes == 1
    lenses = await client.text_document_code_lens_async(T.CodeLensParams(T.TextDocumentIdentifier(out_uri)))
    assert lenses[0].command.title.startswith("xpiler: ✗ failed")


@pytest.mark.asyncio(loop_scope="function")
async def test_two_jobs_at_once_get_two_files(client, tmp_path):
    src = tmp_path / "s.cu"
    src.write_text(SAXPY)
    uri = await open_doc(client, src, SAXPY)
    r1, r2 = await translate(client, uri, "saxpy", "c"), await translate(client, uri, "saxpy", "c")
    jobs = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
    assert {j["jobId"] for j in jobs if j["state"] == "running"} == {r1["jobId"], r2["jobId"]}
    e1, e2 = await asyncio.gather(wait_end(client, r1["token"], 120), wait_end(client, r2["token"], 120))
    assert sorted(e.message.rsplit("→ ", 1)[1] for e in (e1, e2)) == ["s-2.c", "s.c"]
    assert (tmp_path / "s.c").exists() and (tmp_path / "s-2.c").exists()
    assert sorted(Path(s.uri).name for s in client.shown_documents) == ["s-2.c", "s.c"]


@pytest.mark.asyncio(loop_scope="function")
async def test_cancel_and_timeout_mid_job(client, tmp_path):
    """A source that never ends: the translation's first check runs it (in a sandboxed
    child of the worker); cancelling or its own timeout stops it, and nothing is written."""
    uri = await open_doc(client, tmp_path / "spin.cu", SPIN)
    r = await translate(client, uri, "spin", "c")
    await wait_for(lambda: "check source: findings" in reports(client, r["token"]))
    client.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=r["token"]))
    assert (await wait_end(client, r["token"], 20)).message == "cancelled"
    r = await translate(client, uri, "spin", "c")
    await wait_for(lambda: "check source: findings" in reports(client, r["token"]))
    jobs = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
    pid = next(j["pid"] for j in jobs if j["jobId"] == r["jobId"])
    out = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command="xpiler.cancelJob", arguments=[{"jobId": r["jobId"]}]))
    assert out["cancelled"] == [r["jobId"]]
    assert (await wait_end(client, r["token"], 20)).message == "cancelled"
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    r = await translate(client, uri, "spin", "c", timeout=4)
    end = await wait_end(client, r["token"], 30)
    assert end.message == "stopped after 4 s (timeout) during check source: findings"
    jobs = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
    assert [j["state"] for j in jobs] == ["cancelled", "cancelled", "timeout"]
    assert client.edits == [] and not (tmp_path / "spin.c").exists()


@pytest.mark.asyncio(loop_scope="function")
async def test_stale_version_and_garbage_are_refused(client, tmp_path):
    uri = await open_doc(client, tmp_path / "s.cu", SAXPY)
    action = next(a for a in await actions_at(client, uri, 4) if a.title.endswith(" to HIP"))
    resolved = await client.code_action_resolve_async(action)
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(version=2, uri=uri),
        [T.TextDocumentContentChangeWholeDocument(text=SAXPY + "\n")]))
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=resolved.command.command, arguments=resolved.command.arguments))
    assert "changed since this action was offered (version 1, now 2)" in res["error"]
    assert "changed since" in client.messages[-1].message
    for bad, says in [({"target": "ptx"}, "one of cuda, hip"), ({"target": None}, "needs 'target'"),
                      ({"options": {"verify": "maybe"}}, "'options'")]:
        res = await translate(client, uri, "saxpy", **{"target": "c", "version": 2, **bad})
        assert says in res["error"]
    assert client.edits == []


@pytest.mark.asyncio(loop_scope="function")
async def test_failures_are_reported_on_the_source(client, tmp_path):
    """A refused translation names the pass, its precondition and the construct at its
    line; a file that does not parse says so. Neither writes a file."""
    uri = await open_doc(client, tmp_path / "early.cu", EARLY)
    bad_text = SAXPY.replace("threadIdx.x;", "threadIdx.x")
    bad = await open_doc(client, tmp_path / "bad.cu", bad_text)
    r1, r2 = await translate(client, uri, "early", "c"), await translate(client, bad, "saxpy", "bang")
    e1, e2 = await asyncio.gather(wait_end(client, r1["token"], 120), wait_end(client, r2["token"], 120))
    assert e1.message.startswith("✗ refused: loop_recovery: precondition 'returns' failed (line 6)")
    await wait_for(lambda: any(d.code == "translate-refused" for d in client.diagnostics[uri]))
    d = next(d for d in client.diagnostics[uri] if d.code == "translate-refused")
    assert d.range.start.line == 5 and "the loop_recovery pass refused" in d.message
    assert "`if (y[i] > 100.0f) return;`" in d.message and "'returns'" in d.message
    assert e2.message.startswith("✗ refused: the source does not parse: expected ';'")
    await wait_for(lambda: any(d.code == "translate-refused" for d in client.diagnostics[bad]))
    assert any("Translate saxpy to BANG C" in m.message and "does not parse" in m.message for m in client.messages)
    assert client.edits == [] and sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.asyncio(loop_scope="function")
async def test_a_client_without_resource_operations_gets_the_file_written(tmp_path):
    """No CreateFile in the client: the server writes the new file itself, never over one."""
    from xpiler_lsp import server as S

    class Plain:
        client_capabilities = T.ClientCapabilities()

    path = tmp_path / "k.c"
    assert await S._create_file(Plain(), path.as_uri(), path, "int x;\n", "t") == (True, "")
    assert path.read_text() == "int x;\n"
    ok, why = await S._create_file(Plain(), path.as_uri(), path, "int y;\n", "t")
    assert not ok and "exists" in why and path.read_text() == "int x;\n"


@pytest.mark.asyncio(loop_scope="function")
async def test_actions_right_after_an_edit_answer_for_the_edited_text(client, tmp_path):
    """A code action or hover asked right after an edit waits (within a bound) for the
    analysis of that version, instead of answering from the previous one."""
    uri = await open_doc(client, tmp_path / "s.cu", SAXPY)
    assert [a for a in await actions_at(client, uri, 4) if a.title.startswith("Translate `saxpy`")]  # analysed
    added = SAXPY + "\n__global__ void zero(float *y) {\n    y[threadIdx.x] = 0.0f;\n}\n"
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(version=2, uri=uri), [T.TextDocumentContentChangeWholeDocument(text=added)]))
    actions = await actions_at(client, uri, 8)  # at once: the new kernel is there
    tr = [a for a in actions if a.title.startswith("Translate `zero`")]
    assert len(tr) == 4 and all(a.data["version"] == 2 for a in tr)
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(7, 17)))
    assert h is not None and "zero" in h.contents.value
