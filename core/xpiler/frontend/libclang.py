"""libclang setup: the index, the command line per language, and the few C entry points
the Python bindings of the PyPI ``libclang`` wheel do not wrap (operator kinds, constant
evaluation)."""
from __future__ import annotations

import ctypes
import functools
from typing import Optional

import clang.cindex as ci

# Virtual directory (never on disk) where preludes and header stubs live as unsaved files.
VIRTUAL_ROOT = "/__xpiler__"
PRELUDE_PATH = VIRTUAL_ROOT + "/prelude.h"
STUB_DIR = VIRTUAL_ROOT + "/include"
MISSING_DIR = VIRTUAL_ROOT + "/missing"

# Keep going after fatal errors (a missing header must not end the parse).
_KEEP_GOING = 0x200

_QUIET = [
    "-Wno-unknown-pragmas", "-Wno-pragma-once-outside-header", "-Wno-unused-value",
    "-Wno-unknown-attributes", "-Wno-ignored-attributes", "-Wno-unknown-cuda-version",
    "-Wno-cuda-compat", "-Wno-unused-command-line-argument", "-Wno-main-return-type",
    "-Wno-gnu-folding-constant", "-Wno-gcc-compat", "-Wno-deprecated-declarations",
    "-Wno-ignored-pragma-intrinsic", "-Wno-invalid-pp-token", "-Wno-null-character",
    "-Wno-unused-result",
]


def command_line(language: str) -> list[str]:
    """clang arguments for a language: ``cuda`` (CUDA, HIP and BANG), ``c++`` or ``c``."""
    base = ["-target", "x86_64-unknown-linux-gnu", "-nostdinc", "-fsyntax-only",
            "-ferror-limit=0", "-include", PRELUDE_PATH, "-I", STUB_DIR, "-idirafter", MISSING_DIR,
            "-D__XPILER__=1", *_QUIET]
    if language == "cuda":
        return ["-x", "cuda", "-std=c++17", "-nostdinc++", "--cuda-host-only", "-nocudainc",
                "-nocudalib", "--cuda-path=/__xpiler__/no-cuda", "--cuda-gpu-arch=sm_80", *base]
    if language == "c++":
        return ["-x", "c++", "-std=c++17", "-nostdinc++", *base]
    return ["-x", "c", "-std=gnu11", *base]


@functools.lru_cache(maxsize=1)
def index() -> ci.Index:
    return ci.Index.create()


def parse(path: str, language: str, unsaved: list[tuple[str, str | bytes]], pch: Optional[str] = None
          ) -> ci.TranslationUnit:
    args = command_line(language)
    if pch:
        i = args.index("-include")
        args = args[:i] + ["-include-pch", pch] + args[i + 2:]
    return index().parse(path, args=args, unsaved_files=unsaved, options=_KEEP_GOING)


def build_pch(language: str, prelude_text: str, unsaved: list[tuple[str, str | bytes]], out: str) -> bool:
    """Precompile the prelude (clang's AST file): parsing a kernel then reads it instead of
    re-parsing thousands of declarations (about 8 ms instead of 60 ms for CUDA)."""
    args = command_line(language)
    i = args.index("-include")
    args = args[:i] + args[i + 2:]
    tu = index().parse(PRELUDE_PATH, args=args, unsaved_files=[(PRELUDE_PATH, prelude_text)] + unsaved,
                       options=_KEEP_GOING | ci.TranslationUnit.PARSE_INCOMPLETE)
    if any(d.severity >= 3 for d in tu.diagnostics):
        return False
    tu.save(out)
    return True


# ----------------------------------------------------------------------------- extra C API
class _Lib:
    """Entry points of libclang 17+ the Python bindings lack."""

    def __init__(self):
        lib = ci.conf.lib
        lib.clang_getCursorBinaryOperatorKind.argtypes = [ci.Cursor]
        lib.clang_getCursorBinaryOperatorKind.restype = ctypes.c_int
        lib.clang_getCursorUnaryOperatorKind.argtypes = [ci.Cursor]
        lib.clang_getCursorUnaryOperatorKind.restype = ctypes.c_int
        lib.clang_Cursor_Evaluate.argtypes = [ci.Cursor]
        lib.clang_Cursor_Evaluate.restype = ctypes.c_void_p
        lib.clang_EvalResult_getKind.argtypes = [ctypes.c_void_p]
        lib.clang_EvalResult_getKind.restype = ctypes.c_int
        lib.clang_EvalResult_getAsLongLong.argtypes = [ctypes.c_void_p]
        lib.clang_EvalResult_getAsLongLong.restype = ctypes.c_longlong
        lib.clang_EvalResult_isUnsignedInt.argtypes = [ctypes.c_void_p]
        lib.clang_EvalResult_isUnsignedInt.restype = ctypes.c_uint
        lib.clang_EvalResult_getAsUnsigned.argtypes = [ctypes.c_void_p]
        lib.clang_EvalResult_getAsUnsigned.restype = ctypes.c_ulonglong
        lib.clang_EvalResult_getAsDouble.argtypes = [ctypes.c_void_p]
        lib.clang_EvalResult_getAsDouble.restype = ctypes.c_double
        lib.clang_EvalResult_dispose.argtypes = [ctypes.c_void_p]
        lib.clang_EvalResult_dispose.restype = None
        self.lib = lib
        # CXBinaryOperatorKind and CXUnaryOperatorKind, in enum order (clang-c/Index.h, 17+).
        self.binary_ops = ["", ".*", "->*", "*", "/", "%", "+", "-", "<<", ">>", "<=>", "<", ">", "<=",
                           ">=", "==", "!=", "&", "^", "|", "&&", "||", "=", "*=", "/=", "%=", "+=",
                           "-=", "<<=", ">>=", "&=", "^=", "|=", ","]
        self.unary_ops = ["", "++", "--", "++", "--", "&", "*", "+", "-", "~", "!", "__real", "__imag",
                          "__extension__", "co_await"]

    def binary_op(self, cursor: ci.Cursor) -> str:
        k = self.lib.clang_getCursorBinaryOperatorKind(cursor)
        return self.binary_ops[k] if 0 < k < len(self.binary_ops) else ""

    def unary_op(self, cursor: ci.Cursor) -> tuple[str, bool]:
        """(operator, postfix) of a unary operator cursor."""
        k = self.lib.clang_getCursorUnaryOperatorKind(cursor)
        if not 0 < k < len(self.unary_ops):
            return "", False
        spelling = self.unary_ops[k]
        return spelling, k in (1, 2)  # PostInc, PostDec

    def evaluate(self, cursor: ci.Cursor) -> Optional[int | float]:
        """The value of a constant expression, or None."""
        res = self.lib.clang_Cursor_Evaluate(cursor)
        if not res:
            return None
        try:
            kind = self.lib.clang_EvalResult_getKind(res)
            if kind == 1:  # CXEval_Int
                if self.lib.clang_EvalResult_isUnsignedInt(res):
                    return int(self.lib.clang_EvalResult_getAsUnsigned(res))
                return int(self.lib.clang_EvalResult_getAsLongLong(res))
            if kind == 2:  # CXEval_Float
                return float(self.lib.clang_EvalResult_getAsDouble(res))
            return None
        finally:
            self.lib.clang_EvalResult_dispose(res)


@functools.lru_cache(maxsize=1)
def extra() -> _Lib:
    return _Lib()


class Locator:
    """Fast source offsets of cursors in the main file.

    The Python bindings build several objects per ``cursor.extent.start.offset``; kernels
    have tens of thousands of cursors, so this asks libclang for the two expansion
    offsets of an extent in two calls and leaves lines and columns to a Python index.
    """

    def __init__(self, tu: ci.TranslationUnit, path: str, size: int = 0):
        lib = ci.conf.lib
        if not hasattr(lib.clang_getFile, "_xp"):
            lib.clang_getFile.argtypes = [ci.TranslationUnit, ctypes.c_char_p]
            lib.clang_getFile.restype = ctypes.c_void_p
            lib.clang_getFile._xp = True
        self.lib = lib
        self.main = lib.clang_getFile(tu, path.encode()) or None
        # Raw SourceLocation encodings: a location in the main file is its global offset
        # (high bit clear); its file offset is that minus the raw encoding of offset 0.
        # Reading the range's raw ints saves four calls per cursor; macro locations
        # (high bit set) take the slow path.
        self._base = None
        if self.main is not None:
            if not hasattr(lib.clang_getLocationForOffset, "_xp"):
                lib.clang_getLocationForOffset.argtypes = [ci.TranslationUnit, ctypes.c_void_p, ctypes.c_uint]
                lib.clang_getLocationForOffset.restype = ci.SourceLocation
                lib.clang_getLocationForOffset._xp = True
            self._base = lib.clang_getLocationForOffset(tu, self.main, 0).int_data

        self._f = ci.c_object_p()
        self._fv = ctypes.c_void_p.from_buffer(self._f)  # the same pointer, read as an integer
        self._o = ctypes.c_uint()
        self._byref_f = ctypes.byref(self._f)
        self._byref_o = ctypes.byref(self._o)
        self._cache: dict[tuple, tuple[int, int]] = {}
        self.limit = size + 1  # offsets past the main file's end belong to another file

    def _offset(self, loc) -> int:
        self.lib.clang_getInstantiationLocation(loc, self._byref_f, None, None, self._byref_o)
        if self._fv.value != self.main:
            return -1
        return self._o.value

    def extent(self, cursor: ci.Cursor) -> tuple[int, int]:
        """(start, end) byte offsets of the cursor's extent; (-1, -1) outside the main file."""
        d = cursor.data
        key = (cursor._kind_id, d[0], d[1], d[2])
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        r = self.lib.clang_getCursorExtent(cursor)
        base = self._base
        b, e = r.begin_int_data, r.end_int_data
        if base is not None and base <= b < base + self.limit and base <= e <= base + self.limit and b <= e \
                and r.ptr_data[0]:
            out = (b - base, e - base)
        else:
            s = self._offset(self.lib.clang_getRangeStart(r))
            if s < 0:
                out = (-1, -1)
            else:
                e2 = self._offset(self.lib.clang_getRangeEnd(r))
                out = (s, e2) if e2 >= s else (s, s)
        self._cache[key] = out
        return out

    def location(self, cursor: ci.Cursor) -> int:
        """Byte offset of the cursor's location (a declaration's name), -1 outside the file."""
        loc = self.lib.clang_getCursorLocation(cursor)
        base, raw = self._base, loc.int_data
        if base is not None and base <= raw < base + self.limit and loc.ptr_data[0]:
            return raw - base
        return self._offset(loc)


class Children:
    """``cursor.get_children()`` without the bindings' per-child sanity check (a C call
    per child): one reusable visitor callback, results collected in a list."""

    def __init__(self):
        self._out: list = []
        self._tu = None

        def visit(child, parent, data):
            child._tu = self._tu
            self._out.append(child)
            return 1  # CXChildVisit_Continue

        self._callback = ci.callbacks["cursor_visit"](visit)
        self._visit = ci.conf.lib.clang_visitChildren

    def __call__(self, cursor: ci.Cursor) -> list:
        out, tu = self._out, self._tu
        self._out, self._tu = [], cursor._tu
        try:
            self._visit(cursor, self._callback, None)
            return self._out
        finally:
            self._out, self._tu = out, tu
