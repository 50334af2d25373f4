"""Inference of a kernel's launch and arguments when nothing else gives them."""
from __future__ import annotations

from typing import Optional

from .. import ir, spec


def infer_launch(module: ir.Module, f: ir.Function, values: dict) -> tuple[Optional[spec.Launch], list[str]]:
    return None, ["no launch evidence found"]


def infer_args(module: ir.Module, f: ir.Function, values: dict, missing: list[str], launch_text=None):
    return {}, []
