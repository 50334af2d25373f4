"""``hipify``: CUDA <-> HIP directly on the IR, names as HIPIFY maps them and warp-size
assumptions rewritten so that the result computes what the source computes.

    before (CUDA):
        #include <cuda_runtime.h>
        __global__ void k(const float *x, float *y) {
            float v = x[threadIdx.x];
            for (int off = 16; off > 0; off /= 2) v += __shfl_down_sync(0xffffffff, v, off);
            if ((threadIdx.x & 31) == 0) y[threadIdx.x / 32] = v;
        }
        void host(float *d, int n) { cudaMalloc(&d, n); k<<<1, 256>>>(d, d); cudaDeviceSynchronize(); }
    after (HIP):
        #include <hip/hip_runtime.h>
        __global__ void k(const float *x, float *y) {
            float v = x[threadIdx.x];
            for (int off = 16; off > 0; off /= 2) v += __shfl_down(v, off, 32);
            if ((threadIdx.x & 31) == 0) y[threadIdx.x / 32] = v;
        }
        void host(float *d, int n) { hipMalloc(&d, n); k<<<1, 256>>>(d, d); hipDeviceSynchronize(); }

Names (both directions, from one table: ``dialects/hip/cuda_map.py``): runtime API calls,
types, enumerators, ``#include`` lines (a translated file always includes its runtime
header), device functions spelled otherwise, names inside ``#define`` bodies and verbatim
constructs; ``hipLaunchKernelGGL`` becomes ``<<<>>>`` for CUDA (HIP keeps ``<<<>>>``); the
second ``__launch_bounds__`` argument (CUDA: blocks per SM, HIP: waves per EU) is dropped.

CUDA -> HIP (a CUDA warp is 32 lanes, a CDNA wavefront 64; gpu.md §1.2, §3): the threads of a
CUDA warp are lanes 0-31 or 32-63 of a wavefront (warps and wavefronts are both cut from
consecutive linear thread ids), so every warp-level operation is kept inside its 32-lane half:

* ``warpSize`` -> ``32`` (lane and warp arithmetic with 32, ``& 31``, ``/ 32`` is then already
  right, and so is communication through shared memory indexed by warp); a host query of the
  warp size (``cudaDevAttrWarpSize``, ``prop.warpSize``) also yields 32.
* shuffles ``__shfl*_sync(mask, v, x[, w])`` -> ``__shfl*(v, x, w)`` with ``w`` = 32 when the
  source used the default: HIP's index rules with a width <= 32 are CUDA's inside each half.
  CUDA truncates ``delta``/``laneMask`` to 5 bits, HIP does not: a value not provably below 32
  gets ``& 31``. The mask goes (HIP's ``*_sync`` is its mask-less form after a check of the
  mask; the mask-less forms also exist before ROCm 6.2). Value types HIP shuffles lack refuse.
* ballots: ``__ballot_sync(m, p)`` -> ``(unsigned int)(__ballot(p) >> (__lane_id() & 32)) & m``
  (the caller's 32-lane half of the 64-bit ballot; ``& m`` dropped for the full mask), so
  ``__popc``, ``__ffs`` and ``1u << lane`` tests on it stay 32-bit; ``__activemask()`` is the
  same with ``__ballot(1)``; ``__any_sync(m, p)`` -> ``(half-ballot(p) & m) != 0``,
  ``__all_sync(m, p)`` -> ``(half-ballot(!p) & m) == 0`` (lanes that exited do not count, as
  on CUDA); ``__match_any_sync(m, v)`` -> ``xp_match_any32(v) & m`` (a helper of 32 width-32
  shuffles: HIP's ``__match_any`` spans the wavefront and needs ROCm >= 6.2).
* ``__syncwarp(m)`` -> HIP's ``__syncwarp`` (a wavefront barrier between two fences, written
  with the builtins every ROCm has).
* ``nvcuda::wmma`` (16x16x16, half or 8-bit inputs): HIP has no warp-matrix functions, and an
  MFMA instruction needs the whole wavefront while the wavefront's two warps each have their own
  tiles and may diverge (a warp-dependent loop runs a tile on one half only). So a warp's tiles
  stay on its half (``cuda_map.WMMA_HIP``: ``wmma::X`` -> ``xp_wmma_X``; lane l holds row l / 2 of
  A and of the accumulator, column l / 2 of B; loads and stores go straight to memory; mma_sync
  gathers what it needs with width-32 shuffles, no matrix cores). Other shapes and types refuse
  (``wmma``: wmma-to-mfma not supported: use the C round trip).
* ``cudaMemcpyToSymbol(x, ...)`` -> ``hipMemcpyToSymbol(HIP_SYMBOL(x), ...)`` (and back).
* device functions: ``atomicX_block`` -> ``atomicX`` (device scope is stronger), cache-hinted
  ``__ldcg(p)``... -> ``*p`` and ``__stcg(p, v)``... -> ``*p = v``, ``__tanhf`` -> ``tanhf``,
  ``__dp4a`` -> ``xp_dp4a`` written from the CUDA table's semantics (the installed ROCm, 5.2, has
  none); what has no HIP counterpart (directed rounding, ``__reduce_*_sync``, ``__trap``...)
  refuses (``no-equivalent``).

HIP -> CUDA (the source's wavefronts are 64 lanes; a CUDA warp only 32): ``warpSize`` -> 64 and
host queries of the wave size -> 64, so the kernel's work split stays the source's; a
wavefront is two CUDA warps, and every cross-lane operation (``__shfl*``, ``__ballot``,
``__any``, ``__all``, ``__activemask``, ``__lane_id``, ``__syncwarp``, readfirstlane, readlane,
bpermute, mbcnt, MFMA) becomes a helper (``cuda_map.wave_helpers``/``mfma_helper``) that
exchanges values through shared memory between two ``__syncthreads``, with HIP's index rules
(inactive lanes read 0). Since ``__syncthreads`` needs every thread of the block:

* device functions holding wavefront operations are inlined into the kernels (``inline_calls``;
  an anonymous namespace around them is opened first);
* in a kernel where an operation is under thread-dependent control, or a thread-dependent
  ``return`` comes before one, the code from there on is predicated: every thread runs it, a
  ``bool xp_on`` remembers which threads returned, thread-dependent branches become predicates,
  other statements run under ``if (predicate)``, and each operation is called by all threads
  with ``active`` = the predicate (inactive lanes are what HIP calls inactive: they read as 0);
  loops around an operation must have a trip count that is the same for every thread;
* MFMA builtins compute, per lane, the registers the layout of gpu.md §7.3 gives it (A, B and
  the modifiers from the HIP table's rules), accumulating as the HIP emulation does; clang
  ``ext_vector_type`` typedefs become structs with ``[]`` (nvcc has no such vectors) and
  ``.x``..``.w`` on them ``[0]``..``[3]``;
* HIP's vector operators (``float4 + float4``, ``v * s``, ``a += b``, ``-v``, ``==``) are written
  per component (``make_float4(a.x + b.x, ...)``): CUDA's vector types have none (gpu.md §2.5);
* ``unsafeAtomicAdd``/``safeAtomicAdd`` -> ``atomicAdd``; float ``atomicMin/Max`` refuse.

Preconditions are listed in ``requires``; a construct the pass cannot translate correctly
refuses with its line (no half-translated output).
"""
from __future__ import annotations

import re
from typing import Callable, Iterator, Optional

from .. import dialects, evaluate, frontend, ir
from ..analysis import symbols
from ..dialects.hip import cuda_map as cm
from ..dialects.hip.intrinsics import MFMA
from .base import Param, Pass, Precondition, Refusal, Space, register
from .inline_calls import InlineCalls, module_constants
from . import vector_arith

ON = "xp_on"  # the predicate of the threads that have not returned (HIP -> CUDA predication)
# the argument holding the symbol of the runtime's symbol copies, by their name on the target
_SYMBOL_ARG = {f"{p}MemcpyToSymbol{a}": 0 for p in ("cuda", "hip") for a in ("", "Async")} | \
    {f"{p}MemcpyFromSymbol{a}": 1 for p in ("cuda", "hip") for a in ("", "Async")}


class _Refuse(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(str(refusal))
        self.refusal = refusal


def _call_name(n: ir.Node) -> Optional[str]:
    if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
        return n.callee.name
    return None




def _lit(v: int, text: str = "") -> ir.IntLit:
    return ir.IntLit(v, text or str(v))


def _call(name: str, *args: ir.Expr) -> ir.Call:
    return ir.Call(ir.Name(name), list(args))


def _stmts(s: Optional[ir.Stmt]) -> list[ir.Stmt]:
    if s is None:
        return []
    return list(s.stmts) if isinstance(s, ir.Block) else [s]


def _int_value(e: ir.Expr, env: dict) -> Optional[int]:
    try:
        v = evaluate.evaluate(e, env)
    except (evaluate.Unknown, Exception):  # noqa: BLE001 - evaluation of arbitrary code
        return None
    return int(v) if isinstance(v, int) else None


def _type_text(t: Optional[ir.CType]) -> Optional[str]:
    """The canonical spelling of a named type, without const/volatile (``int`` for ``const int32_t``)."""
    if isinstance(t, ir.Named):
        words = [w for w in (t.canonical or t.name).split() if w not in ("const", "volatile")]
        return " ".join(words)
    return None




def _strip_const(t: ir.CType) -> ir.CType:
    t = ir.clone(t)
    if isinstance(t, (ir.Named, ir.Pointer)):
        t.const = False
    return t


@register
class Hipify(Pass):
    """CUDA <-> HIP on the IR: HIPIFY's name mapping plus the warp-size rewrites it leaves to
    people (32-lane warps as halves of 64-lane wavefronts; 64-lane wavefronts as two warps).

        before:  v += __shfl_down_sync(0xffffffff, v, off);  unsigned b = __ballot_sync(0xffffffff, p);
        after:   v += __shfl_down(v, off, 32);  unsigned b = (unsigned int)(__ballot(p) >> (__lane_id() & 32));
    """

    name = "hipify"
    stage = "lower"
    params = (Param("to", Space.one_of("", "cuda", "hip"), "the target dialect (empty: the other of the "
                                                           "module's, or the pass's target)", default=""),)
    requires = (
        Precondition("dialect", "the module is CUDA or HIP and the target is the other one"),
        Precondition("parses", "the module has no parse error (an error node may hide code)"),
        Precondition("no-equivalent", "every intrinsic used has a counterpart on the target (gpu.md §9)"),
        Precondition("wmma", "no nvcuda::wmma (wmma-to-mfma not supported: use the C round trip)"),
        Precondition("shuffle-type", "every shuffled value has a type the target's shuffles move"),
        Precondition("call-position", "a warp operation whose rewrite adds statements stands where statements "
                                      "can be added"),
        Precondition("warp-size-query", "a host query of the warp size stores into a variable the pass can set"),
        Precondition("inline", "device functions holding wavefront operations can be inlined (HIP -> CUDA)"),
        Precondition("uniform", "every thread of a block reaches each wavefront operation the same number of "
                                "times: loops around them have thread-independent trip counts, no break, "
                                "continue or return inside them (HIP -> CUDA)"),
        Precondition("predicate", "the statements around a thread-dependent wavefront operation can be "
                                  "predicated (HIP -> CUDA)"),
        Precondition("mfma", "MFMA builtins with a CUDA formulation, reached by every lane of the wavefront "
                             "(HIP -> CUDA)"),
        Precondition("vector-type", "clang vector types are only indexed and assigned (HIP -> CUDA)"),
        Precondition("float-atomic", "no floating-point atomicMin/atomicMax (CUDA has none; HIP -> CUDA)"),
    )

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict = {}

    # ------------------------------------------------------------------ protocol
    def _target(self, module: ir.Module, target: Optional[str], to: str) -> str:
        if to:
            return to
        if target in ("cuda", "hip") and target != module.dialect:
            return target
        return "hip" if module.dialect == "cuda" else "cuda"

    def preconditions(self, module: ir.Module, target: Optional[str], to: str = "") -> Iterator[Refusal]:
        to = self._target(module, target, to)
        if module.dialect not in ("cuda", "hip") or to == module.dialect:
            yield self.refuse("dialect", f"hipify translates between CUDA and HIP; the module is "
                                         f"{module.dialect}, the target {to}")
            return
        errors = [d for d in module.diagnostics if d.is_error]
        if errors:
            span = ir.Span(errors[0].line, errors[0].col, errors[0].line, errors[0].col)
            yield Refusal(self.name, "parses", f"parse error: {errors[0].message}", span)
            return
        try:
            out = (_ToHip(self) if to == "hip" else _ToCuda(self)).run(module)
        except _Refuse as r:
            yield r.refusal
            return
        self._cache = {(id(module), to): out}  # the rewrite that apply() asks for next

    def rewrite(self, module: ir.Module, target: Optional[str], to: str = "") -> ir.Module:
        to = self._target(module, target, to)
        out = self._cache.pop((id(module), to), None)
        if out is None:
            out = (_ToHip(self) if to == "hip" else _ToCuda(self)).run(module)
        return out


# ================================================================================== common parts
class _Direction:
    """What both directions share: renames, headers, launches, launch bounds, warp size."""

    to = ""
    source_warp = 0  # the warp size the source's code means

    def __init__(self, p: Hipify):
        self.p = p
        self.table = cm.names(self.to)
        self.consts: dict[str, int] = {}

    def refuse(self, pre: str, detail: str, node: Optional[ir.Node] = None):
        raise _Refuse(self.p.refuse(pre, detail, node))

    # --- names everywhere
    def rename(self, module: ir.Module) -> ir.Module:
        table = self.table
        to = self.to

        subst = getattr(self, "subst", None)

        def ident(text: str) -> str:
            text = cm.rename_text(text, table)
            return subst(text) if subst is not None else text

        def fn(n: ir.Node):
            if isinstance(n, ir.Name):
                if n.name in table:
                    return ir.Name(table[n.name], kind=n.kind)
                if not re.fullmatch(r"\w+", n.name):
                    new = ident(n.name)
                    if new != n.name:
                        return ir.Name(new, kind=n.kind)
            elif isinstance(n, ir.Named):
                new = ident(n.name)
                if new != n.name:
                    n.name = new
                    n.canonical = None
            elif isinstance(n, ir.OpaqueTop) and to == "hip" and \
                    re.fullmatch(r"\s*using\s+namespace\s+nvcuda\s*;\s*", n.text):
                return []  # nvcuda::wmma is written xp_wmma_* (or unused)
            elif isinstance(n, (ir.OpaqueExpr, ir.OpaqueStmt, ir.OpaqueTop)):
                new = ident(n.text)
                if new != n.text:
                    n.text = new
                    return n
            elif isinstance(n, ir.Directive):
                return self.directive(n, ident)
            elif isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and n.callee.name in _SYMBOL_ARG:
                # CUDA names the symbol itself, HIP its address (HIP_SYMBOL(x) is &x; HIPIFY writes it)
                k = _SYMBOL_ARG[n.callee.name]
                if len(n.args) > k:
                    a = n.args[k]
                    if to == "cuda" and isinstance(a, ir.Unary) and a.op == "&":
                        n.args[k] = a.operand
                        return n
                    if to == "hip" and not (isinstance(a, ir.Unary) and a.op == "&"):
                        n.args[k] = _call("HIP_SYMBOL", a)
                        return n
            elif isinstance(n, ir.Launch):
                if to == "cuda" and n.style == "hip":
                    n.style = "chevron"
                    return n
            elif isinstance(n, ir.Function):
                if len(n.launch_bounds) > 1:  # CUDA: min blocks per SM; HIP: min waves per EU
                    n.launch_bounds = n.launch_bounds[:1]
                    return n
            elif isinstance(n, ir.Module):
                n.dialect = to
                n.items = self.includes(n.items)
            return None

        return self.p.transform(module, fn)

    def directive(self, d: ir.Directive, ident: Callable[[str], str]):
        m = re.match(r"(\s*#\s*include\s*)([<\"])([^>\"]+)([>\"])(.*)$", d.text, re.S)
        if m:
            known, new = cm.header(m.group(3), self.to)
            if not known:
                return None
            if new is None:
                return []
            return ir.Directive(f"{m.group(1)}<{new}>{m.group(5)}")
        new = ident(d.text)
        return ir.Directive(new) if new != d.text else None

    def includes(self, items: list[ir.Stmt]) -> list[ir.Stmt]:
        """Duplicate includes dropped; the target's runtime header first when missing."""
        out: list[ir.Stmt] = []
        seen: set[str] = set()
        for it in items:
            if isinstance(it, ir.Directive) and re.match(r"\s*#\s*include\b", it.text):
                key = re.sub(r"\s+", "", it.text)
                if key in seen:
                    continue
                seen.add(key)
            out.append(it)
        want = cm.RUNTIME_HEADER[self.to]
        if not any(isinstance(it, ir.Directive) and want in it.text for it in out):
            at = 0
            while at < len(out) and isinstance(out[at], ir.Comment):
                at += 1
            out.insert(at, ir.Directive(f"#include <{want}>"))
        return out

    # --- the warp size the source means, in device and host code
    def warp_size(self, module: ir.Module) -> ir.Module:
        size = self.source_warp
        props = {"cudaDeviceProp", "hipDeviceProp_t"}

        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.Function) and old.body is not None:
                table = symbols.SymbolTable(old, module)

                def body_fn(x: ir.Node, o: ir.Node):
                    if isinstance(x, ir.Name) and x.name == "warpSize" and x.kind in (None, "builtin") and \
                            not (o in table and (sym := table.resolve(o)) is not None and sym.kind != "builtin"):
                        return _lit(size)
                    if isinstance(x, ir.Member) and x.member == "warpSize" and o in table:
                        t = table.type_of(o.base)
                        t = t.pointee if isinstance(t, ir.Pointer) and x.arrow else t
                        if _type_text(t) in props or (isinstance(t, ir.Named) and t.name.split()[-1] in props):
                            return _lit(size)
                    if isinstance(x, (ir.ExprStmt, ir.Decl, ir.Return)):
                        fix = self._warp_query(o)
                        if fix is not None:
                            return [x, fix]
                    return None

                n.body = ir.transform(old.body, body_fn, origin=self.p.name, with_original=True)
                return n
            return None

        self._queries: set[int] = set()
        out = self.p.transform(module, fn, with_original=True)
        for n in module.walk():  # a query in a place the pass cannot follow it would give the target's size
            if _is_warp_query(n) and id(n) not in self._queries:
                self.refuse("warp-size-query", "the warp size is queried where the pass cannot set the variable "
                                               "to the source's warp size after it (not a statement of its own, "
                                               "a declaration or a return)", n)
        return out

    def _warp_query(self, s: ir.Stmt) -> Optional[ir.Stmt]:
        for n in s.walk():
            if _is_warp_query(n):
                self._queries.add(id(n))
                dst = n.args[0]
                if not (isinstance(dst, ir.Unary) and dst.op == "&"):
                    self.refuse("warp-size-query", "the warp size is queried into something other than &variable", n)
                if isinstance(s, ir.Return):
                    self.refuse("warp-size-query", "the warp size query is returned directly", n)
                what = "CUDA warp" if self.source_warp == cm.CUDA_WARP else "HIP wavefront"
                return ir.ExprStmt(ir.Assign("=", ir.clone(dst.operand), _lit(self.source_warp)),
                                   trailing=f"// xpiler: the {what} of the source is {self.source_warp} lanes")
        return None

    def check_names(self, module: ir.Module, none: dict[str, str]) -> None:
        defined = {f.name for f in module.functions if f.body is not None}
        for n in module.walk():
            name = _call_name(n)
            if name and name in none and name not in defined:
                self.refuse("no-equivalent", f"{name}: {none[name]}", n)


# ================================================================================== CUDA -> HIP
class _ToHip(_Direction):
    to = "hip"
    source_warp = cm.CUDA_WARP

    def run(self, module: ir.Module) -> ir.Module:
        self.consts = module_constants(module)
        self.check_names(module, cm.NO_HIP_EQUIVALENT)
        self.wmma = self.check_wmma(module)
        if self.wmma:
            self.subst = lambda text: re.sub(r"\b(?:nvcuda::)?wmma::(\w+)", cm.WMMA_PREFIX + r"\1", text)
        self.helpers: set[str] = set()
        self.defined = {f.name for f in module.functions if f.body is not None}
        out = self.p.transform(module, self.function_fn(module), with_original=True)
        out = self.warp_size(out)
        out = self.rename(out)
        return self.add_helpers(out)

    def add_helpers(self, module: ir.Module) -> ir.Module:
        text = cm.hip_helpers(self.helpers) if self.helpers else ""
        if self.wmma:
            text += cm.WMMA_HIP
        return _insert_helpers(self.p, module, text, "hip") if text else module

    def check_wmma(self, module: ir.Module) -> bool:
        """Whether the module uses nvcuda::wmma, every use being one cuda_map.WMMA_HIP implements."""
        why = "wmma-to-mfma not supported: use the C round trip"
        used = False
        for n in module.walk():
            if isinstance(n, ir.Named) and re.search(r"\bwmma::", n.name):
                used = True
                bad = cm.wmma_fragment(n.canonical or n.name)
                if bad:
                    self.refuse("wmma", f"{why} ({bad})", n)
            elif isinstance(n, ir.Call) and isinstance(n.callee, ir.Name) and re.search(r"\bwmma::", n.callee.name):
                used = True
                fn = n.callee.name.rsplit("::", 1)[1]
                if fn not in cm.WMMA_FUNCTIONS:
                    self.refuse("wmma", f"{why} ({n.callee.name} is not written for HIP)", n)
                if fn == "mma_sync" and len(n.args) > 4 and _int_value(n.args[4], {"false": 0, "true": 1}) != 0:
                    self.refuse("wmma", f"{why} (mma_sync with satf)", n)
            elif isinstance(n, (ir.OpaqueStmt, ir.OpaqueExpr)) and re.search(r"\bwmma::|\bnvcuda\b", n.text):
                self.refuse("wmma", f"{why} (a wmma construct the IR keeps verbatim)", n)
            elif isinstance(n, ir.OpaqueTop) and re.search(r"\bnvcuda\b", n.text) and not re.fullmatch(
                    r"\s*using\s+namespace\s+nvcuda\s*;\s*", n.text):
                self.refuse("wmma", f"{why} ({n.text.strip()[:60]}: only wmma:: and nvcuda::wmma:: spellings are "
                                    f"written for HIP)", n)
        return used

    def function_fn(self, module: ir.Module):
        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.Function) and n.body is not None:
                table = symbols.SymbolTable(old, module)
                loops = _loop_bounds(old, self.consts)
                n.body = ir.transform(old.body, lambda x, o: self.warp_node(x, o, table, loops), origin=self.p.name,
                                      with_original=True)
                left = next((x for x in n.body.walk() if _call_name(x) == "__syncwarp"), None)
                if left is not None:
                    self.refuse("call-position", "__syncwarp inside an expression (HIP's is three statements)", left)
                return n
            return None

        return fn

    def warp_node(self, n: ir.Node, old: ir.Node, table, loops):
        name = _call_name(n)
        if name is None:
            if isinstance(n, ir.ExprStmt) and _call_name(n.expr) == "__syncwarp":
                return [ir.ExprStmt(_call(f, *[ir.Name(a) if not a.startswith('"') else ir.StringLit(a) for a in args]))
                        for f, args in cm.SYNCWARP_HIP]
            return None
        if name in cm.DEVICE:
            n.callee = ir.Name(cm.DEVICE[name])
            return n
        if name in cm.LOAD_HINTS and len(n.args) == 1:
            return ir.Unary("*", n.args[0])
        if name in cm.STORE_HINTS and len(n.args) == 2:
            return ir.Assign("=", ir.Unary("*", n.args[0]), n.args[1])
        if name in cm.HIP_FROM_SEMANTICS and name not in self.defined:
            self.helpers.add(name)
            n.callee = ir.Name("xp_" + name.lstrip("_"))
            return n
        if name in cm.SHUFFLES:
            return self.shuffle(n, old, table, loops)
        if name in cm.VOTES:
            return self.vote(n, name)
        return None

    def shuffle(self, n: ir.Call, old: ir.Call, table, loops) -> ir.Expr:
        name = _call_name(n)
        args = list(n.args)
        oargs = list(old.args)
        if name in cm.MASKED:
            if _has(oargs[0], lambda x: isinstance(x, ir.Assign) or (isinstance(x, ir.Unary) and x.op in ("++", "--"))):
                self.refuse("call-position", f"{name}: the mask, which HIP's shuffle does not take, has side effects",
                            old)
            args, oargs = args[1:], oargs[1:]
        if len(args) < 2:
            return n
        t = table.type_of(oargs[0]) if old in table else None
        tt = _type_text(t)
        if tt is not None and tt not in cm.HIP_SHUFFLE_TYPES:
            self.refuse("shuffle-type", f"{name} of a {tt}: HIP's shuffles move "
                                        f"{', '.join(sorted(cm.HIP_SHUFFLE_TYPES))}", old)
        hip = cm.SHUFFLES[name]
        x = args[1]
        if hip != "__shfl" and not _below_32(oargs[1], loops, self.consts):
            x = ir.Binary("&", x, _lit(31))  # CUDA reads 5 bits of delta / laneMask (gpu.md §3.1)
        width = args[2] if len(args) > 2 else _lit(cm.CUDA_WARP)
        return _call(hip, args[0], x, width)

    def half(self, ballot: ir.Expr) -> ir.Expr:
        """The caller's 32-lane half of a 64-bit wavefront mask."""
        return ir.Cast(ir.Named("unsigned int"),
                       ir.Binary(">>", ballot, ir.Binary("&", _call("__lane_id"), _lit(32))))

    def vote(self, n: ir.Call, name: str) -> ir.Expr:
        kind = cm.VOTES[name]
        args = list(n.args)
        mask = args[0] if name in cm.MASKED else None
        full = mask is None or _int_value(mask, {}) == cm.FULL_MASK_32
        rest = args[1:] if name in cm.MASKED else args

        def masked(e: ir.Expr) -> ir.Expr:
            return e if full else ir.Binary("&", e, mask)

        if kind == "activemask":
            return self.half(_call("__ballot", _lit(1)))
        if kind == "ballot":
            return masked(self.half(_call("__ballot", rest[0])))
        if kind == "any":
            return ir.Binary("!=", masked(self.half(_call("__ballot", rest[0]))), _lit(0))
        if kind == "all":
            return ir.Binary("==", masked(self.half(_call("__ballot", ir.Unary("!", rest[0])))), _lit(0))
        if kind == "match_any":
            self.helpers.add("xp_match_any32")
            return masked(_call("xp_match_any32", rest[0]))
        return n


def _is_warp_query(n: ir.Node) -> bool:
    return _call_name(n) in ("cudaDeviceGetAttribute", "hipDeviceGetAttribute") and len(n.args) >= 2 and \
        isinstance(n.args[1], ir.Name) and n.args[1].name in cm.WARP_SIZE_QUERIES


def _loop_bounds(f: ir.Function, consts: dict) -> dict[int, tuple[int, int]]:
    """Per For loop (by id of its variable's name nodes' loop) the range [lo, hi] of its variable
    inside the body, when the header alone decides it: a constant start that only decreases
    (``>>=``, ``/=``, ``-=`` by a positive constant, with a ``> c`` or ``>= c`` condition), or
    one that only grows under a ``< C`` / ``<= C`` condition; the variable not assigned in the body."""
    env = dict(consts)
    env["warpSize"] = cm.CUDA_WARP
    out: dict[int, tuple[int, int]] = {}
    for loop in f.walk():
        if not isinstance(loop, ir.For) or not isinstance(loop.init, ir.Decl) or len(loop.init.vars) != 1:
            continue
        v = loop.init.vars[0]
        start = _int_value(v.init, env) if v.init is not None else None
        if start is None or not isinstance(loop.step, (ir.Assign, ir.Unary)):
            continue
        assigned = any((isinstance(x, ir.Assign) and isinstance(x.target, ir.Name) and x.target.name == v.name) or
                       (isinstance(x, ir.Unary) and x.op in ("++", "--") and isinstance(x.operand, ir.Name) and
                        x.operand.name == v.name) for x in loop.body.walk())
        if assigned:
            continue
        st = loop.step
        cond = loop.cond
        if isinstance(st, ir.Assign) and isinstance(st.target, ir.Name) and st.target.name == v.name:
            k = _int_value(st.value, env)
            if k is None:
                continue
            down = (st.op in (">>=",) and k >= 0) or (st.op == "/=" and k >= 1) or (st.op == "-=" and k > 0)
            up = (st.op == "<<=" and k >= 0) or (st.op == "*=" and k >= 1) or (st.op == "+=" and k > 0)
        elif isinstance(st, ir.Unary):
            down, up = st.op == "--", st.op == "++"
        else:
            continue
        if down and isinstance(cond, ir.Binary) and cond.op in (">", ">=") and isinstance(cond.lhs, ir.Name) and \
                cond.lhs.name == v.name and (c := _int_value(cond.rhs, env)) is not None and c >= -1:
            out[id(loop)] = (c + 1 if cond.op == ">" else c, start)
            _mark(loop, v.name, out)
        elif up and isinstance(cond, ir.Binary) and cond.op in ("<", "<=") and isinstance(cond.lhs, ir.Name) and \
                cond.lhs.name == v.name and (c := _int_value(cond.rhs, env)) is not None and start >= 0:
            out[id(loop)] = (start, c - 1 if cond.op == "<" else c)
            _mark(loop, v.name, out)
    return out


def _mark(loop: ir.For, var: str, out: dict) -> None:
    """Record the range for every use of ``var`` in the loop's body (by node id)."""
    rng = out[id(loop)]
    for x in loop.body.walk():
        if isinstance(x, ir.Name) and x.name == var:
            out[id(x)] = rng


def _below_32(e: ir.Expr, loops: dict, consts: dict) -> bool:
    """Whether ``e`` (a shuffle's delta or lane mask, in the source tree) is provably in [0, 31]."""
    v = _int_value(e, {**consts, "warpSize": cm.CUDA_WARP})
    if v is not None:
        return 0 <= v <= 31
    if isinstance(e, ir.Name) and id(e) in loops:
        lo, hi = loops[id(e)]
        return lo >= 0 and hi <= 31
    return False


# ================================================================================== HIP -> CUDA
def _wave_op(name: Optional[str]) -> bool:
    return name is not None and (name in cm.WAVE_OPS or name in MFMA)


def _collective(name: Optional[str]) -> bool:
    """Calls every thread of the block must make together on CUDA (wavefront operations, which
    hold __syncthreads, and __syncthreads itself)."""
    return _wave_op(name) or name in ("__syncthreads", "__syncthreads_count", "__syncthreads_and",
                                      "__syncthreads_or")


def _has(node: ir.Node, pred: Callable[[ir.Node], bool]) -> bool:
    return any(pred(x) for x in node.walk())


_VARYING_CALLS = ("atomic", "clock", "__lane_id", "__builtin_amdgcn_mbcnt")


class _Varying:
    """Which local variables of a function may differ between the threads of a block
    (flow-insensitive: a variable is varying if any assignment to it has a varying value or
    sits under varying control). Varying sources: threadIdx, wavefront operations, atomics,
    loads at varying addresses."""

    def __init__(self, body: ir.Block):
        self.v: set[str] = set()
        changed = True
        while changed:
            before = len(self.v)
            self._stmt(body, False)
            changed = len(self.v) != before

    def expr(self, e: Optional[ir.Node]) -> bool:
        if e is None:
            return False
        for x in e.walk():
            if isinstance(x, ir.Name) and (x.name in self.v or x.name == "threadIdx"):
                return True
            name = _call_name(x)
            if name is not None and (_wave_op(name) or name in cm.WAVE_PURE or name.startswith(_VARYING_CALLS)):
                return True
        return False

    def _assign(self, target: ir.Node, varying: bool) -> None:
        while isinstance(target, (ir.Index, ir.Member)):
            target = target.base
        if isinstance(target, ir.Name) and varying:
            self.v.add(target.name)

    def _effects(self, e: Optional[ir.Node], ctl: bool) -> None:
        if e is None:
            return
        for x in e.walk():
            if isinstance(x, ir.Assign):
                self._assign(x.target, ctl or self.expr(x.value) or (x.op != "=" and self.expr(x.target)))
            elif isinstance(x, ir.Unary) and x.op in ("++", "--"):
                self._assign(x.operand, ctl or self.expr(x.operand))
            elif isinstance(x, ir.Unary) and x.op == "&" and isinstance(x.operand, ir.Name) and \
                    isinstance(e, ir.Expr) and _has(e, lambda c: isinstance(c, ir.Call)):
                self.v.add(x.operand.name)  # passed by address: whatever the callee stores

    def _stmt(self, s: Optional[ir.Stmt], ctl: bool) -> None:
        if s is None:
            return
        if isinstance(s, ir.Block):
            for x in s.stmts:
                self._stmt(x, ctl)
        elif isinstance(s, ir.Decl):
            for v in s.vars:
                if v.init is not None:
                    self._effects(v.init, ctl)
                    if ctl or self.expr(v.init):
                        self.v.add(v.name)
        elif isinstance(s, ir.ExprStmt):
            self._effects(s.expr, ctl)
        elif isinstance(s, ir.If):
            c = ctl or self.expr(s.cond)
            self._effects(s.cond, ctl)
            self._stmt(s.then, c)
            self._stmt(s.other, c)
        elif isinstance(s, (ir.For, ir.While, ir.DoWhile)):
            c = ctl or self.loop_varying(s)
            if isinstance(s, ir.For):
                # a variable the header declares takes the same values in every thread that runs the
                # loop when its start and step do (the predicated code runs the header in all threads)
                own = isinstance(s.init, ir.Decl)
                self._stmt(s.init, False if own else ctl)
                self._effects(s.step, (False if own else ctl) or self.expr(s.cond))
            self._effects(s.cond, c)
            self._stmt(s.body, c)
        elif isinstance(s, ir.Switch):
            c = ctl or self.expr(s.cond)
            self._stmt(s.body, c)

    def loop_varying(self, s: ir.Stmt) -> bool:
        if self.expr(s.cond):
            return True
        # a break / continue / return under varying control inside the loop makes its trip count varying
        return self._exits_varying(s.body, False, top=True)

    def _exits_varying(self, s: Optional[ir.Stmt], ctl: bool, top: bool) -> bool:
        if s is None:
            return False
        if isinstance(s, (ir.Break, ir.Continue)):
            return ctl and top
        if isinstance(s, ir.Return):
            return ctl
        if isinstance(s, ir.Block):
            return any(self._exits_varying(x, ctl, top) for x in s.stmts)
        if isinstance(s, ir.If):
            c = ctl or self.expr(s.cond)
            return self._exits_varying(s.then, c, top) or self._exits_varying(s.other, c, top)
        if isinstance(s, (ir.For, ir.While, ir.DoWhile, ir.Switch)):
            return self._exits_varying(s.body, ctl or self.expr(s.cond), False)
        return False


class _ToCuda(_Direction):
    to = "cuda"
    source_warp = cm.HIP_WAVE

    def run(self, module: ir.Module) -> ir.Module:
        self.check_names(module, cm.NO_CUDA_EQUIVALENT)
        module = self.open_namespaces(module)
        self.consts = module_constants(module)
        self.check_atomics(module)
        module = self.inline(module)
        self.vectors = self.vector_types(module)
        self.counter = 0
        self.used: set[str] = set()  # helpers needed: "wave", MFMA builtin names
        max_threads = self.max_threads(module)
        out = self.p.transform(module, self.kernel_fn(module), with_original=True)
        out = self.vector_operators(out)
        out = self.warp_size(out)
        out = self.rename(out)
        out = self.vector_rewrite(out)
        return self.add_helpers(out, max_threads)

    # --- HIP's vector types carry arithmetic, CUDA's do not (gpu.md §2.5): component-wise
    def vector_operators(self, module: ir.Module) -> ir.Module:
        try:
            return vector_arith.componentwise(module, self.p.transform, self.p.name)
        except vector_arith.VectorArithError as e:
            self.refuse("vector-type", e.detail, e.node)

    # --- before: anonymous namespaces holding wavefront operations are opened, so inlining sees them
    def open_namespaces(self, module: ir.Module) -> ir.Module:
        items: list[ir.Stmt] = []
        changed = False
        for k, it in enumerate(module.items):
            m = None
            if isinstance(it, ir.OpaqueTop):
                m = re.fullmatch(r"\s*namespace\s*\{(.*)\}\s*;?\s*", it.text, re.S)
            if m and re.search(r"\b(__shfl\w*|__ballot\w*|__any\w*|__all\w*|__activemask|__lane_id|__syncwarp|"
                               r"__builtin_amdgcn_\w+)\s*\(", m.group(1)):
                prefix = "".join(x.text + "\n" for x in module.items[:k] if isinstance(x, ir.Directive))
                sub = frontend.parse(prefix + m.group(1), path=module.path, dialect=module.dialect)
                if any(d.is_error for d in sub.diagnostics):
                    self.refuse("inline", "the anonymous namespace holding wavefront operations does not parse "
                                          "on its own", it)
                new = [x for x in sub.items if not isinstance(x, ir.Directive)]
                for x in new:
                    for y in x.walk():
                        y.span = it.span
                    if isinstance(x, ir.Function) and "static" not in x.specifiers:
                        x.specifiers = ["static"] + list(x.specifiers)  # internal linkage, as in the namespace
                items += new
                changed = True
            else:
                items.append(it)
        if not changed:
            return module
        out = ir.transform(module, lambda n: None)
        out.items = items
        return out

    def check_atomics(self, module: ir.Module) -> None:
        for f in module.functions:
            if f.body is None:
                continue
            table = None
            for n in f.body.walk():
                if _call_name(n) in ("atomicMin", "atomicMax", "atomicMin_system", "atomicMax_system") and n.args:
                    table = table or symbols.SymbolTable(f, module)
                    t = table.type_of(n.args[0])
                    pt = _type_text(t.pointee) if isinstance(t, ir.Pointer) else None
                    if pt in ("float", "double"):
                        self.refuse("float-atomic", f"{_call_name(n)} on {pt}: CUDA's atomicMin/Max take integers "
                                                    f"only (gpu.md §4)", n)

    # --- device functions with wavefront operations go into the kernels
    def inline(self, module: ir.Module) -> ir.Module:
        funcs = {f.name: f for f in module.functions if f.body is not None}
        holds: set[str] = set()
        changed = True
        while changed:
            changed = False
            for f in funcs.values():
                if f.name in holds or f.is_kernel:
                    continue
                if _has(f.body, lambda x: _wave_op(_call_name(x)) or (_call_name(x) in holds)):
                    holds.add(f.name)
                    changed = True
        if not holds:
            return module

        class Collectives(InlineCalls):
            def _device(self, m):
                return {n: f for n, f in super()._device(m).items() if n in holds}

        r = Collectives().apply(module)
        if r.refused:
            raise _Refuse(Refusal(self.p.name, "inline", f"{r.refused.precondition}: {r.refused.detail}",
                                  r.refused.span))
        out = r.module
        for f in out.functions:
            if f.body is not None and not f.is_kernel and f.name in holds and any(
                    _call_name(x) == f.name for g in out.functions if g.body is not None for x in g.body.walk()):
                self.refuse("inline", f"{f.name} holds wavefront operations and is called from host or device code "
                                      f"that cannot inline it", f)
        return out

    # --- clang vector types
    def vector_types(self, module: ir.Module) -> dict[str, tuple[str, int]]:
        out = {}
        for it in module.items:
            if isinstance(it, ir.OpaqueTop) and (v := cm.ext_vector_typedef(it.text)):
                elem, name, n = v
                out[name] = (cm.TYPES_TO_CUDA.get(elem, elem), n)
        return out

    def vector_rewrite(self, module: ir.Module) -> ir.Module:
        if not self.vectors:
            return module
        vec = self.vectors

        def is_vec(t: Optional[ir.CType]) -> bool:
            return isinstance(t, ir.Named) and t.name in vec

        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.OpaqueTop) and (v := cm.ext_vector_typedef(n.text)):
                elem, name, k = v
                return ir.OpaqueTop(cm.vector_struct(cm.TYPES_TO_CUDA.get(elem, elem), name, k))
            if isinstance(n, ir.Function) and old.body is not None:
                table = symbols.SymbolTable(old, module)

                def body_fn(x: ir.Node, o: ir.Node):
                    if isinstance(x, ir.Member) and x.member in "xyzw" and len(x.member) == 1 and o in table and \
                            is_vec(table.type_of(o.base)):
                        return ir.Index(x.base, _lit("xyzw".index(x.member)))
                    if isinstance(x, (ir.Binary, ir.Unary, ir.Assign)) and o in table and not (
                            isinstance(x, ir.Assign) and x.op == "="):
                        parts = [getattr(o, a) for a in ("lhs", "rhs", "operand", "target", "value") if
                                 hasattr(o, a)]
                        if any(isinstance(p, ir.Expr) and is_vec(table.type_of(p)) for p in parts):
                            self.refuse("vector-type", "arithmetic on a clang vector type (nvcc has none; only "
                                                       "indexing and assignment are translated)", o)
                    return None

                n.body = ir.transform(old.body, body_fn, origin=self.p.name, with_original=True)
                return n
            return None

        return self.p.transform(module, fn, with_original=True)

    # --- the largest block the wavefront helpers must hold
    def max_threads(self, module: ir.Module) -> int:
        best = 0
        for f in module.kernels:
            if not _has(f.body, lambda x: _wave_op(_call_name(x))):
                continue
            bound = _int_value(f.launch_bounds[0], self.consts) if f.launch_bounds else None
            best = max(best, bound if bound and bound > 0 else 1024)
        return min(best, 1024) or 1024

    # --- kernels: predication where needed, then the helpers
    def kernel_fn(self, module: ir.Module):
        def fn(n: ir.Node, old: ir.Node):
            if isinstance(n, ir.Function) and n.body is not None and n.kind in ("kernel", "device", "host_device"):
                if not _has(old.body, lambda x: _wave_op(_call_name(x)) or _call_name(x) in cm.WAVE_PURE or
                            _call_name(x) == "__builtin_amdgcn_fence"):
                    return None
                n.body = self.kernel_body(old, module)
                return n
            return None

        return fn

    def kernel_body(self, f: ir.Function, module: ir.Module) -> ir.Block:
        body = f.body
        self.symtab = symbols.SymbolTable(f, module)
        vary = _Varying(body)
        self.vary = vary
        self.names = {x.name for x in f.walk() if isinstance(x, ir.Name)} | \
                     {v.name for x in f.walk() if isinstance(x, ir.Decl) for v in x.vars}
        stmts = list(body.stmts)
        start = None
        for k, s in enumerate(stmts):
            if self._needs_predicate(s, vary, top=True):
                start = k
                break
        if start is None:
            return self.lower(ir.Block(stmts), _lit(1))
        if not f.is_kernel:
            self.refuse("inline", f"{f.name} (not inlined) has a wavefront operation under thread-dependent control",
                        f)
        decl = ir.Decl([ir.VarDecl(ON, ir.Named("bool"), ir.BoolLit(True))],
                       trailing="// xpiler: threads that have not returned (they all run what follows)")
        # what stays is lowered as called by every thread (the predicated part's calls are helpers already)
        return self.lower(ir.Block(stmts[:start] + [decl] + self.pred(stmts[start:], ir.Name(ON))), _lit(1))

    def _needs_predicate(self, s: ir.Stmt, vary: _Varying, top: bool) -> bool:
        """Whether ``s`` holds a return under thread-dependent control or a wavefront operation
        under thread-dependent control."""
        def walk(x: Optional[ir.Stmt], ctl: bool) -> bool:
            if x is None:
                return False
            if isinstance(x, ir.Return):
                return ctl
            if isinstance(x, (ir.ExprStmt, ir.Decl)):
                return ctl and _has(x, lambda c: _collective(_call_name(c)))
            if isinstance(x, ir.Block):
                return any(walk(y, ctl) for y in x.stmts)
            if isinstance(x, ir.If):
                c = ctl or vary.expr(x.cond)
                return (ctl and _has(x.cond, lambda c2: _collective(_call_name(c2)))) or walk(x.then, c) or \
                    walk(x.other, c)
            if isinstance(x, (ir.For, ir.While, ir.DoWhile, ir.Switch)):
                c = ctl or (vary.loop_varying(x) if not isinstance(x, ir.Switch) else vary.expr(x.cond))
                return walk(x.body, c) or (c and _has(x, lambda c2: _collective(_call_name(c2))))
            return False

        return walk(s, False)

    # --- replacing the operations
    def lower(self, node: ir.Node, active: ir.Expr) -> ir.Node:
        """``node`` with every wavefront operation replaced by its CUDA helper, called with ``active``."""
        def fn(n: ir.Node, old: ir.Node):
            name = _call_name(n)
            if name is None:
                return None
            return self.helper_call(n, old, name, active)

        return ir.transform(node, fn, origin=self.p.name, with_original=True)

    def helper_call(self, n: ir.Call, old: ir.Call, name: str, active: ir.Expr) -> Optional[ir.Expr]:
        args = list(n.args)
        if name in cm.WAVE_PURE:
            self.used.add("wave")
            return _call(cm.WAVE_PURE[name], *args)
        if name == "__builtin_amdgcn_fence":
            scope = args[1].text if len(args) > 1 and isinstance(args[1], ir.StringLit) else '""'
            return _call(cm.FENCES.get(scope, "__threadfence_system"))
        if name in MFMA:
            why = cm.mfma_supported(name)
            if why:
                self.refuse("mfma", why, old)
            if len(args) != 6:
                self.refuse("mfma", f"{name} takes 6 arguments", old)
            for a in args[3:]:
                if _int_value(a, self.consts) is None:
                    self.refuse("mfma", f"{name}: cbsz, abid and blgp must be integer constants", old)
            self.used.add("wave")
            self.used.add(name)
            return _call("xp_" + name[len("__builtin_amdgcn_"):], *args, active)
        if name not in cm.WAVE_OPS:
            return None
        helper, kind = cm.WAVE_OPS[name]
        self.used.add("wave")
        if kind == "sync":
            return _call("__syncthreads")
        if kind in ("shfl", "shfl_sync"):
            if kind == "shfl_sync":
                args = args[1:]
            t = self.symtab.type_of(old.args[1 if kind == "shfl_sync" else 0]) if old in self.symtab else None
            tt = _type_text(t)
            if tt is not None and tt not in cm._BITS:
                self.refuse("shuffle-type", f"{name} of a {tt}", old)
            width = args[2] if len(args) > 2 else _lit(cm.HIP_WAVE)
            return _call(helper, args[0], args[1], width, active)
        if kind == "vote":
            return _call(helper, args[0], active)
        if kind == "activemask":
            return _call(helper, _lit(1), active)
        if kind == "vote_sync":
            mask, pred = args[0], args[1]
            b = ir.Binary("&", _call("xp_ballot", pred, active), mask)
            if helper == "xp_ballot":
                return b
            if helper == "xp_any":
                return ir.Binary("!=", b, _lit(0))
            return ir.Binary("==", b, ir.clone(mask))
        if kind == "first":
            return _call(helper, args[0], active)
        if kind == "readlane":
            return _call(helper, args[0], args[1], _lit(cm.HIP_WAVE), active)
        if kind == "bpermute":
            return _call(helper, args[0], args[1], active)
        return None

    # --- predication
    def fresh(self, stem: str) -> str:
        while True:
            self.counter += 1
            name = f"{stem}{self.counter}"
            if name not in self.names:
                self.names.add(name)
                return name

    def pred(self, stmts: list[ir.Stmt], P: ir.Expr) -> list[ir.Stmt]:
        """``stmts`` run by every thread, with their effects where ``P`` holds. A run of guarded
        statements becomes one ``if (P)``, the declarations it needs before it (unless one of them
        would then capture a name an earlier statement of the run means otherwise)."""
        out: list[ir.Stmt] = []
        run: list = []

        def flush():
            decls = [x.stmt for x in run if isinstance(x, _Hoisted)]
            body = [x.stmt for x in run if isinstance(x, _Guard)]
            early = False
            for k, x in enumerate(run):
                if isinstance(x, _Hoisted):
                    before = [y.stmt for y in run[:k] if isinstance(y, _Guard)]
                    if any(isinstance(n, ir.Name) and n.name in {v.name for v in x.stmt.vars}
                           for b in before for n in b.walk()):
                        early = True
            if early:  # keep the order
                pending: list[ir.Stmt] = []
                for x in run:
                    if isinstance(x, _Guard):
                        pending.append(x.stmt)
                        continue
                    if pending:
                        out.append(ir.If(ir.clone(P), pending[0] if len(pending) == 1 else ir.Block(pending)))
                        pending = []
                    out.append(x.stmt)
                if pending:
                    out.append(ir.If(ir.clone(P), pending[0] if len(pending) == 1 else ir.Block(pending)))
            else:
                out.extend(decls)
                if body:
                    out.append(ir.If(ir.clone(P), body[0] if len(body) == 1 else ir.Block(body)))
            run.clear()

        for s in stmts:
            for x in self.pred_stmt(s, P):
                if isinstance(x, (_Guard, _Hoisted)):
                    run.append(x)
                else:
                    flush()
                    out.append(x)
        flush()
        return out

    def pred_stmt(self, s: ir.Stmt, P: ir.Expr) -> list:
        if isinstance(s, (ir.Comment, ir.Pragma, ir.Empty, ir.Directive)):
            return [s]
        coll = _has(s, lambda x: _collective(_call_name(x)))
        ret = _has(s, lambda x: isinstance(x, ir.Return))
        if not coll and not ret:
            if isinstance(s, ir.Decl):
                return self.pred_decl(s, P)
            return [_Guard(s)]
        if isinstance(s, ir.Return):
            off = ir.ExprStmt(ir.Assign("=", ir.Name(ON), ir.BoolLit(False)))
            return [off] if isinstance(P, ir.Name) and P.name == ON else [ir.If(ir.clone(P), off)]
        if isinstance(s, (ir.ExprStmt, ir.Decl)):
            temps, s2 = self.hoist(s, P)
            if isinstance(s2, ir.ExprStmt) and _call_name(s2.expr) in ("__syncthreads",):
                return temps + [s2]
            rest = self.pred_decl(s2, P) if isinstance(s2, ir.Decl) else [_Guard(s2)]
            return temps + rest
        if isinstance(s, ir.Block):
            return [ir.Block(self.pred(list(s.stmts), P))]
        if isinstance(s, ir.If) and not coll and s.other is None and isinstance(s.then, ir.Return) or (
                isinstance(s, ir.If) and not coll and s.other is None and isinstance(s.then, ir.Block) and
                len(s.then.stmts) == 1 and isinstance(s.then.stmts[0], ir.Return)):
            # if (c) return;  ->  if (P && c) xp_on = false;   (P is xp_on itself at the top)
            cond = s.cond if isinstance(P, ir.Name) and P.name == ON else ir.Binary("&&", ir.clone(P), s.cond)
            return [ir.If(cond, ir.ExprStmt(ir.Assign("=", ir.Name(ON), ir.BoolLit(False))), trailing=s.trailing)]
        if isinstance(s, ir.If):
            if s.decl is not None:
                self.refuse("predicate", "an if with a declaration around a wavefront operation", s)
            temps, cond = self.hoist_expr(s.cond, P, s)
            pk = self.fresh("xp_p")
            out = temps + [ir.Decl([ir.VarDecl(pk, ir.Named("bool", const=True), ir.Binary("&&", ir.clone(P), cond))])]
            inner = ir.Binary("&&", ir.Name(ON), ir.Name(pk))
            out.append(ir.Block(self.pred(_stmts(s.then), inner)))
            if s.other is not None:
                qk = self.fresh("xp_p")
                out.insert(len(temps) + 1, ir.Decl([ir.VarDecl(qk, ir.Named("bool", const=True),
                                                              ir.Binary("&&", ir.clone(P), ir.Unary("!", ir.Name(pk))))]))
                out.append(ir.Block(self.pred(_stmts(s.other), ir.Binary("&&", ir.Name(ON), ir.Name(qk)))))
            return out
        if isinstance(s, (ir.For, ir.While, ir.DoWhile)):
            if self.vary.loop_varying(s):
                self.refuse("uniform", "a loop around a wavefront operation whose trip count depends on the thread "
                                       "(on CUDA every thread of the block must make the call)", s)
            if ret:
                self.refuse("uniform", "a return inside a loop " + ("around a wavefront operation" if coll else
                                                                   "that wavefront operations follow"), s)
            if _has(s.body, lambda x: isinstance(x, (ir.Break, ir.Continue))):
                self.refuse("uniform", "break or continue in a loop around a wavefront operation", s)
            for part in ([s.init] if isinstance(s, ir.For) else []) + [s.cond] + \
                    ([s.step] if isinstance(s, ir.For) else []):
                if part is not None and _has(part, lambda x: _collective(_call_name(x))):
                    self.refuse("predicate", "a wavefront operation in a loop header", s)
            new = ir.clone(s)
            new.body = ir.Block(self.pred(_stmts(s.body), P))
            return [new]
        self.refuse("predicate", f"a {type(s).__name__} around a wavefront operation or a thread-dependent "
                                 f"return", s)

    def pred_decl(self, s: ir.Decl, P: ir.Expr) -> list:
        out: list = []
        for v in s.vars:
            keep = v.init is None or "constexpr" in v.specifiers or "static" in v.specifiers or v.space != "local"
            if keep:
                out.append(ir.Decl([v]))
                continue
            if isinstance(v.type, (ir.Array, ir.Reference)):
                self.refuse("predicate", f"{v.name}: an initialised array or reference after a thread-dependent "
                                         f"return or branch", s)
            init = v.init
            if isinstance(init, ir.InitList):
                init = ir.Cast(_strip_const(v.type), init, style="compound")
            # value-initialised, so the threads that skip the assignment hold a defined value (they pass
            # it to the wavefront operations every thread calls)
            out.append(_Hoisted(ir.Decl([ir.VarDecl(v.name, _strip_const(v.type), ir.InitList([]), space=v.space,
                                                    specifiers=list(v.specifiers), init_style="{}",
                                                    attrs=list(v.attrs))])))
            out.append(_Guard(ir.ExprStmt(ir.Assign("=", ir.Name(v.name), init))))
        return out

    def hoist(self, s: ir.Stmt, P: ir.Expr) -> tuple[list[ir.Stmt], ir.Stmt]:
        """Each wavefront operation of ``s`` into a temporary computed by every thread before it."""
        if isinstance(s, ir.ExprStmt):
            if _call_name(s.expr) in ("__syncthreads",):
                return [], s
            temps, e = self.hoist_expr(s.expr, P, s)
            return temps, ir.ExprStmt(e, trailing=s.trailing)
        temps: list[ir.Stmt] = []
        vars_ = []
        for v in s.vars:
            if v.init is not None:
                t, e = self.hoist_expr(v.init, P, s)
                temps += t
                v = ir.VarDecl(v.name, v.type, e, space=v.space, specifiers=list(v.specifiers),
                               init_style=v.init_style, attrs=list(v.attrs))
            vars_.append(v)
        return temps, ir.Decl(vars_, trailing=s.trailing)

    def hoist_expr(self, e: ir.Expr, P: ir.Expr, where: ir.Stmt) -> tuple[list[ir.Stmt], ir.Expr]:
        temps: list[ir.Stmt] = []
        calls = [x for x in e.walk() if _collective(_call_name(x))]
        if not calls:
            return [], e
        for c in calls:
            if any(_collective(_call_name(y)) for a in c.args for y in a.walk()):
                self.refuse("predicate", "a wavefront operation inside another one's arguments", where)
        bad = _conditional_calls(e)
        if any(id(c) in bad for c in calls):
            self.refuse("predicate", "a wavefront operation evaluated conditionally (under &&, ||, ?: or ,)",
                        where)
        repl: dict[int, ir.Expr] = {}
        for c in calls:
            name = _call_name(c)
            if name in MFMA:
                self.refuse("mfma", f"{name} where not every lane of the wavefront runs it (after a "
                                    f"thread-dependent return or branch)", where)
            if name.startswith("__syncthreads"):
                self.refuse("predicate", f"{name} inside an expression after a thread-dependent return", where)
            args = [a if _safe(a) else ir.Ternary(ir.clone(P), a, _lit(0)) for a in c.args]
            call = ir.Call(c.callee, args)
            lowered = self.helper_call(call, c, name, ir.clone(P))
            if lowered is None:
                continue
            if _call_name(lowered) == "__syncthreads":
                self.refuse("predicate", f"{name} inside an expression after a thread-dependent return", where)
            t = self.result_type(c, name)
            tmp = self.fresh("xp_t")
            temps.append(ir.Decl([ir.VarDecl(tmp, t, lowered)]))
            repl[id(c)] = ir.Name(tmp)

        def swap(n: ir.Node, old: ir.Node):
            return repl.get(id(old))

        return temps, ir.transform(e, swap, with_original=True)

    def result_type(self, c: ir.Call, name: str) -> ir.CType:
        helper, kind = cm.WAVE_OPS[name]
        if kind in ("shfl", "shfl_sync"):
            t = self.symtab.type_of(c.args[1 if kind == "shfl_sync" else 0]) if c in self.symtab else None
            if t is None:
                self.refuse("predicate", f"the type of the value {name} moves is not known", c)
            return _strip_const(t)
        if kind == "vote_sync":
            return ir.Named("unsigned long long" if helper == "xp_ballot" else "int")
        return ir.Named(cm.WAVE_BOOL_RESULT.get(helper, cm.WAVE_RESULT.get(kind, "int")))

    # --- helpers into the module
    def add_helpers(self, module: ir.Module, max_threads: int) -> ir.Module:
        if "wave" not in self.used:
            return module
        text = cm.wave_helpers(max_threads)
        for name in sorted(n for n in self.used if n in MFMA):
            text += cm.mfma_helper(name)
        return _insert_helpers(self.p, module, text, "cuda")


def _insert_helpers(p: Pass, module: ir.Module, text: str, dialect: str) -> ir.Module:
    """``text`` (helpers in ``dialect``) parsed and put after the module's last leading #include."""
    sub = frontend.parse(text, path="xpiler_helpers" + dialects.get(dialect).suffix, dialect=dialect)
    if any(d.is_error for d in sub.diagnostics):  # a bug of ours, not the user's: say so loudly
        raise AssertionError("hipify: the helpers do not parse: " +
                             "; ".join(d.message for d in sub.diagnostics if d.is_error))
    items = list(module.items)
    at = 0
    for k, it in enumerate(items):
        if isinstance(it, ir.Directive) and re.match(r"\s*#\s*include", it.text):
            at = k + 1
    present = {re.sub(r"\s+", "", it.text) for it in items if isinstance(it, ir.Directive)}
    helpers = [x for x in sub.items if not (isinstance(x, ir.Directive) and re.sub(r"\s+", "", x.text) in present)]
    for x in helpers:
        for y in x.walk():
            y.span = None

    def fn(n: ir.Node):
        if isinstance(n, ir.Module):
            n.items = items[:at] + helpers + items[at:]
            return n
        return None

    return p.transform(module, fn)


class _Guard:
    """A statement to run under the current predicate (consecutive ones share one ``if``)."""

    def __init__(self, stmt: ir.Stmt):
        self.stmt = stmt


class _Hoisted:
    """The declaration of a variable whose initialisation became a guarded assignment."""

    def __init__(self, stmt: ir.Decl):
        self.stmt = stmt


def _safe(e: ir.Expr) -> bool:
    """An argument every thread may evaluate (no memory access, call or division)."""
    for x in e.walk():
        if isinstance(x, (ir.Index, ir.Call, ir.Assign)) or (isinstance(x, ir.Unary) and x.op in ("*", "++", "--")) \
                or (isinstance(x, ir.Member) and x.arrow) or (isinstance(x, ir.Binary) and x.op in ("/", "%")):
            return False
    return True


def _conditional_calls(e: ir.Expr) -> set[int]:
    """Ids of the calls evaluated only under a condition inside ``e`` (operands of &&, ||, the
    arms of ?:, the right of ,)."""
    out: set[int] = set()

    def mark(x: ir.Node):
        for y in x.walk():
            if isinstance(y, ir.Call):
                out.add(id(y))

    for x in e.walk():
        if isinstance(x, ir.Binary) and x.op in ("&&", "||", ","):
            mark(x.rhs)
        elif isinstance(x, ir.Ternary):
            mark(x.then)
            mark(x.other)
    return out
