"""Analyses the translation passes need from the IR.

- ``symbols``: scopes and a symbol table over a function; ``type_of(expr, scope)`` with C's
  promotions and usual arithmetic conversions (``ctype`` holds the rules and widths).
- ``loops``: the canonical view of a ``for`` loop (``loop_view``), ``normalize``, and the
  loops around a statement (``loop_nest``).
- ``affine``: affine forms of index expressions and guards with C integer semantics.
- ``dependence``: which loops are parallel, reductions, or carry a dependence (isl).
- ``patterns``: the index patterns of parallel code.

Names are loaded on first use (``from xpiler.analysis import analyze``), so importing one
module (``evaluate`` needs ``ctype``) does not load isl.
"""
from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "affine": ("Affine", "Constraint", "Context", "Div", "Guard", "NotAffine", "Range", "affine_of",
               "constraints_of", "fold"),
    "ctype": ("IntType", "arithmetic", "int_type", "promote"),
    "dependence": ("Access", "LoopDeps", "MemObj", "Reduction", "Witness", "accesses", "analyze"),
    "loops": ("LoopView", "NotCanonical", "loop_nest", "loop_view", "normalize"),
    "symbols": ("Scope", "ScopeStack", "Symbol", "SymbolTable", "builtin_scope", "module_scope", "type_of"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
