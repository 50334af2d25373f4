"""Positions in the encoding negotiated with the client (LSP 3.17 ``positionEncoding``).

The library counts columns in two units: UTF-8 bytes (clang's and the parser's
diagnostics, the findings of jobs, semantic tokens) and code points (hovers, the outline:
regular expressions over ``str`` lines). The client counts in the negotiated encoding:
UTF-8 when it offers it, else UTF-16, the default (``negotiate``; ``protocol.XpilerProtocol``
narrows pygls's choice to these two). pygls keeps the negotiated codec on the workspace
(``workspace.position_codec``) and converts the client's incremental edits with it;
``Columns`` converts, with the same codec, every column the server sends or reads against
the text it is a column of. Lines are the library's: split at ``\\n`` only.
"""
from __future__ import annotations

from typing import Optional

from lsprotocol import types as T
from pygls.workspace.position_codec import PositionCodec

BYTES, CHARS = "bytes", "chars"  # the library's column units: UTF-8 bytes, code points


def negotiate(offered) -> T.PositionEncodingKind:
    """UTF-8 when the client offers it (the library's own unit), else UTF-16 (the one
    every client supports)."""
    return T.PositionEncodingKind.Utf8 if T.PositionEncodingKind.Utf8 in (offered or []) \
        else T.PositionEncodingKind.Utf16


class Columns:
    """Columns of one text between the library's units and the client's."""

    def __init__(self, codec: PositionCodec, text: Optional[str]):
        self.codec = codec
        self.utf8 = codec.encoding == T.PositionEncodingKind.Utf8
        self.text = text or ""
        self._lines: Optional[list[str]] = None

    def line(self, line0: int) -> Optional[str]:
        if self._lines is None:
            self._lines = self.text.split("\n")
        return self._lines[line0] if 0 <= line0 < len(self._lines) else None

    def to_client(self, line0: int, col0: int, unit: str = BYTES) -> int:
        """The 0-based column ``col0`` (in ``unit``) of line ``line0``, in client units. A
        column past the end of its line stays as far past it."""
        if col0 <= 0:
            return 0
        s = self.line(line0)
        if s is None or s.isascii() or (unit == BYTES and self.utf8):
            return col0
        if unit == BYTES:
            b = s.encode("utf-8", "replace")  # as the library encodes (a lone surrogate: one byte)
            chars = len(b[:col0].decode("utf-8", "ignore"))  # inside a character: its start
            extra = max(col0 - len(b), 0)
        else:
            chars, extra = min(col0, len(s)), max(col0 - len(s), 0)
        return self.codec.client_num_units(s[:chars]) + extra

    def position(self, line0: int, col0: int, unit: str = BYTES) -> T.Position:
        return T.Position(max(line0, 0), self.to_client(line0, col0, unit))

    def range(self, l1: int, c1: int, l2: int, c2: int, unit: str = BYTES) -> T.Range:
        """A range from the library's 1-based lines and columns."""
        return T.Range(self.position(l1 - 1, c1 - 1, unit), self.position(l2 - 1, c2 - 1, unit))

    def from_client(self, pos: T.Position, unit: str = CHARS) -> int:
        """The 0-based column, in ``unit``, of a position the client sent."""
        ch = max(pos.character, 0)
        s = self.line(pos.line)
        if s is None or s.isascii() or (unit == BYTES and self.utf8):
            return ch
        n = self.codec.client_num_units(s)
        if ch >= n:  # at or past the end of the line
            chars, extra = len(s), ch - n
        else:  # inside a character (half a surrogate pair, a byte of a sequence): after it
            chars = self.codec.position_from_client_units([s], T.Position(0, ch)).character
            extra = 0
        if unit == CHARS:
            return chars + extra
        return len(s[:chars].encode("utf-8", "replace")) + extra
