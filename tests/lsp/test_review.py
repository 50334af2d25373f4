"""Reviewing a hand-made port from the editor (issue 17, item 4), through the real server:
the Compare code action on a file whose kernel names its original, its command, progress,
the disagreements as diagnostics at the port's lines with related information on the
original's, an explicit original (``against``, what "Compare with original..." sends), an
equal port, bad arguments."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types as T

from .test_basics import open_doc
from .test_jobs import wait_end
from .test_translate import actions_at, wait_for

PORTS = Path(__file__).parent.parent / "ports"


def _copy(tmp_path, *names):
    for n in ("row_scale.cu",) + names:
        shutil.copy(PORTS / n, tmp_path / n)


async def _run(client, args):
    return await client.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.runJob",
                                                                               arguments=[args]))


def _line(path: Path, text: str) -> int:  # 0-based, as LSP counts
    return next(i for i, s in enumerate(path.read_text().split("\n")) if text in s)


@pytest.mark.asyncio(loop_scope="function")
async def test_compare_action_on_a_port(client, tmp_path):
    _copy(tmp_path, "row_scale_reduce.mlu")
    port = tmp_path / "row_scale_reduce.mlu"
    uri = await open_doc(client, port, language="bang")
    actions = await actions_at(client, uri, _line(port, "__mlu_global__"))
    [a] = [a for a in actions if a.title.startswith("Compare")]
    assert a.title == "Compare `row_scale` with its original (row_scale.cu: row_scale)"
    assert a.kind == "source.xpiler.review" and a.command is None
    resolved = await client.code_action_resolve_async(a)
    assert resolved.command.arguments[0] == {"uri": uri, "version": 1, "kernel": "row_scale", "job": "review"}
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=resolved.command.command, arguments=resolved.command.arguments))
    end = await wait_end(client, res["token"], 120)
    assert client.progress_reports[res["token"]][0].title == "Compare row_scale with its original"
    assert "disagrees with row_scale.cu: row_scale" in end.message
    await wait_for(lambda: any(d.code == "port-disagreement" for d in client.diagnostics.get(uri, [])))
    [d] = [d for d in client.diagnostics[uri] if d.code == "port-disagreement"]
    assert d.severity == T.DiagnosticSeverity.Error and d.range.start.line == _line(port, "s[r] = acc")
    assert "s[0] is" in d.message and "the original computes" in d.message and "task 0" in d.message
    rel = d.related_information[0]
    assert rel.location.uri == (tmp_path / "row_scale.cu").as_uri() and rel.location.range.start.line == 11
    # not on files without the comment
    src = tmp_path / "row_scale.cu"
    suri = await open_doc(client, src)
    assert not [a for a in await actions_at(client, suri, 4) if a.title.startswith("Compare")]


@pytest.mark.asyncio(loop_scope="function")
async def test_compare_with_a_chosen_original_and_equal_ports(client, tmp_path):
    _copy(tmp_path, "row_scale_ok.c", "row_scale_bound.c")
    bound = tmp_path / "row_scale_bound.c"
    text = bound.read_text().replace("// xpiler: port-of row_scale.cu row_scale\n", "")
    bound.write_text(text)
    uri = await open_doc(client, bound, language="c")
    res = await _run(client, {"uri": uri, "version": 1, "kernel": "row_scale", "job": "review",
                              "against": {"path": str(tmp_path / "row_scale.cu"), "kernel": "row_scale"}})
    await wait_end(client, res["token"], 120)
    await wait_for(lambda: any(d.code == "port-disagreement" for d in client.diagnostics.get(uri, [])))
    [d] = [d for d in client.diagnostics[uri] if d.code == "port-disagreement"]
    assert d.range.start.line == _line(bound, "y[r * cols + c] =") and "never written by the port" in d.message
    # an equal port: one Information line saying what was compared
    ok = tmp_path / "row_scale_ok.c"
    ok_uri = await open_doc(client, ok, language="c")
    res = await _run(client, {"uri": ok_uri, "version": 1, "kernel": "row_scale", "job": "review"})
    await wait_end(client, res["token"], 120)
    await wait_for(lambda: any(d.code == "port-equal" for d in client.diagnostics.get(ok_uri, [])))
    [d] = client.diagnostics[ok_uri]
    assert d.severity == T.DiagnosticSeverity.Information and "seeds 0, 1" in d.message
    # without an original: the job fails with a message saying what to do, on the kernel
    res = await _run(client, {"uri": uri, "version": 1, "kernel": "row_scale", "job": "review"})
    end = await wait_end(client, res["token"], 60)
    assert "names no original" in end.message
    # garbage: refused at once
    for bad in ({"path": 3}, {"path": "x.cu", "kernel": "no good"}, "x.cu", {"path": "x.cu", "extra": 1}):
        r = await _run(client, {"uri": uri, "version": 1, "kernel": "row_scale", "job": "review", "against": bad})
        assert "against" in r["error"]


SEEDED = [  # port, language id, its line the disagreement or finding is at, code, words in the message
    ("row_scale_bound.c", "c", "y[r * cols + c] =", "port-disagreement", "y[0, 47] is never written by the port"),
    ("row_scale_offset.hip", "hip", "x[c * rows + r]", "port-disagreement", "y[0, 1] is"),
    ("row_scale_guard.cu", "cuda-cpp", "s[r] = acc", "port-finding", "out-of-bounds-write"),
    ("row_scale_reduce.mlu", "bang", "s[r] = acc", "port-disagreement", "s[0] is"),
]


@pytest.mark.asyncio(loop_scope="function")
@pytest.mark.parametrize("name,language,at,code,words", SEEDED)
async def test_seeded_ports_found_at_their_lines(client, tmp_path, name, language, at, code, words):
    _copy(tmp_path, name)
    port = tmp_path / name
    uri = await open_doc(client, port, language=language)
    [a] = [a for a in await actions_at(client, uri, _line(port, "row_scale(")) if a.title.startswith("Compare")]
    a = await client.code_action_resolve_async(a)
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command=a.command.command, arguments=a.command.arguments))
    await wait_end(client, res["token"], 120)
    await wait_for(lambda: any(d.code == code for d in client.diagnostics.get(uri, [])))
    found = [d for d in client.diagnostics[uri] if d.code == code and words in d.message]
    assert found and found[0].range.start.line == _line(port, at), [
        (d.code, d.range.start.line, d.message) for d in client.diagnostics[uri]]
    assert found[0].severity == T.DiagnosticSeverity.Error


def test_settings_that_are_not_an_object_are_ignored():
    from xpiler_lsp.settings import Settings

    s = Settings()
    assert s.update({"xpiler": []}) == []  # Lua's empty table {} is a JSON array
    assert "expected an object" in s.update({"xpiler": 3})[0]
    assert s.update({"xpiler": {"gpuArch": "sm_90"}}) == [] and s.gpuArch == "sm_90"
