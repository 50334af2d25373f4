"""Structure of a file for editors: symbols, folding ranges, semantic tokens."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import dialects, ir
from .frontend.trivia import scan
from .summary import summarize


@dataclass
class Symbol:
    name: str
    kind: str  # kernel, device, host, host_device
    detail: str  # the signature
    line: int  # 1-based range of the whole definition
    end_line: int
    name_line: int
    name_col: int  # 1-based column of the name


def symbols(module: ir.Module, text: str) -> list[Symbol]:
    lines = text.split("\n")
    out = []
    for info in summarize(module):
        nl, nc = info.line, 1
        for k in range(max(info.line, 1), min(info.end_line, len(lines)) + 1):  # the name's position
            m = re.search(r"\b" + re.escape(info.name) + r"\s*\(", lines[k - 1])
            if m:
                nl, nc = k, m.start() + 1
                break
        out.append(Symbol(info.name, info.kind, info.signature, info.line, max(info.end_line, info.line), nl, nc))
    return out


def folding(module: ir.Module, text: str) -> list[tuple[int, int, str]]:
    """(start line, end line, kind) with 1-based lines: bodies, blocks and comment runs."""
    out = []
    for n in module.walk():
        if isinstance(n, (ir.Function, ir.Block)) and n.span and n.span.end_line > n.span.line:
            out.append((n.span.line, n.span.end_line, "region"))
    run_start = run_end = None
    for t in scan(text.encode()):
        if t.kind != "comment" or not t.own_line:
            continue
        if run_end is not None and t.line == run_end + 1:
            run_end = t.end_line
        else:
            if run_start is not None and run_end > run_start:
                out.append((run_start, run_end, "comment"))
            run_start, run_end = t.line, t.end_line
    if run_start is not None and run_end > run_start:
        out.append((run_start, run_end, "comment"))
    return sorted(set(out))


TOKEN_TYPES = ["keyword", "variable", "function", "type"]
TOKEN_MODIFIERS = ["readonly", "defaultLibrary"]
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_EXTRA_KEYWORDS = {"__launch_bounds__", "__restrict__", "__forceinline__", "__noinline__", "__mlu_entry__",
                   "__mlu_func__", "__mlu_device__", "__host__", "__device__", "__global__", "__constant__",
                   "__shared__", "__managed__", "__grid_constant__"}


def _vocabulary(dialect: str) -> dict[str, tuple[int, int]]:
    d = dialects.get(dialect)
    vocab: dict[str, tuple[int, int]] = {}
    words = set(d.function_qualifiers.values()) | set(d.space_qualifiers.values()) | set(d.extra_qualifier_spellings)
    for q in words:
        for w in q.split():
            vocab[w] = (0, 0)
    if d.name in ("cuda", "hip", "bang"):
        for w in _EXTRA_KEYWORDS:
            vocab.setdefault(w, (0, 0))
    for name in d.builtin_vars:
        vocab[name] = (1, 0b11)
    for name, it in d.intrinsics.items():
        if "::" not in name and it.category != "math":
            vocab[name] = (2, 0b10)
    return vocab


_VOCAB: dict[str, dict] = {}


def semantic_tokens(text: str, dialect: str) -> list[tuple[int, int, int, int, int]]:
    """(line0, col0, length, type index, modifier bits) of dialect keywords, built-in
    variables and intrinsics, outside comments and directives (0-based, byte columns)."""
    vocab = _VOCAB.get(dialect)
    if vocab is None:
        vocab = _VOCAB[dialect] = _vocabulary(dialect)
    data = text.encode("utf-8", "replace")
    skip = [(t.start, t.end) for t in scan(data) if t.kind == "comment"]
    out = []
    line, line_start = 0, 0
    newlines = [i for i, b in enumerate(data) if b == 10]
    import bisect

    k = 0
    for m in _IDENT.finditer(data):
        word = m.group(0).decode()
        hit = vocab.get(word)
        if hit is None:
            continue
        s = m.start()
        while k < len(skip) and skip[k][1] <= s:
            k += 1
        if k < len(skip) and skip[k][0] <= s < skip[k][1]:
            continue
        line = bisect.bisect_right(newlines, s - 1)
        line_start = newlines[line - 1] + 1 if line > 0 else 0
        out.append((line, s - line_start, len(word), hit[0], hit[1]))
    return out
