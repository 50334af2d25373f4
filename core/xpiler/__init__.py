"""Xpiler: transcompile tensor kernels between CUDA, HIP, BANG C, AVX-512 VNNI C and C.

The library API (see docs/architecture.md for the map):

    module = xpiler.parse(text, path="k.cu")       # any dialect -> IR (+ diagnostics)
    text = xpiler.print_module(module)             # IR -> source, any dialect
"""
from __future__ import annotations

__version__ = "0.1.0"

from .diagnostics import Diagnostic, XpilerError
from .frontend import parse, parse_file
from .printer import print_module, print_node

__all__ = ["parse", "parse_file", "print_module", "print_node", "Diagnostic", "XpilerError", "__version__"]
