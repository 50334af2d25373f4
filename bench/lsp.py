"""Language-server latencies, measured over stdio against the real server.

Prints p50 and p99 (milliseconds) for a typical kernel and a 5,000-line file: didOpen and
didChange to diagnostics, hover, documentSymbol, codeAction, and hover while two check
jobs run. Targets: hover and codeAction p99 < 50 ms; didChange to diagnostics p99 < 300 ms
on 5,000 lines; hover < 50 ms while jobs run.

    python bench/lsp.py [--repeat 60]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "core"))
sys.path.insert(0, str(ROOT / "bench"))

from lsprotocol import types as T  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

import parse as parse_bench  # noqa: E402  (bench/parse.py builds the 5,000-line file)

TYPICAL = ROOT / "tests/kernels/softmax/softmax.cu"
SPIN = """// xpiler: args x=float32[4]
void spin(float *x) { volatile int k = 1; while (k) x[0] += 1.0f; }
"""


class Client(LanguageClient):
    def __init__(self):
        super().__init__("xpiler-bench", "1")
        self.waiters: dict[str, list[asyncio.Future]] = {}
        self.last: dict[str, int] = {}

        @self.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diag(params: T.PublishDiagnosticsParams):
            self.last[params.uri] = params.version or 0
            for fut in self.waiters.pop(params.uri, []):
                if not fut.done():
                    fut.set_result(params)

        @self.feature(T.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_create(params):
            return None

        @self.feature(T.PROGRESS)
        def on_progress(params):
            pass

    def next_diagnostics(self, uri: str) -> asyncio.Future:
        fut = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(uri, []).append(fut)
        return fut


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def line(label: str, xs: list[float], target: float | None = None) -> str:
    s = f"{label:48s} p50 {statistics.median(xs):7.1f} ms   p99 {pct(xs, 0.99):7.1f} ms   (n={len(xs)})"
    if target is not None:
        s += f"   target p99 < {target:.0f} ms: {'met' if pct(xs, 0.99) < target else 'NOT met'}"
    return s


async def timed(coro) -> float:
    t = time.perf_counter()
    await coro
    return (time.perf_counter() - t) * 1000


async def main_async(repeat: int) -> None:
    c = Client()
    await c.start_io(sys.executable, "-m", "xpiler_lsp")

    async def drain(stream):  # the server's log: read it, or the server blocks on a full pipe
        while await stream.read(65536):
            pass

    asyncio.ensure_future(drain(c._server.stderr))
    caps = T.ClientCapabilities(window=T.WindowClientCapabilities(work_done_progress=True))
    await c.initialize_async(T.InitializeParams(capabilities=caps,
                                                initialization_options={"xpiler": {"debounce": 0}}))
    c.initialized(T.InitializedParams())
    tmp = Path(tempfile.mkdtemp(prefix="xpiler-lsp-bench-"))
    files = {"typical kernel": (TYPICAL.read_text(), tmp / "softmax.cu", "cuda-cpp"),
             "5,000-line file": (parse_bench.big_file(), tmp / "big.c", "c")}
    print(f"xpiler language server over stdio; {repeat} samples each")
    for label, (text, path, lang) in files.items():
        uri = path.as_uri()
        path.write_text(text)
        opens = []
        for k in range(max(3, repeat // 10)):
            fut = c.next_diagnostics(uri)
            t = time.perf_counter()
            c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, lang, 1, text)))
            await fut
            opens.append((time.perf_counter() - t) * 1000)
            c.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri)))
            await asyncio.sleep(0.05)
        fut = c.next_diagnostics(uri)
        c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, lang, 1, text)))
        await fut
        await asyncio.sleep(1.5)  # the IR conversion after the first diagnostics
        print(line(f"{label}: didOpen -> diagnostics", opens))
        changes, version = [], 1
        lines = text.split("\n")
        for k in range(repeat):
            version += 1
            row = (k * 37) % (len(lines) - 2) + 1
            edit = T.TextDocumentContentChangePartial(
                range=T.Range(T.Position(row, 0), T.Position(row, 0)), text=" ")
            fut = c.next_diagnostics(uri)
            t = time.perf_counter()
            c.text_document_did_change(T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(version=version, uri=uri), [edit]))
            await fut
            changes.append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.02)
        target = 300 if label.startswith("5,000") else None
        print(line(f"{label}: didChange -> diagnostics", changes, target))
        await asyncio.sleep(2.0)  # let the last conversion finish
        pos = _kernel_name_position(text)
        hovers = [await timed(c.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), pos)))
                  for _ in range(repeat)]
        print(line(f"{label}: hover", hovers, 50))
        syms = [await timed(c.text_document_document_symbol_async(T.DocumentSymbolParams(T.TextDocumentIdentifier(uri))))
                for _ in range(repeat)]
        print(line(f"{label}: documentSymbol", syms))
        acts = [await timed(c.text_document_code_action_async(T.CodeActionParams(
            T.TextDocumentIdentifier(uri), T.Range(pos, pos), T.CodeActionContext(diagnostics=[]))))
            for _ in range(repeat)]
        print(line(f"{label}: codeAction", acts, 50))
    # hover while two check jobs run (spinning kernels: they run until cancelled)
    spin = tmp / "spin.c"
    spin.write_text(SPIN)
    suri = spin.as_uri()
    fut = c.next_diagnostics(suri)
    c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(suri, "c", 1, SPIN)))
    await fut
    for _ in range(2):
        await c.workspace_execute_command_async(T.ExecuteCommandParams(
            command="xpiler.runJob", arguments=[{"uri": suri, "version": 1, "kernel": "spin", "job": "check"}]))
    await asyncio.sleep(3)
    uri = files["typical kernel"][1].as_uri()
    pos = _kernel_name_position(files["typical kernel"][0])
    busy = [await timed(c.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), pos)))
            for _ in range(repeat)]
    jobs = await c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
    running = sum(1 for j in jobs if j["state"] == "running")
    print(line(f"hover while {running} check jobs run", busy, 50))
    await c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.cancelJob", arguments=[{}]))
    await c.shutdown_async(None)
    c.exit(None)
    await c.stop()


def _kernel_name_position(text: str) -> T.Position:
    import re

    for i, ln in enumerate(text.split("\n")):
        m = re.search(r"__global__\s+\w[\w\s\*]*?\b(\w+)\s*\(|^void\s+(\w+)\s*\(", ln)
        if m:
            col = m.start(1) if m.group(1) else m.start(2)
            return T.Position(i, col + 1)
    return T.Position(0, 0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=60)
    a = ap.parse_args()
    asyncio.run(main_async(a.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
