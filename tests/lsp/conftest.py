"""The real server as a subprocess, driven by pytest-lsp."""
from __future__ import annotations

import sys

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "xpiler_lsp"]


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    params = T.InitializeParams(capabilities=client_capabilities("visual-studio-code"),
                                initialization_options={"xpiler": {"debounce": 50, "jobs": {"timeout": 120}}})
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
