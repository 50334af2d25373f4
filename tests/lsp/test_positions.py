"""Position encodings through the real server: ``positionEncoding`` negotiated in
initialize (utf-8 when the client offers it, else utf-16), and every column sent or read in
it -- diagnostics (clang's, the server's own findings), hover ranges and hovered
positions, document symbols, semantic tokens -- on lines where a non-ASCII comment comes
first."""
from __future__ import annotations

import asyncio

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .conftest import SERVER

NOTE = "/* résumé ∑ 😀 */"  # 2-, 3- and 4-byte UTF-8; the emoji is a UTF-16 surrogate pair

# offered encodings -> what the server must choose
OFFERS = {"utf-8 offered second": (["utf-16", "utf-8"], "utf-8"),
          "utf-32 and utf-16": (["utf-32", "utf-16"], "utf-16"),
          "none offered": (None, "utf-16")}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), params=list(OFFERS), ids=list(OFFERS))
async def client(lsp_client: LanguageClient, request):
    offered, lsp_client.expected_encoding = OFFERS[request.param]
    caps = client_capabilities("visual-studio-code")
    caps.general = T.GeneralClientCapabilities(position_encodings=offered)
    result = await lsp_client.initialize_session(T.InitializeParams(
        capabilities=caps, initialization_options={"xpiler": {"debounce": 20, "jobs": {"timeout": 120}}}))
    lsp_client.negotiated = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()


def units(text: str, encoding: str) -> int:
    return len(text.encode("utf-8")) if encoding == "utf-8" else len(text.encode("utf-16-le")) // 2


def col(line: str, needle: str, encoding: str) -> int:
    """The client's column of ``needle`` in ``line``."""
    return units(line[:line.index(needle)], encoding)


async def open_and_wait(client, uri, text, language, want=lambda ds: True):
    client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, language, 1, text)))
    for _ in range(200):
        await asyncio.sleep(0.05)
        if uri in client.diagnostics and want(client.diagnostics[uri]):
            return client.diagnostics[uri]
    raise AssertionError(f"no diagnostics as wanted: {client.diagnostics.get(uri)}")


CUDA = f"""__global__ void scale(float *y, int n) {{
    {NOTE} int i = blockIdx.x * blockDim.x + threadIdx.x;
    {NOTE} if (i < n) y[i] = undeclared_value * 2.0f;
    {NOTE} __shfl_nope(i);
}}
{NOTE} __global__ void other(float *z) {{ z[0] = 1.0f; }}
"""


@pytest.mark.asyncio(loop_scope="function")
async def test_negotiation_diagnostics_hover_symbols_tokens(client, tmp_path):
    enc = client.expected_encoding
    assert client.negotiated == enc
    lines = CUDA.split("\n")
    path = tmp_path / "k.cu"
    path.write_text(CUDA)
    uri = path.as_uri()
    diags = await open_and_wait(client, uri, CUDA, "cuda-cpp",
                                lambda ds: any(d.code == "unknown-intrinsic" for d in ds))
    # clang's error on `undeclared_value`, after the comment on line 2
    d = next(d for d in diags if "undeclared" in d.message)
    c0 = col(lines[2], "undeclared_value", enc)
    assert (d.range.start.line, d.range.start.character) == (2, c0), d.range
    assert d.range.end.line == 2 and d.range.end.character > c0
    # the server's own finding (an unknown intrinsic: clang's error, reworded) on line 4
    d = next(d for d in diags if d.code == "unknown-intrinsic")
    assert d.range.start == T.Position(3, col(lines[3], "__shfl_nope", enc)), d
    # hover on `n` in `i < n` (after the comment): the position the client sends is read in
    # its encoding, and the range comes back in it
    at = col(lines[2], "n)", enc)
    h = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(2, at)))
    assert h is not None and h.range == T.Range(T.Position(2, at), T.Position(2, at + 1)), h
    assert "`n`" in h.contents.value or "n" in h.contents.value
    h2 = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri),
                                                              T.Position(1, col(lines[1], "blockDim", enc) + 3)))
    assert h2 is not None and h2.range.start == T.Position(1, col(lines[1], "blockDim", enc)), h2
    assert h2.range.end == T.Position(1, col(lines[1], "blockDim", enc) + len("blockDim"))
    # inside the comment: no identifier there (the emoji's second half, or a byte of it)
    inside = await client.text_document_hover_async(T.HoverParams(
        T.TextDocumentIdentifier(uri), T.Position(1, col(lines[1], "😀", enc) + 1)))
    assert inside is None or inside.range is None or inside.range.start.character > col(lines[1], "*/", enc)
    # the symbol `other`: its name's range, after the comment on line 6
    syms = await client.text_document_document_symbol_async(T.DocumentSymbolParams(T.TextDocumentIdentifier(uri)))
    other = next(s for s in syms if s.name == "other")
    c5 = col(lines[5], "other", enc)
    assert other.selection_range == T.Range(T.Position(5, c5), T.Position(5, c5 + 5)), other.selection_range
    # semantic tokens: blockIdx, blockDim, threadIdx on line 2 at their columns
    tokens = await client.text_document_semantic_tokens_full_async(T.SemanticTokensParams(
        T.TextDocumentIdentifier(uri)))
    absolute, line, start = [], 0, 0
    for k in range(0, len(tokens.data), 5):
        dl, ds, length = tokens.data[k:k + 3]
        line, start = line + dl, (start + ds if dl == 0 else ds)
        absolute.append((line, start, length))
    for word in ("blockIdx", "blockDim", "threadIdx"):
        assert (1, col(lines[1], word, enc), len(word)) in absolute, (word, absolute)
    assert (5, col(lines[5], "__global__", enc), len("__global__")) in absolute, absolute
    # an edit in the client's encoding, right after the emoji: the server applies it there
    # (pygls's codec) and the diagnostics that follow are for the edited text
    e = col(lines[2], "undeclared_value", enc)
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(version=2, uri=uri),
        [T.TextDocumentContentChangePartial(range=T.Range(T.Position(2, e), T.Position(2, e + len("undeclared_"))),
                                            text="")]))
    for _ in range(200):
        await asyncio.sleep(0.05)
        ds = client.diagnostics.get(uri, [])
        if not any("'undeclared_value'" in x.message for x in ds) and any("'value'" in x.message for x in ds):
            break
    d = next(x for x in client.diagnostics[uri] if "'value'" in x.message)
    assert d.range.start == T.Position(2, e), d  # `value` now where `undeclared_value` began



# ----------------------------------------------------------------------------- the helper alone
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_columns_round_trip_and_edges(encoding):
    from pygls.workspace.position_codec import PositionCodec

    from xpiler_lsp.positions import BYTES, CHARS, Columns, negotiate

    assert negotiate(["utf-32", "utf-16", "utf-8"]) == "utf-8" and negotiate(["utf-32"]) == "utf-16"
    assert negotiate(None) == "utf-16"
    line = f"a {NOTE} b;"
    cols = Columns(PositionCodec(encoding), f"x\n{line}\r\ny")
    raw = line.encode()
    for i, ch in enumerate(line):  # every character start, from bytes and from code points
        at = units(line[:i], encoding)
        assert cols.to_client(1, len(line[:i].encode()), BYTES) == at
        assert cols.to_client(1, i, CHARS) == at
        assert cols.from_client(T.Position(1, at), CHARS) == i
        assert cols.from_client(T.Position(1, at), BYTES) == len(line[:i].encode())
    # a byte column inside a character: itself in utf-8, the character's start in utf-16; a
    # utf-16 column inside a surrogate pair: the next character
    e = raw.index("😀".encode())
    emoji = units(line[:line.index("😀")], encoding)
    assert cols.to_client(1, e + 2, BYTES) == (e + 2 if encoding == "utf-8" else emoji)
    if encoding == "utf-16":
        assert cols.from_client(T.Position(1, emoji + 1)) == line.index("😀") + 1
    # past the end of the line (the \r is part of it): as far past; lines that do not exist,
    # and columns before 0, as they are
    end = units(line + "\r", encoding)
    assert cols.to_client(1, len(raw) + 1 + 3, BYTES) == end + 3
    assert cols.from_client(T.Position(1, end + 3), CHARS) == len(line) + 1 + 3
    assert cols.to_client(7, 5) == 5 and cols.from_client(T.Position(7, 5)) == 5 and cols.to_client(1, -2) == 0
    assert cols.range(2, 1, 2, 5, CHARS) == T.Range(T.Position(1, 0), T.Position(1, units(line[:4], encoding)))
