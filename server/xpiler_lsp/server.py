"""LSP handlers. Each converts LSP types to a library call and back; the analysis is the
library's (``xpiler.parse``, ``xpiler.hover``, ``xpiler.outline``, ``xpiler.jobs``)."""
from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Optional

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

import xpiler
from xpiler import dialects, hover as hov, ir, outline
from xpiler.frontend import ParseCancelled
from xpiler.runtime import resolve as _resolve  # noqa: F401  (imported now, not on the first hover)
from xpiler.summary import summarize
from xpiler.diagnostics import Diagnostic

from . import __version__
from .jobs import Job, JobManager
from .settings import Settings

log = logging.getLogger("xpiler_lsp")

LANGUAGES = ("cuda-cpp", "cuda", "hip", "bang", "c", "cpp")
SUFFIXES = (".cu", ".cuh", ".hip", ".mlu", ".c", ".cpp", ".cc", ".h", ".hpp")
CMD_RUN, CMD_CANCEL, CMD_JOBS = "xpiler.runJob", "xpiler.cancelJob", "xpiler.listJobs"
_SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
             "information": T.DiagnosticSeverity.Information, "hint": T.DiagnosticSeverity.Hint}


@dataclass
class Doc:
    uri: str
    version: int
    text: str
    path: str
    module: Optional[ir.Module] = None
    parsing: Optional[asyncio.Future] = None
    timer: Optional[asyncio.TimerHandle] = None
    job_diagnostics: dict[str, list[dict]] = field(default_factory=dict)  # kernel -> diagnostics of its last job
    unresolved: dict[str, dict] = field(default_factory=dict)  # kernel -> quick-fix insertion


class XpilerServer(LanguageServer):
    def __init__(self):
        super().__init__("xpiler-lsp", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.docs: dict[str, Doc] = {}
        self.parser = ThreadPoolExecutor(1, thread_name_prefix="xpiler-parse")  # libclang: one parse at a time
        self._jobs: Optional[JobManager] = None

    @property
    def jobs(self) -> JobManager:
        if self._jobs is None:
            j = self.settings.jobs
            self._jobs = JobManager(asyncio.get_running_loop(), j.concurrency, j.queueLimit, j.timeout)
        return self._jobs

    def apply_settings(self, values: dict) -> None:
        """New settings, from initialization, a pull or a push; the job manager follows them."""
        self.settings.update(values)
        if self._jobs is not None:
            j = self.settings.jobs
            self._jobs.configure(j.concurrency, j.queueLimit, j.timeout)

    # -------------------------------------------------------------- documents
    def doc(self, uri: str) -> Optional[Doc]:
        return self.docs.get(uri)

    def open(self, uri: str, version: int) -> Doc:
        td = self.workspace.get_text_document(uri)
        path = td.path or uri
        d = Doc(uri, version, td.source, path)
        self.docs[uri] = d
        return d

    def schedule_parse(self, d: Doc, delay: float) -> None:
        if d.timer is not None:
            d.timer.cancel()
        loop = asyncio.get_running_loop()
        if d.parsing is None or d.parsing.done():
            d.parsing = loop.create_future()
        fut = d.parsing
        d.timer = loop.call_later(delay, lambda: asyncio.ensure_future(self._parse(d, fut)))

    async def _parse(self, d: Doc, fut: asyncio.Future) -> None:
        d.timer = None
        version, text = d.version, d.text
        loop = asyncio.get_running_loop()

        def early(diags: list[Diagnostic]) -> None:  # clang's diagnostics, before the IR is built
            loop.call_soon_threadsafe(self._publish_early, d, version, diags)

        stale = lambda: d.version != version or self.docs.get(d.uri) is not d  # noqa: E731
        try:
            module = await loop.run_in_executor(self.parser, lambda: _parse_and_index(text, d.path, early, stale))
        except ParseCancelled:  # a newer edit is being parsed
            return
        except Exception as e:  # noqa: BLE001 - the parser never should; say so, do not die
            log.exception("parse failed")
            module = ir.Module(dialect=dialects.detect(d.path, text), items=[], path=d.path)
            module.diagnostics = [Diagnostic("error", f"xpiler could not parse this file: {e}", 1, 1, file=d.path)]
        if d.version == version:  # not overtaken by an edit
            d.module = module
            self.publish(d)
        if not fut.done():
            fut.set_result(module)

    async def module(self, d: Doc) -> Optional[ir.Module]:
        """The latest parse of d. Answers come from the last parse while a newer one runs
        (an editor re-asks after the next publish); only a document never parsed waits."""
        if d.module is None and d.parsing is not None and not d.parsing.done():
            try:
                await asyncio.wait_for(asyncio.shield(d.parsing), 10)
            except asyncio.TimeoutError:
                pass
        return d.module

    def _publish_early(self, d: Doc, version: int, diags: list[Diagnostic]) -> None:
        if d.version == version and self.docs.get(d.uri) is d:
            self.publish(d, diags)

    def publish(self, d: Doc, parse_diagnostics: Optional[list[Diagnostic]] = None) -> None:
        if parse_diagnostics is None:
            parse_diagnostics = d.module.diagnostics if d.module else []
        diags = [to_lsp(x) for x in parse_diagnostics]
        for items in d.job_diagnostics.values():
            diags += [to_lsp(Diagnostic(**x)) for x in items]
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=d.uri, version=d.version, diagnostics=diags))


def _parse_and_index(text: str, path: str, early, stale) -> ir.Module:
    """Parse, then compute what symbols and hovers read (cached on the module), all off the
    event loop."""
    module = xpiler.parse(text, path, on_diagnostics=early, cancelled=stale)
    summarize(module)
    return module


server = XpilerServer()


def to_lsp(d: Diagnostic) -> T.Diagnostic:
    line = max(d.line - 1, 0)
    col = max(d.col - 1, 0)
    end_line = (d.end_line - 1) if d.end_line else line
    end_col = (d.end_col - 1) if d.end_col else col + 1
    if (end_line, end_col) < (line, col):
        end_line, end_col = line, col + 1
    return T.Diagnostic(range=T.Range(T.Position(line, col), T.Position(end_line, end_col)), message=d.message,
                        severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Error),
                        source=f"xpiler ({d.source})", code=d.code)


def _range(l1: int, c1: int, l2: int, c2: int) -> T.Range:
    return T.Range(T.Position(max(l1 - 1, 0), max(c1 - 1, 0)), T.Position(max(l2 - 1, 0), max(c2 - 1, 0)))


# ------------------------------------------------------------------ lifecycle and settings
@server.feature(T.INITIALIZE)
def initialize(ls: XpilerServer, params: T.InitializeParams) -> None:
    problems = ls.settings.update(params.initialization_options or {})
    for p in problems:
        log.warning(p)


@server.feature(T.INITIALIZED)
async def initialized(ls: XpilerServer, params: T.InitializedParams) -> None:
    await pull_configuration(ls)


@server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: XpilerServer, params: T.DidChangeConfigurationParams) -> None:
    if isinstance(params.settings, dict) and params.settings:
        ls.apply_settings(params.settings)
    await pull_configuration(ls)


async def pull_configuration(ls: XpilerServer) -> None:
    caps = ls.client_capabilities
    if not (caps and caps.workspace and caps.workspace.configuration):
        return
    try:
        result = await asyncio.wait_for(ls.workspace_configuration_async(
            T.ConfigurationParams(items=[T.ConfigurationItem(section="xpiler")])), 5)
    except Exception:  # noqa: BLE001 - a client that does not answer keeps the defaults
        return
    if result and isinstance(result[0], dict):
        ls.apply_settings(result[0])


@server.feature(T.SHUTDOWN)
def shutdown(ls: XpilerServer, *args) -> None:
    if ls._jobs is not None:
        ls._jobs.shutdown()


# ------------------------------------------------------------------ documents
@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: XpilerServer, params: T.DidOpenTextDocumentParams) -> None:
    d = ls.open(params.text_document.uri, params.text_document.version)
    ls.schedule_parse(d, 0)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: XpilerServer, params: T.DidChangeTextDocumentParams) -> None:
    d = ls.doc(params.text_document.uri)
    td = ls.workspace.get_text_document(params.text_document.uri)
    if d is None:
        d = ls.open(params.text_document.uri, params.text_document.version)
    d.version, d.text = params.text_document.version, td.source
    if d.job_diagnostics:  # findings were for the old text
        d.job_diagnostics.clear()
        d.unresolved.clear()
    ls.schedule_parse(d, ls.settings.debounce / 1000)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: XpilerServer, params: T.DidCloseTextDocumentParams) -> None:
    d = ls.docs.pop(params.text_document.uri, None)
    if d and d.timer:
        d.timer.cancel()
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


# ------------------------------------------------------------------ structure
_SYMBOL_KIND = {"kernel": T.SymbolKind.Function, "device": T.SymbolKind.Method, "host": T.SymbolKind.Function,
                "host_device": T.SymbolKind.Method}


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
async def document_symbol(ls: XpilerServer, params: T.DocumentSymbolParams):
    d = ls.doc(params.text_document.uri)
    m = await ls.module(d) if d else None
    if m is None:
        return []
    out = []
    for s in outline.symbols(m, d.text):
        rng = _range(s.line, 1, s.end_line + 1, 1)
        sel = _range(s.name_line, s.name_col, s.name_line, s.name_col + len(s.name))
        if not (rng.start.line <= sel.start.line <= rng.end.line):
            sel = rng
        label = {"kernel": "kernel", "device": "device function", "host": "host function",
                 "host_device": "host/device function"}[s.kind]
        out.append(T.DocumentSymbol(name=s.name, kind=_SYMBOL_KIND[s.kind], range=rng, selection_range=sel,
                                    detail=f"{label}: {s.detail}"))
    return out


@server.feature(T.TEXT_DOCUMENT_FOLDING_RANGE)
async def folding_range(ls: XpilerServer, params: T.FoldingRangeParams):
    d = ls.doc(params.text_document.uri)
    m = await ls.module(d) if d else None
    if m is None:
        return []
    return [T.FoldingRange(start_line=a - 1, end_line=b - 1,
                           kind=T.FoldingRangeKind.Comment if k == "comment" else T.FoldingRangeKind.Region)
            for a, b, k in outline.folding(m, d.text)]


@server.feature(T.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
                T.SemanticTokensLegend(token_types=outline.TOKEN_TYPES, token_modifiers=outline.TOKEN_MODIFIERS))
async def semantic_tokens(ls: XpilerServer, params: T.SemanticTokensParams):
    d = ls.doc(params.text_document.uri)
    m = await ls.module(d) if d else None
    if d is None:
        return T.SemanticTokens(data=[])
    dialect = m.dialect if m else dialects.detect(d.path, d.text)
    data: list[int] = []
    pl = pc = 0
    for line, col, length, typ, mods in outline.semantic_tokens(d.text, dialect):
        data += [line - pl, col - pc if line == pl else col, length, typ, mods]
        pl, pc = line, col
    return T.SemanticTokens(data=data)


@server.feature(T.TEXT_DOCUMENT_HOVER)
async def hover(ls: XpilerServer, params: T.HoverParams):
    d = ls.doc(params.text_document.uri)
    m = await ls.module(d) if d else None
    if m is None:
        return None
    arch = {"cuda": ls.settings.gpuArch, "hip": ls.settings.hipArch, "bang": ls.settings.mluArch}.get(m.dialect)
    h = hov.hover(m, d.text, params.position.line + 1, params.position.character + 1, arch)
    if h is None:
        return None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=h.markdown),
                   range=_range(h.line, h.col, h.line, h.end_col))


# ------------------------------------------------------------------ code actions
ACTION_TITLES = {"check": "Check `{k}`: compile and run on the CPU", "compile": "Compile-check `{k}` with the real toolchain"}


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.Source, T.CodeActionKind.QuickFix],
                                    resolve_provider=True))
def code_action(ls: XpilerServer, params: T.CodeActionParams):
    """List the actions (no work here: they resolve lazily to commands)."""
    d = ls.doc(params.text_document.uri)
    if d is None or d.module is None:
        return []
    line = params.range.start.line + 1
    kernels = [f for f in d.module.functions if f.body is not None and f.span and f.kind == "kernel"]
    here = [f for f in d.module.functions if f.body is not None and f.span and f.span.line <= line <= f.span.end_line]
    targets = here or kernels
    actions: list[T.CodeAction] = []
    for f in targets:
        for job, title in ACTION_TITLES.items():
            if job == "compile" and d.module.dialect == "bang":  # no BANG compiler: say what checks it
                title = "Check `{k}` against the strict BANG header (no BANG compiler here)"
            actions.append(T.CodeAction(title=title.format(k=f.name), kind=f"source.xpiler.{job}",
                                        data={"uri": d.uri, "version": d.version, "kernel": f.name, "job": job}))
        fix = d.unresolved.get(f.name)
        if fix and fix.get("text"):
            pos = T.Position(max(fix["line"] - 1, 0), 0)
            actions.append(T.CodeAction(
                title=_quick_fix_title(f.name, fix),
                kind=T.CodeActionKind.QuickFix, is_preferred=fix.get("launch") != "default",
                edit=T.WorkspaceEdit(changes={d.uri: [T.TextEdit(range=T.Range(pos, pos), new_text=fix["text"])]})))
    return actions


def _quick_fix_title(kernel: str, fix: dict) -> str:
    """Say what the inserted comments are: inferred values to check, or a default launch and
    placeholder sizes to replace (``xpiler.jobs._unresolved`` labels them)."""
    launch = fix.get("launch")
    if launch == "default":
        title = f"Insert a default launch comment above `{kernel}` (inference failed: {fix.get('reason')})"
    elif launch == "inferred":
        title = f"Insert the inferred launch comment above `{kernel}` (check the values)"
    else:
        return f"Insert a placeholder args comment above `{kernel}` (set the sizes)"
    return title + (" and a placeholder args comment" if fix.get("args") else "")


@server.feature(T.CODE_ACTION_RESOLVE)
def code_action_resolve(ls: XpilerServer, action: T.CodeAction) -> T.CodeAction:
    data = action.data if isinstance(action.data, dict) else {}
    if "kernel" in data:
        action.command = T.Command(title=action.title, command=CMD_RUN, arguments=[data])
    return action


# ------------------------------------------------------------------ commands and jobs
@server.command(CMD_RUN)
async def run_job(ls: XpilerServer, *args: Any):
    """Start a check or compile job; returns at once with the job's id and progress token."""
    a = _arg(args)
    uri, kernel, job_name = a.get("uri"), a.get("kernel"), a.get("job", "check")
    d = ls.doc(uri) if uri else None
    if d is None:
        return _refuse(ls, f"{uri or 'the document'} is not open: open it and run the action again")
    if job_name not in ACTION_TITLES or not isinstance(kernel, str):
        return _refuse(ls, f"unknown xpiler job {job_name!r}: use 'check' or 'compile' with a kernel name")
    if a.get("version") is not None and a.get("version") != d.version:
        return _refuse(ls, f"the document changed since this action was offered (version {a.get('version')}, now "
                           f"{d.version}): run the action again")
    token = f"xpiler-{uuid.uuid4()}"
    title = ACTION_TITLES[job_name].format(k=kernel).replace("`", "")
    progress = await _start_progress(ls, token, title)

    def on_progress(job: Job, stage: str, message: str, percent):
        if progress:
            ls.work_done_progress.report(token, T.WorkDoneProgressReport(message=f"{stage}: {message}",
                                                                         percentage=percent, cancellable=True))

    def on_done(job: Job, outcome: str, payload):
        doc = ls.doc(uri)
        end = {"done": "finished", "error": f"failed: {payload}", "cancelled": "cancelled",
               "timeout": f"stopped after {ls.settings.jobs.timeout:.0f} s (timeout)"}.get(outcome, outcome)
        if progress:
            ls.work_done_progress.end(token, T.WorkDoneProgressEnd(message=end))
        if doc is None:
            return
        if outcome == "done" and doc.version == job.meta["version"]:
            doc.job_diagnostics[kernel] = payload.get("diagnostics", [])
            if payload.get("unresolved"):
                doc.unresolved[kernel] = payload["unresolved"]
            ls.publish(doc)
        elif outcome in ("error", "timeout"):
            line = _kernel_line(doc, kernel)
            msg = f"{title}: {end}"
            doc.job_diagnostics[kernel] = [Diagnostic("warning" if outcome == "timeout" else "error", msg, line, 1,
                                                      file=doc.path, source="xpiler", code=f"job-{outcome}").to_dict()]
            ls.publish(doc)
            ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=msg))

    try:
        job = ls.jobs.submit(job_name, {"text": d.text, "path": d.path, "kernel": kernel,
                                        "settings": ls.settings.for_jobs()},
                             title, on_progress, on_done, token)
    except RuntimeError as e:
        if progress:
            ls.work_done_progress.end(token, T.WorkDoneProgressEnd(message=str(e)))
        return _refuse(ls, str(e))
    job.meta["version"] = d.version
    return {"jobId": job.id, "token": token, "state": job.state}


@server.command(CMD_CANCEL)
def cancel_job(ls: XpilerServer, *args: Any):
    """Cancel a job by id or progress token, or every job when given nothing."""
    a = _arg(args)
    if ls._jobs is None:
        return {"cancelled": []}
    if "jobId" in a or "token" in a:
        job = ls.jobs.jobs.get(a.get("jobId")) if "jobId" in a else ls.jobs.by_token(a.get("token"))
        targets = [job] if job else []
    else:
        targets = ls.jobs.active()
    done = [j.id for j in targets if ls.jobs.cancel(j)]
    return {"cancelled": done}


@server.command(CMD_JOBS)
def list_jobs(ls: XpilerServer, *args: Any):
    if ls._jobs is None:
        return []
    return [{"jobId": j.id, "job": j.name, "title": j.title, "state": j.state, "token": j.token,
             "pid": j.worker.proc.pid if j.worker is not None and j.state == "running" else None}
            for j in ls.jobs.jobs.values()]


@server.feature(T.WINDOW_WORK_DONE_PROGRESS_CANCEL)
def progress_cancel(ls: XpilerServer, params: T.WorkDoneProgressCancelParams) -> None:
    if ls._jobs is not None:
        job = ls.jobs.by_token(params.token)
        if job is not None:
            ls.jobs.cancel(job)


async def _start_progress(ls: XpilerServer, token: str, title: str) -> bool:
    caps = ls.client_capabilities
    if not (caps and caps.window and caps.window.work_done_progress):
        return False
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
    except Exception:  # noqa: BLE001 - no progress bar, the job still runs
        return False
    ls.work_done_progress.begin(token, T.WorkDoneProgressBegin(title=title, cancellable=True, percentage=0,
                                                               message="queued"))
    return True


def _arg(args: Any) -> dict:
    """A command's one argument object, whether the client sent [obj], [] or nothing."""
    if isinstance(args, (list, tuple)):
        args = args[0] if args else {}
    if hasattr(args, "__dict__") and not isinstance(args, dict):
        args = dict(vars(args))
    return args if isinstance(args, dict) else {}


def _refuse(ls: XpilerServer, message: str) -> dict:
    ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Warning, message=message))
    return {"error": message}


def _kernel_line(d: Doc, kernel: str) -> int:
    f = d.module.function(kernel) if d.module else None
    return f.span.line if f is not None and f.span else 1
