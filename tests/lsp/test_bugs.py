"""The seeded-bug corpus through the real server: for one buggy kernel per finding kind, the
check job publishes the finding as a diagnostic at the bug's line (0-based: line - 1),
with the finding kind as its code."""
from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from lsprotocol import types as T

from .test_basics import open_doc
from .test_jobs import run, wait_end

pytestmark = pytest.mark.asyncio(loop_scope="function")

BUGS = Path(__file__).resolve().parents[1] / "kernels" / "bugs"
ENTRIES = {e["file"]: e for e in tomllib.loads((BUGS / "bugs.toml").read_text())["bug"]}
ONE_PER_KIND = ["oob_write/block_offsets.hip", "oob_read/stencil3.cu", "uninit/colsum_acc.mlu",
                "race/scan_inplace.hip", "barrier/smooth_early_exit.cu", "operand_space/relu_sram.mlu",
                "overlap/conv_reuse_slab.mlu", "capacity/smem_gemm_tile.cu"]
LANGUAGE = {".cu": "cuda-cpp", ".hip": "hip", ".mlu": "bang", ".c": "c", ".cpp": "cpp"}


async def _diagnostic(client, uri, code, seconds=5.0):
    """The published diagnostics of ``uri`` once one has ``code`` (publishing follows the job's end)."""
    for _ in range(int(seconds * 10)):
        diags = client.diagnostics.get(uri, [])
        if any(d.code == code for d in diags):
            return diags
        await asyncio.sleep(0.1)
    return client.diagnostics.get(uri, [])


async def test_check_job_reports_each_kind_at_its_line(client):
    entries = [ENTRIES[f] for f in ONE_PER_KIND]
    assert len({e["kind"] for e in entries}) == 8
    started = []
    for e in entries:
        path = BUGS / e["file"]
        uri = await open_doc(client, path, path.read_text(), LANGUAGE[path.suffix])
        started.append((e, uri, await run(client, uri, e["kernel"], 1)))
    ends = await asyncio.gather(*(wait_end(client, r["token"], 240) for _, _, r in started))
    assert [end.message for end in ends] == ["finished"] * len(ends)
    for e, uri, _ in started:
        diags = await _diagnostic(client, uri, e["kind"])
        found = [(d.code, d.range.start.line) for d in diags]
        assert (e["kind"], e["line"] - 1) in found, f"{e['file']}: {found}"
        d = next(d for d in diags if d.code == e["kind"] and d.range.start.line == e["line"] - 1)
        assert d.severity == T.DiagnosticSeverity.Error
