"""``tensorize``: element-wise loops of a bound kernel become the target's vector code,
staged through on-chip memory where the target has it.

    before (bound to BANG by bind):
        __mlu_global__ void k(const float *x, float *y, float a, int n) {
            for (int i0 = taskId; i0 < n; i0 += taskDim) {
                int i = i0;
                y[i] = a * x[i] + y[i];
            }
        }
    after (target bang; CH from the arch's NRAM, here mtp_372):
        __mlu_global__ void k(const float *x, float *y, float a, int n) {
            __nram__ float xp_x[CH];
            __nram__ float xp_y[CH];
            int xp_per = ((n + taskDim - 1) / taskDim + 31) / 32 * 32;
            int xp_step = xp_per < CH ? xp_per : CH;
            for (int xp_c = taskId * xp_step; xp_c < n; xp_c += taskDim * xp_step) {
                int xp_len = n - xp_c < xp_step ? n - xp_c : xp_step;
                int xp_vlen = (xp_len + 31) / 32 * 32;
                __memcpy(xp_x, x + xp_c, xp_len * sizeof(float), GDRAM2NRAM);
                __memcpy(xp_y, y + xp_c, xp_len * sizeof(float), GDRAM2NRAM);
                __bang_mul_scalar(xp_x, xp_x, a, xp_vlen);     (in place: the table allows overlap)
                __bang_add(xp_y, xp_x, xp_y, xp_vlen);
                __memcpy(y + xp_c, xp_y, xp_len * sizeof(float), NRAM2GDRAM);
            }
        }

A loop is tensorized when its body is element-wise (``analysis/elementwise``: every access
at the loop index plus a constant, no control flow, one float element type) and every
expression of it is covered by the dialect's element-wise templates
(``dialects/templates``: each intrinsic's lane expression, read from its semantics in the
table). The cover is the cheapest (fewest calls) over all templates matching at each
node, ``+`` and ``*`` matched in either operand order; a loop-invariant operand binds a
template's scalar slot, or is broadcast into NRAM (the table's fill, ``__bang_write_value``)
where only a two-vector form exists (``a - x[i]``). Two rewrites make more expressions
coverable, each exact in IEEE arithmetic or said in the notes: ``-e`` is ``e * -1.0f``
(exact); ``e / s`` with ``s`` loop-invariant is ``e * (1.0f / s)`` where the target has no
division intrinsic (two roundings: the notes say so).

Which loops: a loop bound to ``taskId`` whose body is element-wise (its chunks spread over
the tasks); else each innermost serial loop of the kernel counting from 0 by 1 whose body is
element-wise, where reductions into a scalar declared outside the loop are allowed too
(``acc += e``, ``acc = fmaxf(acc, e)``, ``acc = fminf(acc, e)``): the chunks run in order on
the task that runs the loop, and each chunk's reduction, by the table's reduction
intrinsic (``Intrinsic.reduces``: ``__bang_sum``, ``__bang_argmax``'s value), is combined
with the accumulator (a float sum per chunk: the order of additions changes, as a
reduction's may)::

    before (a row of softmax, inside the loop over rows bound to taskId):
        float m = -INFINITY;
        for (int c = 0; c < cols; ++c) m = fmaxf(m, xr[c]);
    after:
        for (int xp_c = 0; xp_c < cols; xp_c += CH) {
            int xp_len = cols - xp_c < CH ? cols - xp_c : CH;
            __memcpy(xp_xr, xr + xp_c, xp_len * sizeof(float), GDRAM2NRAM);
            __bang_argmax(xp_red, xp_xr, xp_len);
            m = fmaxf(m, xp_red[0]);
        }

Cache (BANG): a run of such loops over one extent in one block, separated only by scalar
statements, that share a stream (a row read by two loops, or stored by one and read by the
next) runs, when the extent fits one chunk, with each stream copied into NRAM once and its
stores copied out once at the end; the chunked loops stay as the other branch::

    if (cols <= CH) { copy xr in; argmax; sub, exp, sum; mul; copy yr out }
    else { the three chunked loops }

Scalar declarations between the loops move before the ``if`` (non-const), so the code
after the run still sees them.

Pipeline (BANG, ``pipeline=true``, the default; ``passes/tensorize_bang_pipe.py``): in every
chunk loop, the copies in go to double buffers (``[2][CH]``) with ``__memcpy_async``: the
first chunk's before the loop, the next chunk's at the top of each iteration after
``__sync_io(); __sync_compute();`` (this chunk has landed; the calls that read the other
half are done), so the IO-DMA pipeline moves chunk k+1 while the compute pipeline works on
chunk k::

    if (start < n) __memcpy_async(xp_x[0], x + start, ...);
    for (c = start; c < n; c += stride) {
        int p = k & 1; __sync_io(); __sync_compute();
        if (c + stride < n) __memcpy_async(xp_x[p ^ 1], x + c + stride, ...);
        __bang_mul_scalar(xp_y2, xp_x[p], a, vlen); ...; __memcpy(y + c, xp_y2, ...); ++k;
    }

The emulator's ``bang_async deferred`` mode (every async copy held back to its covering
sync) checks the syncs: the tests run pipelined outputs in it.

Half (BANG): half streams and temporaries are copied as half (``__nram__ half`` buffers)
and converted with the table's conversions that compute what C's do (``Intrinsic.converts``:
``__bang_half2float`` exact, ``__bang_float2half_rn`` to nearest even); arithmetic runs in
float, so a loop that computes on half values (``x[i] * x[i]`` on halves) is not
tensorized (the source's half arithmetic may round differently).

BANG specifics: the loop's iterations are cut into chunks of a multiple of 32 elements (128
bytes, the vector unit's granule: bang.md 2.3), one chunk size for the kernel (its nests
share the NRAM buffers, one after another), as large as the arch's NRAM allows after what
the kernel already declares (the arch's ``nram_bytes`` less ``nram_stack_reserve_bytes``;
at most 65536 elements, or the ``chunk`` parameter) and, for a loop over tasks, no larger
than a task's even share.
Vector intrinsics run on the chunk rounded up to 32 elements; the lanes past the data are
computed and never copied back. Intrinsics the table marks ``approximate`` on hardware
(table-based activations such as ``__bang_active_sigmoid``) are used only with
``approximate=true`` (the default) and named in the notes, since the oracle checks the
emulator's exact formula; an intrinsic with a documented input range (``__bang_active_recip``:
[0.0078125, 65472]) is never used.

VNNI (``tensorize_vnni.py``): a loop under ``#pragma omp parallel for``, or else each
innermost loop in it, becomes a loop over 16-lane ``__m512`` registers keeping the pragma,
plus the ``n % 16`` tail under a ``__mmask16`` (masked load and store)::

    before:  #pragma omp parallel for
             for (int i = 0; i < n; ++i) y[i] = a * x[i] + y[i];
    after:   __m512 xp_a = _mm512_set1_ps(a);
             int xp_end = n / 16 * 16;
             #pragma omp parallel for
             for (int xp_c = 0; xp_c < xp_end; xp_c += 16)
                 _mm512_storeu_ps(y + xp_c, _mm512_add_ps(_mm512_mul_ps(xp_a, _mm512_loadu_ps(x + xp_c)),
                                                          _mm512_loadu_ps(y + xp_c)));
             if (xp_end < n) {
                 __mmask16 xp_m = (__mmask16)((1u << (n - xp_end)) - 1u);
                 _mm512_mask_storeu_ps(y + xp_end, xp_m, ...the same on _mm512_maskz_loadu_ps(xp_m, ...));
             }

Templates are the table's AVX-512F intrinsics whose semantics is one lane loop; invariants
are broadcast with ``_mm512_set1_ps`` once before the loop; ``_mm512_fmadd_ps`` (one rounding:
``fmaf``) never covers ``a * b + c``; ``fmaxf``/``fminf`` against a literal use max/min (the
sign of a zero result noted); approximate intrinsics are never used; arithmetic the source
does in double is not tensorized (the CPU has double lanes: no reason to change the
rounding), where BANG, which has no double vector unit, computes it in float and says so.

C (``tensorize_c.py``): no intrinsics to call; each innermost element-wise loop gets
``#pragma omp simd``, with ``reduction(+:acc)`` for a floating sum (gcc may then split the
sum over vector lanes, which it may not do on its own without ``-ffast-math``), and bind's
plain ``#pragma omp parallel for`` over an element-wise body becomes ``parallel for simd``::

    before:  for (int c = 0; c < cols; ++c) s += x[r * cols + c] * x[r * cols + c];
    after:   #pragma omp simd reduction(+:s)
             for (int c = 0; c < cols; ++c) s += x[r * cols + c] * x[r * cols + c];

CUDA and HIP are not tensorized yet (``bind`` writes one element per thread and block
reductions as a shared-memory tree): their loops are reported (``not tensorized: ...``) so
the translation's nest records say so.

Preconditions: ``bound`` (the module speaks the target dialect: run ``bind`` first),
``arch`` (a known MLU arch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Optional

from .. import ir
from ..analysis import elementwise as E
from ..dialects.bang import intrinsics as bang_table
from ..dialects.templates import Template
from .base import BOOL, NAME, Param, Pass, Precondition, Refusal, Space, register

@register
class Tensorize(Pass):
    """Element-wise loops of a bound kernel become the target's vector code (module docstring)."""

    name = "tensorize"
    stage = "lower"
    params = (Param("kernel", NAME, "tensorize in this kernel only", default=""),
              Param("arch", Space.one_of(*bang_table.ARCHS), "the MLU model (NRAM size, intrinsics)",
                    default="mtp_372"),
              Param("approximate", BOOL, "use intrinsics that are approximate on hardware (table-based "
                    "activations)", default=True),
              Param("chunk", Space.ints(0, 1 << 16), "BANG: elements per NRAM chunk, a multiple of 32 (0: as "
                    "many as the NRAM left allows)", default=0),
              Param("pipeline", BOOL, "BANG: copy the next chunk in (__memcpy_async, double buffers) while "
                    "this one computes", default=True))
    requires = (Precondition("bound", "the module speaks the target dialect (run bind first)"),)

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        if target is None or module.dialect != target:
            yield self.refuse("bound", f"the module is {module.dialect}, not {target}: run bind first")

    def rewrite(self, module: ir.Module, target: Optional[str], kernel: str = "", arch: str = "mtp_372",
                approximate: bool = True, chunk: int = 0, pipeline: bool = True) -> ir.Module:
        self.notes: list[str] = []
        self.nests: list[dict] = []
        chosen = {k.name for k in module.kernels if not kernel or k.name == kernel}
        taken = {n.name for n in module.walk() if isinstance(n, ir.Name)} | \
            {v.name for n in module.walk() if isinstance(n, ir.Decl) for v in n.vars}

        replace: dict[int, list[ir.Stmt]] = {}  # id(input loop) -> its statements
        decls: dict[str, list[ir.Stmt]] = {}  # kernel -> buffers declared at its top
        for f in module.functions:
            if f.name not in chosen or f.body is None:
                continue
            cls = _LOWERINGS.get(target)
            if cls is None:
                self._report_untouched(f, target)
                continue
            k = cls(self, module, f, taken, arch=arch, approximate=approximate, chunk=chunk, pipeline=pipeline)
            replace.update(k.plan())
            if k.decls:
                decls[f.name] = k.decls

        def fn(n: ir.Node, old: ir.Node):
            if id(old) in replace:
                return replace[id(old)]
            if isinstance(n, ir.Function) and n.name in decls and n.body is not None:
                n.body.stmts = decls[n.name] + n.body.stmts
            return None

        return self.transform(module, fn, with_original=True)

    def _report_untouched(self, f: ir.Function, target: str) -> None:
        why = {"c": "C: left to the compiler's vectoriser (gcc -O3)",
               "cuda": "CUDA: no wmma or tiling lowering yet (bind: one element per thread, block reductions "
                       "as a shared-memory tree)",
               "hip": "HIP: no MFMA or tiling lowering yet (bind: one element per thread, block reductions "
                      "as a shared-memory tree)"}.get(target, f"{target}: not handled")
        self.nests.append({"kernel": f.name, "lines": _lines(f), "not": [f"not tensorized: {why}"]})

    def apply(self, module, target=None, **params):
        r = super().apply(module, target, **params)
        r.notes.extend(getattr(self, "notes", []))
        r.nests = list(getattr(self, "nests", []))
        return r


#: the lowering of each target (registered by its module, ``tensorize_<target>.py``, with
#: ``lowering``): a class whose ``(pass, module, function, taken, arch=, approximate=).plan()``
#: returns ``{id(input loop): statements}``, records each loop nest in ``pass.nests`` and
#: ``pass.notes``, and whose ``decls`` go to the top of the kernel
_LOWERINGS: dict[str, type] = {}


def lowering(target: str):
    """Class decorator: the tensorize lowering of ``target`` (a module beside this one)."""
    def add(cls: type) -> type:
        _LOWERINGS[target] = cls
        return cls

    return add


def _lines(n: ir.Node) -> tuple[int, int]:
    return (n.span.line, n.span.end_line) if n.span else (0, 0)


# ----------------------------------------------------------------------------- the cover
@dataclass
class Choice:
    """How one expression node is computed: a template call over its operands."""

    template: Template
    slots: dict[str, ir.Expr]
    cost: int
    note: str = ""  # a rewrite that is not exact, said in the pass notes


class Cover:
    """The cheapest cover of element-wise expressions by a dialect's templates."""

    def __init__(self, nest: E.Elementwise, candidates: tuple[Template, ...]):
        self.nest = nest
        self.candidates = candidates
        self._memo: dict[int, Optional[Choice]] = {}
        self.fill = next((t for t in candidates if t.roles.count("s") == 1 and t.vectors == 0
                          and isinstance(t.pattern, ir.Name)), None)
        self.failed: Optional[ir.Expr] = None
        self._keep: list[ir.Expr] = []

    def cost(self, e: ir.Expr) -> Optional[int]:
        """Calls needed to have ``e`` in a vector buffer (0 for a load or a temporary)."""
        k = self.nest.kind(e)
        if k in ("load", "temp"):
            return 0
        if k == "op" and float_cast(e):
            return self.cost(e.operand)  # (double)v: computed in the element type (said in the notes)
        if k == "op" and isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and \
                e.type.name in E.HALF:  # (__half)f: one conversion (a lowering with half support)
            c = self.cost(e.operand)
            return None if c is None else c + 1
        if k == "invariant":
            return 1 if self.fill is not None else None
        c = self.choose(e)
        return c.cost if c else None

    def choose(self, e: ir.Expr) -> Optional[Choice]:
        if id(e) in self._memo:
            return self._memo[id(e)]
        self._memo[id(e)] = None  # (no cycles in a tree; guards re-entry)
        best = self._direct(e)
        for form, note in _rewrites(e, self.nest):
            self._keep.append(form)  # (memo keys are ids: keep the forms alive)
            c = self._direct(form)
            if c is not None and (best is None or c.cost < best.cost):
                best = Choice(c.template, c.slots, c.cost, note or c.note)
        self._memo[id(e)] = best
        if best is None and self.failed is None:
            self.failed = e
        return best

    def _direct(self, e: ir.Expr) -> Optional[Choice]:
        best: Optional[Choice] = None
        for t in self.candidates:
            if t.vectors == 0:
                continue
            for slots in _matches(t.pattern, e, {}):
                if "$s" in slots and not self.nest.invariant(slots["$s"]):
                    continue
                total, ok = 1, True
                for name, sub in slots.items():
                    if name.startswith("$v"):
                        c = self.cost(sub)
                        if c is None:
                            ok = False
                            break
                        total += c
                if ok and (best is None or total < best.cost):
                    best = Choice(t, slots, total)
        return best


def float_cast(e: ir.Expr) -> bool:
    """``(double)v`` or ``(float)v``: a conversion between floating types, which the vector
    code does in its element type (a float computation where the source widened: the
    notes say so)."""
    return isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and e.type.name in ("float", "double") \
        and e.style in ("c", "static", "functional")


def _rewrites(e: ir.Expr, nest: E.Elementwise) -> Iterator[tuple[ir.Expr, str]]:
    """Equal forms of ``e`` a template may cover (their operands are ``e``'s own nodes), each
    with a note when it rounds differently: ``-v`` is ``v * -1.0f`` (exact);
    ``a / b`` is ``a * (1.0f / b)`` (two roundings; not tried when ``a`` is 1)."""
    one = ir.FloatLit(1.0, "1.0f")
    if isinstance(e, ir.Unary) and e.op == "-":
        yield ir.Binary("*", e.operand, ir.Unary("-", ir.FloatLit(1.0, "1.0f"))), ""
    if isinstance(e, ir.Binary) and e.op == "/" and not (isinstance(e.lhs, (ir.FloatLit, ir.IntLit))
                                                          and float(e.lhs.value) == 1.0):
        yield ir.Binary("*", e.lhs, ir.Binary("/", one, e.rhs)), \
            f"{_txt(e)} computed as a product with a reciprocal (two roundings)"


def _strip(e: ir.Expr) -> ir.Expr:
    """A literal without its cast to float (``(float)0`` is the pattern's ``0.0f``)."""
    while isinstance(e, ir.Cast) and isinstance(e.type, ir.Named) and e.type.name in ("float",) and \
            isinstance(e.operand, (ir.FloatLit, ir.IntLit)):
        e = e.operand
    return e


def _matches(p: ir.Expr, e: ir.Expr, b: dict[str, ir.Expr]) -> Iterator[dict[str, ir.Expr]]:
    """Every binding of the pattern's slots that makes ``p`` the expression ``e``."""
    e = _strip(e)
    if isinstance(p, ir.Name) and p.name.startswith("$"):
        if p.name in b:
            if _same(b[p.name], e):
                yield b
            return
        yield {**b, p.name: e}
        return
    if isinstance(p, ir.FloatLit):
        if isinstance(e, (ir.FloatLit, ir.IntLit)) and float(e.value) == float(p.value):
            yield b
        return
    if isinstance(p, ir.Unary):
        if isinstance(p.operand, (ir.FloatLit, ir.IntLit)) and p.op == "-":  # -1.0f
            if isinstance(e, ir.Unary) and e.op == "-" and isinstance(e.operand, (ir.FloatLit, ir.IntLit)) and \
                    float(e.operand.value) == float(p.operand.value):
                yield b
            return
        if isinstance(e, ir.Unary) and e.op == p.op:
            yield from _matches(p.operand, e.operand, b)
        return
    if isinstance(p, ir.Binary):
        if isinstance(e, ir.Binary) and e.op == p.op:
            for b1 in _matches(p.lhs, e.lhs, b):
                yield from _matches(p.rhs, e.rhs, b1)
            if p.op in ("+", "*"):
                for b1 in _matches(p.lhs, e.rhs, b):
                    yield from _matches(p.rhs, e.lhs, b1)
        return
    if isinstance(p, ir.Call):
        if isinstance(e, ir.Call) and isinstance(e.callee, ir.Name) and isinstance(p.callee, ir.Name) and \
                e.callee.name == p.callee.name and len(e.args) == len(p.args):
            yield from _seq(p.args, e.args, b)
        return
    if isinstance(p, ir.Ternary):
        if isinstance(e, ir.Ternary):
            yield from _seq([p.cond, p.then, p.other], [e.cond, e.then, e.other], b)
        return
    if _same(p, e):
        yield b


def _seq(ps: list[ir.Expr], es: list[ir.Expr], b: dict) -> Iterator[dict]:
    if not ps:
        yield b
        return
    for b1 in _matches(ps[0], es[0], b):
        yield from _seq(ps[1:], es[1:], b1)


def _same(a: ir.Expr, b: ir.Expr) -> bool:
    return a == b


def _txt(e: ir.Node) -> str:
    return E._text(e)


# ----------------------------------------------------------------------------- IR builders
def _name(n: str) -> ir.Name:
    return ir.Name(n)


def _int(v: int) -> ir.IntLit:
    return ir.IntLit(v)


def _call(fn: str, *args: ir.Expr) -> ir.ExprStmt:
    return ir.ExprStmt(ir.Call(ir.Name(fn), list(args)))


def _decl(name: str, init: ir.Expr, ty: str = "int") -> ir.Decl:
    return ir.Decl([ir.VarDecl(name, ir.Named(ty), init)])


def _min(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    return ir.Ternary(ir.Binary("<", a, b), ir.clone(a), ir.clone(b))


def _round_up(e: ir.Expr, k: int) -> ir.Expr:
    return ir.Binary("*", ir.Binary("/", ir.Binary("+", e, _int(k - 1)), _int(k)), _int(k))


Tensorize.__doc__ = __doc__  # the module docstring is the pass's documentation (docs/passes.md)
