"""Fuzzing the real server (hypothesis): random and mutated documents and request sequences
-- edits at random ranges, requests on stale versions, positions past the end, unknown
commands, jobs started and cancelled, translations to random targets (real ones, started
from the code actions, some cancelled at once, some left to finish and write their file;
stale ones; ones with garbage arguments), code lenses and re-checks on their results,
code actions resolved with their data mutated (random targets and job kinds, valid and
garbage; stale and garbage versions) and then run, garbage parameters to
codeAction/resolve and workspace/executeCommand (xpiler.runJob, cancelJob, listJobs,
translationReport), review jobs (``against: {path, kernel}``) with garbage and with real
originals, cancelled or timed out -- never crash it, never leave a request unanswered or a
job hanging (every progress that began ends, no job queued or running at the end), and
never get an internal error where a clear message belongs.

XPILER_FUZZ_EXAMPLES sets the number of sequences (default 10,000); XPILER_FUZZ_JOBS the
most jobs really started over a run (default 40: each costs a worker's CPU) by translations and
lenses, and as many again by resolved code actions and reviews.
"""
from __future__ import annotations

import asyncio
import os
import sys
import threading
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as T
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.client import LanguageClient

import corpus
from xpiler import jobs as xjobs
from xpiler.diagnostics import XpilerError

EXAMPLES = int(os.environ.get("XPILER_FUZZ_EXAMPLES", "10000"))
MAX_JOBS = int(os.environ.get("XPILER_FUZZ_JOBS", "40"))
TARGETS = ["cuda", "hip", "bang", "vnni", "c", "ptx", "", None, 3, ["c"], {"to": "c"}]
GARBAGE = [None, 7, "x", [], [1], {"a": 1}, -1, 1.5, True]
ROOT = Path(__file__).resolve().parents[2]
PORTS = ROOT / "tests/ports"
SOURCES = [p for p in corpus.files()][::4] + [ROOT / "examples/saxpy.cu", PORTS / "row_scale_guard.cu",
                                               PORTS / "row_scale_bound.c"]
LANG = {".cu": "cuda-cpp", ".hip": "hip", ".mlu": "bang", ".c": "c", ".cpp": "cpp"}
HAS_REVIEW = "review" in xjobs.KINDS  # the review job kind (a port against its original)
JOB_KINDS = ["check", "compile", "translate", "recheck", "review", "nope", "", None, 5, ["check"]]
# review's ``against``: garbage, then shapes that pass the request's check but name no usable
# original, then real originals
AGAINST = GARBAGE + [{}, {"path": 5}, {"path": ""}, {"path": "x" * 5000}, {"kernel": "row_scale"},
                     {"path": "a.cu", "kernel": 7}, {"path": "a.cu", "kernel": "no such"}, {"path": "a.cu", "x": 1},
                     {"path": "/nonexistent/original.cu"}, {"path": "/dev/null"}, {"path": "/"},
                     {"path": "row_scale.cu"}, {"path": str(PORTS / "row_scale_ok.c"), "kernel": "nope"},
                     {"path": str(PORTS / "row_scale.cu")},
                     {"path": str(PORTS / "row_scale.cu"), "kernel": "row_scale"}]
# codeAction/resolve parameters that are no CodeAction, or one with odd data
RESOLVE = [None, 7, "x", [], {}, {"title": 3}, {"title": "t", "edit": 3}, {"title": "t", "data": None},
           {"title": "t", "data": 5}, {"title": "t", "data": [1]}, {"title": "t", "data": {"kernel": 7}},
           {"title": "t", "kind": 5, "data": {"kernel": "k", "job": "translate", "target": "ptx"}},
           {"title": "t", "command": {"title": "c", "command": "xpiler.runJob"}, "data": {}}]
# workspace/executeCommand arguments that are no list, or lists of the wrong things
ARGUMENTS = [None, 5, "x", {"a": 1}, [], [None], [1, 2], ["x"], [[1]], [{}, {}], [{"uri": 5}], [{"jobId": "1"}],
             [{"token": None, "jobId": None}], [{"uri": None, "job": None}]]
COMMANDS = ["xpiler.runJob", "xpiler.cancelJob", "xpiler.listJobs", "xpiler.translationReport"]


async def raw_request(client: LanguageClient, method: str, params):
    """A request with any JSON as its parameters (the client's typed requests refuse what is
    not their type)."""
    p = client.protocol
    msg_id = str(uuid.uuid4())
    fut: Future = Future()
    p._request_futures[msg_id] = fut
    p._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return _plain(await asyncio.wrap_future(fut))


def _plain(x):
    """A raw result (pygls makes its objects named tuples) as dicts and lists."""
    if hasattr(x, "_asdict"):
        return {k: _plain(v) for k, v in x._asdict().items()}
    return [_plain(v) for v in x] if isinstance(x, (list, tuple)) else x


class Harness:
    """A client on its own event loop thread, so hypothesis can drive it synchronously."""

    def __init__(self, tmp: Path):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = LanguageClient("fuzz", "1")

        self.begun: set = set()  # progress tokens that began, and those that ended
        self.ended: set = set()
        self.jobs_started = self.waited = 0
        self.more_jobs = self.reviews = 0  # jobs started by resolved actions and reviews
        self.outcomes: dict[str, int] = {}  # how jobs ended (the first words of their last progress)

        @self.client.feature(T.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def on_create(params):
            return None

        @self.client.feature(T.PROGRESS)
        def on_progress(params):
            kind = params.value.get("kind") if isinstance(params.value, dict) else getattr(params.value, "kind", None)
            (self.begun if kind == "begin" else self.ended if kind == "end" else set()).add(params.token)
            if kind == "end":
                msg = params.value.get("message") if isinstance(params.value, dict) else params.value.message
                key = (msg or "")[:150] if (msg or "").startswith("failed") else (msg or "").split(":")[0][:40]
                self.outcomes[key] = self.outcomes.get(key, 0) + 1

        @self.client.feature(T.WORKSPACE_APPLY_EDIT)
        def on_apply_edit(params):  # a client that refuses some edits
            self.edits += 1
            return T.ApplyWorkspaceEditResult(applied=self.edits % 2 == 1, failure_reason="the fuzz client said no")

        @self.client.feature(T.WINDOW_SHOW_DOCUMENT)
        def on_show(params):
            return T.ShowDocumentResult(success=True)

        self.edits = 0
        for m in (T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, T.WINDOW_SHOW_MESSAGE, T.WINDOW_LOG_MESSAGE,
                  T.WORKSPACE_CODE_LENS_REFRESH):
            self.client.feature(m)(lambda params: None)
        self.call(self.client.start_io(sys.executable, "-m", "xpiler_lsp"))
        self.log = tmp / "server.log"
        self.call(self._drain())  # the server's stderr (its log) must be read, or it blocks on a full pipe
        caps = T.ClientCapabilities(
            window=T.WindowClientCapabilities(work_done_progress=True,
                                              show_document=T.ShowDocumentClientCapabilities(support=True)),
            workspace=T.WorkspaceClientCapabilities(workspace_edit=T.WorkspaceEditClientCapabilities(
                document_changes=True, resource_operations=[T.ResourceOperationKind.Create])))
        self.call(self.client.initialize_async(T.InitializeParams(
            capabilities=caps, initialization_options={"xpiler": {"debounce": 20, "jobs": {"timeout": 30}}})))
        self.client.initialized(T.InitializedParams())
        self.tmp = tmp
        self.docs: dict[str, dict] = {}
        self.requests = 0

    async def _drain(self):
        stream = self.client._server.stderr
        out = self.log.open("wb")

        async def pump():
            while chunk := await stream.read(65536):
                out.write(chunk)
                out.flush()

        self.drainer = asyncio.ensure_future(pump())

    def call(self, coro, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def request(self, coro, timeout: float = 60):
        """A request: it must come back, and never as an internal error."""
        self.requests += 1
        try:
            return self.call(coro, timeout)
        except TimeoutError:
            stacks = os.environ.get("XPILER_LSP_STACKS")
            if stacks and self.client._server is not None:
                import signal
                import time

                os.kill(self.client._server.pid, signal.SIGUSR1)
                time.sleep(1)
            raise
        except JsonRpcInternalError as e:
            raise AssertionError(f"internal error: {e}") from e
        except JsonRpcException:
            return None  # a clear protocol error (invalid params, unknown command)

    def command(self, command: str, *arguments):
        return self.request(self.client.workspace_execute_command_async(T.ExecuteCommandParams(
            command=command, arguments=list(arguments))))

    def started(self, res, r, timed: bool = False) -> None:
        """A job the fuzzing started: cancelled at once (by command or from the progress UI),
        or, when started with a short timeout, left to time out."""
        assert isinstance(res, dict) and ("jobId" in res or "error" in res), res
        if "jobId" not in res:
            return
        self.more_jobs += 1
        if timed:
            return
        if r.random() < 0.5:
            self.client.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=res["token"]))
        else:
            out = self.command("xpiler.cancelJob", {"token": res["token"]})
            assert out is not None and isinstance(out.get("cancelled"), list), out

    def alive(self) -> bool:
        return self.client._server is not None and self.client._server.returncode is None

    def close(self):
        try:
            self.call(self.client.shutdown_async(None), 20)
            self.client.exit(None)
            self.call(self.client.stop(), 20)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    h = Harness(tmp_path_factory.mktemp("fuzz"))
    yield h
    h.close()


def mutate(text: str, r) -> str:
    kind = r.randrange(5)
    if kind == 0:
        return text[: r.randrange(len(text) + 1)]
    if kind == 1:
        i = r.randrange(len(text) + 1)
        return text[:i] + r.choice(["{", "}", "(", ";", "<<<", "__bang_nope(a);", "\x00", "/*", "#pragma omp", "\n"]) + text[i:]
    if kind == 2:
        return "".join(chr(r.randrange(32, 127)) if r.random() < 0.02 else ch for ch in text)
    if kind == 3:
        return bytes(r.randrange(256) for _ in range(r.randrange(300))).decode("latin-1")
    return text


positions = st.tuples(st.integers(-1, 400), st.integers(-1, 200))
ops = st.lists(st.one_of(
    st.tuples(st.just("hover"), positions),
    st.tuples(st.just("symbols"), st.none()),
    st.tuples(st.just("folding"), st.none()),
    st.tuples(st.just("tokens"), st.none()),
    st.tuples(st.just("action"), positions),
    st.tuples(st.just("edit"), st.tuples(positions, positions, st.text(max_size=20))),
    st.tuples(st.just("stale"), st.none()),
    st.tuples(st.just("unknown"), st.text(max_size=12)),
    st.tuples(st.just("badjob"), st.integers(0, 3)),
    st.tuples(st.just("translate"), st.tuples(positions, st.none())),
    st.tuples(st.just("badtranslate"), st.tuples(st.integers(0, len(TARGETS) - 1), st.integers(-2, 1),
                                                 st.integers(0, len(GARBAGE) - 1), st.integers(0, 5))),
    st.tuples(st.just("lens"), st.none()),
    st.tuples(st.just("badcancel"), st.integers(0, len(GARBAGE) - 1)),
    st.tuples(st.just("resolve"), st.tuples(positions, st.integers(0, 3), st.integers(0, len(TARGETS) - 1),
                                            st.integers(0, len(JOB_KINDS) - 1), st.integers(-2, 1))),
    st.tuples(st.just("rawresolve"), st.integers(0, len(RESOLVE) - 1)),
    st.tuples(st.just("badargs"), st.tuples(st.integers(0, len(COMMANDS) - 1), st.integers(0, len(ARGUMENTS) - 1))),
    st.tuples(st.just("review"), st.tuples(st.integers(0, len(AGAINST) - 1), st.integers(0, len(GARBAGE)),
                                           st.integers(-1, 1), st.integers(0, 2), st.booleans())),
), min_size=1, max_size=6)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(doc=st.integers(0, len(SOURCES) - 1), seed=st.integers(0, 2**16), fresh=st.integers(0, 19), sequence=ops)
def test_fuzz(harness, doc, seed, fresh, sequence):
    import random

    h = harness
    r = random.Random(seed)
    src = SOURCES[doc]
    name = f"d{doc}_{fresh % 3}{src.suffix}"
    uri = (h.tmp / name).as_uri()
    state = h.docs.get(uri)
    c = h.client
    if state is None or fresh == 0:  # (re)open with a random or mutated text
        if state is not None:
            c.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri)))
        text = mutate(src.read_text(), r)
        state = h.docs[uri] = {"version": 1}
        c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, LANG[src.suffix], 1, text)))
    ident = T.TextDocumentIdentifier(uri)
    for op, arg in sequence:
        if op == "hover":
            h.request(c.text_document_hover_async(T.HoverParams(ident, T.Position(max(arg[0], 0), max(arg[1], 0)))))
        elif op == "symbols":
            h.request(c.text_document_document_symbol_async(T.DocumentSymbolParams(ident)))
        elif op == "folding":
            h.request(c.text_document_folding_range_async(T.FoldingRangeParams(ident)))
        elif op == "tokens":
            h.request(c.text_document_semantic_tokens_full_async(T.SemanticTokensParams(ident)))
        elif op == "action":
            p = T.Position(max(arg[0], 0), max(arg[1], 0))
            acts = h.request(c.text_document_code_action_async(T.CodeActionParams(ident, T.Range(p, p),
                                                                                  T.CodeActionContext(diagnostics=[]))))
            if acts and r.random() < 0.1:
                h.request(c.code_action_resolve_async(acts[0]))
        elif op == "edit":
            (a, b), text = (tuple(max(x, 0) for x in arg[0]), tuple(max(x, 0) for x in arg[1])), arg[2]
            start, end = sorted([a, b])
            state["version"] += 1
            c.text_document_did_change(T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(version=state["version"], uri=uri),
                [T.TextDocumentContentChangePartial(range=T.Range(T.Position(*start), T.Position(*end)), text=text)]))
        elif op == "stale":
            res = h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                command="xpiler.runJob", arguments=[{"uri": uri, "version": state["version"] - 1, "kernel": "k",
                                                     "job": "check"}])))
            assert res is None or "error" in res
        elif op == "unknown":
            h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler." + arg)))
        elif op == "badjob":
            args = [None, {}, {"uri": uri, "kernel": 7}, {"uri": uri, "version": state["version"], "kernel": "nope",
                                                          "job": "translate"}][arg]
            h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.runJob",
                                                                               arguments=[args])))
        elif op == "translate":  # a real one, from the code actions at a random place
            p = T.Position(max(arg[0][0], 0), max(arg[0][1], 0))
            syms = h.request(c.text_document_document_symbol_async(T.DocumentSymbolParams(ident)))
            if syms and arg[0][1] % 4:  # mostly inside a function (a kernel or a host wrapper)
                p = r.choice(syms).range.end
                p = T.Position(max(p.line - 1, 0), 0)
            acts = h.request(c.text_document_code_action_async(T.CodeActionParams(
                ident, T.Range(p, p), T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.RefactorRewrite]))))
            acts = [a for a in acts or [] if a.title.startswith("Translate")]
            if not acts:
                continue
            act = h.request(c.code_action_resolve_async(r.choice(acts)))
            if act is None or act.command is None or h.jobs_started >= MAX_JOBS:
                continue
            res = h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                command=act.command.command, arguments=act.command.arguments)))
            assert res is not None and ("jobId" in res or "error" in res), res
            if "jobId" in res:
                h.jobs_started += 1
                mode = r.randrange(4)
                if mode == 0:  # cancelled from the progress UI, at once
                    c.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=res["token"]))
                elif mode == 1:
                    h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                        command="xpiler.cancelJob", arguments=[{"jobId": res["jobId"]}])))
                elif mode == 3 and h.waited < MAX_JOBS // 6:  # some run to their end: file, diagnostics
                    h.waited += 1
                    import time

                    for _ in range(1200):
                        if res["token"] in h.ended:
                            break
                        time.sleep(0.05)
                    assert res["token"] in h.ended, "a translation did not end within a minute"
        elif op == "badtranslate":  # random targets, stale versions, garbage arguments
            target, dv, g, shape = TARGETS[arg[0]], arg[1], GARBAGE[arg[2]], arg[3]
            a = {"uri": uri, "version": state["version"] + min(dv, -1) if shape else state["version"] + dv,
                 "job": "translate", "kernel": "k", "target": target}
            if shape == 2:
                a["options"] = g
            elif shape == 3:
                a["timeout"] = g
            elif shape == 4:
                a = {"uri": uri, "version": state["version"], "job": "recheck", "kernel": g}
            elif shape == 5:
                a = {"uri": g, "job": g, "kernel": g, "target": g}
            res = h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                command="xpiler.runJob", arguments=[a])))
            if res is not None and "jobId" in res:  # a valid one: not really run, cancelled
                h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                    command="xpiler.cancelJob", arguments=[{"token": res["token"]}])))
            else:
                assert res is None or "error" in res, res
        elif op == "lens":
            for lens in h.request(c.text_document_code_lens_async(T.CodeLensParams(ident))) or []:
                if lens.command and r.random() < 0.3 and h.jobs_started < MAX_JOBS:
                    res = h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                        command=lens.command.command, arguments=lens.command.arguments)))
                    h.jobs_started += 1 if isinstance(res, dict) and "jobId" in res else 0
        elif op == "badcancel":
            for a in ({"jobId": GARBAGE[arg]}, {"token": GARBAGE[arg]}, GARBAGE[arg]):
                res = h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                    command="xpiler.cancelJob", arguments=[a])))
                assert res is None or res == {"cancelled": []} or isinstance(res.get("cancelled"), list), res
            h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
                command="xpiler.translationReport", arguments=[{"uri": GARBAGE[arg]}])))
        elif op == "resolve":  # a real code action, its data mutated, resolved and run
            pos, shape, target, kind, dv = arg
            p = T.Position(max(pos[0], 0), max(pos[1], 0))
            syms = h.request(c.text_document_document_symbol_async(T.DocumentSymbolParams(ident)))
            if syms and pos[1] % 3:  # mostly inside a function: its actions, translations included
                s = r.choice(syms)
                p = T.Position(s.selection_range.start.line, 0)
            acts = [a for a in h.request(c.text_document_code_action_async(T.CodeActionParams(
                ident, T.Range(p, p), T.CodeActionContext(diagnostics=[])))) or [] if isinstance(a.data, dict)]
            if not acts:
                continue
            act = r.choice(acts)
            data = dict(act.data)
            if shape == 0:  # another target, a real one or garbage
                data["target"] = TARGETS[target]
            elif shape == 1:  # another kind, a real one or garbage
                data["job"] = JOB_KINDS[kind]
            elif shape == 2:  # a stale, future or garbage version
                data["version"] = data.get("version", 0) + dv if dv else r.choice(GARBAGE)
            act.data = data  # shape 3: as offered
            act = h.request(c.code_action_resolve_async(act))
            if act is None or act.command is None or h.more_jobs >= MAX_JOBS:
                continue
            h.started(h.command(act.command.command, *(act.command.arguments or [])), r)
        elif op == "rawresolve":
            res = h.request(raw_request(c, T.CODE_ACTION_RESOLVE, RESOLVE[arg]), 20)
            if isinstance(res, dict) and isinstance(res.get("command"), dict) and h.more_jobs < MAX_JOBS:
                cmd = res["command"]
                res = h.request(raw_request(c, T.WORKSPACE_EXECUTE_COMMAND, {
                    "command": cmd.get("command"), "arguments": cmd.get("arguments")}), 20)
                if isinstance(res, dict) and "jobId" in res:
                    h.started(res, r)
        elif op == "badargs":
            cmd, args = COMMANDS[arg[0]], ARGUMENTS[arg[1]]
            res = h.request(raw_request(c, T.WORKSPACE_EXECUTE_COMMAND, {"command": cmd, "arguments": args}), 20)
            assert res is None or isinstance(res, (dict, list)), res  # None: a clear protocol error
            if isinstance(res, dict) and "jobId" in res:  # cannot be: no argument names an open document
                raise AssertionError(f"{cmd} {args} started a job: {res}")
        elif op == "review":  # review jobs: garbage, and real originals cancelled or timed out
            against, g, dv, end, real = arg
            if real:  # a real kernel name, an original that passes the request's check, this version
                g, dv, against = len(GARBAGE), 0, len(AGAINST) - 1 - against % 7
            kernel = "row_scale" if g == len(GARBAGE) else GARBAGE[g]
            a = {"uri": uri, "version": state["version"] + dv, "job": "review", "kernel": kernel,
                 "against": AGAINST[against]}
            if end == 2:
                a["timeout"] = 0.5  # left to time out (a real original), or refused
            if h.more_jobs >= MAX_JOBS:
                a["version"] = -1  # refused: no more real jobs
            try:
                xjobs.request(a)  # the library's reading of the arguments: garbage or not
                garbage = False
            except XpilerError:
                garbage = True
            res = h.command("xpiler.runJob", a)
            if garbage or a["version"] != state["version"]:  # no such kind yet, garbage, stale
                assert res is None or "error" in res, (a, res)
            else:
                h.started(res, r, timed=end == 2)
                h.reviews += 1 if isinstance(res, dict) and "jobId" in res else 0
    assert h.alive(), "the server died"


def test_no_job_left_hanging_and_server_alive(harness):
    """Run after the fuzzing (file order): start real jobs, cancel some, all end."""
    h = harness
    c = h.client
    # two translations to their end, at once: the client applies the first edit and refuses the second
    saxpy = Path(__file__).resolve().parents[2] / "examples/saxpy.cu"
    suri = (h.tmp / "final_saxpy.cu").as_uri()
    c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(suri, "cuda-cpp", 1, saxpy.read_text())))
    h.edits = 0
    started = [h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
        command="xpiler.runJob", arguments=[{"uri": suri, "version": 1, "kernel": "saxpy", "job": "translate",
                                             "target": t}]))) for t in ("c", "vnni")]
    import time

    for _ in range(1200):
        if all(s["token"] in h.ended for s in started):
            break
        time.sleep(0.05)
    assert all(s["token"] in h.ended for s in started) and h.edits == 2, (started, h.edits)
    uri = next(iter(h.docs))
    res = [h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(
        command="xpiler.runJob", arguments=[{"uri": uri, "kernel": "nope", "job": "check"}]))) for _ in range(3)]
    if HAS_REVIEW:  # a review left to time out, one cancelled from the progress UI, one by command
        port = (h.tmp / "final_port.cu").as_uri()
        c.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(
            port, "cuda-cpp", 1, (PORTS / "row_scale_guard.cu").read_text())))
        against = {"path": str(PORTS / "row_scale.cu"), "kernel": "row_scale"}
        reviews = [h.command("xpiler.runJob", {"uri": port, "version": 1, "job": "review", "kernel": "row_scale",
                                               "against": against, **extra}) for extra in ({"timeout": 0.1}, {}, {})]
        assert all("jobId" in x for x in reviews), reviews
        time.sleep(0.3)
        c.window_work_done_progress_cancel(T.WorkDoneProgressCancelParams(token=reviews[1]["token"]))
        h.command("xpiler.cancelJob", {"jobId": reviews[2]["jobId"]})
        for _ in range(300):
            if all(x["token"] in h.ended for x in reviews):
                break
            time.sleep(0.1)
        assert all(x["token"] in h.ended for x in reviews), reviews
    h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.cancelJob", arguments=[{}])))
    for _ in range(300):
        jobs = h.request(c.workspace_execute_command_async(T.ExecuteCommandParams(command="xpiler.listJobs")))
        if all(j["state"] not in ("queued", "running") for j in jobs or []):
            break
        time.sleep(0.1)
    assert all(j["state"] not in ("queued", "running") for j in jobs or []), jobs
    for _ in range(300):  # and every progress that began has ended (a translation's after its file)
        if h.begun <= h.ended:
            break
        time.sleep(0.1)
    assert h.begun <= h.ended, f"{len(h.begun - h.ended)} progress tokens never ended"
    assert h.alive()
    print(f"{h.jobs_started} translation jobs started, {h.more_jobs} from resolved actions and reviews "
          f"({h.reviews} reviews), {h.edits} workspace edits asked for; "
          f"ended: {h.outcomes}")
    print(f"{h.requests} requests over the fuzzing run")
