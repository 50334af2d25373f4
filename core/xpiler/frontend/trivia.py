"""Comments and preprocessor lines, which clang's AST does not keep.

A small lexer over the UTF-8 bytes of a file finds every comment and every directive
(``#include``, ``#define`` with its continuation lines, ``#pragma``, ``#if``...), skipping
string and character literals. The converter places them back between statements.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_TOKEN = re.compile(
    rb"""
      (?P<lc>//[^\n]*(?:(?<=\\)\n[^\n]*)*)
    | (?P<bc>/\*.*?(?:\*/|\Z))
    | (?P<s>"(?:[^"\\\n]|\\.)*"?)
    | (?P<c>'(?:[^'\\\n]|\\.)*'?)
    | (?P<nl>\n)
    | (?P<hash>\#)
    | (?P<ws>[ \t\r\f\v]+)
    | (?P<other>[^/"'\n#\s]+|/)
    """,
    re.S | re.X,
)


@dataclass(frozen=True)
class Trivia:
    kind: str  # "comment" or "directive"
    text: str
    start: int  # byte offsets, end exclusive
    end: int
    line: int
    col: int
    end_line: int
    own_line: bool  # only whitespace precedes it on its line

    @property
    def is_pragma(self) -> bool:
        return self.kind == "directive" and re.match(r"#\s*pragma\b", self.text) is not None


class LineIndex:
    """Byte offset <-> (line, column), both 1-based."""

    def __init__(self, data: bytes):
        self.starts = [0] + [m.end() for m in re.finditer(rb"\n", data)]

    def position(self, offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def offset(self, line: int, col: int) -> int:
        if line - 1 >= len(self.starts):
            return self.starts[-1]
        return self.starts[line - 1] + col - 1


def scan(data: bytes, index: LineIndex | None = None) -> list[Trivia]:
    """All comments and directives of ``data``, in order."""
    index = index or LineIndex(data)
    out: list[Trivia] = []
    at_line_start = True
    pos, n = 0, len(data)
    while pos < n:
        m = _TOKEN.match(data, pos)
        if m is None:  # cannot happen: 'other' matches any remaining byte class
            pos += 1
            continue
        kind = m.lastgroup
        if kind == "nl":
            at_line_start = True
        elif kind == "ws":
            pass
        elif kind == "hash" and at_line_start:
            end = _directive_end(data, m.start())
            out.append(_make("directive", data, m.start(), end, index, True))
            pos = end
            continue
        elif kind in ("lc", "bc"):
            start = m.start()
            line, col = index.position(start)
            own = data[index.starts[line - 1]:start].strip() == b""
            out.append(_make("comment", data, start, m.end(), index, own))
            at_line_start = False
        else:
            at_line_start = False
        pos = m.end()
    return out


def _directive_end(data: bytes, start: int) -> int:
    """End of a directive: the newline not preceded by a backslash, outside block comments."""
    pos = start
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        bc = data.find(b"/*", pos)
        if nl == -1:
            return n
        if bc != -1 and bc < nl:
            close = data.find(b"*/", bc + 2)
            pos = n if close == -1 else close + 2
            continue
        if nl > 0 and data[nl - 1:nl] == b"\\" or data[nl - 2:nl] == b"\\\r":
            pos = nl + 1
            continue
        end = nl
        if end > start and data[end - 1:end] == b"\r":
            end -= 1
        return end
    return n


def _make(kind: str, data: bytes, start: int, end: int, index: LineIndex, own: bool) -> Trivia:
    line, col = index.position(start)
    end_line, _ = index.position(max(start, end - 1))
    text = data[start:end].decode("utf-8", "replace").rstrip()
    return Trivia(kind, text, start, end, line, col, end_line, own)
