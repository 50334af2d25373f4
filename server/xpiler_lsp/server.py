"""LSP handlers. Each converts LSP types to a library call and back; the analysis is the
library's (``xpiler.parse``, ``xpiler.hover``, ``xpiler.outline``, ``xpiler.jobs``)."""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

import xpiler
from xpiler import dialects, hover as hov, ir, jobs as xjobs, outline
from xpiler.frontend import ParseCancelled
from xpiler.runtime import resolve as _resolve  # noqa: F401  (imported now, not on the first hover)
from xpiler.summary import summarize
from xpiler.diagnostics import Diagnostic, XpilerError
from xpiler.review import parse_port_of

from . import __version__
from .jobs import Job, JobManager, Stage
from .positions import BYTES, CHARS, Columns
from .protocol import XpilerProtocol
from .settings import Settings

log = logging.getLogger("xpiler_lsp")

LANGUAGES = ("cuda-cpp", "cuda", "hip", "bang", "c", "cpp")
SUFFIXES = (".cu", ".cuh", ".hip", ".mlu", ".c", ".cpp", ".cc", ".h", ".hpp")
CMD_RUN, CMD_CANCEL, CMD_JOBS = "xpiler.runJob", "xpiler.cancelJob", "xpiler.listJobs"
CMD_REPORT = "xpiler.translationReport"
KEEP_RESULTS = 64  # translation results remembered (for their diagnostics, hovers and lenses)
ANSWER_BOUND = 3.0  # seconds a code action or hover waits for the analysis of the version it was asked on
_SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
             "information": T.DiagnosticSeverity.Information, "hint": T.DiagnosticSeverity.Hint}


@dataclass
class Doc:
    uri: str
    version: int
    text: str
    path: str
    module: Optional[ir.Module] = None
    module_version: Optional[int] = None  # the version ``module`` is the analysis of
    parsing: Optional[asyncio.Future] = None
    timer: Optional[asyncio.TimerHandle] = None
    job_diagnostics: dict[str, list[dict]] = field(default_factory=dict)  # kernel -> diagnostics of its last job
    unresolved: dict[str, dict] = field(default_factory=dict)  # kernel -> quick-fix insertion


@dataclass
class Result:
    """A file a translation job created: what the editor shows of it (``xpiler.jobs.
    translation_result``), for the text it was made or last checked with."""

    uri: str
    source_uri: str
    source_path: str
    kernel: str
    target: str
    code: str  # as translated: the provenance hovers hold while the document has this text
    lines: dict  # per line of ``code``: source lines and pass
    report: dict  # the Translation, whole
    checked_text: str  # the text the diagnostics and the verdict are for (``code``, or a re-checked text)
    diagnostics: list[dict]
    status: str
    verdict: str
    kernel_line: int


def _same(a: Optional[str], b: Optional[str]) -> bool:
    """The same text up to line endings and trailing newlines (a client that inserts the
    text into an empty buffer may add one)."""
    if a is None or b is None:
        return False
    return a.replace("\r\n", "\n").rstrip("\n") == b.replace("\r\n", "\n").rstrip("\n")


class XpilerServer(LanguageServer):
    def __init__(self):
        super().__init__("xpiler-lsp", __version__, text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
                         protocol_cls=XpilerProtocol)  # negotiates positionEncoding: utf-8, else utf-16
        self.settings = Settings()
        self.docs: dict[str, Doc] = {}
        self.parser = ThreadPoolExecutor(1, thread_name_prefix="xpiler-parse")  # libclang: one parse at a time
        self._jobs: Optional[JobManager] = None
        self.results: OrderedDict[str, Result] = OrderedDict()  # result uri -> what the editor shows of it
        self.taken: set[str] = set()  # output paths promised to translation jobs or created this session

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

    def columns(self, text: Optional[str]) -> Columns:
        """Columns of ``text`` in the negotiated position encoding (``positions``)."""
        return Columns(self.workspace.position_codec, text)

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

        published: list[bool] = []

        def parsed(m: ir.Module) -> None:  # the full diagnostics, before the index is built
            def go() -> None:
                if d.version == version and self.docs.get(d.uri) is d:
                    self.publish(d, m.diagnostics)
                    published.append(True)
            loop.call_soon_threadsafe(go)

        stale = lambda: d.version != version or self.docs.get(d.uri) is not d  # noqa: E731
        try:
            module = await loop.run_in_executor(self.parser,
                                                lambda: _parse_and_index(text, d.path, early, stale, parsed))
        except ParseCancelled:  # a newer edit is being parsed
            return
        except Exception as e:  # noqa: BLE001 - the parser never should; say so, do not die
            log.exception("parse failed")
            module = ir.Module(dialect=dialects.detect(d.path, text), items=[], path=d.path)
            module.diagnostics = [Diagnostic("error", f"xpiler could not parse this file: {e}", 1, 1, file=d.path)]
        if d.version == version:  # not overtaken by an edit
            d.module, d.module_version = module, version
            if not published:  # (a parse that failed: its one diagnostic)
                self.publish(d)
        if not fut.done():
            fut.set_result(module)

    async def module(self, d: Doc, bound: float = 0.0) -> Optional[ir.Module]:
        """The analysis of d. A document never parsed waits for its first parse (10 s at
        most); with ``bound``, a request waits that long for the analysis of the version it
        was asked on while its parse is pending (code actions, hovers: an editor that asks
        right after an edit gets answers for what it shows); else the last parse answers."""
        version = d.version
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (10 if d.module is None else bound)
        while (d.module is None or (bound and d.module_version != version and d.version == version)) and \
                d.parsing is not None and not d.parsing.done() and loop.time() < deadline:
            try:
                await asyncio.wait_for(asyncio.shield(d.parsing), deadline - loop.time())
            except asyncio.TimeoutError:
                break
            await asyncio.sleep(0)  # a parse overtaken by an edit hands over to the next one
        return d.module

    def _publish_early(self, d: Doc, version: int, diags: list[Diagnostic]) -> None:
        if d.version == version and self.docs.get(d.uri) is d:
            self.publish(d, diags)

    def publish(self, d: Doc, parse_diagnostics: Optional[list[Diagnostic]] = None) -> None:
        if parse_diagnostics is None:
            parse_diagnostics = d.module.diagnostics if d.module else []
        cols = self.columns(d.text)
        diags = [to_lsp(x, cols) for x in parse_diagnostics]
        for items in d.job_diagnostics.values():
            diags += [dict_to_lsp(x, cols) for x in items]
        r = self.results.get(d.uri)
        if r is not None:
            diags += [dict_to_lsp(x, cols) for x in result_diagnostics(r, d.text)]
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=d.uri, version=d.version, diagnostics=diags))

    def publish_uri(self, uri: str) -> None:
        """Publish for ``uri``, open or not (a result the client has not opened yet)."""
        d = self.docs.get(uri)
        if d is not None:
            self.publish(d)
        elif uri in self.results:
            r = self.results[uri]
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(
                uri=uri, diagnostics=[dict_to_lsp(x, self.columns(r.checked_text)) for x in r.diagnostics]))

    def remember(self, r: Result) -> None:
        self.results[r.uri] = r
        self.results.move_to_end(r.uri)
        while len(self.results) > KEEP_RESULTS:
            self.results.popitem(last=False)


def result_diagnostics(r: Result, text: Optional[str]) -> list[dict]:
    """A result's diagnostics while its text is the one checked; once edited, one line
    saying so (the lines they pointed at may have moved)."""
    if text is None or _same(text, r.checked_text):
        return r.diagnostics
    if not text.strip():  # opened before the text edit arrived (Neovim: bufadd, then the edit)
        return []
    return [Diagnostic("information", f"edited since xpiler checked it ({r.status}): Re-check (the code lens above "
                                      f"{r.kernel}) compares it with {Path(r.source_path).name} again",
                       r.kernel_line, 1, source="xpiler", code="translation-edited").to_dict()]


def _parse_and_index(text: str, path: str, early, stale, parsed=None) -> ir.Module:
    """Parse (``parsed(module)`` as soon as the IR is built: its diagnostics are complete),
    then compute what symbols and hovers read (cached on the module), all off the event
    loop."""
    module = xpiler.parse(text, path, on_diagnostics=early, cancelled=stale)
    if parsed is not None:
        parsed(module)
    summarize(module)
    return module


server = XpilerServer()


def to_lsp(d: Diagnostic, cols: Optional[Columns] = None) -> T.Diagnostic:
    """``d`` (1-based byte columns of the text ``cols`` is of) to LSP, its columns in the
    negotiated encoding (as they are without ``cols``: right for ASCII lines only)."""
    line = max(d.line - 1, 0)
    col = max(d.col - 1, 0)
    end_line = (d.end_line - 1) if d.end_line else line
    end_col = (d.end_col - 1) if d.end_col else col + 1
    if (end_line, end_col) < (line, col):
        end_line, end_col = line, col + 1
    start, end = T.Position(line, col), T.Position(end_line, end_col)
    if cols is not None:
        start, end = cols.position(line, col, BYTES), cols.position(end_line, end_col, BYTES)
    return T.Diagnostic(range=T.Range(start, end), message=d.message,
                        severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Error),
                        source=f"xpiler ({d.source})", code=d.code)


def dict_to_lsp(x: dict, cols: Optional[Columns] = None) -> T.Diagnostic:
    """A job's diagnostic (``Diagnostic.to_dict()``, plus ``related``: source lines) to LSP."""
    x = dict(x)
    related = x.pop("related", None) or []
    d = to_lsp(Diagnostic(**x), cols)
    if related:
        d.related_information = [T.DiagnosticRelatedInformation(
            location=T.Location(uri=Path(r["path"]).as_uri(), range=_range(r["line"], 1, r["line"] + 1, 1)),
            message=r.get("message", "")) for r in related
            if isinstance(r.get("path"), str) and Path(r["path"]).is_absolute() and r.get("line")]
    return d


def _range(l1: int, c1: int, l2: int, c2: int) -> T.Range:
    """A range of whole lines (columns 1: 0 in every encoding); columns go through ``Columns``."""
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
    cols = ls.columns(d.text)
    for s in outline.symbols(m, d.text):
        rng = _range(s.line, 1, s.end_line + 1, 1)
        sel = cols.range(s.name_line, s.name_col, s.name_line, s.name_col + len(s.name), CHARS)
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
    cols = ls.columns(d.text)
    for line, byte_col, byte_length, typ, mods in outline.semantic_tokens(d.text, dialect):
        col = cols.to_client(line, byte_col)  # start and length in the negotiated encoding
        length = cols.to_client(line, byte_col + byte_length) - col
        data += [line - pl, col - pc if line == pl else col, length, typ, mods]
        pl, pc = line, col
    return T.SemanticTokens(data=data)


@server.feature(T.TEXT_DOCUMENT_HOVER)
async def hover(ls: XpilerServer, params: T.HoverParams):
    d = ls.doc(params.text_document.uri)
    m = await ls.module(d, ANSWER_BOUND) if d else None
    if m is None:
        return None
    line = params.position.line + 1
    cols = ls.columns(d.text)
    arch = {"cuda": ls.settings.gpuArch, "hip": ls.settings.hipArch, "bang": ls.settings.mluArch}.get(m.dialect)
    h = hov.hover(m, d.text, line, cols.from_client(params.position, CHARS) + 1, arch)
    r = ls.results.get(d.uri)
    origin = xjobs.provenance_hover(r.lines, line) if r is not None and _same(d.text, r.code) else None
    if h is None and origin is None:
        return None
    text = "\n\n---\n\n".join(x for x in (h.markdown if h else None, origin) if x)
    rng = cols.range(h.line, h.col, h.line, h.end_col, CHARS) if h else None
    return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=text), range=rng)


# ------------------------------------------------------------------ code actions
ACTION_TITLES = {"check": "Check `{k}`: compile and run on the CPU", "compile": "Compile-check `{k}` with the real toolchain"}
TRANSLATE_TITLE = "Translate `{k}` to {target}"
REVIEW_TITLE = "Compare `{k}` with its original ({original})"


@server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.Source, T.CodeActionKind.QuickFix,
                                                       T.CodeActionKind.RefactorRewrite],
                                    resolve_provider=True))
async def code_action(ls: XpilerServer, params: T.CodeActionParams):
    """List the actions (no work here: they resolve lazily to commands)."""
    d = ls.doc(params.text_document.uri)
    m = await ls.module(d, ANSWER_BOUND) if d else None
    if m is None:
        return []
    line = params.range.start.line + 1
    kernels = [f for f in m.functions if f.body is not None and f.span and f.kind == "kernel"]
    here = [f for f in m.functions if f.body is not None and f.span and f.span.line <= line <= f.span.end_line]
    targets = here or kernels
    actions: list[T.CodeAction] = []
    for f in targets:
        for job, title in ACTION_TITLES.items():
            if job == "compile" and m.dialect == "bang":  # no BANG compiler: say what checks it
                title = "Check `{k}` against the strict BANG header (no BANG compiler here)"
            actions.append(T.CodeAction(title=title.format(k=f.name), kind=f"source.xpiler.{job}",
                                        data={"uri": d.uri, "version": d.version, "kernel": f.name, "job": job}))
        if f.annotations.get("port-of", "").strip():  # a port: compare it with the original its comment names
            rel, named = parse_port_of(f.annotations["port-of"])
            original = f"{Path(rel).name}: {named or f.name}"
            actions.append(T.CodeAction(title=REVIEW_TITLE.format(k=f.name, original=original),
                                        kind="source.xpiler.review",
                                        data={"uri": d.uri, "version": d.version, "kernel": f.name, "job": "review"}))
        fix = d.unresolved.get(f.name)
        if fix and fix.get("text"):
            pos = T.Position(max(fix["line"] - 1, 0), 0)
            actions.append(T.CodeAction(
                title=_quick_fix_title(f.name, fix),
                kind=T.CodeActionKind.QuickFix, is_preferred=fix.get("launch") != "default",
                edit=T.WorkspaceEdit(changes={d.uri: [T.TextEdit(range=T.Range(pos, pos), new_text=fix["text"])]})))
    for f in here:  # the kernel under the cursor (or a host wrapper: the kernels it launches)
        if f.kind == "kernel" or (f.kind == "host" and any(isinstance(n, ir.Launch) for n in f.body.walk())):
            for target in dialects.NAMES:
                if target != m.dialect:
                    actions.append(T.CodeAction(
                        title=TRANSLATE_TITLE.format(k=f.name, target=dialects.get(target).title),
                        kind=T.CodeActionKind.RefactorRewrite,
                        data={"uri": d.uri, "version": d.version, "kernel": f.name, "job": "translate",
                              "target": target}))
    only = params.context.only if params.context else None
    if only:  # the kinds asked for, and their sub-kinds
        wanted = [getattr(k, "value", k) for k in only]
        actions = [a for a in actions if any(getattr(a.kind, "value", a.kind) == k or
                                             getattr(a.kind, "value", a.kind).startswith(f"{k}.") for k in wanted)]
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


# ------------------------------------------------------------------ code lenses on results
@server.feature(T.TEXT_DOCUMENT_CODE_LENS, T.CodeLensOptions(resolve_provider=False))
async def code_lens(ls: XpilerServer, params: T.CodeLensParams):
    """Above a translated kernel: its verdict, and Re-check."""
    r = ls.results.get(params.text_document.uri)
    d = ls.doc(params.text_document.uri)
    if r is None or d is None:
        return []
    m = await ls.module(d)
    f = m.function(r.kernel) if m is not None else None
    line = f.span.line if f is not None and f.span and f.body is not None else r.kernel_line
    rng = _range(line, 1, line, 1)
    title = r.verdict if _same(d.text, r.checked_text) else f"xpiler: edited since checked ({r.status})"
    return [T.CodeLens(range=rng, command=T.Command(title=title, command=CMD_REPORT, arguments=[{"uri": r.uri}])),
            T.CodeLens(range=rng, command=T.Command(
                title="Re-check", command=CMD_RUN,
                arguments=[{"uri": r.uri, "version": d.version, "job": "recheck", "kernel": r.kernel,
                            "target": r.target}]))]


@server.command(CMD_REPORT)
def translation_report(ls: XpilerServer, *args: Any):
    """The translation report of a result (``{uri}``), and its verdict shown."""
    uri = _arg(args).get("uri")
    r = ls.results.get(uri) if isinstance(uri, str) else None
    if r is None:
        return _refuse(ls, f"{uri!r} is not a translation made in this session")
    checks = "; ".join(f"{c['kind']} by {c['tool']}: {c['verdict']}" for c in r.report.get("checks", []))
    ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Info, message=f"{r.verdict} ({checks})"))
    return {"uri": r.uri, "source": r.source_uri, "status": r.status, "verdict": r.verdict, "report": r.report}


# ------------------------------------------------------------------ commands and jobs
@server.command(CMD_RUN)
async def run_job(ls: XpilerServer, *args: Any):
    """Start a job (``{uri, version, job, kernel, ...}``: check, compile, translate with a
    target, recheck); returns at once with the job's id and progress token."""
    a = _arg(args)
    uri = a.get("uri")
    d = ls.doc(uri) if isinstance(uri, str) else None
    if d is None:
        return _refuse(ls, f"{uri if isinstance(uri, str) else 'the document'} is not open: open it and run the "
                           f"action again")
    try:
        kind, params, timeout = xjobs.request(a)
    except XpilerError as e:
        return _refuse(ls, str(e))
    if a.get("version") is not None and a.get("version") != d.version:
        return _refuse(ls, f"the document changed since this action was offered (version {a.get('version')}, now "
                           f"{d.version}): run the action again")
    params.update(text=d.text, path=d.path, settings=ls.settings.for_jobs())
    meta = {"uri": d.uri, "version": d.version, "kernel": params["kernel"]}
    if kind.name == "translate":
        if not d.uri.startswith("file:"):
            return _refuse(ls, "save the file first: a translation is written beside it")
        out = xjobs.output_path(d.path, params["target"], ls.taken)
        ls.taken.add(str(out))
        params["out_path"] = meta["out_path"] = str(out)
        meta["source_path"] = d.path
    elif kind.name == "recheck":
        r = ls.results.get(d.uri)
        if r is None:
            return _refuse(ls, f"{Path(d.path).name} is not a translation made in this session: nothing to re-check "
                               f"it against")
        src = ls.doc(r.source_uri)
        params.update(kernel=r.kernel, target=r.target, source_path=r.source_path,
                      source_text=src.text if src is not None else None)
    snapshot = d.text if kind.name == "recheck" else None  # the text a re-check's verdict is for
    title = kind.title_for(params)
    token = f"xpiler-{uuid.uuid4()}"
    progress = await _start_progress(ls, token, title)

    def on_progress(job: Job, stage: Stage):
        if progress:
            ls.work_done_progress.report(token, T.WorkDoneProgressReport(message=stage.message,
                                                                         percentage=stage.percent, cancellable=True))

    def end(message: str) -> None:
        if progress:
            ls.work_done_progress.end(token, T.WorkDoneProgressEnd(message=message))

    def on_done(job: Job, outcome: str, payload):
        try:
            finished(job, outcome, payload)
        except Exception as e:  # noqa: BLE001 - a bug here must still end the progress
            log.exception("finishing job %s failed", job.id)
            end(f"failed: {type(e).__name__}: {e}")

    def finished(job: Job, outcome: str, payload):
        if "out_path" in job.meta and outcome != "done":
            ls.taken.discard(job.meta["out_path"])
        if outcome == "done" and job.name == "translate":
            asyncio.ensure_future(_deliver_translation(ls, job, payload, title, end))
            return
        if outcome == "done" and job.name == "recheck":
            end(_rechecked(ls, job, payload, snapshot))
            return
        stopped = f" during {job.stage}" if job.stage else ""
        done = payload.get("summary", "finished") if job.name == "review" and isinstance(payload, dict) \
            else "finished"
        message = {"done": done, "error": f"failed: {payload}", "cancelled": "cancelled",
                   "timeout": f"stopped after {job.timeout or ls.jobs.timeout:.0f} s (timeout){stopped}"}[outcome]
        end(message)
        doc = ls.doc(job.meta["uri"])
        if doc is None:
            return
        kernel = job.meta["kernel"]
        key = kernel if job.name in ("check", "compile") else f"{job.name}:{kernel}"
        if outcome == "done" and doc.version == job.meta["version"]:
            doc.job_diagnostics[key] = payload.get("diagnostics", [])
            if payload.get("unresolved"):
                doc.unresolved[kernel] = payload["unresolved"]
            ls.publish(doc)
        elif outcome in ("error", "timeout"):
            line = _kernel_line(doc, kernel)
            msg = f"{title}: {message}"
            partial = payload.get("partial") if isinstance(payload, dict) and \
                doc.version == job.meta["version"] else None  # what the job had found when stopped
            doc.job_diagnostics[key] = [Diagnostic(
                "warning" if outcome == "timeout" else "error", msg, line, 1, file=doc.path, source="xpiler",
                code=f"job-{outcome}").to_dict()] + list((partial or {}).get("diagnostics", []))
            ls.publish(doc)
            ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=msg))

    try:
        job = ls.jobs.submit(kind.name, params, title, on_progress, on_done, token, timeout or ls.settings.jobs.timeout)
    except RuntimeError as e:
        ls.taken.discard(meta.get("out_path"))
        end(str(e))
        return _refuse(ls, str(e))
    job.meta.update(meta)
    return {"jobId": job.id, "token": token, "state": job.state, "job": kind.name}


async def _deliver_translation(ls: XpilerServer, job: Job, payload: dict, title: str, end) -> None:
    """A finished translation: its failure on the source; its result in a new file beside
    the source (CreateFile and a text edit), shown, with its diagnostics."""
    reserved = job.meta.get("out_path")
    try:
        message = await _deliver(ls, job, payload, title)
    except Exception as e:  # noqa: BLE001 - the client went away, an edit failed: say so, do not die
        log.exception("delivering a translation failed")
        message = f"failed: could not deliver the translation: {e}"
    finally:
        ls.taken.discard(reserved)
    end(message)


async def _deliver(ls: XpilerServer, job: Job, payload: dict, title: str) -> str:
    src_uri, kernel = job.meta["uri"], job.meta["kernel"]
    doc = ls.doc(src_uri)
    if doc is not None and doc.version == job.meta["version"]:
        key = f"translate:{kernel}"
        if payload["source_diagnostics"]:
            doc.job_diagnostics[key] = payload["source_diagnostics"]
        else:
            doc.job_diagnostics.pop(key, None)
        ls.publish(doc)
    if not payload.get("code"):
        ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=f"{title}: {payload['verdict']}"))
        return payload["verdict"].removeprefix("xpiler: ")
    source_path = job.meta["source_path"]
    path = Path(job.meta["out_path"])
    if path.exists():  # written since the job started: the next free name
        path = xjobs.output_path(source_path, payload["target"], ls.taken - {job.meta["out_path"]})
    ls.taken.add(str(path))
    uri = path.as_uri()
    ok, why = await _create_file(ls, uri, path, payload["code"], title)
    if not ok:
        ls.taken.discard(str(path))
        msg = f"{title}: could not create {path.name}: {why}"
        ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Error, message=msg))
        return f"failed: could not create {path.name}: {why}"
    ls.remember(Result(uri, src_uri, source_path, kernel, payload["target"],
                       payload["code"], payload["lines"], payload["report"], payload["code"],
                       payload["result_diagnostics"], payload["status"], payload["verdict"], payload["kernel_line"]))
    ls.publish_uri(uri)
    await _show(ls, uri, payload["kernel_line"], f"{title}: {payload['verdict']} ({path.name})")
    if payload["status"] == "failed":
        ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Warning,
                                                   message=f"{title}: {payload['verdict']} (in {path.name})"))
    return f"{payload['verdict'].removeprefix('xpiler: ')} → {path.name}"


async def _create_file(ls: XpilerServer, uri: str, path: Path, text: str, label: str) -> tuple[bool, str]:
    """A new file with ``text``: a workspace edit (CreateFile, then the text) where the
    client creates files, else written here; never over an existing file."""
    caps = ls.client_capabilities
    edit_caps = caps.workspace.workspace_edit if caps and caps.workspace else None
    if edit_caps and T.ResourceOperationKind.Create in (edit_caps.resource_operations or []):
        # ignore_if_exists: a client that honours only overwrite (Neovim 0.10 truncates when
        # neither is set) leaves an existing file alone; the path was free just now anyway
        edit = T.WorkspaceEdit(document_changes=[
            T.CreateFile(uri=uri, options=T.CreateFileOptions(overwrite=False, ignore_if_exists=True)),
            T.TextDocumentEdit(text_document=T.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                               edits=[T.TextEdit(range=T.Range(T.Position(0, 0), T.Position(0, 0)), new_text=text)])])
        res = await asyncio.wait_for(ls.workspace_apply_edit_async(T.ApplyWorkspaceEditParams(edit=edit, label=label)),
                                     60)
        return bool(res and res.applied), (res.failure_reason if res else None) or "the client did not apply the edit"
    try:
        with open(path, "x", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        return False, str(e)
    return True, ""


async def _show(ls: XpilerServer, uri: str, line: int, message: str) -> None:
    caps = ls.client_capabilities
    if caps and caps.window and caps.window.show_document and caps.window.show_document.support:
        try:
            await asyncio.wait_for(ls.window_show_document_async(T.ShowDocumentParams(
                uri=uri, take_focus=True, selection=_range(line, 1, line, 1))), 30)
            return
        except Exception:  # noqa: BLE001 - shown as a message instead
            log.warning("window/showDocument failed", exc_info=True)
    ls.window_show_message(T.ShowMessageParams(type=T.MessageType.Info, message=message))


def _rechecked(ls: XpilerServer, job: Job, payload: dict, text: str) -> str:
    r = ls.results.get(job.meta["uri"])
    if r is None:
        return payload["verdict"]
    r.checked_text, r.diagnostics = text, payload["result_diagnostics"]
    r.status, r.verdict, r.kernel_line = payload["status"], payload["verdict"], payload["kernel_line"]
    r.report = {**r.report, "rechecked": {"status": r.status, "why": payload["why"], "checks": payload["checks"]}}
    ls.publish_uri(r.uri)
    caps = ls.client_capabilities
    if caps and caps.workspace and caps.workspace.code_lens and caps.workspace.code_lens.refresh_support:
        ls.workspace_code_lens_refresh(None)
    return payload["verdict"].removeprefix("xpiler: ")


@server.command(CMD_CANCEL)
def cancel_job(ls: XpilerServer, *args: Any):
    """Cancel a job by id or progress token, or every job when given nothing."""
    a = _arg(args)
    if ls._jobs is None:
        return {"cancelled": []}
    if "jobId" in a or "token" in a:
        job_id, token = a.get("jobId"), a.get("token")
        job = ls.jobs.jobs.get(job_id) if type(job_id) is int else \
            ls.jobs.by_token(token) if isinstance(token, str) else None
        targets = [job] if job else []
    else:
        targets = ls.jobs.active()
    done = [j.id for j in targets if ls.jobs.cancel(j)]
    return {"cancelled": done}


@server.command(CMD_JOBS)
def list_jobs(ls: XpilerServer, *args: Any):
    if ls._jobs is None:
        return []
    return [j.describe() for j in ls.jobs.jobs.values()]


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
