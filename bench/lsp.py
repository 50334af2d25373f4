"""Language-server latencies, measured over stdio against the real server.

Prints p50 and p99 (milliseconds) for a typical kernel and a 5,000-line file: didOpen and
didChange to diagnostics, hover, documentSymbol, codeAction, and hover while two
translation jobs run. Targets: hover and codeAction p99 < 50 ms; didChange to diagnostics
p99 < 300 ms on 5,000 lines; hover < 50 ms while two translations run.

"Diagnostics" is the full publish of the version edited: the server publishes each
version twice, clang's diagnostics as soon as clang has parsed it (early), then everything
once its own analysis (the IR) is built (``_publish_early``, then ``publish`` in
``server._parse``); the bench waits for the second publish carrying that version, and
prints the early one too. It checks that protocol on its first samples (two publishes a
version, no third) and says so when it does not hold.

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
TRANSLATED = (ROOT / "tests/kernels/gemm/gemm.cu", "gemm_tiled_kernel", ("c", "bang"))  # hovers while these run
PUBLISHES = 2  # publishes a version gets: clang's (early), then the full analysis


class Client(LanguageClient):
    def __init__(self):
        super().__init__("xpiler-bench", "1")
        self.waiters: dict[tuple[str, int, int], list[asyncio.Future]] = {}
        self.count: dict[tuple[str, int], int] = {}  # (uri, version) -> publishes seen
        self.ended: set[str] = set()  # progress tokens that ended

        @self.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diag(params: T.PublishDiagnosticsParams):
            if params.version is None:  # a closed document's (emptied) diagnostics
                return
            key = (params.uri, params.version)
            n = self.count[key] = self.count.get(key, 0) + 1
            for fut in self.waiters.pop((*key, n), []):
                if not fut.done():
                    fut.set_result(time.perf_counter())

        @self.feature(T.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_create(params):
            return None

        @self.feature(T.PROGRESS)
        def on_progress(params):
            value = params.value
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
            if kind == "end":
                self.ended.add(params.token)

    def publish(self, uri: str, version: int, nth: int) -> asyncio.Future:
        """The time the ``nth`` publish of ``version`` of ``uri`` arrives."""
        fut = asyncio.get_running_loop().create_future()
        self.waiters.setdefault((uri, version, nth), []).append(fut)
        return fut

    def forget(self, uri: str) -> None:
        self.count = {k: v for k, v in self.count.items() if k[0] != uri}

    async def edited(self, uri: str, version: int, send) -> tuple[float, float]:
        """Milliseconds from ``send()`` to the early and to the full diagnostics of
        ``version``."""
        early, full = self.publish(uri, version, 1), self.publish(uri, version, PUBLISHES)
        t = time.perf_counter()
        send()
        t_early, t_full = await asyncio.wait_for(early, 60), await asyncio.wait_for(full, 60)
        return (t_early - t) * 1000, (t_full - t) * 1000


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def line(label: str, xs: list[float], target: float | None = None) -> str:
    s = f"{label:56s} p50 {statistics.median(xs):7.1f} ms   p99 {pct(xs, 0.99):7.1f} ms   (n={len(xs)})"
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

        def do_open():
            c.forget(uri)
            c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, lang, 1, text)))

        for k in range(max(3, repeat // 10)):
            opens.append(await c.edited(uri, 1, do_open))
            if k == 0:
                await _check_protocol(c, uri, 1)
            c.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri)))
            await asyncio.sleep(0.05)
        await c.edited(uri, 1, do_open)  # open for the rest: analysed once this returns
        print(line(f"{label}: didOpen -> early (clang) diagnostics", [e for e, _ in opens]))
        print(line(f"{label}: didOpen -> full diagnostics", [f for _, f in opens]))
        changes, version = [], 1
        lines = text.split("\n")
        for k in range(repeat):
            version += 1
            row = (k * 37) % (len(lines) - 2) + 1
            edit = T.TextDocumentContentChangePartial(
                range=T.Range(T.Position(row, 0), T.Position(row, 0)), text=" ")
            changes.append(await c.edited(uri, version, lambda v=version: c.text_document_did_change(
                T.DidChangeTextDocumentParams(T.VersionedTextDocumentIdentifier(version=v, uri=uri), [edit]))))
            if k == 0:
                await _check_protocol(c, uri, version)
            await asyncio.sleep(0.02)
        target = 300 if label.startswith("5,000") else None
        print(line(f"{label}: didChange -> early (clang) diagnostics", [e for e, _ in changes]))
        print(line(f"{label}: didChange -> full diagnostics", [f for _, f in changes], target))
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
    # hover while two translation jobs run (each in its worker process; one that ends is
    # replaced by another, and only hovers asked and answered while both ran are counted)
    src, kernel, targets = TRANSLATED
    tpath = tmp / src.name
    tpath.write_text(src.read_text())
    turi = tpath.as_uri()
    await c.edited(turi, 1, lambda: c.text_document_did_open(T.DidOpenTextDocumentParams(
        T.TextDocumentItem(turi, "cuda-cpp", 1, src.read_text()))))

    async def start(target: str) -> str:
        res = await c.workspace_execute_command_async(T.ExecuteCommandParams(
            command="xpiler.runJob", arguments=[{"uri": turi, "version": 1, "kernel": kernel, "job": "translate",
                                                 "target": target}]))
        assert "token" in res, res
        return res["token"]

    running = {t: await start(t) for t in targets}
    started, finished = len(targets), 0
    uri = files["typical kernel"][1].as_uri()
    pos = _kernel_name_position(files["typical kernel"][0])
    busy: list[float] = []
    deadline = time.perf_counter() + max(120.0, repeat * 2.0)
    while len(busy) < repeat and time.perf_counter() < deadline:
        for t, token in list(running.items()):
            if token in c.ended:
                finished += 1
                running[t] = await start(t)
                started += 1
        tokens = set(running.values())
        ms = await timed(c.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), pos)))
        if not tokens & c.ended:
            busy.append(ms)
        await asyncio.sleep(0.05)  # an editor's hovers are not back to back
    jobs = await c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
    now = sum(1 for j in jobs if j["state"] == "running" and j["job"] == "translate")
    print(line("typical kernel: hover while 2 translations run", busy, 50) +
          f"   ({started} translations started, {finished} finished while sampling, {now} running at its end)")
    await c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.cancelJob", arguments=[{}]))
    jobs = await c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs"))
    left = [j for j in jobs if j["state"] in ("queued", "running")]
    if left:
        print(f"warning: {len(left)} jobs still active after cancelling: {left}")
    await c.shutdown_async(None)
    c.exit(None)
    await c.stop()


async def _check_protocol(c: Client, uri: str, version: int) -> None:
    """The bench's reading of the server: ``PUBLISHES`` publishes a version, no more."""
    await asyncio.sleep(1.0)
    n = c.count.get((uri, version), 0)
    if n != PUBLISHES:
        print(f"warning: version {version} of {uri} got {n} publishes, the bench expects {PUBLISHES} (early, full): "
              f"its 'full diagnostics' figures are not what they say")


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
