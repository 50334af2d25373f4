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


def run_kernel(source, dialect=None, args=None, launch=None, **kw):
    """Run a kernel on this CPU; returns every buffer argument after the run (see
    ``xpiler.runtime.run_kernel``)."""
    from .runtime import run_kernel as _run

    return _run(source, dialect, args or {}, launch, **kw)


def translate(source, to, kernel=None, path=None, **options):
    """Translate a file's kernels to dialect ``to``; returns a ``report.Translation`` (see
    ``xpiler.driver.translate``)."""
    from .driver import translate as _translate

    return _translate(source, to, kernel, path, **options)


def check(source, candidate=None, **kw):
    """The oracle (see ``xpiler.oracle.check``)."""
    from .oracle import check as _check

    return _check(source, candidate, **kw)


__all__ = ["parse", "parse_file", "print_module", "print_node", "run_kernel", "check", "translate", "Diagnostic",
           "XpilerError", "__version__"]
