"""``retarget``: the last step of every translation: the file speaks the target dialect and
stands alone.

    before (a lifted CUDA kernel bound to C):
        #include <cuda_runtime.h>
        #include <cmath>
        constexpr int kN = 256;
        void k(float *x) { x[0] = std::fmax(static_cast<float>(kN), 1.0f); }
    after (target c):
        #include <math.h>  ...the target's standard set
        enum { kN = 256 };
        void k(float *restrict x) { x[0] = fmax((float)kN, 1.0f); }    (<tgmath.h>: fmax is generic)

- The half and bfloat16 types take the target's spelling (``dtypes.SPELLING``: ``__half``
  on CUDA/HIP, ``half`` on BANG, ``_Float16`` on C and VNNI; C has no bfloat16).
- A ``#define`` whose body calls another platform's runtime API goes (its uses were
  expanded and carried by host_code).
- Includes: the source platform's headers and the standard headers go; the target's set
  (``dialects/headers.py``) is written at the top; local headers (``"mine.h"``) stay.
- For C (a C compiler, not C++): C++ casts become C casts, ``std::`` math becomes
  ``<tgmath.h>``'s type-generic names, ``std::min``/``std::max`` conditional expressions,
  integer ``constexpr`` constants at file scope an ``enum``, others ``const``;
  ``extern "C"`` goes; ``nullptr`` is ``NULL``. A construct with no C spelling (a template,
  a reference) refuses the pass by name.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

from .. import dialects, dtypes, evaluate, ir
from ..dialects import headers, runtime_api
from ..dialects.cuda.vector_types import VECTOR_TYPES, c_definitions
from ..dialects.prelude import KNOWN_HEADERS
from .base import Pass, Precondition, Refusal, register

_INCLUDE = re.compile(r'\s*#\s*include\s*<([^>]+)>')
_MINMAX = {"min": "<", "max": ">"}


@register
class Retarget(Pass):
    """Make the module a standalone file of the target dialect.

        before:  #include <cuda_runtime.h>
                 void k(float *x) { x[0] = std::fmax(static_cast<float>(2), 1.0f); }
        after:   #include <math.h> ... (target c)
                 void k(float *x) { x[0] = fmax((float)2, 1.0f); }
    """

    name = "retarget"
    stage = "lower"
    requires = (Precondition("expressible", "every construct has a spelling in the target (C has no templates or "
                                            "references)"),)

    def preconditions(self, module: ir.Module, target: Optional[str], **params) -> Iterator[Refusal]:
        for n in module.walk():
            if isinstance(n, ir.Named) and target and dtypes.spelling(n.name, target) is None:
                yield self.refuse("expressible", f"{n.name} has no spelling in {target}", n)
                return
        if target != "c":
            return
        for f in module.functions:
            if f.template:
                yield self.refuse("expressible", f"{f.name} is a template; C has none", f)
                return
            for p in f.params:
                if isinstance(p.type, ir.Reference):
                    yield self.refuse("expressible", f"parameter {p.name} of {f.name} is a reference; C has none", p)
                    return

    def rewrite(self, module: ir.Module, target: Optional[str], **params) -> ir.Module:
        def fn(n: ir.Node):
            if isinstance(n, ir.Named) and target and (t := dtypes.spelling(n.name, target)) != n.name:
                n.name, n.canonical = t, None  # __half -> _Float16 on C, half on BANG
            if target == "c":
                return _to_c(n)
            return None

        out = self.transform(module, fn)
        items = [i for i in out.items if not _dropped_include(i) and not _foreign_macro(i, target)]
        if target not in ("cuda", "hip"):  # CUDA/HIP inlining hints mean nothing elsewhere
            for f in items:
                if isinstance(f, ir.Function):
                    f.specifiers = ["inline" if x in ("__forceinline__", "__inline__") else x
                                    for x in f.specifiers if x != "__noinline__"]
                    f.specifiers = list(dict.fromkeys(f.specifiers))
        if target == "c":
            items = [_file_constant(i) for i in items]
            for f in items:
                if isinstance(f, ir.Function):
                    f.extern_c = False
        lead = 0
        while lead < len(items) and isinstance(items[lead], ir.Comment):
            lead += 1
        incs = list(headers.includes_for(target))
        if target == "c":
            incs.append("tgmath.h")  # fmax, sqrt... type-generic, as std:: overloads were
        new: list[ir.Stmt] = []
        clash = _libm_clash(out) if target == "c" else set()
        if clash:  # a kernel named like a libm function (sin): C has no overloads, declare what is used
            incs = [h for h in incs if h not in ("math.h", "tgmath.h")]
            new.append(ir.OpaqueTop(_libm_prototypes(out, clash), origin="retarget"))
        new[:0] = [ir.Directive(f"#include <{h}>") for h in incs]
        if target not in ("cuda", "hip"):  # CUDA's vector types travel as plain structs
            used = {n.name for n in out.walk() if isinstance(n, ir.Named) and n.name in VECTOR_TYPES} | \
                {n.name[5:] for n in out.walk() if isinstance(n, ir.Name) and n.name.startswith("make_")
                 and n.name[5:] in VECTOR_TYPES}
            if used:
                qual = dialects.get(target).function_qualifiers.get("device", "")
                new.append(ir.OpaqueTop(c_definitions(used, qual, lambda e: dtypes.spelling(e, target)),
                                        origin="retarget"))
        items = [i for i in items if not _platform_namespace(i)]
        if target in ("cuda", "hip"):  # nvcc and hipcc take no GCC vector types in device code
            items = [_vector_structs(i) for i in items]
        out.items = items[:lead] + new + items[lead:]
        out.dialect = target
        out.language = ""
        return out


_VECTOR_TYPEDEF = re.compile(r"typedef\s+(?P<t>float|double|long long|int|short|char|signed char|unsigned char|"
                             r"unsigned short|unsigned int|unsigned long long)\s+(?P<n>\w+)\s+__attribute__\s*\(\(\s*"
                             r"__vector_size__\s*\(\s*(?P<k>\d+)\s*\)(?P<rest>[^;]*)\)\)\s*;")
_C_SIZES = {"float": 4, "double": 8, "long long": 8, "int": 4, "short": 2, "char": 1, "signed char": 1,
            "unsigned char": 1, "unsigned short": 2, "unsigned int": 4, "unsigned long long": 8}


def _vector_structs(item: ir.Stmt) -> ir.Stmt:
    """A GCC vector typedef (the VNNI lane types detensorize brings) as a struct of the same
    size and alignment: the lane views ``((T *)&v)[i]`` read it the same way."""
    if not isinstance(item, (ir.OpaqueTop, ir.Directive)) or "__vector_size__" not in item.text:
        return item

    def sub(m: re.Match) -> str:
        n = int(m["k"])
        if "__aligned__(1)" in m["rest"].replace(" ", "") and m["n"].endswith("_u"):
            return f"typedef {m['n'][:-2]} {m['n']};"  # the unaligned twin converts like GCC's
        lanes = max(1, n // _C_SIZES[m["t"]])
        return f"typedef struct __attribute__((aligned({min(n, 64)}))) {{ {m['t']} xp_lane[{lanes}]; }} {m['n']};"

    text = _VECTOR_TYPEDEF.sub(sub, item.text)
    return type(item)(text, span=item.span, origin="retarget") if text != item.text else item


def _platform_namespace(item: ir.Stmt) -> bool:
    """``using namespace nvcuda;`` and the like: a namespace only the source platform has."""
    return isinstance(item, ir.OpaqueTop) and bool(re.match(r"\s*using\s+namespace\s+(nvcuda|rocwmma)\b", item.text))


_DEFINE = re.compile(r"\s*#\s*define\s+\w+(?P<body>.*)", re.S)


def _foreign_macro(item: ir.Stmt, target: Optional[str]) -> bool:
    """A ``#define`` whose body calls another platform's runtime API (``HIP_CHECK(e)``
    around ``hipGetErrorString``): the front end expanded its uses, which host_code carried
    to the target, so the definition is dead text that would not compile there."""
    if not isinstance(item, ir.Directive) or not (m := _DEFINE.match(item.text)):
        return False
    return any((o := runtime_api.op(w)) is not None and o[0] != target
               for w in re.findall(r"[A-Za-z_]\w*", m["body"]))


def _libm_clash(module: ir.Module) -> set[str]:
    """The module's functions named like a function of <math.h> (C has no overloads)."""
    c = dialects.get("c")
    return {f.name for f in module.functions
            if (it := c.intrinsic(f.name)) is not None and it.category == "math"}


def _libm_prototypes(module: ir.Module, clash: set[str]) -> str:
    """Prototypes of the libm functions the module calls, and the <math.h> macros it uses,
    for a C file that cannot include <math.h> (one of its functions is named ``sin``)."""
    c = dialects.get("c")
    out = []
    called = sorted({n.callee.name for n in module.walk() if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name)}
                    - clash)
    for name in called:
        it = c.intrinsic(name)
        if it is None or it.category != "math":
            continue
        ov = next((o for o in it.overloads if all(p.type in ("float", "double", "int", "long") for p in o.params)
                   and o.ret in ("float", "double", "int", "long")), None)
        if ov is not None:
            out.append(f"extern {ov.ret} {name}({', '.join(p.type for p in ov.params)});")
    if out:  # C linkage also where the file is read as C++ (the emulation)
        out = ["#ifdef __cplusplus", 'extern "C" {', "#endif"] + out + ["#ifdef __cplusplus", "}", "#endif"]
    used = {n.name for n in module.walk() if isinstance(n, ir.Name)}
    macros = {"INFINITY": "__builtin_inff()", "NAN": "__builtin_nanf(\"\")", "HUGE_VALF": "__builtin_huge_valf()",
              "HUGE_VAL": "__builtin_huge_val()"}
    out += [f"#define {m} {v}" for m, v in macros.items() if m in used]
    return "\n".join(out)


def _dropped_include(item: ir.Stmt) -> bool:
    if not isinstance(item, ir.Directive):
        return False
    m = _INCLUDE.match(item.text)
    return bool(m) and (m.group(1) in KNOWN_HEADERS or headers.platform_of(m.group(1)) is not None)


def _to_c(n: ir.Node):
    if isinstance(n, ir.Cast) and n.style != "c":
        return ir.Cast(n.type, n.operand, style="c")
    if isinstance(n, ir.Call) and isinstance(n.callee, ir.Name):
        name = n.callee.name
        base = name[5:] if name.startswith("std::") else name
        if base in _MINMAX and len(n.args) == 2:
            a, b = n.args
            return ir.Ternary(ir.Binary(_MINMAX[base], ir.clone(a), ir.clone(b)), a, b)
        if name.startswith("std::"):
            return ir.Call(ir.Name(base), n.args)
    if isinstance(n, ir.Name) and n.name == "nullptr":
        return ir.Name("NULL")
    if isinstance(n, ir.VarDecl) and "constexpr" in n.specifiers:
        n.specifiers = [s for s in n.specifiers if s != "constexpr"]
        if isinstance(n.type, ir.Named):
            n.type.const = True
    return None


def _file_constant(item: ir.Stmt) -> ir.Stmt:
    """A file-scope integer constant as an enum (usable as an array size in C)."""
    if isinstance(item, ir.Decl) and len(item.vars) == 1:
        v = item.vars[0]
        if isinstance(v.type, ir.Named) and v.type.const and v.init is not None and \
                v.type.name in ("int", "unsigned", "unsigned int", "long", "short", "size_t"):
            try:
                val = evaluate.evaluate(v.init, {})
            except evaluate.Unknown:
                return item
            if isinstance(val, int) and -(1 << 31) <= val < (1 << 31):
                return ir.OpaqueTop(f"enum {{ {v.name} = {int(val)} }};", span=item.span, origin="retarget")
    return item


