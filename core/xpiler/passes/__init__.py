"""Transformation passes, one module each, on the protocol of ``passes/base.py``.

    from xpiler import passes
    result = passes.get("fold_constants").apply(module, "cuda")
    module, results = passes.run_sequence(module, passes.parse_sequence("fold_constants"), "cuda")

Importing this package registers every pass module listed below; ``passes.REGISTRY`` maps
names to classes (docs/passes.md is written from it).
"""
from __future__ import annotations

from .base import (BOOL, NAME, REGISTRY, BadParams, Param, Pass, PassRefused, PassResult, Precondition, Refusal,
                   Space, Step, changed_lines, format_sequence, get, parse_sequence, register, run_sequence)
from . import (bind, detensorize, fold_constants, fuse, hipify, host_code, inline_calls, loop_canon, loop_recovery,  # noqa: F401
               retarget, scalarize, task_recovery, tensorize, tensorize_bang, tensorize_c, tensorize_vnni,
               vector_arith)  # (registers)

__all__ = ["BOOL", "NAME", "REGISTRY", "BadParams", "Param", "Pass", "PassRefused", "PassResult", "Precondition",
           "Refusal", "Space", "Step", "changed_lines", "format_sequence", "get", "parse_sequence", "register",
           "run_sequence"]
