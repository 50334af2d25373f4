"""LSP handlers. Each one converts LSP types to a library call and back; no analysis here."""
from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

import xpiler
from xpiler.diagnostics import Diagnostic

from . import __version__

server = LanguageServer("xpiler-lsp", __version__)

_SEVERITY = {"error": types.DiagnosticSeverity.Error, "warning": types.DiagnosticSeverity.Warning,
             "information": types.DiagnosticSeverity.Information, "hint": types.DiagnosticSeverity.Hint}


def to_lsp(d: Diagnostic) -> types.Diagnostic:
    line = max(d.line - 1, 0)
    col = max(d.col - 1, 0)
    end_line = (d.end_line - 1) if d.end_line else line
    end_col = (d.end_col - 1) if d.end_col else col + 1
    return types.Diagnostic(
        range=types.Range(types.Position(line, col), types.Position(end_line, end_col)),
        message=d.message, severity=_SEVERITY[d.severity], source=f"xpiler ({d.source})",
        code=d.code)


def publish(ls: LanguageServer, uri: str) -> None:
    doc = ls.workspace.get_text_document(uri)
    module = xpiler.parse(doc.source, doc.path)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, version=doc.version, diagnostics=[to_lsp(d) for d in module.diagnostics]))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)
