"""IR to source text, for any of the five dialects.

One printer serves every dialect: the dialect module supplies the spellings (function
qualifiers, memory-space qualifiers, ``restrict``), the printer the layout. The layout is
fixed -- 4-space indentation, braces on the opening line, one statement a line, spaces
around binary operators, parentheses only where precedence (or a compiler's
-Wparentheses) needs them -- and faithful: blank lines, comments, pragmas and brace-less
bodies stay where the source had them, so ``parse(print(parse(src))) == parse(src)``.

    print_module(module)                 in the module's own dialect
    print_module(module, dialect="hip")  spelled for another dialect
    print_module(module, "bang", diagnostics=found)

Spelling the IR for another dialect never drops a construct silently. What the target
cannot express -- a memory space it has no qualifier for, ``__launch_bounds__`` outside
CUDA/HIP, a launch whose configuration means something else there (or where there is no
launch), a built-in variable, intrinsic or namespace (``wmma::``) of the source dialect the
target lacks -- is recorded as a ``not-expressible`` diagnostic at the node's line, and
stays visible in the text: a dropped qualifier becomes a ``/* xpiler: ... */`` comment, an
unknown name is printed verbatim (so a compile check fails on it).
"""
from __future__ import annotations

import functools
import re
from typing import Optional

from .. import dialects, ir
from ..diagnostics import Diagnostic

INDENT = "    "

_PREC = {",": 1, "=": 2, "?:": 3, "||": 4, "&&": 5, "|": 6, "^": 7, "&": 8, "==": 9, "!=": 9,
         "<": 10, ">": 10, "<=": 10, ">=": 10, "<<": 11, ">>": 11, "+": 12, "-": 12,
         "*": 13, "/": 13, "%": 13}
_UNARY = 15
_POSTFIX = 16
_ATOM = 17
_BITWISE = {"&", "|", "^"}
_COMPARE = {"==", "!=", "<", ">", "<=", ">="}
_ARITH = {"+", "-", "*", "/", "%"}


NOT_EXPRESSIBLE = "not-expressible"
_DEFAULT_SPACES = ("local", "host")  # automatic and file-scope host variables need no qualifier


def print_module(module: ir.Module, dialect: Optional[str] = None,
                 diagnostics: Optional[list[Diagnostic]] = None) -> str:
    """The source text of ``module``, spelled for ``dialect`` (default: its own). What the
    target cannot express is appended to ``diagnostics`` (when given) as ``not-expressible``
    diagnostics; the text keeps it visible either way."""
    same = dialect is None or dialect == module.dialect
    p = Printer(dialect or module.dialect, module.language if same else "", source=module.dialect,
                file=module.path)
    text = p.module(module)
    if diagnostics is not None:
        diagnostics.extend(p.diagnostics)
    return text


def print_node(node: ir.Node, dialect: str = "c", language: str = "") -> str:
    """Source text of one node (a statement, an expression or a type)."""
    p = Printer(dialect, language)
    if isinstance(node, ir.Expr):
        return p.expr(node)
    if isinstance(node, ir.CType):
        return p.type_name(node)
    if isinstance(node, ir.Stmt):
        return "\n".join(p.stmt(node, 0))
    if isinstance(node, ir.Module):
        return p.module(node)
    raise TypeError(f"cannot print {type(node).__name__}")


@functools.lru_cache(maxsize=None)
def _namespaces(name: str) -> frozenset[str]:
    """The namespaces a dialect's qualified intrinsics live in, with the shorter spellings a
    file may use (``nvcuda::wmma`` and ``wmma``)."""
    out: set[str] = set()
    for it in dialects.get(name).intrinsics.values():
        if it.qualified and "::" in it.qualified:
            parts = it.qualified.split("::")[:-1]
            out.update("::".join(parts[i:]) for i in range(len(parts)))
    return frozenset(out)


class Printer:
    """Prints IR nodes for ``dialect``. Given ``source`` (the dialect the IR was read from),
    it also records in ``diagnostics`` what ``dialect`` cannot express (see the module
    docstring); without it (the emulator, single nodes) it only prints."""

    def __init__(self, dialect: str, language: str = "", source: Optional[str] = None,
                 file: Optional[str] = None):
        self.d = dialects.get(dialect)
        self.language = language or self.d.language
        self.src = dialects.get(source) if source else None
        self.file = file
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[int, str]] = set()
        self._defined: set[str] = set()  # functions the module defines (never flagged as intrinsics)
        self._at: Optional[ir.Node] = None  # the statement being printed: the line of what is inside it
        self._foreign_ns: Optional[re.Pattern] = None
        if self.src is not None and self.src.name != self.d.name:
            lost = _namespaces(self.src.name) - _namespaces(self.d.name)
            if lost:
                alts = "|".join(re.escape(n) for n in sorted(lost, key=len, reverse=True))
                self._foreign_ns = re.compile(rf"(?<![\w:])({alts})::")
        if self.d.name == "c":
            self.restrict = "restrict" if self.language == "c" else "__restrict__"
        else:
            self.restrict = self.d.restrict if self.language != "c" else "restrict"

    # ------------------------------------------------------------------ what the target cannot express
    @property
    def _foreign(self) -> bool:
        """Printing for a dialect other than the source's: names may be missing there."""
        return self.src is not None and self.src.name != self.d.name

    def _lost(self, node: Optional[ir.Node], construct: str, why: str, severity: str = "error") -> str:
        """Record that ``construct`` cannot be expressed in the target; return the comment
        that keeps a dropped construct visible in the text."""
        where = node if node is not None and node.span is not None else self._at
        line = where.span.line if where is not None and where.span is not None else 1
        col = where.span.col if where is not None and where.span is not None else 1
        if (line, construct) not in self._seen:
            self._seen.add((line, construct))
            self.diagnostics.append(Diagnostic(
                severity, f"{construct} is not expressible in {self.d.title}: {why}", line, col, file=self.file,
                source="xpiler", code=NOT_EXPRESSIBLE))
        return f"/* xpiler: {construct} not expressible in {self.d.title} */"

    def _check_name(self, node: ir.Node, name: str) -> None:
        """A built-in variable or a namespace of the source dialect that the target lacks
        (printed verbatim, so the target's compiler rejects it)."""
        if not self._foreign:
            return
        if name in self.src.builtin_vars and name not in self.d.builtin_vars:
            self._lost(node, f"built-in variable {name}", f"{self.d.title} has no {name}; map it to the "
                       f"target's parallel variables (kept verbatim)")
        elif self._foreign_ns is not None and (m := self._foreign_ns.search(name)):
            self._lost(node, f"{m.group(1)}::", f"{self.d.title} has no namespace {m.group(1)} "
                       f"(used by {name.split('<')[0]}; kept verbatim)")

    def _check_call(self, e: ir.Call) -> None:
        if not self._foreign or not isinstance(e.callee, ir.Name) or e.callee.kind not in (None, "function"):
            return
        name = e.callee.name
        if name in self._defined:
            return  # the file's own function (a kernel named like an intrinsic)
        if self.src.intrinsic(name) is not None and self.d.intrinsic(name) is None and "::" not in name:
            self._lost(e, f"intrinsic {name}", f"{self.d.title} has no {name} (kept verbatim)")

    # ------------------------------------------------------------------ module
    def module(self, m: ir.Module) -> str:
        lines: list[str] = []
        self._defined = {f.name for f in m.functions if f.body is not None}
        for i, item in enumerate(m.items):
            if item.blank_before and lines:
                lines.append("")
            lines.extend(self.top(item))
        return "\n".join(lines).rstrip() + "\n"

    def top(self, item: ir.Stmt) -> list[str]:
        self._at = item
        if isinstance(item, ir.Function):
            return self.function(item)
        if isinstance(item, ir.Decl):
            return self._trail([self.decl(item) + ";"], item)
        if isinstance(item, (ir.Directive, ir.Pragma, ir.OpaqueTop)):
            return self._trail(item.text.split("\n"), item)
        if isinstance(item, ir.Comment):
            return item.text.split("\n")
        return self.stmt(item, 0)

    def function(self, f: ir.Function) -> list[str]:
        out = [f"// xpiler: {k} {v}".rstrip() for k, v in f.annotations.items()]
        if f.template:
            out.append(f.template)
        head: list[str] = []
        if f.extern_c:
            head.append('extern "C"')
        if "static" in f.specifiers:
            head.append("static")
        if "extern" in f.specifiers:
            head.append("extern")
        qual = self.d.function_qualifiers.get(f.kind, "")
        if qual:
            head.append(qual)
        head.extend(s for s in f.specifiers if s not in ("static", "extern"))
        ret = self.type_name(f.ret)
        head.append(ret)
        if f.launch_bounds and self.d.is_gpu:
            head.append("__launch_bounds__(" + ", ".join(self.expr(e) for e in f.launch_bounds) + ")")
        elif f.launch_bounds and self.src is not None:  # where CUDA/HIP spell it, as a comment
            bounds = "__launch_bounds__(" + ", ".join(self.expr(e) for e in f.launch_bounds) + ")"
            head.append(self._lost(f, bounds, f"{self.d.title} has no bound on a kernel's threads per block "
                                   f"(the comment keeps it visible)", severity="warning"))
        params = ", ".join(self.param(p) for p in f.params)
        if not params and self.language == "c":
            params = "void"
        sig = " ".join(head) + f" {f.name}({params})"
        if f.body is None:
            out.append(sig + ";")
            return self._trail(out, f)
        body = self.block_lines(f.body, 0)
        out.append(sig + " " + body[0])
        out.extend(body[1:])
        return self._trail(out, f)

    def param(self, p: ir.Param) -> str:
        s = self.declarator(p.type, p.name)
        if p.default is not None:
            s += " = " + self.expr(p.default)
        return s

    def _trail(self, lines: list[str], s: ir.Stmt) -> list[str]:
        if s.trailing:
            lines[-1] = lines[-1] + " " + s.trailing
        return lines

    # ------------------------------------------------------------------ types
    def declarator(self, t: ir.CType, name: str) -> str:
        base, inner = self._decl(t, name)
        if not inner:
            return base
        if inner.startswith(("*", "&")) or not base:
            return f"{base} {inner}".strip()
        return f"{base} {inner}"

    def type_name(self, t: ir.CType) -> str:
        return self.declarator(t, "").strip()

    def _decl(self, t: ir.CType, inner: str) -> tuple[str, str]:
        if isinstance(t, ir.Named):
            self._check_name(t, t.name)
            cv = ("const " if t.const else "") + ("volatile " if t.volatile else "")
            return cv + t.name, inner
        if isinstance(t, ir.Pointer):
            quals = []
            if t.const:
                quals.append("const")
            if t.volatile:
                quals.append("volatile")
            if t.restrict:
                quals.append(self.restrict)
            q = " ".join(quals)
            new = "*" + (q + (" " if inner else "") if q else "") + inner
            if isinstance(t.pointee, ir.Array):
                new = "(" + new + ")"
            return self._decl(t.pointee, new)
        if isinstance(t, ir.Reference):
            new = "&" + inner
            if isinstance(t.pointee, ir.Array):
                new = "(" + new + ")"
            return self._decl(t.pointee, new)
        if isinstance(t, ir.Array):
            size = "" if t.size is None else self.expr(t.size)
            return self._decl(t.elem, f"{inner}[{size}]")
        raise TypeError(f"not a type: {type(t).__name__}")

    # ------------------------------------------------------------------ statements
    def decl(self, s: ir.Decl) -> str:
        """A declaration without its ';' (also used in for headers)."""
        first = s.vars[0]
        prefix = self._var_prefix(first)
        bases = [self._decl(v.type, v.name)[0] for v in s.vars]
        same = all(b == bases[0] for b in bases) and all(self._var_prefix(v) == prefix for v in s.vars)
        if same:
            parts = []
            for v in s.vars:
                _, inner = self._decl(v.type, v.name)
                parts.append(inner + self._init(v) + self._attrs(v))
            return prefix + bases[0] + " " + ", ".join(parts)
        return "; ".join(self._var_prefix(v) + self.declarator(v.type, v.name) + self._init(v) + self._attrs(v)
                         for v in s.vars)

    def _var_prefix(self, v: ir.VarDecl) -> str:
        words = [s for s in v.specifiers if s in ("extern", "static")]
        q = self.d.qualifier_for_space(v.space)
        if q:
            words.append(q)
        elif self.src is not None and v.space not in _DEFAULT_SPACES:
            spelled = self.src.qualifier_for_space(v.space)
            what = f"{spelled} ({v.space} memory)" if spelled else f"{v.space} memory"
            words.append(self._lost(v, what, f"{self.d.title} has no qualifier for the {v.space} space; "
                                    f"{v.name} would silently become an ordinary variable"))
        words.extend(s for s in v.specifiers if s not in ("extern", "static"))
        return "".join(w + " " for w in words)

    def _attrs(self, v: ir.VarDecl) -> str:
        return "".join(" " + a for a in v.attrs)

    def _init(self, v: ir.VarDecl) -> str:
        if v.init is None:
            return ""
        if v.init_style == "()":
            items = v.init.items if isinstance(v.init, ir.InitList) else [v.init]
            return "(" + ", ".join(self.expr(e, 2) for e in items) + ")"
        if v.init_style == "{}":
            return self.expr(v.init)
        return " = " + self.expr(v.init, 2)

    def stmt(self, s: ir.Stmt, depth: int) -> list[str]:
        pad = INDENT * depth
        outer, self._at = self._at, s
        try:
            lines = self._stmt(s, depth)
        finally:
            self._at = outer
        if not lines:
            return lines
        if not isinstance(s, ir.Directive):
            lines[0] = pad + lines[0]
        return self._trail(lines, s)

    def _stmt(self, s: ir.Stmt, depth: int) -> list[str]:
        pad = INDENT * depth
        if isinstance(s, ir.Block):
            return self.block_lines(s, depth)
        if isinstance(s, ir.ExprStmt):
            return [self.expr(s.expr) + ";"]
        if isinstance(s, ir.Decl):
            return [self.decl(s) + ";"]
        if isinstance(s, ir.Return):
            return ["return;" if s.value is None else "return " + self.expr(s.value) + ";"]
        if isinstance(s, ir.Break):
            return ["break;"]
        if isinstance(s, ir.Continue):
            return ["continue;"]
        if isinstance(s, ir.Empty):
            return [";"]
        if isinstance(s, ir.If):
            return self.if_lines(s, depth)
        if isinstance(s, ir.For):
            init = ""
            if isinstance(s.init, ir.Decl):
                init = self.decl(s.init)
            elif isinstance(s.init, ir.ExprStmt):
                init = self.expr(s.init.expr)
            elif s.init is not None:
                init = "".join(self._stmt(s.init, 0)).rstrip(";")
            cond = self.expr(s.cond) if s.cond is not None else ""
            step = self.expr(s.step) if s.step is not None else ""
            head = f"for ({init}; {cond}; {step})".replace("(; ", "(;").replace("; ; ", ";; ").replace("; )", ";)")
            return self._with_pragmas(s.pragmas, self.body(head, s.body, depth), pad)
        if isinstance(s, ir.While):
            return self._with_pragmas(s.pragmas, self.body(f"while ({self.expr(s.cond)})", s.body, depth), pad)
        if isinstance(s, ir.DoWhile):
            lines = []
            if isinstance(s.body, ir.Block):
                b = self.block_lines(s.body, depth)
                lines.append("do " + b[0])
                lines.extend(b[1:-1])
                lines.append(b[-1] + f" while ({self.expr(s.cond)});")
            else:
                lines.append("do")
                lines.extend(self.stmt(s.body, depth + 1))
                lines.append(pad + f"while ({self.expr(s.cond)});")
            return self._with_pragmas(s.pragmas, lines, pad)
        if isinstance(s, ir.Switch):
            return self.body(f"switch ({self.expr(s.cond)})", s.body, depth)
        if isinstance(s, ir.Case):
            return ["default:" if s.value is None else f"case {self.expr(s.value)}:"]
        if isinstance(s, ir.Pragma):
            return s.text.split("\n")
        if isinstance(s, (ir.Comment, ir.OpaqueStmt)):
            return s.text.split("\n")
        if isinstance(s, ir.Directive):
            return s.text.split("\n")
        if isinstance(s, ir.Function):
            return self.function(s)
        if isinstance(s, ir.OpaqueTop):
            return s.text.split("\n")
        raise TypeError(f"cannot print statement {type(s).__name__}")

    def _with_pragmas(self, pragmas: list[str], lines: list[str], pad: str) -> list[str]:
        """Loop pragmas on their own lines above the loop, at its indentation."""
        if not pragmas:
            return lines
        return [pragmas[0]] + [pad + p for p in pragmas[1:]] + [pad + lines[0]] + lines[1:]

    def body(self, head: str, body: ir.Stmt, depth: int) -> list[str]:
        """``head`` followed by a braced block on the same line, or an indented statement."""
        if isinstance(body, ir.Block):
            b = self.block_lines(body, depth)
            return [head + " " + b[0]] + b[1:]
        return [head] + self.stmt(body, depth + 1)

    def block_lines(self, b: ir.Block, depth: int) -> list[str]:
        pad = INDENT * depth
        lines = ["{"]
        for i, s in enumerate(b.stmts):
            if s.blank_before and i > 0:
                lines.append("")
            lines.extend(self.stmt(s, depth + 1))
        lines.append(pad + "}")
        return lines

    def if_lines(self, s: ir.If, depth: int) -> list[str]:
        pad = INDENT * depth
        cond = self.expr(s.cond) if s.decl is None else self.declarator(s.decl.type, s.decl.name) + self._init(s.decl)
        lines = self.body(f"if ({cond})", s.then, depth)
        if s.other is None:
            return lines
        if isinstance(s.then, ir.Block):
            prefix = lines[-1] + " else"
            lines = lines[:-1]
        else:
            prefix = pad + "else"
        other = s.other
        if isinstance(other, ir.If) and not other.trailing:
            sub = self.if_lines(other, depth)
            lines.append(prefix + " " + sub[0])
            lines.extend(sub[1:])
        elif isinstance(other, ir.Block):
            b = self.block_lines(other, depth)
            lines.append(prefix + " " + b[0])
            lines.extend(b[1:])
            if other.trailing:
                lines[-1] += " " + other.trailing
        else:
            lines.append(prefix)
            lines.extend(self.stmt(other, depth + 1))
        return lines

    # ------------------------------------------------------------------ expressions
    def expr(self, e: ir.Expr, min_prec: int = 0) -> str:
        text, prec = self._expr(e)
        return f"({text})" if prec < min_prec else text

    def _expr(self, e: ir.Expr) -> tuple[str, int]:
        if isinstance(e, ir.IntLit):
            return e.text, (_UNARY if e.text.startswith("-") else _ATOM)
        if isinstance(e, ir.FloatLit):
            return e.text, (_UNARY if e.text.startswith("-") else _ATOM)
        if isinstance(e, ir.BoolLit):
            return ("true" if e.value else "false"), _ATOM
        if isinstance(e, (ir.CharLit, ir.StringLit)):
            return e.text, _ATOM
        if isinstance(e, ir.Name):
            self._check_name(e, e.name)
            return e.name, _ATOM
        if isinstance(e, ir.Binary):
            p = _PREC[e.op] if e.op in _PREC else _PREC.get(e.op, 1)
            lhs = self._operand(e.lhs, p, e.op, right=False)
            rhs = self._operand(e.rhs, p + 1, e.op, right=True)
            sep = ", " if e.op == "," else f" {e.op} "
            return lhs + sep + rhs, p
        if isinstance(e, ir.Assign):
            return f"{self.expr(e.target, _UNARY)} {e.op} {self.expr(e.value, 2)}", 2
        if isinstance(e, ir.Ternary):
            cond = self.expr(e.cond, 4)
            then = self.expr(e.then, 2)
            other = self.expr(e.other, 3)
            return f"{cond} ? {then} : {other}", 3
        if isinstance(e, ir.Unary):
            if e.postfix:
                return self.expr(e.operand, _POSTFIX) + e.op, _POSTFIX
            inner = self.expr(e.operand, _UNARY)
            if e.op in ("-", "+", "&", "*") and inner.startswith(e.op[0]) or \
                    e.op in ("-", "+") and inner.startswith(("-", "+")):
                inner = f"({inner})" if not inner.startswith("(") else inner
            return e.op + inner, _UNARY
        if isinstance(e, ir.Cast):
            t = self.type_name(e.type)
            if e.style == "c":
                return f"({t}){self.expr(e.operand, _UNARY)}", _UNARY
            if e.style == "compound":
                return f"({t}){self.expr(e.operand)}", _POSTFIX
            if e.style == "functional":
                return f"{t}({self.expr(e.operand)})", _POSTFIX
            return f"{e.style}_cast<{t}>({self.expr(e.operand)})", _POSTFIX
        if isinstance(e, ir.Call):
            self._check_call(e)
            return f"{self.expr(e.callee, _POSTFIX)}({self._args(e.args)})", _POSTFIX
        if isinstance(e, ir.Index):
            return f"{self.expr(e.base, _POSTFIX)}[{self.expr(e.index)}]", _POSTFIX
        if isinstance(e, ir.Member):
            return f"{self.expr(e.base, _POSTFIX)}{'->' if e.arrow else '.'}{e.member}", _POSTFIX
        if isinstance(e, ir.SizeOf):
            if isinstance(e.arg, ir.CType):
                return f"{e.op}({self.type_name(e.arg)})", _UNARY
            return f"{e.op}({self.expr(e.arg)})", _UNARY
        if isinstance(e, ir.InitList):
            return "{" + self._args(e.items) + "}", _ATOM
        if isinstance(e, ir.Launch):
            self._check_launch(e)
            if e.style == "hip" and self.d.name != "cuda":
                return f"hipLaunchKernelGGL({self._args([e.kernel] + e.config + e.args)})", _POSTFIX
            # CUDA has no hipLaunchKernelGGL; its (grid, block, shared, stream) are the <<<>>> operands
            return (f"{self.expr(e.kernel, _POSTFIX)}<<<{self._args(e.config)}>>>({self._args(e.args)})",
                    _POSTFIX)
        if isinstance(e, ir.OpaqueExpr):
            return e.text, (_ATOM if e.text.startswith("(") and e.text.endswith(")") else 0)
        raise TypeError(f"cannot print expression {type(e).__name__}")

    def _check_launch(self, e: ir.Launch) -> None:
        """A launch's configuration means the same only between dialects of one kind (CUDA and
        HIP: grid and block; BANG: task dimension, job type and queue); C has no launch."""
        if not self._foreign or (self.src.is_gpu and self.d.is_gpu):
            return
        what = "hipLaunchKernelGGL" if e.style == "hip" else "<<<...>>> launch"
        why = (f"{self.d.title} has no kernel launch" if not self.d.function_qualifiers.get("kernel") else
               f"its configuration ({', '.join(self.expr(c, 2) for c in e.config)}) is {self.src.title}'s, "
               f"which {self.d.title} reads differently")
        self._lost(e, what, why + " (kept verbatim)")

    def _args(self, items: list[ir.Expr]) -> str:
        return ", ".join(self.expr(a, 2) for a in items)

    def _operand(self, e: ir.Expr, min_prec: int, parent: str, right: bool) -> str:
        text, prec = self._expr(e)
        need = prec < min_prec
        if not need and isinstance(e, ir.Binary) and e.op != parent:
            # Parentheses compilers ask for (-Wparentheses), kept for clarity.
            child = e.op
            if parent == "||" and child == "&&":
                need = True
            elif parent in ("<<", ">>") and child in _ARITH:
                need = True
            elif parent in _BITWISE and (child in _COMPARE or child in _ARITH or child in _BITWISE):
                need = True
            elif parent in _COMPARE and child in _COMPARE:
                need = True
        return f"({text})" if need else text
