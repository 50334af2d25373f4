"""Clang cursors to IR.

The converter walks the translation unit's cursors that lie in the main file and builds
IR nodes, putting back the comments and directives that clang drops (see ``trivia``).
Anything it does not model becomes an Opaque node holding the source text, with a
diagnostic when that is worth knowing; any unexpected failure inside one statement or
one top-level item degrades that piece to Opaque text rather than losing it.
"""
from __future__ import annotations

import re
from typing import Optional

import clang.cindex as ci

from .. import ir
from ..diagnostics import Diagnostic
from .libclang import Children, Locator, extra
from .trivia import LineIndex, Trivia

K = ci.CursorKind
T = ci.TypeKind

_CONFIG_CALLS = {"cudaConfigureCall", "__cudaPushCallConfiguration", "hipConfigureCall",
                 "__hipPushCallConfiguration"}
_FUNC_SPECIFIERS = ("static", "inline", "__inline__", "__inline", "__forceinline__", "__noinline__",
                    "constexpr", "extern")
_VAR_SPECIFIERS = ("static", "extern", "constexpr", "register", "thread_local", "__thread")
_PLAIN_TYPES = frozenset({"float", "double", "int", "unsigned int", "char", "signed char", "unsigned char",
                          "short", "unsigned short", "long", "unsigned long", "long long",
                          "unsigned long long", "bool", "void", "size_t", "int8_t", "uint8_t", "int16_t",
                          "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t", "half", "__half"})
_DECL_TAIL = re.compile(rb"(\s*(__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)|__align__\s*\([^()]*\)|"
                        rb"alignas\s*\([^()]*\)|__declspec\s*\([^()]*\)))*\s*;")
_FUNC_SPEC_RX = re.compile(r"(?<![\w\"])(" + "|".join(_FUNC_SPECIFIERS) + r")\b")
_VAR_SPEC_RX = re.compile(r"(?<![\w\"])(" + "|".join(_VAR_SPECIFIERS) + r")\b")
_INT_RX = re.compile(r"^(0[xX][0-9a-fA-F']+|0[bB][01']+|[0-9][0-9']*)([uUlLzZ]*)$")
_FLOAT_RX = re.compile(r"^([0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?|0[xX][0-9a-fA-F.]+[pP][+-]?[0-9]+)([fFlL]|f16|F16)?$")
_QUALNAME_RX = re.compile(r"^[A-Za-z_][\w:]*(<[\w\s:,<>*&]*>)?(::[A-Za-z_]\w*)*$")
_MEMBER_TAIL = re.compile(rb"\s*(\.|->)\s*((?:template\s+)?~?[A-Za-z_]\w*(?:\s*<[\w\s:,<>*&()+\-]*>)?)\s*")
_XPILER_COMMENT = re.compile(r"^//\s*xpiler:\s*([A-Za-z_][\w-]*)\s*(.*?)\s*$")
_LOOP_PRAGMA = re.compile(r"#\s*pragma\s+(unroll|nounroll|omp\b.*\b(for|simd)\b|GCC\s+unroll|clang\s+loop|ivdep|simd|vector)")
_CV = re.compile(r"\b(const|volatile|__restrict|restrict|__restrict__)\b")


class ParseCancelled(Exception):
    """The caller no longer wants this parse (see ``parse(cancelled=...)``)."""


class Unsupported(Exception):
    """A construct the IR does not model; the caller keeps its text verbatim."""


class Converter:
    def __init__(self, data: bytes, path: str, dialect: str, language: str, trivia: list[Trivia],
                 error_offsets: tuple[int, ...] = (), locator: Optional[Locator] = None, cancelled=None):
        self.data = data
        self.cancelled = cancelled
        self.loc = locator
        self.kids = Children()
        self.covered: list[tuple[int, int]] = []  # file-scope text written back by other means
        self.called: set[str] = set()  # names of called functions (C kernels are the uncalled ones)
        self.errors = sorted(error_offsets)
        self.path = path
        self.dialect = dialect
        self.language = language
        self.lines = LineIndex(data)
        self.trivia = trivia
        self.used = [False] * len(trivia)
        self._tstarts = [t.start for t in trivia]
        self.diagnostics: list[Diagnostic] = []
        self.x = extra()

    # ------------------------------------------------------------------ helpers
    def text(self, c: ci.Cursor) -> str:
        s, t = self.loc.extent(c)
        if s < 0:
            return ""
        return self.data[s:t].decode("utf-8", "replace")

    def span(self, c: ci.Cursor) -> Optional[ir.Span]:
        s, e = self.loc.extent(c)
        return self.span_of(s, e)

    def span_of(self, s: int, e: int) -> Optional[ir.Span]:
        if s < 0:
            return None
        return ir.Span(offset=s, end_offset=e, index=self.lines)

    def _range(self, c: ci.Cursor) -> tuple[int, int]:
        return self.loc.extent(c)

    def present(self, c: ci.Cursor) -> bool:
        """Whether the cursor is written in the file (implicit and default arguments are not)."""
        return self.loc.extent(c)[0] >= 0

    def warn(self, c: Optional[ci.Cursor], message: str, code: str, severity: str = "warning"):
        s = self.loc.extent(c)[0] if c is not None else -1
        line, col = self.lines.position(s) if s >= 0 else (1, 1)
        self.diagnostics.append(Diagnostic(severity, message, line, col, file=self.path, code=code))

    def trivia_between(self, start: int, end: int) -> list[int]:
        """Indices of unused trivia starting in [start, end)."""
        import bisect

        i = bisect.bisect_left(self._tstarts, start)
        out = []
        while i < len(self.trivia) and self.trivia[i].start < end:
            if not self.used[i]:
                out.append(i)
            i += 1
        return out

    def has_error(self, c: ci.Cursor) -> bool:
        """Whether clang reported an error inside this cursor's extent."""
        import bisect

        s, e = self._range(c)
        i = bisect.bisect_left(self.errors, s)
        return i < len(self.errors) and self.errors[i] <= e

    def _error_outside_blocks(self, c: ci.Cursor) -> bool:
        """An error in this statement, not counting its braced sub-blocks (which are
        converted on their own): clang's recovery may have dropped parts of it."""
        import bisect

        s, e = self._range(c)
        i = bisect.bisect_left(self.errors, s)
        hits = [o for o in self.errors[i:] if o <= e]
        if not hits:
            return False
        blocks = [self._range(_unwrap_stmt(k)) for k in self.kids(c) if _unwrap_stmt(k).kind == K.COMPOUND_STMT]
        return any(not any(a <= o < b for a, b in blocks) for o in hits)

    def root(self, c: ci.Cursor) -> ir.Expr:
        """A statement-level expression. Where clang reported an error, its AST may have
        lost pieces: keep the source text instead."""
        if self.errors and self.has_error(c):
            t = self.text(c)
            if not t:
                raise Unsupported("erroneous expression")
            return ir.OpaqueExpr(t, span=self.span(c))
        return self.expr(c)

    def gap_text(self, a: int, b: int) -> str:
        """Source text in [a, b) that is neither trivia nor whitespace nor ';' -- code the
        AST did not give us (clang drops statements it cannot recover)."""
        if b <= a:
            return ""
        raw = self.data[a:b]
        if not raw.strip(b" \t\r\n;"):
            return ""
        seg = bytearray(raw)
        import bisect

        i = bisect.bisect_left(self._tstarts, a)
        while i > 0 and self.trivia[i - 1].end > a:
            i -= 1
        while i < len(self.trivia) and self.trivia[i].start < b:
            t = self.trivia[i]
            for j in range(max(t.start, a), min(t.end, b)):
                seg[j - a] = 32
            i += 1
        if seg.replace(b";", b" ").strip() == b"":
            return ""
        return self.data[a:b].decode("utf-8", "replace").strip()

    def first_trivia(self, start: int, end: int) -> Optional[int]:
        """Index of the first unused trivia starting in [start, end)."""
        import bisect

        i = bisect.bisect_left(self._tstarts, start)
        while i < len(self.trivia) and self.trivia[i].start < end:
            if not self.used[i]:
                return i
            i += 1
        return None

    def claim_trailing(self, node: ir.Stmt, c: ci.Cursor) -> None:
        """Give a non-block sub-statement the comment that follows it on its line."""
        if isinstance(node, ir.Block):
            return
        ce = self.loc.extent(c)[1]
        if ce < 0:
            return
        i = self.first_trivia(ce, len(self.data))
        if i is None:
            return
        t = self.trivia[i]
        gap = self.data[ce:t.start]
        if t.kind == "comment" and b"\n" not in gap and gap.strip(b" \t;") == b"" and t.end_line == t.line:
            self.used[i] = True
            node.trailing = t.text

    def is_blank_between(self, a: int, b: int) -> bool:
        """A blank line in the source between byte offsets a and b (comments ignored)."""
        if a < 0 or b <= a:
            return False
        seg = self.data[a:b]
        return re.search(rb"\n[ \t\r]*\n", seg) is not None

    # ------------------------------------------------------------------ module
    def module(self, tu: ci.TranslationUnit) -> ir.Module:
        items: list[tuple[int, ir.Stmt]] = []
        main = tu.cursor
        for c in self.kids(main):
            s = self.loc.location(c)
            if s < 0:
                continue
            if self.cancelled is not None and self.cancelled():
                raise ParseCancelled()
            for item in self.top(c):
                items.append((item.span.offset if item.span else s, item))
        items = self._merge_group_decls(items)
        # Trivia left over go between items. Those inside an item (a comment among a
        # function's parameters) go just before it; an opaque item's text already has them.
        import bisect

        boxes = sorted((it.span.offset, it.span.end_offset, it) for _, it in items if it.span is not None)
        starts = [b[0] for b in boxes]
        for i, t in enumerate(self.trivia):
            if self.used[i]:
                continue
            self.used[i] = True
            j = bisect.bisect_right(starts, t.start) - 1
            if j >= 0 and boxes[j][0] <= t.start < boxes[j][1]:
                if isinstance(boxes[j][2], ir.OpaqueTop):
                    continue
                items.append((boxes[j][0] - 0.5, self._trivia_node(t)))
                continue
            items.append((t.start, self._trivia_node(t)))
        items.sort(key=lambda p: p[0])
        items = self._drop_nested(items)
        items = self._top_gaps(items)
        out = self._attach_annotations([it for _, it in items])
        self._mark_blank(out)
        self._classify_c_kernels(out)
        return ir.Module(dialect=self.dialect, items=out, path=self.path, language=self.language)

    @staticmethod
    def _drop_nested(items):
        """clang gives ``typedef struct {...} T;`` two cursors, the typedef and the struct
        inside it: an opaque item inside another one's extent is already in its text."""
        opaque = [it.span for _, it in items if isinstance(it, ir.OpaqueTop) and it.span is not None]
        out = []
        for pos, it in items:
            if isinstance(it, ir.OpaqueTop) and it.span is not None and any(
                    o is not it.span and o.offset <= it.span.offset and it.span.end_offset <= o.end_offset and
                    (o.offset, o.end_offset) != (it.span.offset, it.span.end_offset) for o in opaque):
                continue
            out.append((pos, it))
        return out

    def _top_gaps(self, items):
        """Source text at file scope that no item or trivia covers (a construct clang gave
        no cursor for) becomes an OpaqueTop at its place: nothing is dropped."""
        covered = sorted([(it.span.offset, it.span.end_offset) for _, it in items if it.span is not None]
                         + [(t.start, t.end) for t in self.trivia] + self.covered)
        pos = 0
        extra = []
        for a, b in covered + [(len(self.data), len(self.data))]:
            if a > pos:
                text = self.gap_text(pos, a)
                if text:
                    extra.append((pos, ir.OpaqueTop(text, span=self.span_of(pos, a))))
            pos = max(pos, b)
        if not extra:
            return items
        return sorted(items + extra, key=lambda p: p[0])

    def _trivia_node(self, t: Trivia) -> ir.Stmt:
        sp = ir.Span(t.line, t.col, t.end_line, t.col, t.start, t.end)
        if t.kind == "comment":
            return ir.Comment(t.text, span=sp)
        if t.is_pragma:
            return ir.Pragma(t.text, span=sp)
        return ir.Directive(t.text, span=sp)

    def _merge_group_decls(self, items):
        """``float a, b;`` at file scope is two VAR_DECL cursors: one Decl."""
        out = []
        for off, it in items:
            prev = out[-1][1] if out else None
            if (isinstance(it, ir.Decl) and isinstance(prev, ir.Decl)
                    and it.span and prev.span and it.span.offset == prev.span.offset):
                prev.vars.extend(it.vars)
                prev.span = self.span_of(prev.span.offset, max(prev.span.end_offset, it.span.end_offset))
                continue
            out.append((off, it))
        return out

    def _attach_annotations(self, items: list[ir.Stmt]) -> list[ir.Stmt]:
        """``// xpiler: launch ...`` comments right above a function become its annotations."""
        out: list[ir.Stmt] = []
        pending: list[ir.Comment] = []
        for it in items:
            if isinstance(it, ir.Comment) and _XPILER_COMMENT.match(it.text):
                pending.append(it)
                continue
            if isinstance(it, ir.Function) and pending:
                for c in pending:
                    m = _XPILER_COMMENT.match(c.text)
                    it.annotations[m.group(1)] = m.group(2)
                pending = []
            elif pending and not isinstance(it, ir.Comment):
                out.extend(pending)  # not above a function: keep as plain comments
                pending = []
            out.append(it)
        out.extend(pending)
        return out

    def _mark_blank(self, items: list[ir.Stmt]):
        prev_end = -1
        for i, it in enumerate(items):
            if it.span is None:
                continue
            it.blank_before = i > 0 and self.is_blank_between(prev_end, it.span.offset)
            prev_end = it.span.end_offset

    def _classify_c_kernels(self, items: list[ir.Stmt]):
        """In C and VNNI files a kernel is an exported function no other function calls."""
        if self.dialect not in ("c", "vnni"):
            return
        funcs = [f for f in items if isinstance(f, ir.Function)]
        called = self.called
        for f in funcs:
            if (f.body is not None and f.name != "main" and "static" not in f.specifiers
                    and not any(s in f.specifiers for s in ("inline", "__inline__", "__forceinline__"))
                    and f.name not in called):
                f.kind = "kernel"

    # ------------------------------------------------------------------ top level
    def top(self, c: ci.Cursor, extern_c: bool = False) -> list[ir.Stmt]:
        try:
            kind = c.kind
            if kind in (K.FUNCTION_DECL, K.FUNCTION_TEMPLATE, K.VAR_DECL):
                s, e = self._range(c)
                if self.data[e:self._decl_tail(e)].strip(b" \t\r\n;"):
                    raise Unsupported("declaration with trailing attributes")
            if kind in (K.FUNCTION_DECL, K.FUNCTION_TEMPLATE):
                return [self.function(c, extern_c)]
            if kind == K.VAR_DECL:
                return [ir.Decl([self.var(c, top=True)], span=self.span(c))]
            if kind == K.LINKAGE_SPEC or (kind == K.UNEXPOSED_DECL and self.text(c).startswith("extern")):
                out = []
                kids = self.kids(c)
                for ch in kids:
                    out.extend(self.top(ch, extern_c=True))
                # `extern "C" {` and its `}` are written back per function (extern_c)
                s, e = self._range(c)
                inner = [self._range(ch) for ch in kids if self._range(ch)[0] >= 0]
                if s >= 0 and inner:
                    self.covered.append((s, min(a for a, _ in inner)))
                    self.covered.append((max(b for _, b in inner), e))
                elif s >= 0:
                    self.covered.append((s, e))
                return out
            if kind == K.NAMESPACE and not c.spelling and not self.text(c).lstrip().startswith("inline"):
                return self._anonymous_namespace(c, extern_c)
            if kind in (K.MACRO_DEFINITION, K.MACRO_INSTANTIATION, K.INCLUSION_DIRECTIVE):
                return []
            return [self.opaque_top(c)]
        except Unsupported:
            return [self.opaque_top(c)]
        except Exception as e:  # never lose code: keep it verbatim and say so
            self.warn(c, f"xpiler could not model this declaration ({type(e).__name__}: {e}); kept verbatim",
                      "internal-opaque")
            return [self.opaque_top(c)]

    def _anonymous_namespace(self, c: ci.Cursor, extern_c: bool) -> list[ir.Stmt]:
        """``namespace { ... }``: its members are file-scope items with internal linkage, the
        namespace's meaning in one translation unit (C++ [basic.link]): functions and
        variables become ``static`` (a ``const``/``constexpr`` variable already has internal
        linkage and stays as written); types and anything else not modelled stay opaque.
        Passes then see (and inline, and detensorize) its functions like any other."""
        out: list[ir.Stmt] = []
        kids = self.kids(c)
        for ch in kids:
            for item in self.top(ch, extern_c):
                if isinstance(item, ir.Function) and "static" not in item.specifiers:
                    item.specifiers.insert(0, "static")
                elif isinstance(item, ir.Decl):
                    for v in item.vars:
                        internal = ("static" in v.specifiers or "extern" in v.specifiers or
                                    "constexpr" in v.specifiers or getattr(v.type, "const", False))
                        if not internal:
                            v.specifiers.insert(0, "static")
                out.append(item)
        # `namespace {` and its `}` are not written back: the members say static instead
        s, e = self._range(c)
        inner = [self._range(ch) for ch in kids if self._range(ch)[0] >= 0]
        if s >= 0 and inner:
            self.covered.append((s, min(a for a, _ in inner)))
            self.covered.append((max(b for _, b in inner), e))
        elif s >= 0:
            self.covered.append((s, e))
        return out

    def _decl_tail(self, e: int) -> int:
        """End of a declaration whose extent stops early: clang's extents exclude the ';'
        and trailing attributes (``typedef float v4 __attribute__((ext_vector_type(4)));``)."""
        m = _DECL_TAIL.match(self.data, e)
        return m.end() if m else e

    def opaque_top(self, c: ci.Cursor) -> ir.OpaqueTop:
        s, e = self._range(c)
        e = self._decl_tail(e)
        text = self.data[s:e].decode("utf-8", "replace")
        return ir.OpaqueTop(text, span=self.span_of(s, e))

    def function(self, c: ci.Cursor, extern_c: bool) -> ir.Function:
        kind = "host"
        launch_bounds: list[ir.Expr] = []
        body = None
        params: list[ir.Param] = []
        device = host = False
        for ch in self.kids(c):
            k = ch.kind
            if k == K.CUDAGLOBAL_ATTR:
                kind = "kernel"
            elif k == K.CUDADEVICE_ATTR:
                device = True
            elif k == K.CUDAHOST_ATTR:
                host = True
            elif k == K.COMPOUND_STMT:
                body = ch
            elif k == K.UNEXPOSED_ATTR:
                t = self.text(ch)
                m = re.match(r"__launch_bounds__\s*\((.*)\)\s*$", t, re.S)
                if m:
                    launch_bounds = [self._attr_arg(a) for a in _split_args(m.group(1))]
        if kind != "kernel":
            kind = "host_device" if device and host else "device" if device else "host"
        for p in c.get_arguments() if c.kind == K.FUNCTION_DECL else self._template_params(c):
            params.append(ir.Param(p.spelling, self.ctype(p.type, p), self._default_arg(p), span=self.span(p)))
        head = self._head_text(c)
        found = set(_FUNC_SPEC_RX.findall(head))
        specifiers = [w for w in _FUNC_SPECIFIERS if w in found]
        if "extern" in specifiers and re.search(r'extern\s*"C"', head):
            specifiers.remove("extern")
            extern_c = True
        if re.search(r'extern\s*"C"', head):
            extern_c = True
        template = None
        if c.kind == K.FUNCTION_TEMPLATE:
            m = re.match(r"\s*(template\s*<)", head)
            if m:
                template = "template <" + _balanced(head, m.end()).strip() + ">"
                template = re.sub(r"\s+", " ", template)
        ret = self.ctype(c.result_type, None) if c.kind == K.FUNCTION_DECL else self._template_ret(c)
        f = ir.Function(name=c.spelling, ret=ret, params=params, kind=kind, specifiers=specifiers,
                        extern_c=extern_c, launch_bounds=launch_bounds, template=template, span=self.span(c))
        if body is not None:
            f.body = self.block(body)
        return f

    def _default_arg(self, p: ci.Cursor) -> Optional[ir.Expr]:
        """A parameter's default argument: its expression child written after ``=``
        (an array bound, ``float a[N]``, is an expression child too, after ``[``)."""
        kids = [ch for ch in self.kids(p) if ch.kind.is_expression()]
        if not kids:
            return None
        d = kids[-1]
        n, (s, _) = self.loc.location(p), self._range(d)
        if s < 0 or n < 0 or s < n or not re.search(rb"=\s*$", self.data[n:s]):
            return None
        try:
            return self.expr(d)
        except Unsupported:
            return ir.OpaqueExpr(self.text(d))

    def _template_params(self, c):
        return [ch for ch in self.kids(c) if ch.kind == K.PARM_DECL]

    def _template_ret(self, c) -> ir.CType:
        # result_type is not exposed for templates; read it from the declaration text.
        head = self._head_text(c)
        head = re.sub(r"^\s*template\s*<", "", head)
        if head != self._head_text(c):
            head = head[len(_balanced(head, 0)) + 1:]
        words = [w for w in re.sub(r"__\w+__(\s*\([^)]*\))?|\b(static|inline|extern|constexpr)\b", " ", head).split()]
        return ir.Named(" ".join(words) or "void")

    def _head_text(self, c: ci.Cursor) -> str:
        """Source text of a declaration before its name."""
        s = self.loc.extent(c)[0]
        n = self.loc.location(c)
        if s < 0 or n < s:
            return ""
        return self.data[s:n].decode("utf-8", "replace")

    def _attr_arg(self, text: str) -> ir.Expr:
        """An attribute argument (``__launch_bounds__(BLOCK * 2)``): clang keeps no cursor for
        it, so its text is parsed here; simple arithmetic of names and integers suffices."""
        try:
            return _SimpleExpr(text).parse()
        except ValueError:
            return ir.OpaqueExpr(text.strip())

    # ------------------------------------------------------------------ types
    def ctype(self, t: ci.Type, decl: Optional[ci.Cursor]) -> ir.CType:
        k = _tk(t)
        if k == T.POINTER:
            pointee = t.get_pointee()
            if _tk(pointee) in (T.FUNCTIONPROTO, T.FUNCTIONNOPROTO):
                raise Unsupported("function pointer")
            return ir.Pointer(self.ctype(pointee, None), const=t.is_const_qualified(),
                              volatile=t.is_volatile_qualified(), restrict=t.is_restrict_qualified())
        if k in (T.LVALUEREFERENCE, T.RVALUEREFERENCE):
            return ir.Reference(self.ctype(t.get_pointee(), None))
        if k == T.CONSTANTARRAY:
            return ir.Array(self.ctype(t.element_type, None), ir.IntLit(t.element_count))
        if k == T.INCOMPLETEARRAY:
            return ir.Array(self.ctype(t.element_type, None), None)
        if k in (T.VARIABLEARRAY, T.DEPENDENTSIZEDARRAY):
            return ir.Array(self.ctype(t.element_type, None), self._array_size_expr(decl))
        if k in (T.FUNCTIONPROTO, T.FUNCTIONNOPROTO):
            raise Unsupported("function type")
        spelling = t.spelling
        name = _CV.sub("", spelling).strip()
        if "  " in name:
            name = re.sub(r"\s+", " ", name)
        # clang's canonical spelling resolves user typedefs; standard names need none
        canonical = None if name in _PLAIN_TYPES else t.get_canonical().spelling
        return ir.Named(name, const=t.is_const_qualified(), volatile=t.is_volatile_qualified(),
                        canonical=canonical)

    def _array_size_expr(self, decl: Optional[ci.Cursor]) -> ir.Expr:
        if decl is not None:
            for ch in self.kids(decl):
                if ch.kind.is_expression():
                    return self.expr(ch)
        raise Unsupported("array size")

    # ------------------------------------------------------------------ declarations
    def var(self, c: ci.Cursor, top: bool = False) -> ir.VarDecl:
        space = "host" if top else "local"
        attrs = []
        for ch in self.kids(c):
            k = ch.kind
            if k == K.CUDASHARED_ATTR:
                space = "shared"
            elif k == K.CUDACONSTANT_ATTR:
                space = "constant"
            elif k == K.CUDADEVICE_ATTR:
                space = "global"
            elif k == K.ANNOTATE_ATTR and ch.spelling.startswith("xpiler_space:"):
                space = ch.spelling.split(":", 1)[1]
            elif k == K.UNEXPOSED_ATTR:
                t = self.text(ch)
                if t.startswith("__align__") or t.startswith("alignas"):
                    attrs.append(t)
        head = self._head_text(c)
        found = set(_VAR_SPEC_RX.findall(head)) if head else set()
        sc = c.storage_class  # from clang: right even when the declaration comes from a macro
        found.discard("static")
        found.discard("extern")
        if sc == ci.StorageClass.STATIC:
            found.add("static")
        elif sc == ci.StorageClass.EXTERN:
            found.add("extern")
        specifiers = [w for w in _VAR_SPECIFIERS if w in found]
        if re.search(r"\bauto\b", head):
            vtype: ir.CType = ir.Named("auto", const=c.type.is_const_qualified())
        else:
            vtype = self.ctype(c.type, c)
        if "constexpr" in specifiers and isinstance(vtype, ir.Named):
            vtype.const = False  # implied by constexpr
        init, style = self._initializer(c)
        return ir.VarDecl(c.spelling, vtype, init, space=space, specifiers=specifiers, init_style=style,
                          attrs=attrs, span=self.span(c))

    def _initializer(self, c: ci.Cursor) -> tuple[Optional[ir.Expr], str]:
        n = self.loc.location(c)
        spelled = c.spelling.encode()
        if n >= 0 and self.data[n:n + len(spelled)] != spelled:
            # expanded from a macro: the file holds the invocation, not this declaration's text
            exprs = [ch for ch in self.kids(c) if ch.kind.is_expression()]
            if not exprs:
                return None, "="
            inner = _strip_implicit(exprs[-1])
            if inner.kind == K.CALL_EXPR and _is_constructor(inner) and not list(inner.get_arguments()):
                return None, "="  # default construction
            return self.expr(exprs[-1]), "="
        name_end = n + len(c.spelling.encode())
        end = self.loc.extent(c)[1]
        rest = self.data[name_end:end] if n >= 0 else b""
        rest = rest.lstrip()
        while rest[:1] in (b"[", b")"):  # the rest of the declarator: ')' and array dims
            if rest[:1] == b")":
                rest = rest[1:].lstrip()
                continue
            depth, i = 0, 0
            for i, ch in enumerate(rest):
                if ch == ord("["):
                    depth += 1
                elif ch == ord("]"):
                    depth -= 1
                    if depth == 0:
                        break
            rest = rest[i + 1:].lstrip()
        rest = re.sub(rb"^(__attribute__\s*\(\(.*?\)\)|__\w+__)\s*", b"", rest)
        if rest[:1] not in (b"=", b"(", b"{"):
            return None, "="
        exprs = [ch for ch in self.kids(c) if ch.kind.is_expression()]
        if not exprs:
            if rest[:1] in (b"=", b"(", b"{"):
                raise Unsupported("initializer clang could not analyse")
            return None, "="
        init_c = exprs[-1]
        lead = rest[:1]
        if self.errors and self.has_error(init_c):
            if lead == b"=":
                return self.root(init_c), "="
            raise Unsupported("initializer with errors")
        if lead == b"=":
            return self.expr(init_c), "="
        if lead == b"{":
            e = self.expr(init_c)
            return (e if isinstance(e, ir.InitList) else ir.InitList([e])), "{}"
        if lead == b"(":
            inner = _strip_implicit(init_c)
            if inner.kind == K.CALL_EXPR and _is_constructor(inner):
                return ir.InitList(self.args(inner, constructor=True)), "()"
            return ir.InitList([self.expr(init_c)]), "()"
        return self.expr(init_c), "="

    # ------------------------------------------------------------------ statements
    def block(self, c: ci.Cursor) -> ir.Block:
        s, e = self._range(c)
        stmts: list[ir.Stmt] = []
        prev_end = s + 1
        for ch in self.kids(c):
            inner = _unwrap_stmt(ch)
            cs, ce = self._range(inner)
            if cs < 0 or cs < prev_end - 1:
                cs = max(cs, prev_end)
            lost = self.gap_text(prev_end, cs)
            if lost:
                stmts.append(ir.OpaqueStmt(lost))
                self._use_all(prev_end, cs)
            pre = self.trivia_between(prev_end, cs)
            pragmas = []
            for i in pre:
                t = self.trivia[i]
                self.used[i] = True
                if t.is_pragma and _LOOP_PRAGMA.match(t.text) and inner.kind in (K.FOR_STMT, K.WHILE_STMT, K.DO_STMT):
                    pragmas.append(t.text)
                    continue
                node = self._trivia_node(t)
                node.blank_before = bool(stmts) and self.is_blank_between(prev_end, t.start)
                stmts.append(node)
                prev_end = max(prev_end, t.end)
            for st in self.stmt_list(inner):
                if pragmas and isinstance(st, (ir.For, ir.While, ir.DoWhile)):
                    st.pragmas = pragmas + st.pragmas
                    _apply_loop_pragmas(st)
                    pragmas = []
                # comments inside the statement that no nested block took: put them before it
                lead = self.trivia_between(cs, ce)
                for i in lead:
                    self.used[i] = True
                    stmts.append(self._trivia_node(self.trivia[i]))
                st.blank_before = bool(stmts) and self.is_blank_between(prev_end, cs)
                stmts.append(st)
            prev_end = max(prev_end, ce)
            # A comment on the same line right after the statement is its trailing comment.
            nxt = self.first_trivia(ce, e)
            if nxt is not None:
                t = self.trivia[nxt]
                end_line = self.lines.position(max(cs, ce - 1))[0]
                gap = self.data[ce:t.start]
                if t.kind == "comment" and t.line == end_line and b"\n" not in gap and gap.strip(b" \t;") == b"" \
                        and t.end_line == t.line:
                    self.used[nxt] = True
                    if stmts:
                        stmts[-1].trailing = t.text
                    prev_end = t.end
        lost = self.gap_text(prev_end, e - 1)
        if lost:
            stmts.append(ir.OpaqueStmt(lost))
            self._use_all(prev_end, e - 1)
        for i in self.trivia_between(prev_end, e):
            t = self.trivia[i]
            self.used[i] = True
            node = self._trivia_node(t)
            node.blank_before = bool(stmts) and self.is_blank_between(prev_end, t.start)
            stmts.append(node)
            prev_end = t.end
        return ir.Block(stmts, span=self.span(c))

    def sub(self, c: ci.Cursor, after: int) -> ir.Stmt:
        """A sub-statement (a loop or if body). A loop pragma between ``after`` and a
        brace-less loop body (``for (...)\n#pragma unroll\nfor (...)``) goes onto that loop."""
        inner = _unwrap_stmt(c)
        node = self.stmt(inner)
        if isinstance(node, (ir.For, ir.While, ir.DoWhile)) and after >= 0:
            start = self._range(inner)[0]
            for i in self.trivia_between(after, start):
                t = self.trivia[i]
                if t.is_pragma and _LOOP_PRAGMA.match(t.text):
                    self.used[i] = True
                    node.pragmas.append(t.text)
            _apply_loop_pragmas(node)
        return node

    def _use_all(self, a: int, b: int) -> None:
        for i in self.trivia_between(a, b):
            self.used[i] = True

    def stmt_list(self, c: ci.Cursor) -> list[ir.Stmt]:
        """A statement, flattened where C nests labels (``case 1: case 2: x;``)."""
        if c.kind in (K.CASE_STMT, K.DEFAULT_STMT):
            kids = list(self.kids(c))
            if c.kind == K.CASE_STMT:
                label = ir.Case(self.expr(kids[0]), span=self.span(c))
                sub = kids[-1] if len(kids) > 1 else None
            else:
                label = ir.Case(None, span=self.span(c))
                sub = kids[0] if kids else None
            return [label] + (self.stmt_list(_unwrap_stmt(sub)) if sub is not None else [])
        return [self.stmt(c)]

    def stmt(self, c: ci.Cursor) -> ir.Stmt:
        try:
            if self.errors and c.kind != K.COMPOUND_STMT and self._error_outside_blocks(c):
                raise Unsupported("statement with errors")
            return self._stmt(c)
        except Unsupported:
            return ir.OpaqueStmt(self._stmt_text(c), span=self.span(c))
        except Exception as e:
            self.warn(c, f"xpiler could not model this statement ({type(e).__name__}: {e}); kept verbatim",
                      "internal-opaque")
            return ir.OpaqueStmt(self._stmt_text(c), span=self.span(c))

    def _stmt_text(self, c: ci.Cursor) -> str:
        t = self.text(c)
        s, e = self._range(c)
        if not t.rstrip().endswith((";", "}")):
            m = re.match(rb"\s*;", self.data[e:e + 16])
            if m:
                t += ";"
        # the trivia inside are part of the verbatim text now
        for i in self.trivia_between(s, e):
            self.used[i] = True
        return t

    def _stmt(self, c: ci.Cursor) -> ir.Stmt:
        k = c.kind
        sp = self.span(c)
        if k == K.COMPOUND_STMT:
            return self.block(c)
        if k == K.DECL_STMT:
            vs = []
            kids = self.kids(c)
            if len(kids) == 1 and kids[0].kind == K.STATIC_ASSERT:
                return self._stmt(kids[0])
            for ch in kids:
                if ch.kind != K.VAR_DECL:
                    raise Unsupported("declaration")
                vs.append(self.var(ch))
            return ir.Decl(vs, span=sp)
        if k == K.IF_STMT:
            kids = self.kids(c)
            decl = None
            if kids and kids[0].kind == K.VAR_DECL:  # if (int rem = n - i)
                decl = self.var(kids[0])
                kids = kids[1:]
            if len(kids) not in (2, 3) or not kids[0].kind.is_expression():
                raise Unsupported("if with initializer")
            cond = ir.Name(decl.name) if decl is not None else self.root(kids[0])
            then = self.sub(kids[1], self._range(kids[0])[1])
            self.claim_trailing(then, kids[1])
            other = None
            if len(kids) == 3:
                other = self.sub(kids[2], self._range(kids[1])[1])
                if not isinstance(other, ir.If):
                    self.claim_trailing(other, kids[2])
            return ir.If(cond, then, other, decl, span=sp)
        if k == K.FOR_STMT:
            return self.for_stmt(c)
        if k == K.WHILE_STMT:
            kids = list(self.kids(c))
            if len(kids) != 2 or not kids[0].kind.is_expression():
                raise Unsupported("while with declaration")
            body = self.sub(kids[1], self._range(kids[0])[1])
            self.claim_trailing(body, kids[1])
            return ir.While(self.root(kids[0]), body, span=sp)
        if k == K.DO_STMT:
            kids = list(self.kids(c))
            return ir.DoWhile(self.stmt(_unwrap_stmt(kids[0])), self.root(kids[1]), span=sp)
        if k == K.RETURN_STMT:
            kids = list(self.kids(c))
            return ir.Return(self.root(kids[0]) if kids else None, span=sp)
        if k == K.BREAK_STMT:
            return ir.Break(span=sp)
        if k == K.CONTINUE_STMT:
            return ir.Continue(span=sp)
        if k == K.NULL_STMT:
            return ir.Empty(span=sp)
        if k == K.SWITCH_STMT:
            kids = list(self.kids(c))
            if len(kids) != 2:
                raise Unsupported("switch with initializer")
            return ir.Switch(self.root(kids[0]), self.stmt(_unwrap_stmt(kids[1])), span=sp)
        if k == K.STATIC_ASSERT:  # kept as the call it looks like: static_assert(cond, "msg");
            kids = [ch for ch in self.kids(c) if ch.kind.is_expression()]
            return ir.ExprStmt(ir.Call(ir.Name("static_assert"), [self.expr(ch) for ch in kids]), span=sp)
        if k == K.UNEXPOSED_STMT:
            inner = _unwrap_stmt(c)
            if inner is not c:
                return self.stmt(inner)
            raise Unsupported("statement")
        if k.is_expression():
            return ir.ExprStmt(self.root(c), span=sp)
        raise Unsupported(k.name)

    def for_stmt(self, c: ci.Cursor) -> ir.For:
        s, e = self._range(c)
        head = self.data[s:e]
        m = re.match(rb"for\s*\(", head)
        if not m:
            return self._macro_for(c)
        semis, close = _for_header(head, m.end())
        if len(semis) != 2 or close < 0:
            raise Unsupported("range-based for")
        a, b, rp = s + semis[0], s + semis[1], s + close
        init = cond = step = body = None
        for ch in self.kids(c):
            off = self.loc.extent(ch)[0]
            if off < a:
                init = self.stmt(ch) if not ch.kind.is_expression() else ir.ExprStmt(self.root(ch), span=self.span(ch))
            elif off < b:
                if not ch.kind.is_expression():
                    raise Unsupported("for condition declaration")
                cond = self.root(ch)
            elif off < rp:
                step = self.root(ch)
            else:
                body = self.sub(ch, rp)
                self.claim_trailing(body, ch)
        if body is None:
            body = ir.Empty()
        return ir.For(init, cond, step, body, span=self.span(c))

    def _macro_for(self, c: ci.Cursor) -> ir.For:
        """A for loop whose header comes from a macro (``GRID_STRIDE_LOOP(i, n) {...}``):
        no source offsets to go by, so the header parts are told apart by kind. clang
        visits init, condition, increment and body, skipping the absent ones."""
        kids = self.kids(c)
        if not kids:
            raise Unsupported("empty for")
        *head, body_c = kids
        init = cond = step = None
        if head and not head[0].kind.is_expression():
            init = self.stmt(head.pop(0))
        if len(head) == 3:  # an expression init
            init = ir.ExprStmt(self.root(head.pop(0)))
        if len(head) == 2:
            cond, step = self.root(head[0]), self.root(head[1])
        elif len(head) == 1:
            e = self.root(head[0])
            if isinstance(e, ir.Assign) or isinstance(e, ir.Unary) and e.op in ("++", "--"):
                step = e
            else:
                cond = e
        return ir.For(init, cond, step, self.stmt(_unwrap_stmt(body_c)), span=self.span(c))

    # ------------------------------------------------------------------ expressions
    def expr(self, c: ci.Cursor) -> ir.Expr:
        e = self._expr(c)
        if e.span is None:
            e.span = self.span(c)
        return e

    def _expr(self, c: ci.Cursor) -> ir.Expr:
        k = c.kind
        if k == K.UNEXPOSED_EXPR or k == K.PAREN_EXPR:
            kids = self.kids(c)
            if len(kids) == 1:
                if k == K.UNEXPOSED_EXPR:
                    outer, inner = self._range(c), self._range(kids[0])
                    if outer != inner and outer[0] >= 0 and inner[0] >= 0:
                        return self._wrapper(c, kids[0], outer, inner)
                return self.expr(kids[0])
            if not kids:
                t = self.text(c)
                if not t:
                    raise Unsupported("implicit expression")
                return ir.OpaqueExpr(t)
            return self._dependent_call(c, kids)
        if k == K.INTEGER_LITERAL:
            t = self.text(c)
            if _INT_RX.match(t):
                return _int_lit(t)
            v = self.x.evaluate(c)
            return ir.IntLit(int(v) if v is not None else 0, _int_text(v, c.type))
        if k == K.FLOATING_LITERAL:
            t = self.text(c)
            if _FLOAT_RX.match(t) and t not in ("", "."):
                return ir.FloatLit(_float_value(t), t)
            v = self.x.evaluate(c)
            v = float(v) if v is not None else 0.0
            return ir.FloatLit(v, _float_text(v, c.type))
        if k == K.CXX_BOOL_LITERAL_EXPR:
            t = self.text(c)
            return ir.BoolLit(t == "true" if t in ("true", "false") else bool(self.x.evaluate(c)))
        if k == K.CHARACTER_LITERAL:
            t = self.text(c)
            if t.startswith("'") or t[:2] in ("u'", "U'", "L'"):
                return ir.CharLit(t)
            return ir.IntLit(int(self.x.evaluate(c) or 0))
        if k == K.STRING_LITERAL:
            t = self.text(c)
            return ir.StringLit(t if t.startswith(('"', 'u8"', 'L"', 'R"')) else c.spelling)
        if k == K.CXX_NULL_PTR_LITERAL_EXPR:
            return ir.Name("nullptr")
        if k == K.GNU_NULL_EXPR:
            return ir.Name("NULL")
        if k == K.DECL_REF_EXPR:
            return ir.Name(self._qualified_name(c))
        if k == K.MEMBER_REF_EXPR:
            return self.member(c)
        if k == K.ARRAY_SUBSCRIPT_EXPR:
            a, b = list(self.kids(c))
            return ir.Index(self.expr(a), self.expr(b))
        if k == K.BINARY_OPERATOR or k == K.COMPOUND_ASSIGNMENT_OPERATOR:
            a, b = list(self.kids(c))
            op = self.x.binary_op(c)
            if not op:
                raise Unsupported("binary operator")
            if op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                return ir.Assign(op, self.expr(a), self.expr(b))
            return ir.Binary(op, self.expr(a), self.expr(b))
        if k == K.UNARY_OPERATOR:
            kids = list(self.kids(c))
            op, postfix = self.x.unary_op(c)
            if not op or op in ("__real", "__imag", "__extension__", "co_await") or len(kids) != 1:
                raise Unsupported("unary operator")
            return ir.Unary(op, self.expr(kids[0]), postfix)
        if k == K.CONDITIONAL_OPERATOR:
            a, b, d = list(self.kids(c))
            return ir.Ternary(self.expr(a), self.expr(b), self.expr(d))
        if k in (K.CSTYLE_CAST_EXPR, K.CXX_STATIC_CAST_EXPR, K.CXX_REINTERPRET_CAST_EXPR,
                 K.CXX_CONST_CAST_EXPR, K.CXX_DYNAMIC_CAST_EXPR, K.CXX_FUNCTIONAL_CAST_EXPR):
            kids = [ch for ch in self.kids(c) if ch.kind.is_expression()]
            style = {K.CSTYLE_CAST_EXPR: "c", K.CXX_STATIC_CAST_EXPR: "static",
                     K.CXX_REINTERPRET_CAST_EXPR: "reinterpret", K.CXX_CONST_CAST_EXPR: "const",
                     K.CXX_DYNAMIC_CAST_EXPR: "dynamic", K.CXX_FUNCTIONAL_CAST_EXPR: "functional"}[k]
            if len(kids) != 1:
                raise Unsupported("cast")
            if style == "functional":
                inner = _strip_implicit(kids[0])
                if inner.kind == K.CALL_EXPR and _is_constructor(inner) and self._range(inner) == self._range(c):
                    # T(a, b) constructs; T(a) converts: the construct node is the cast itself
                    args = self.args(inner, constructor=True)
                    if len(args) != 1:
                        return ir.Call(ir.Name(_CV.sub("", c.type.spelling).strip()), args)
                    return ir.Cast(self._cast_type(c), args[0], style)
            return ir.Cast(self._cast_type(c), self.expr(kids[0]), style)
        if k == K.CALL_EXPR:
            return self.call(c)
        if k == K.INIT_LIST_EXPR:
            return ir.InitList([self.expr(ch) for ch in self.kids(c) if ch.kind.is_expression()
                                and self.present(ch)])
        if k == K.CXX_UNARY_EXPR:
            return self.sizeof(c)
        if k == K.COMPOUND_LITERAL_EXPR:  # (T){a, b, ...}
            kids = [ch for ch in self.kids(c) if ch.kind.is_expression()]
            if len(kids) != 1:
                raise Unsupported("compound literal")
            return ir.Cast(self._cast_type(c), self.expr(kids[0]), "compound")
        if k == K.ARRAY_SUBSCRIPT_EXPR:
            raise Unsupported("subscript")
        raise Unsupported(k.name)

    def member(self, c: ci.Cursor) -> ir.Expr:
        """``a.x``, ``p->y``, ``s.template f<int>``. In an uninstantiated template clang
        gives a member of a dependent base (CXXDependentScopeMemberExpr) no spelling, and
        its base no pointer type, so the operator and the name are read from the text
        after the base; written template arguments are part of the member's name."""
        kids = [ch for ch in self.kids(c) if ch.kind.is_expression()]
        if not kids:  # a member of *this, written without this->
            if c.spelling:
                return ir.Name(c.spelling)
            t = self.text(c).strip()
            if _QUALNAME_RX.match(t):
                return ir.Name(t)
            raise Unsupported("member")
        base_c = kids[0]
        name, arrow = c.spelling, None
        s, e = self._range(c)
        bs, be = self._range(base_c)
        if s >= 0 and bs == s and s <= be <= e:
            m = _MEMBER_TAIL.fullmatch(self.data[be:e])
            if m and (not name or re.match(rb"(template\s+)?~?" + re.escape(name.encode()) + rb"\b", m.group(2))):
                arrow = m.group(1) == b"->"
                name = _normal_member(m.group(2).decode("utf-8", "replace"))
        if not name:
            t = self.text(c)
            if t:
                return ir.OpaqueExpr(t)  # e.g. written inside a macro's expansion
            raise Unsupported("member")
        if arrow is None:
            arrow = _tk(_strip_implicit(base_c).type) == T.POINTER
        return ir.Member(self.expr(base_c), name, arrow)

    def _wrapper(self, c, child, outer, inner) -> ir.Expr:
        """An unexposed expression wider than its one child is not an implicit conversion:
        an ext-vector element access (``v.x``, ``v.xyz``) or something we keep verbatim."""
        tail = self.data[inner[1]:outer[1]].decode("utf-8", "replace")
        m = re.fullmatch(r"\s*(\.|->)\s*([A-Za-z_]\w*)\s*", tail)
        if outer[0] == inner[0] and m:
            return ir.Member(self.expr(child), m.group(2), m.group(1) == "->")
        return ir.OpaqueExpr(self.text(c))

    def _cast_type(self, c: ci.Cursor) -> ir.CType:
        t = c.type
        if _tk(t) == T.POINTER and _tk(t.get_pointee()) in (T.FUNCTIONPROTO, T.FUNCTIONNOPROTO):
            raise Unsupported("function pointer cast")
        return self.ctype(t, None)

    def _ref_name(self, c: ci.Cursor) -> str:
        """The name a reference cursor refers to; in templates an unresolved reference is
        an empty DECL_REF_EXPR over an OVERLOADED_DECL_REF that has the name."""
        c = _strip_implicit(c)
        if c.kind == K.OVERLOADED_DECL_REF:
            return c.spelling
        if c.kind != K.DECL_REF_EXPR:
            return ""
        if c.spelling:
            return c.spelling
        for k in self.kids(c):
            if k.kind == K.OVERLOADED_DECL_REF:
                return k.spelling
        return ""

    def _qualified_name(self, c: ci.Cursor) -> str:
        name = self._ref_name(c) or c.spelling
        t = self.text(c)
        if t and t != name and _QUALNAME_RX.match(t) and (name in t):
            return re.sub(r"\s+", "", t) if "<" not in t else re.sub(r"\s*([<>,])\s*", r"\1", t).replace(",", ", ")
        return name

    def _dependent_call(self, c: ci.Cursor, kids) -> ir.Expr:
        """A call clang could not resolve (an unknown function, a dependent template call):
        ``foo(3)`` arrives as an UNEXPOSED_EXPR over an OVERLOADED_DECL_REF and the args."""
        t = self.text(c)
        first = kids[0]
        fname = first.spelling or (next(iter(self.kids(first)), first).spelling)
        if fname and re.match(r"\s*" + re.escape(fname) + r"\s*\(", t.split("::")[-1] if "::" in t[:len(fname) + 8] else t):
            return ir.Call(ir.Name(self._qualified_name(first) or fname),
                           [self.expr(k) for k in kids[1:] if self.present(k)])
        if t:
            return ir.OpaqueExpr(t)
        raise Unsupported("expression")

    def call(self, c: ci.Cursor) -> ir.Expr:
        if _is_constructor(c):
            args = self.args(c, constructor=True)
            kids = [k for k in self.kids(c) if k.kind.is_expression() and self.present(k)]
            if len(kids) == 1 and self._range(kids[0]) == self._range(c):
                return self.expr(kids[0])  # implicit conversion, e.g. 256 -> dim3
            if not kids and not self.text(c):
                raise Unsupported("implicit construction")
            tname = _CV.sub("", c.type.spelling).strip()
            return ir.Call(ir.Name(tname), args)
        kids = self.kids(c)
        spelling = c.spelling
        if spelling.startswith("operator"):
            op = spelling
        elif not spelling:  # unresolved (template) call: the operator is among the children
            op = next((n for n in (self._ref_name(k) for k in kids) if n.startswith("operator")), None)
        else:
            op = None
        if op and kids:  # an overloaded (or, in a template, unresolved) operator
            return self._operator_call(c, kids, op)
        if not kids:
            raise Unsupported("call")
        callee_c = kids[0]
        rest = [k for k in kids[1:] if self.present(k)]
        if rest:
            cfg = _strip_implicit(rest[0])
            if cfg.kind == K.CALL_EXPR and cfg.spelling in _CONFIG_CALLS:
                config = self.args(cfg)
                return ir.Launch(self.expr(callee_c), config, [self.expr(a) for a in rest[1:]])
        callee = self.expr(callee_c)
        args = [self.expr(a) for a in rest]
        if isinstance(callee, ir.Name):
            self.called.add(callee.name)
        if isinstance(callee, ir.Name) and callee.name == "hipLaunchKernelGGL" and len(args) >= 5:
            return ir.Launch(args[0], args[1:5], args[5:], style="hip")
        return ir.Call(callee, args)

    def args(self, c: ci.Cursor, constructor: bool = False) -> list[ir.Expr]:
        kids = [k for k in self.kids(c) if k.kind.is_expression() and self.present(k)]
        if not constructor:
            kids = kids[1:]
        out = []
        for k in kids:
            try:
                out.append(self.expr(k))
            except Unsupported:
                if self.text(k):
                    out.append(ir.OpaqueExpr(self.text(k)))
        return out

    def _operator_call(self, c: ci.Cursor, kids, spelling: str) -> ir.Expr:
        op = spelling[len("operator"):].strip()
        operands = []
        for k in kids:
            if self._ref_name(k).startswith("operator"):
                continue
            if not self.present(k):
                continue
            operands.append(self.expr(k))
        if op == "[]" and len(operands) == 2:
            return ir.Index(operands[0], operands[1])
        if op == "()" and operands:
            return ir.Call(operands[0], operands[1:])
        if len(operands) == 2:
            if op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                return ir.Assign(op, operands[0], operands[1])
            return ir.Binary(op, operands[0], operands[1])
        if len(operands) == 1:
            t = self.text(c)
            postfix = op in ("++", "--") and t.rstrip().endswith(op)
            return ir.Unary(op, operands[0], postfix)
        raise Unsupported("operator call")

    def sizeof(self, c: ci.Cursor) -> ir.Expr:
        t = self.text(c)
        m = re.match(r"(sizeof|alignof|_Alignof|__alignof__)\s*(\(?)(.*?)(\)?)\s*$", t, re.S)
        if not m:
            # written inside a macro argument: keep its value
            v = self.x.evaluate(c)
            if isinstance(v, int):
                return ir.IntLit(v, _int_text(v, c.type))
            raise Unsupported("sizeof")
        op = m.group(1)
        kids = [ch for ch in self.kids(c) if ch.kind.is_expression()]
        if kids:
            return ir.SizeOf(self.expr(kids[0]), op)
        inner = m.group(3).strip()
        if not inner:
            raise Unsupported("sizeof")
        return ir.SizeOf(ir.Named(re.sub(r"\s+", " ", inner)), op)


# ----------------------------------------------------------------------------- helpers
_KIDS: Optional[Children] = None


def _kids(c: ci.Cursor) -> list:
    global _KIDS
    if _KIDS is None:
        _KIDS = Children()
    return _KIDS(c)


def _unwrap_stmt(c: ci.Cursor) -> ci.Cursor:
    """Unwrap attributed statements (``#pragma unroll`` wraps its loop in one)."""
    while c.kind == K.UNEXPOSED_STMT:
        kids = list(_kids(c))
        if len(kids) != 1:
            break
        c = kids[0]
    return c


def _tk(t: ci.Type):
    """A type's kind, or None for kinds the Python bindings do not know (_Float16...)."""
    try:
        return t.kind
    except ValueError:
        return None


def _strip_implicit(c: ci.Cursor) -> ci.Cursor:
    while c.kind in (K.UNEXPOSED_EXPR, K.PAREN_EXPR):
        kids = list(_kids(c))
        if len(kids) != 1:
            break
        c = kids[0]
    return c


def _normal_member(t: str) -> str:
    """A member's name as printed: ``template f < int >`` -> ``template f<int>``."""
    t = re.sub(r"\s+", " ", t.strip())
    if "<" in t:
        head, _, args = t.partition("<")
        t = head.rstrip() + "<" + re.sub(r"\s*([<>,])\s*", r"\1", args).replace(",", ", ")
    return t


def _is_constructor(c: ci.Cursor) -> bool:
    ref = c.referenced
    return ref is not None and ref.kind == K.CONSTRUCTOR


def _split_args(text: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur)
    return out


def _balanced(text: str, start: int) -> str:
    """Text after an opening '<' up to its matching '>'."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "<":
            depth += 1
        elif text[i] == ">":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:]


def _for_header(head: bytes, start: int) -> tuple[list[int], int]:
    """Offsets (relative to ``head``) of the two ';' of a for header and its ')'."""
    depth = 0
    semis = []
    i = start
    n = len(head)
    while i < n:
        ch = head[i]
        if ch in b"([{":
            depth += 1
        elif ch in b")]}":
            if depth == 0:
                return semis, i
            depth -= 1
        elif ch == ord(";") and depth == 0:
            semis.append(i)
        elif ch in b"\"'":
            q = ch
            i += 1
            while i < n and head[i] != q:
                i += 2 if head[i] == ord("\\") else 1
        elif head[i:i + 2] == b"//":
            j = head.find(b"\n", i)
            i = n if j < 0 else j
        elif head[i:i + 2] == b"/*":
            j = head.find(b"*/", i + 2)
            i = n if j < 0 else j + 1
        i += 1
    return semis, -1


def _int_lit(t: str) -> ir.IntLit:
    m = _INT_RX.match(t)
    digits = m.group(1).replace("'", "")
    if digits.lower().startswith("0x"):
        v = int(digits, 16)
    elif digits.lower().startswith("0b"):
        v = int(digits[2:], 2)
    elif len(digits) > 1 and digits.startswith("0"):
        v = int(digits, 8)
    else:
        v = int(digits)
    return ir.IntLit(v, t)


def _int_text(v, t: ci.Type) -> str:
    v = int(v) if v is not None else 0
    canon = t.get_canonical().spelling
    suffix = ""
    if "unsigned" in canon:
        suffix += "u"
    if "long long" in canon:
        suffix += "ll"
    elif "long" in canon:
        suffix += "l"
    return f"{v}{suffix}"


def _float_value(t: str) -> float:
    s = t.rstrip("fFlL")
    if s.endswith(("f16", "F16")):
        s = s[:-3]
    try:
        return float.fromhex(s) if s.lower().startswith("0x") else float(s)
    except ValueError:
        return 0.0


def _float_text(v: float, t: ci.Type) -> str:
    r = repr(float(v))
    if r in ("inf", "-inf", "nan"):
        return r
    canon = t.get_canonical().spelling
    return r + ("f" if canon == "float" else "")


def _apply_loop_pragmas(loop) -> None:
    """Derive a loop's LoopInfo from its pragmas."""
    for p in loop.pragmas:
        m = re.match(r"#\s*pragma\s+(?:GCC\s+)?unroll\s*\(?\s*(\d+)?", p)
        if m:
            loop.info = ir.LoopInfo("unrolled", factor=int(m.group(1)) if m.group(1) else None) \
                if isinstance(loop, ir.For) else loop.info
            continue
        if re.match(r"#\s*pragma\s+omp\b.*\bfor\b", p) and isinstance(loop, ir.For):
            loop.info = ir.LoopInfo("parallel")
        elif re.match(r"#\s*pragma\s+(omp\s+simd|simd|ivdep|vector)", p) and isinstance(loop, ir.For):
            loop.info = ir.LoopInfo("vectorized")


class _SimpleExpr:
    """Recursive-descent parser for integer arithmetic over names (attribute arguments)."""

    _TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*|<<|>>|[-+*/%()])")
    _LEVELS = [("<<", ">>"), ("+", "-"), ("*", "/", "%")]

    def __init__(self, text: str):
        self.toks: list[str] = []
        pos, text = 0, text.strip()
        while pos < len(text):
            m = self._TOKEN.match(text, pos)
            if not m:
                raise ValueError(text)
            self.toks.append(m.group(1))
            pos = m.end()
        self.i = 0

    def parse(self) -> ir.Expr:
        e = self._binary(0)
        if self.i != len(self.toks):
            raise ValueError("trailing tokens")
        return e

    def _binary(self, level: int) -> ir.Expr:
        if level == len(self._LEVELS):
            return self._unary()
        e = self._binary(level + 1)
        while self.i < len(self.toks) and self.toks[self.i] in self._LEVELS[level]:
            op = self.toks[self.i]
            self.i += 1
            e = ir.Binary(op, e, self._binary(level + 1))
        return e

    def _unary(self) -> ir.Expr:
        if self.i >= len(self.toks):
            raise ValueError("empty")
        t = self.toks[self.i]
        self.i += 1
        if t == "(":
            e = self._binary(0)
            if self.i >= len(self.toks) or self.toks[self.i] != ")":
                raise ValueError("unbalanced")
            self.i += 1
            return e
        if t in ("-", "+"):
            return ir.Unary(t, self._unary())
        if t[0].isdigit():
            return _int_lit(t)
        if t[0].isalpha() or t[0] == "_":
            return ir.Name(t)
        raise ValueError(t)
