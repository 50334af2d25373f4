"""The launch quick fix through the real server: its title and the comments it inserts say
whether the launch was inferred (and then the values are the kernel's real launch) or is a
default because inference failed."""
from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as T

from .test_basics import open_doc
from .test_jobs import run, wait_end

pytestmark = pytest.mark.asyncio(loop_scope="function")


async def _quick_fix(client, uri: str, kernel: str):
    r = await run(client, uri, kernel, 1)
    assert (await wait_end(client, r["token"])).message == "finished"
    for _ in range(50):  # the diagnostics are published after the job's end
        d = next((x for x in client.diagnostics.get(uri, []) if x.code == "unresolved-launch"), None)
        if d is not None:
            break
        await asyncio.sleep(0.1)
    assert d is not None, client.diagnostics.get(uri)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(uri), d.range, T.CodeActionContext(diagnostics=[d])))
    fix = next(a for a in actions if a.kind == T.CodeActionKind.QuickFix)
    return fix, fix.edit.changes[uri][0]


async def test_inferred_launch_is_the_kernels_real_launch(client, tmp_path):
    # n = 1000 from the args comment, 128 threads a block from __launch_bounds__, the guard
    # i < n on the global index: the launch is 128 threads a block and ceil(1000 / 128) = 8
    # blocks. The check still stops (alpha and x are unknown), so the quick fix is offered.
    src = """// xpiler: args n=1000
__global__ void __launch_bounds__(128) add(float *x, int n, float alpha) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += alpha;
}
"""
    uri = await open_doc(client, tmp_path / "add.cu", src)
    fix, edit = await _quick_fix(client, uri, "add")
    assert fix.title == "Insert the inferred launch comment above `add` (check the values)"
    assert fix.is_preferred
    assert edit.new_text == "// xpiler: launch grid=8,1,1 block=128,1,1\n"
    assert edit.range.start.line == 1  # below the args comment, right above the kernel


async def test_failed_inference_inserts_a_labelled_default_launch(client, tmp_path):
    # no args comment: n is unknown, so nothing bounds blockIdx.x
    src = """
__global__ void add1(float *x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += 1.0f;
}
"""
    uri = await open_doc(client, tmp_path / "add1.cu", src)
    fix, edit = await _quick_fix(client, uri, "add1")
    assert fix.title == ("Insert a default launch comment above `add1` (inference failed: no bound found for "
                         "blockIdx.x) and a placeholder args comment")
    assert "inferred launch" not in fix.title and not fix.is_preferred
    lines = edit.new_text.splitlines()
    assert lines[0] == ("// default launch, not inferred (inference failed: no bound found for blockIdx.x): "
                        "replace it with the kernel's real launch")
    assert lines[1].startswith("// placeholder argument sizes, not inferred")
    assert lines[2:] == ["// xpiler: launch grid=1,1,1 block=256,1,1", "// xpiler: args x=float32[1024] n=1024"]
