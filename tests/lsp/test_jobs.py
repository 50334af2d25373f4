"""Jobs through the real server: stale versions, cancellation, concurrency, crashes,
unresolved launches and their quick fix, files that do not parse."""
from __future__ import annotations

import asyncio
import os
import signal

import pytest
from lsprotocol import types as T

from .test_basics import OOB_C, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="function")

SPIN_C = """// xpiler: args x=float32[4]
void spin(float *x) {
    volatile int k = 1;
    while (k) x[0] += 1.0f;
}
"""


async def run(client, uri, kernel, version, job="check"):
    return await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command="xpiler.runJob", arguments=[{"uri": uri, "version": version, "kernel": kernel, "job": job}]))


async def wait_end(client, token, seconds=60.0):
    for _ in range(int(seconds * 10)):
        reports = client.progress_reports.get(token, [])
        if reports and getattr(reports[-1], "kind", None) == "end":
            return reports[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"job {token} did not end")


async def test_stale_version_is_refused(client, tmp_path):
    path = tmp_path / "k.c"
    uri = await open_doc(client, path, OOB_C, "c")
    res = await run(client, uri, "scale", version=0)
    assert "changed since this action was offered" in res["error"]


async def test_cancel_mid_job_from_progress_and_command(client, tmp_path):
    uri = await open_doc(client, tmp_path / "spin.c", SPIN_C, "c")
    res = await run(client, uri, "spin", 1)
    await asyncio.sleep(3)  # compiling, then spinning
    client.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=res["token"]))
    end = await wait_end(client, res["token"], 10)
    assert end.message == "cancelled"
    res2 = await run(client, uri, "spin", 1)
    await asyncio.sleep(1)
    out = await client.workspace_execute_command_async(T.ExecuteCommandParams(
        command="xpiler.cancelJob", arguments=[{"jobId": res2["jobId"]}]))
    assert out["cancelled"] == [res2["jobId"]]
    assert (await wait_end(client, res2["token"], 10)).message == "cancelled"


async def test_commands_take_no_argument_an_empty_list_or_an_object(client):
    """Clients send `arguments` as absent, [] or [{}] (VS Code's executeCommand sends [])."""
    for arguments in (None, [], [{}]):
        jobs = await client.workspace_execute_command_async(
            T.ExecuteCommandParams(command="xpiler.listJobs", arguments=arguments))
        assert isinstance(jobs, list)
        out = await client.workspace_execute_command_async(
            T.ExecuteCommandParams(command="xpiler.cancelJob", arguments=arguments))
        assert out["cancelled"] == []
    res = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.runJob", arguments=[]))
    assert "not open" in res["error"]


async def test_concurrent_jobs_and_a_worker_crash(client, tmp_path):
    a = await open_doc(client, tmp_path / "a.c", OOB_C, "c")
    b = await open_doc(client, tmp_path / "b.c", OOB_C.replace("i <= n", "i < n"), "c")
    spin = await open_doc(client, tmp_path / "spin.c", SPIN_C, "c")
    r1, r2, r3 = await run(client, a, "scale", 1), await run(client, b, "scale", 1), await run(client, spin, "spin", 1)
    ends = await asyncio.gather(wait_end(client, r1["token"]), wait_end(client, r2["token"]))
    assert all(e.message == "finished" for e in ends)
    assert [d.code for d in client.diagnostics[b] if d.severity != T.DiagnosticSeverity.Information] == []
    # kill the worker running the spinning job: that job fails, the server lives on
    for _ in range(100):
        jobs = await client.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
        pid = next((j["pid"] for j in jobs if j["jobId"] == r3["jobId"] and j["pid"]), None)
        if pid:
            break
        await asyncio.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    end = await wait_end(client, r3["token"], 20)
    assert end.message.startswith("failed") and "crashed its worker" in end.message
    r4 = await run(client, b, "scale", 1)
    assert (await wait_end(client, r4["token"])).message == "finished"


async def test_kernel_crash_is_a_clear_finding(client, tmp_path):
    src = "// xpiler: args x=float32[4]\nvoid boom(float *x) { float *p = (float *)0; x[0] = p[3]; }\n"
    uri = await open_doc(client, tmp_path / "boom.c", src, "c")
    r = await run(client, uri, "boom", 1)
    assert (await wait_end(client, r["token"])).message == "finished"
    await asyncio.sleep(0.2)
    summary = next(d for d in client.diagnostics[uri] if d.code == "check-summary")
    assert "crash" in summary.message and "segmentation fault" in summary.message


async def test_unresolved_launch_gets_a_quick_fix(client, tmp_path):
    src = """
__global__ void add1(float *x, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] += 1.0f;
}
"""
    uri = await open_doc(client, tmp_path / "add1.cu", src)
    r = await run(client, uri, "add1", 1)
    await wait_end(client, r["token"])
    await asyncio.sleep(0.2)
    d = next(x for x in client.diagnostics[uri] if x.code == "unresolved-launch")
    assert "// xpiler: args" in d.message and d.range.start.line == 1
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(uri), d.range, T.CodeActionContext(diagnostics=[d])))
    fix = next(a for a in actions if a.kind == T.CodeActionKind.QuickFix)
    edit = fix.edit.changes[uri][0]
    assert edit.range.start.line == 1 and "// xpiler: launch grid=" in edit.new_text and "// xpiler: args" in edit.new_text


async def test_file_that_does_not_parse(client, tmp_path):
    uri = await open_doc(client, tmp_path / "bad.mlu", "__mlu_global__ void k(float *x) { __bang_nope(x, 4); \n", "bang")
    codes = {d.code for d in client.diagnostics[uri]}
    assert "unknown-intrinsic" in codes
    r = await run(client, uri, "k", 1)
    end = await wait_end(client, r["token"])
    assert end.message.startswith("failed") and "parse errors" in end.message


async def test_job_manager_kinds_timeouts_and_pruning():
    """The manager alone: any kind of ``xpiler.jobs.KINDS``, stages as they happen, a job's
    own timeout (with the stage it reached), and finished jobs let go of their parameters
    (whole document texts) and are forgotten past ``keep_finished``."""
    from xpiler_lsp.jobs import JobManager

    m = JobManager(asyncio.get_running_loop(), concurrency=1, queue_limit=8, timeout=60, keep_finished=2)
    ended, stages = [], []
    text = "// xpiler: args x=float32[4]\nvoid spin(float *x) { volatile int k = 1; while (k) x[0] += 1.0f; }\n"
    try:
        jobs = [m.submit("check", {"text": text, "path": "/tmp/nope.c", "kernel": "nope", "settings": {}}, "t",
                         lambda j, s: stages.append((j.id, s.message)), lambda j, o, p: ended.append((j, o, p)))
                for _ in range(3)]
        spin = m.submit("check", {"text": text, "path": "/tmp/spin.c", "kernel": "spin", "settings": {}}, "spin",
                        lambda j, s: stages.append((j.id, s.message)), lambda j, o, p: ended.append((j, o, p)),
                        timeout=8)
        for _ in range(600):
            if len(ended) == 4:
                break
            await asyncio.sleep(0.1)
        assert [o for _, o, _ in ended] == ["error", "error", "error", "timeout"]
        assert "not defined in this file" in ended[0][2]
        assert (jobs[0].id, "parsing nope") in stages
        assert ended[3][2]["stages"][0] == "parsing spin" and ended[3][2]["stages"][-1] == spin.stage  # how far it got
        assert "gcc" in ended[3][2]["partial"]["summary"]  # and what it had found: the compiler's verdict
        assert all(j.params == {} for j, _, _ in ended)
        assert sorted(m.jobs) == [jobs[2].id, spin.id]  # the two most recent finished jobs
        assert spin.describe()["state"] == "timeout" and spin.describe()["timeout"] == 8
    finally:
        m.shutdown()
