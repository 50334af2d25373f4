"""The real server as a subprocess, driven by pytest-lsp."""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "xpiler_lsp"]


def apply_edit(client: LanguageClient, params: T.ApplyWorkspaceEditParams) -> T.ApplyWorkspaceEditResult:
    """What an editor does with a workspace edit: CreateFile creates the file on disk (never
    over one, unless asked), a text edit goes into the (unsaved) buffer, kept in
    ``client.buffers``; ``client.edits`` records every edit."""
    client.edits.append(params.edit)
    for change in params.edit.document_changes or []:
        if isinstance(change, T.CreateFile):
            path = Path(unquote(urlparse(change.uri).path))
            opts = change.options or T.CreateFileOptions()
            if path.exists() and not opts.overwrite:
                if opts.ignore_if_exists:
                    client.buffers.setdefault(change.uri, path.read_text())
                    continue
                return T.ApplyWorkspaceEditResult(applied=False, failure_reason=f"{path} exists")
            path.write_text("")
            client.buffers[change.uri] = ""
        elif isinstance(change, T.TextDocumentEdit):
            text = client.buffers.get(change.text_document.uri, "")
            for e in change.edits:
                assert e.range.start == e.range.end == T.Position(0, 0), "the test client inserts at the top only"
                text = e.new_text + text
            client.buffers[change.text_document.uri] = text
    return T.ApplyWorkspaceEditResult(applied=True)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    lsp_client.edits, lsp_client.buffers, lsp_client.lens_refreshes = [], {}, 0
    lsp_client.feature(T.WORKSPACE_APPLY_EDIT)(lambda params: apply_edit(lsp_client, params))

    @lsp_client.feature(T.WORKSPACE_CODE_LENS_REFRESH)
    def lens_refresh(params):
        lsp_client.lens_refreshes += 1
    params = T.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                initialization_options={"xpiler": {"debounce": 50, "jobs": {"timeout": 120}}})
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
